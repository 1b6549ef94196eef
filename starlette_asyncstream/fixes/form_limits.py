"""Fix ``form-limits``: ``request.form()`` parses at most 1,000 files, 1,000
fields and 1 MB a field, as Starlette 1.3.1 does (Starlette 0.12.0b3-0.14.2):
CVE-2023-30798, CVE-2024-47874, CVE-2026-54283.

Legacy releases read a whole form into memory, however many parts it has
and however large a part without a filename is: one request can take a
worker's memory and CPU. Upstream bounded it in three steps:
- 0.25.0 (GHSA-74m5-2c7w-9w3x, CVE-2023-30798): at most ``max_files`` files
  and ``max_fields`` fields in a multipart form, 1,000 each;
- 0.40.0 (GHSA-f96h-pmfr-66vw, CVE-2024-47874): a multipart part without a
  filename holds at most ``max_part_size`` bytes, 1 MB;
- 1.3.1 (GHSA-82w8-qh3p-5jfq, CVE-2026-54283): the same field count and
  size limits for ``application/x-www-form-urlencoded`` bodies.
Past a limit, inside an application, the request gets a 400 whose body is
the limit's message ("Too many fields. Maximum number of fields is 1000.");
outside one (a Request made by hand), ``MultiPartException`` is raised.

The replacement ``Request.form`` takes 1.3.1's keyword arguments
(``await request.form(max_files=..., max_fields=..., max_part_size=...)``,
how a user raises or lowers a limit on a legacy release as on the newest),
makes the release's own parser and hands it a message list that counts what
the parser's callbacks report, in the same callbacks where 1.3.1 counts: the
error leaves ``parser.write`` at the part that crosses the line, before the
rest of the body is read. Uploads opened before it are closed, and so is the
request's stream generator (1.3.1 closes both). Everything else is the
release's own parsing. Parsers made by other code than ``Request.form`` are
left as they are.
"""

import functools
import inspect
import sys
from typing import Any, Callable, List, Tuple

from .._bindings import LayoutError, Switch, code_names, own_attribute, unwrap_ours

MODULES = ("starlette.requests",)

MAX_FILES = MAX_FIELDS = 1000
MAX_PART_SIZE = 1024 * 1024


