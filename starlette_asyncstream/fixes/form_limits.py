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
from typing import Any, Callable, List, Tuple

from .._core import LayoutError, Switch, code_names, own_attribute, unwrap_ours

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


class _Fields(list):  # type: ignore[type-arg]
    """An urlencoded parser's message list, counting as 1.3.1's FormParser callbacks do."""

    def __init__(self, max_fields: float, max_part_size: int) -> None:
        super().__init__()
        self.max_fields, self.max_part_size = max_fields, max_part_size
        self.fields = self.size = 0

    def append(self, message: Any) -> None:
        kind = message[0].name
        if kind == "FIELD_START":
            self.size = 0
        elif kind in ("FIELD_NAME", "FIELD_DATA"):
            self.size += len(message[1])
            if self.size > self.max_part_size:
                raise MultiPartException(_too_large("Field", self.max_part_size))
        elif kind == "FIELD_END":
            self.fields += 1
            if self.fields > self.max_fields:
                raise MultiPartException("Too many fields. Maximum number of fields is {}.".format(self.max_fields))
        list.append(self, message)


class _Parts(list):  # type: ignore[type-arg]
    """A multipart parser's message list, counting as 1.3.1's MultiPartParser callbacks do."""

    def __init__(self, options: "Callable[[Any], Any]", max_files: float, max_fields: float,
                 max_part_size: int) -> None:
        super().__init__()
        self.options = options  # (the release's parse_options_header)
        self.max_files, self.max_fields, self.max_part_size = max_files, max_fields, max_part_size
        self.files = self.fields = self.size = 0
        self.in_file = False
        self.header = self.value = b""
        self.disposition: Any = None

    def append(self, message: Any) -> None:
        kind, data = message[0].name, message[1]
        if kind == "PART_DATA":  # (first: the one that comes often)
            if not self.in_file:
                self.size += len(data)
                if self.size > self.max_part_size:
                    raise MultiPartException(_too_large("Part", self.max_part_size))
        elif kind == "PART_BEGIN":
            self.disposition, self.in_file, self.size = None, False, 0
        elif kind == "HEADER_FIELD":
            self.header += data
        elif kind == "HEADER_VALUE":
            self.value += data
        elif kind == "HEADER_END":
            if self.header.lower() == b"content-disposition":
                self.disposition = self.value
            self.header = self.value = b""
        elif kind == "HEADERS_FINISHED":
            _, options = self.options(self.disposition)
            if b"filename" in options:
                self.in_file = True
                self.files += 1
                if self.files > self.max_files:
                    raise MultiPartException("Too many files. Maximum number of files is {}.".format(self.max_files))
            else:
                self.fields += 1
                if self.fields > self.max_fields:
                    raise MultiPartException(
                        "Too many fields. Maximum number of fields is {}.".format(self.max_fields))
        list.append(self, message)


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
            parser.messages = _Parts(options, max_files, max_fields, max_part_size)
        elif content_type == b"application/x-www-form-urlencoded":
            stream = self.stream()
            parser = names["FormParser"](self.headers, stream)
            parser.messages = _Fields(max_fields, max_part_size)
        else:
            return await original(self)  # (an empty FormData)
        try:
            try:
                self._form = await parser.parse()
            finally:
                # A limit stops the parse before the body's end: close the request's stream
                # generator here, as 1.3.1's aclosing() does, not in the loop's finalizer
                # ("Task was destroyed but it is pending!" once the loop is gone).
                await stream.aclose()
        except MultiPartException as exc:
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