class MultiPartException(Exception):
    """A form past one of its limits (Starlette 0.25.0+ raise one of this name)."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def _too_large(what: str, limit: int) -> str:
    return "{} exceeded maximum size of {}KB.".format(what, int(limit / 1024))


class _Batch(list):  # type: ignore[type-arg]
    """A parser's message list whose clear() checks the limits.

    The release's parse loop, for each body message (chunk), has
    python-multipart's callbacks append to this list, copies it, clears it,
    and only then acts on the copy: clear() sees the chunk's messages before
    anything is made of them, and raises at the first one past a limit, in
    their order, as 1.3.1's callbacks do (the rest of the body is not read).

    What came before the chunk is read from the parse loop's own locals (its
    caller's frame: the parts it has finished, the bytes of the one still
    open), and what the chunk can add is bounded by its bytes (its length,
    its separators): a chunk that cannot reach a limit costs a few C-level
    calls, whatever number of fields it holds. Only one that can is looked at
    message by message. (One look a callback, as 1.3.1 does, cost a legacy
    release 20 % more on a form of small fields.)
    """

    __slots__ = ("code", "max_fields", "max_part_size")

    def __init__(self, parse: Any, max_fields: float, max_part_size: int) -> None:
        super().__init__()
        self.code = getattr(parse, "__code__", None)  # (the release's parse: the frame to read)
        self.max_fields, self.max_part_size = max_fields, max_part_size

    def clear(self) -> None:
        if self:
            frame = sys._getframe(1)
            if frame.f_code is self.code:
                self.check(frame.f_locals)
        list.clear(self)

    def check(self, loop: Any) -> None:
        raise NotImplementedError

    def too_many_fields(self, count: int) -> None:
        if count > self.max_fields:
            raise MultiPartException("Too many fields. Maximum number of fields is {}.".format(self.max_fields))


class _Fields(_Batch):
    """An urlencoded parser's messages: fields, and each field's name and value bytes."""

    __slots__ = ("start", "end", "open")

    def __init__(self, kinds: Any, parse: Any, max_fields: float, max_part_size: int) -> None:
        super().__init__(parse, max_fields, max_part_size)
        self.start, self.end = kinds.FIELD_START, kinds.FIELD_END
        self.open = False  # a field started and not ended before this chunk

    def check(self, loop: Any) -> None:
        fields = len(loop["items"])  # (the fields the loop has finished)
        size = len(loop["field_name"]) + len(loop["field_value"]) if self.open else 0
        chunk = loop["chunk"]
        # A field ends at a separator or at the end ("&", and ";" up to python-multipart 0.0.29).
        if fields + chunk.count(b"&") + chunk.count(b";") + 1 > self.max_fields or (
                size + len(chunk) > self.max_part_size):
            self.scan(fields, size)
        for kind, _ in reversed(self):
            if kind is self.end or kind is self.start:
                self.open = kind is self.start
                break

    def scan(self, fields: int, size: int) -> None:
        for kind, data in self:
            if kind is self.start:
                size = 0
            elif kind is self.end:
                fields += 1
                self.too_many_fields(fields)
            else:  # a name's or a value's bytes
                size += len(data)
                if size > self.max_part_size:
                    raise MultiPartException(_too_large("Field", self.max_part_size))


class _Parts(_Batch):
    """A multipart parser's messages: files and fields (told apart by a filename in their
    Content-Disposition, as 1.3.1 does), and the bytes of each field."""

    __slots__ = ("kinds", "options", "max_files", "files", "fields", "seen", "open")

    def __init__(self, kinds: Any, parse: Any, options: "Callable[[Any], Any]", max_files: float,
                 max_fields: float, max_part_size: int) -> None:
        super().__init__(parse, max_fields, max_part_size)
        self.kinds = kinds
        self.options = options  # (the release's parse_options_header)
        self.max_files = max_files
        self.files = self.fields = self.seen = 0  # the parts the loop has finished
        self.open = False  # a part's headers finished, its end not reached, before this chunk

    def check(self, loop: Any) -> None:
        items = loop["items"]
        for _, value in items[self.seen:]:
            if isinstance(value, str):
                self.fields += 1
            else:
                self.files += 1
        self.seen = len(items)
        in_file = self.open and loop["file"] is not None
        in_field = self.open and not in_file
        files, fields = self.files + in_file, self.fields + in_field
        size = len(loop["data"]) if in_field else 0  # pragma: no mutate (a chunk starting a part holds its headers)
        chunk = loop["chunk"]
        boundary = loop["boundary"]
        # A part begins at a delimiter; one may also be split between two chunks.
        parts = (chunk.count(b"--" + boundary) if boundary else len(chunk)) + 1
        if files + parts > self.max_files or fields + parts > self.max_fields or (
                size + len(chunk) > self.max_part_size):
            self.scan(loop, files, fields, in_file, size)
        kinds = self.kinds
        for kind, _ in reversed(self):
            if kind is kinds.PART_END or kind is kinds.HEADERS_FINISHED:
                self.open = kind is kinds.HEADERS_FINISHED
                break

    def scan(self, loop: Any, files: int, fields: int, in_file: bool, size: int) -> None:
        kinds = self.kinds
        header, value = loop["header_field"], loop["header_value"]
        raw = loop.get("raw_headers")  # (0.12.x keep a part's headers in a list)
        disposition: Any = dict(raw).get(b"content-disposition") if raw is not None else loop.get("content_disposition")
        for kind, data in self:
            if kind is kinds.PART_DATA:
                if not in_file:
                    size += len(data)
                    if size > self.max_part_size:
                        raise MultiPartException(_too_large("Part", self.max_part_size))
            elif kind is kinds.PART_BEGIN:  # (in_file is set by HEADERS_FINISHED, before any of its data)
                disposition, size = None, 0
            elif kind is kinds.HEADER_FIELD:
                header += data
            elif kind is kinds.HEADER_VALUE:
                value += data
            elif kind is kinds.HEADER_END:
                if header.lower() == b"content-disposition":
                    disposition = value
                header = value = b""
            elif kind is kinds.HEADERS_FINISHED:
                # (no "filename" in its bytes: no filename option; else the release's parser says)
                in_file = bool(disposition and b"filename" in disposition
                               and b"filename" in self.options(disposition)[1])
                if in_file:
                    files += 1
                    if files > self.max_files:
                        raise MultiPartException(
                            "Too many files. Maximum number of files is {}.".format(self.max_files))
                else:
                    fields += 1
                    self.too_many_fields(fields)


def _kinds(parser: Any, enum_name: str) -> Any:
    """The release's message kinds (starlette.formparsers' FormMessage or MultiPartMessage)."""
    return vars(sys.modules[type(parser).__module__])[enum_name]


def _close_uploads(parser: Any, error: BaseException) -> None:
    """Close the UploadFiles the parse had opened (its own locals) before the error."""
    upload_type = vars(inspect.getmodule(type(parser)) or object).get("UploadFile")
    tb = error.__traceback__
    while tb is not None:
        local = tb.tb_frame.f_locals
        if local.get("self") is parser:
            found = [value for _, value in local.get("items", ())] + [local.get("file")]
            for upload in found:
                if upload_type is not None and isinstance(upload, upload_type):
                    upload.file.close()
            break
        tb = tb.tb_next


def make(original: "Callable[..., Any]", switch: Switch) -> "Callable[..., Any]":
    names = original.__globals__  # (starlette.requests: what the release's form() reads)

    async def form(self: Any, *, max_files: float = MAX_FILES, max_fields: float = MAX_FIELDS,
                   max_part_size: int = MAX_PART_SIZE) -> Any:
        if not switch.on or hasattr(self, "_form"):
            return await original(self)
        options = names["parse_options_header"]
        if options is None:  # python-multipart missing: the release's own AssertionError
            return await original(self)
        content_type, _ = options(self.headers.get("Content-Type"))
        if content_type == b"multipart/form-data":
            stream = self.stream()
            parser = names["MultiPartParser"](self.headers, stream)
            parser.messages = _Parts(_kinds(parser, "MultiPartMessage"), unwrap_ours(type(parser).parse), options,
                                     max_files, max_fields, max_part_size)
        elif content_type == b"application/x-www-form-urlencoded":
            stream = self.stream()
            parser = names["FormParser"](self.headers, stream)
            parser.messages = _Fields(_kinds(parser, "FormMessage"), unwrap_ours(type(parser).parse), max_fields,
                                      max_part_size)
        else:
            return await original(self)  # (an empty FormData)
        try:
            self._form = await parser.parse()
        except MultiPartException as exc:
            # A limit stopped the parse before the body's end: close the request's stream
            # generator now, as 1.3.1's aclosing() does, not in the event loop's finalizer
            # ("Task was destroyed but it is pending!" once the loop is gone). (A parse
            # that ended has run it to its end: nothing to close.)
            await stream.aclose()
            _close_uploads(parser, exc)
            if "app" in self:  # (the scope: 0.12.0b3 has no .scope, every release is a Mapping of it)
                # (imported here: starlette.exceptions imports starlette.requests, which this room waits for)
                from starlette.exceptions import HTTPException

                raise HTTPException(status_code=400, detail=exc.message) from exc
            raise
        return self._form

    functools.update_wrapper(form, original)
    return form


def targets(requests: Any) -> "List[Tuple[Any, str, Any]]":
    cls, form = own_attribute(requests, "Request", "form")
    names = code_names(form)
    if not {"MultiPartParser", "FormParser", "parse_options_header"} <= set(names):
        raise LayoutError("Request.form does not parse with MultiPartParser and FormParser")
    if "max_fields" in getattr(getattr(unwrap_ours(form), "__code__", None), "co_varnames", ()):
        raise LayoutError("Request.form already takes max_fields")
    for parser in ("MultiPartParser", "FormParser"):
        if "messages" not in code_names(getattr(vars(requests).get(parser), "parse", None)):
            raise LayoutError("{}.parse does not read its callbacks' messages".format(parser))
    return [(cls, "form", form)]
