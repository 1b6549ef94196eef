"""The one table of affected Starlette releases.

Everything that needs to know which releases are broken reads this table:
the import-time guard (``_applicable`` in ``__init__``), ``status()``, the diagnostics report,
the README's compatibility table and the tox matrix check in the tests.
Ranges are half-open, ``introduced <= version < fixed``, compared per PEP 440
(so ``0.12.0b3`` is inside the first range and ``0.12.0b2`` is not).

The boundaries were read off the published sdists of every release and
reproduced by running them (see the README, "Which releases are patched").
A row's `ranges` must all hold for it to apply; the first names the
distribution whose code the fix changes (sse-tasks also needs a legacy
Starlette, so it has two).
"""

import sys
from typing import TYPE_CHECKING, Dict, Optional, Tuple, Union

from ._pep440 import parse_version

if TYPE_CHECKING:  # annotations are strings: no typing aliases built at import (see __init__)
    from ._pep440 import VersionKey

__all__ = ["Fix", "FIXES", "PACKAGES"]


# Every Python: the empty version, below (and so at most) every other.
EVERY_PYTHON: "Tuple[int, ...]" = ()


def _running() -> "Tuple[int, ...]":
    info = sys.version_info
    return info.major, info.minor, info.micro


class Fix:
    """One row of the table. (A plain class: a typing.NamedTuple costs more
    to create than the whole rest of the no-op import.)"""

    __slots__ = ("name", "summary", "ranges", "upstream", "fails_from_python", "before_that", "python", "module",
                 "needs_wrapt", "around_imports")

    def __init__(
        self,
        name: str,
        summary: str,
        # ((distribution, first affected release, first fixed release), ...):
        # the fix applies where every range holds; the first names the
        # distribution whose code the fix changes (the others may leave the
        # fixed release None: jinja2 >= 3.0).
        ranges: "Tuple[Tuple[str, str, Optional[str]], ...]",
        upstream: str,
        # The bug is an exception only from this Python on; before it the
        # backport still runs (it is what 0.14.x does) but nothing was failing.
        # None: on no Python by default, only under strict warnings (before_that says).
        fails_from_python: "Optional[Tuple[int, ...]]",
        before_that: "Optional[str]",
        # The first Python the fix applies on (EVERY_PYTHON: every one).
        python: "Tuple[int, ...]" = EVERY_PYTHON,
        # The module whose objects it replaces, when the fix waits for the
        # application to import it (None: starlette.responses, imported at once);
        # several, each fixed as it is imported (iscoroutinefunction).
        module: "Union[None, str, Tuple[str, ...]]" = None,
        # Installed only where wrapt imports. The streaming fixes go in
        # together or not at all (tasks wraps with wrapt; a half fix on
        # Python 3.11 would move the failure rather than cure it).
        needs_wrapt: bool = False,
        # Modules whose first execution must run inside the room's
        # around_import() (multipart: the import it makes is the bug).
        around_imports: "Tuple[str, ...]" = (),
    ) -> None:
        self.name = name
        self.summary = summary
        self.ranges = ranges
        self.upstream = upstream
        self.fails_from_python = fails_from_python
        self.before_that = before_that
        self.python = python
        self.module = module
        self.needs_wrapt = needs_wrapt
        self.around_imports = around_imports

    @property
    def waits_for(self) -> "Tuple[str, ...]":
        """The modules the fix waits for the application to import (none: it is installed at once)."""
        if self.module is None:
            return ()
        return (self.module,) if isinstance(self.module, str) else self.module

    @property
    def package(self) -> str:
        """The distribution whose code the fix changes."""
        return self.ranges[0][0]

    @property
    def introduced(self) -> str:
        return self.ranges[0][1]

    @property
    def fixed(self) -> str:
        fixed = self.ranges[0][2]
        assert fixed is not None, "the first range of a row names its fixed release"
        return fixed

    def outside(self, versions: "Dict[str, Optional[VersionKey]]",
                python: "Optional[Tuple[int, ...]]" = None) -> "Optional[str]":
        """The first range that does not hold, or None if all hold: a
        distribution's name (absent counts), or "python". `python` is the
        running one unless given."""
        running = _running() if python is None else python
        if running < self.python:
            return "python"
        # The ranges of distributions already read first: one of them failing
        # spares the look for another (a missing FastAPI costs a walk of sys.path).
        ranges = sorted(self.ranges, key=lambda r: r[0] not in versions)
        for package, low, high in ranges:
            version = versions.get(package)
            if version is None or not _within(version, low, high):
                return package
        return None

    def applies(self, versions: "Dict[str, Optional[VersionKey]]",
                python: "Optional[Tuple[int, ...]]" = None) -> bool:
        """Every range of the row holds for these versions ({distribution: key or None}) and Python."""
        return self.outside(versions, python) is None

    def fails_here(self, python: "Optional[Tuple[int, ...]]" = None) -> bool:
        """Is the bug an error (not a warning, not silent) on this Python?"""
        running = _running() if python is None else python
        return self.fails_from_python is not None and running >= self.fails_from_python

    def contains(self, version: "VersionKey") -> bool:
        """Is this version of `package` in the row's own (first) range?"""
        return _within(version, self.introduced, self.fixed)

    def describe(self, joiner: str = " and ") -> str:
        """The ranges as "0.13.2 <= starlette < 0.14.0 and ..." (and "Python >= 3.12")."""
        parts = ["{1} <= {0} < {2}".format(*r) if r[2] is not None else "{0} >= {1}".format(*r)
                 for r in self.ranges]
        if self.python:
            parts.append("Python >= " + _dotted(self.python))
        return joiner.join(parts)


def _dotted(version: "Tuple[int, ...]") -> str:
    return ".".join(map(str, version))


def _within(version: "VersionKey", introduced: str, fixed: "Optional[str]") -> bool:
    # The upper bound first: on a fixed release ("0.14.0" <= version) that
    # answers without parsing "0.12.0b3", whose pre-release suffix needs the
    # full PEP 440 pattern compiled (see _pep440). None: no fixed release (a
    # range of another distribution that only says where the bug shows).
    if fixed is not None:
        high = parse_version(fixed)
        assert high is not None
        if version >= high:
            return False
    low = parse_version(introduced)
    assert low is not None
    return low <= version


FIXES = (
    Fix(
        name="dispatch",
        summary=(
            "StreamingResponse uses any async iterable as its body iterator "
            "(legacy releases stream only async generators directly and send "
            "every other async iterable to iterate_in_threadpool: "
            "TypeError: 'X' object is not an iterator)"
        ),
        # #462 replaced `self.body_iterator = content` with an
        # `inspect.isasyncgen` test in 0.12.0b3; #793 reported the breakage;
        # #1041 switched to `isinstance(content, typing.AsyncIterable)` in 0.14.0.
        ranges=(("starlette", "0.12.0b3", "0.14.0"),),
        upstream="encode/starlette #462 (introduced), #793 (report), #1041 (fix, 0.14.0)",
        fails_from_python=EVERY_PYTHON,
        before_that=None,
        needs_wrapt=True,
    ),
    Fix(
        name="tasks",
        summary=(
            "run_until_first_complete wraps each coroutine in a task before "
            "asyncio.wait (legacy releases pass bare coroutines: "
            "TypeError: Passing coroutines is forbidden, use tasks explicitly)"
        ),
        # starlette.concurrency.run_until_first_complete appeared in 0.13.2
        # already passing bare coroutines (Starlette's websocket docs call it
        # directly); 0.13.3 made StreamingResponse.__call__ go through it (to
        # listen for http.disconnect, #839); #1066 wrapped the coroutines in
        # tasks in 0.14.0. Python 3.11 turned the deprecation of bare
        # coroutines in asyncio.wait (documented in 3.8, warned on 3.9 and
        # 3.10) into a TypeError.
        ranges=(("starlette", "0.13.2", "0.14.0"),),
        upstream="encode/starlette #1066 (fix, 0.14.0); CPython bpo-34790 (3.11 TypeError)",
        fails_from_python=(3, 11),
        before_that="a DeprecationWarning on Python 3.9 and 3.10, silent before 3.9",
        needs_wrapt=True,
    ),
    Fix(
        name="disconnect",
        summary=(
            "StreamingResponse stops streaming when the client disconnects: the "
            "iterator is cancelled and nothing more is sent (legacy releases never "
            "listen for http.disconnect while streaming, so a stream whose client "
            "has gone keeps being pulled, for ever if it is endless)"
        ),
        # Releases before 0.12.0b3 lack it too, but are outside what this
        # package changes (0.11.x speak ASGI 2, and 0.12.0b1/b2 have no
        # dispatch to fix); #839 added listen_for_disconnect in 0.13.3, and
        # tiangolo/fastapi #1342 is the report from FastAPI 0.52-0.55 users.
        ranges=(("starlette", "0.12.0b3", "0.13.3"),),
        upstream="encode/starlette #839 (fix, 0.13.3); tiangolo/fastapi #1342 (report)",
        fails_from_python=EVERY_PYTHON,
        before_that=None,
        needs_wrapt=True,
    ),
    Fix(
        name="sse-dispatch",
        summary=(
            "sse-starlette's EventSourceResponse uses any async iterable as its "
            "body iterator (it copied the isasyncgen dispatch: TypeError: 'X' "
            "object is not an iterator, on any Starlette)"
        ),
        # Every release up to 1.1.6 tests inspect.isasyncgen(content);
        # sysid/sse-starlette #42 reported it, #43 switched to
        # isinstance(content, AsyncIterable) in 1.2.1.
        ranges=(("sse-starlette", "0.1.0", "1.2.1"),),
        upstream="sysid/sse-starlette #42 (report), #43 (fix, 1.2.1)",
        fails_from_python=EVERY_PYTHON,
        before_that=None,
        module="sse_starlette.sse",
        needs_wrapt=True,
    ),
    Fix(
        name="sse-tasks",
        summary=(
            "sse-starlette's own reference to Starlette's run_until_first_complete "
            "gets the tasks fix (0.5.0-0.9.0 import it by name; legacy Starlette's "
            "passes bare coroutines to asyncio.wait)"
        ),
        # 0.5.0 added `from starlette.concurrency import run_until_first_complete`;
        # 0.10.0 moved to anyio task groups. The function passes bare coroutines
        # from Starlette 0.13.2 (where it appeared) to 0.13.8 (#1066 fixed it).
        ranges=(("sse-starlette", "0.5.0", "0.10.0"), ("starlette", "0.13.2", "0.14.0")),
        upstream="sse-starlette 0.5.0 (imports it), 0.10.0 (anyio); encode/starlette #1066",
        fails_from_python=(3, 11),
        before_that="a DeprecationWarning on Python 3.9 and 3.10, silent before 3.9",
        module="sse_starlette.sse",
        needs_wrapt=True,
    ),
    Fix(
        name="sse-disconnect",
        summary=(
            "sse-starlette's EventSourceResponse stops streaming when the client disconnects, as 0.5.0 "
            "does (0.1.0-0.4.0 never listen for http.disconnect: an endless event stream whose client "
            "has gone is pulled for ever, its finally never runs, and a server's shutdown waits for it)"
        ),
        # 0.1.0-0.4.0 (the releases that import beside Starlette 0.12.x) stream
        # without reading receive; sysid/sse-starlette #7 reported it, 0.5.0
        # added listen_for_disconnect beside stream_response.
        ranges=(("sse-starlette", "0.1.0", "0.5.0"),),
        upstream="sysid/sse-starlette #7 (report), 0.5.0 (listen_for_disconnect)",
        fails_from_python=EVERY_PYTHON,
        before_that=None,
        module="sse_starlette.sse",
    ),
    Fix(
        name="testclient",
        summary=(
            "TestClient finds or sets the thread's event loop without asking asyncio to "
            "make one up (legacy `with TestClient(app)` calls asyncio.get_event_loop() "
            "with no loop set: RuntimeError: There is no current event loop, on every Python "
            "after an asyncio.run() or outside the main thread, and from 3.14 whenever none is set)"
        ),
        # Every requests-based TestClient (through 0.14.x) calls
        # asyncio.get_event_loop() in __enter__/__exit__ and on each request;
        # CPython 3.12 deprecated its making a loop when none is set
        # (gh-100160) and 3.14 made that a RuntimeError (gh-126353). On every
        # Python it raises once asyncio.run() has unset the main thread's loop
        # (or in another thread): a test suite that runs asyncio.run() before
        # its client tests fails on 3.8 too. Starlette 0.15.0 (#1157, anyio) runs the app through a portal instead.
        # (0.11.x-0.12.0b2 have the same client but are below what this package supports.)
        ranges=(("starlette", "0.12.0b3", "0.15.0"),),
        upstream="encode/starlette #1157 (anyio portal, 0.15.0); CPython gh-100160 (3.12), gh-126353 (3.14)",
        fails_from_python=(3, 14),
        before_that="an error after asyncio.run() or outside the main thread on every Python; "
                    "a DeprecationWarning on Python 3.12 and 3.13, an error under -W error",
        module="starlette.testclient",
    ),
    Fix(
        name="debug-page",
        summary=(
            "Starlette(debug=True) renders its error page as 0.14.2 does (legacy "
            "releases read TracebackException.exc_traceback, which CPython removed: "
            "the page itself fails and the client gets an empty 500)"
        ),
        # 0.12.1 added the traceback frames to the page, read through
        # TracebackException.exc_traceback, which CPython removed in 3.8.7 and
        # 3.9.1 (bpo-42482); encode/starlette #1126 reported it, #1132 read
        # exc.__traceback__ instead in 0.14.2. (3.9.0 still has the
        # attribute: there the fix only does what 0.14.2 does.) From 3.7 to
        # 3.8.6 the attribute goes as soon as exceptiongroup is imported (pytest
        # 7.2+ and anyio 4 import it on Python < 3.11): its TracebackException
        # __init__ is the newer one. 3.6 has no exceptiongroup.
        ranges=(("starlette", "0.12.1", "0.14.2"),),
        upstream="encode/starlette #1126 (report), #1132 (fix, 0.14.2); CPython bpo-42482",
        fails_from_python=(3, 8, 7),
        before_that="the same empty 500 on 3.7-3.8.6 once exceptiongroup is imported, as pytest 7.2+ does",
        python=(3, 7),
        module="starlette.middleware.errors",
    ),
    Fix(
        name="websocket-loop",
        summary=(
            "the test client's websocket sessions close their event loop when the app returns, "
            "as 0.14.2 does (legacy sessions leave it open: ResourceWarning: unclosed event loop, "
            "errors under -X dev or -W error)"
        ),
        # WebSocketTestSession makes self._loop in __init__ from 0.12.0b3
        # (before it too) to 0.14.1; 0.14.2 makes it in _run and closes it
        # there. (0.15.0 replaced the client with an anyio portal.)
        ranges=(("starlette", "0.12.0b3", "0.14.2"),),
        upstream="Starlette 0.14.2 (WebSocketTestSession._run closes its loop)",
        fails_from_python=None,
        before_that="a ResourceWarning when a session is collected, an error under -X dev or -W error",
        module="starlette.testclient",
    ),
    Fix(
        name="debug-page-type",
        summary=(
            "Starlette(debug=True) names the exception on its error page as 0.38.3 does on "
            "Python 3.13+ (exc_type_str), without reading TracebackException.exc_type, which "
            "3.13 deprecated (legacy releases read it: a DeprecationWarning on every error "
            "page, and the page itself fails under -W error)"
        ),
        # Every release before 0.38.3 renders `traceback_obj.exc_type.__name__`
        # (0.12.0b3 already); #2662 read `exc_type_str` on 3.13+ in 0.38.3.
        # It replaces the same module global as debug-page, on top of it
        # where both apply (see _bindings.BINDINGS).
        ranges=(("starlette", "0.12.0b3", "0.38.3"),),
        upstream="encode/starlette #2614 (report), #2662 (fix, 0.38.3); CPython 3.13 deprecates exc_type",
        fails_from_python=None,
        before_that="a DeprecationWarning from Python 3.13, an error under -W error",
        python=(3, 13),
        module="starlette.middleware.errors",
    ),
    Fix(
        name="multipart",
        summary=(
            "Starlette imports python-multipart by its new name, python_multipart "
            "(legacy releases `import multipart`, which python-multipart 0.0.13 and later "
            "answer with a PendingDeprecationWarning, or a FutureWarning on 0.0.13, or not "
            "at all on 0.0.14: an error at `import starlette.requests` under -W error)"
        ),
        # Every release before 0.41.1 imports `multipart` in starlette.formparsers
        # and starlette.requests; #2733 imported python_multipart in 0.41.1.
        # python-multipart 0.0.13 added the python_multipart name.
        ranges=(("starlette", "0.12.0b3", "0.41.1"), ("python-multipart", "0.0.13", None)),
        upstream="encode/starlette #2733 (fix, 0.41.1); python-multipart 0.0.13 (the rename)",
        fails_from_python=None,
        before_that="a PendingDeprecationWarning at import with python-multipart >= 0.0.16, "
                    "an error under -W error",
        module="starlette.formparsers",
        # starlette.requests imports `multipart.multipart` before it imports formparsers.
        around_imports=("starlette.requests", "starlette.formparsers"),
    ),
    Fix(
        name="fastapi-multipart",
        summary=(
            "FastAPI checks for python-multipart by its new name, python_multipart, when a route "
            "declares Form or File parameters (earlier releases `from multipart import __version__` "
            "at route construction: the rename's warning there, an error under -W error; "
            "python-multipart 0.0.14 and 0.0.15, which have no `multipart`, get RuntimeError: "
            "Form data requires \"python-multipart\" to be installed)"
        ),
        # fastapi/fastapi #1851 added check_file_field in 0.60.2 (#12106 renamed it
        # ensure_multipart_is_installed); #12627 imported python_multipart first in 0.115.4.
        # (The third range is those releases' own Starlette pins, 0.13.6 to 0.41.x.)
        ranges=(("fastapi", "0.60.2", "0.115.4"), ("python-multipart", "0.0.13", None),
                ("starlette", "0.13.6", "0.42.0")),
        upstream="fastapi/fastapi #1851 (the check, 0.60.2), #12627 (fix, 0.115.4)",
        fails_from_python=None,
        before_that="a PendingDeprecationWarning at every form route's construction with "
                    "python-multipart >= 0.0.16, an error under -W error",
        module="fastapi.dependencies.utils",
    ),
    Fix(
        name="fastapi-uploads",
        summary=(
            "FastAPI closes the form it parsed for a route's Form and File parameters once the "
            "request is done, as 0.86.0 does (earlier releases never close an UploadFile's "
            "SpooledTemporaryFile: ResourceWarning: unclosed file when a large upload was "
            "spooled to disk, on every Python, and for any upload from Python 3.11)"
        ),
        # get_request_handler parses the body form; fastapi/fastapi #4833 asked who
        # closes it, #5465 pushed its close() onto the request's exit stack
        # (scope["fastapi_astack"], there since 0.42.0) in 0.86.0.
        # (The second range is those releases' own Starlette pins, 0.12.9 to 0.20.4:
        # where Starlette is outside it, no look for FastAPI is needed.)
        ranges=(("fastapi", "0.42.0", "0.86.0"), ("starlette", "0.12.9", "0.21.0")),
        upstream="fastapi/fastapi #4833 (report), #5465 (fix, 0.86.0)",
        fails_from_python=None,
        before_that="a ResourceWarning when the form is collected, an error under -X dev or -W error",
        module="fastapi.routing",
    ),
    Fix(
        name="fastapi-json",
        summary=(
            "FastAPI parses a request body as JSON only when its Content-Type is application/json or "
            "application/*+json (or it has none), as 0.65.2/0.65.3 do (earlier releases parse any body "
            "as JSON: a text/plain or form-encoded request, which a browser sends cross-site without a "
            "CORS preflight, reaches a JSON route: CVE-2021-32677)"
        ),
        # Every release before 0.65.2 runs `await request.json()` for a non-form
        # body; GHSA-8h2j-cgx8-6xv7 fixed it in 0.65.2, and 0.65.3 parses a body
        # without a Content-Type as JSON again. (The fix checks get_request_handler's
        # layout, which releases from 0.42.0 share; FastAPI pins legacy Starlette from 0.42.)
        # (The second range is those releases' own Starlette pins, 0.12.9 to 0.14.2.)
        ranges=(("fastapi", "0.42.0", "0.65.2"), ("starlette", "0.12.9", "0.15.0")),
        upstream="GHSA-8h2j-cgx8-6xv7 / CVE-2021-32677 (fix, 0.65.2; no Content-Type is JSON again, 0.65.3)",
        fails_from_python=EVERY_PYTHON,
        before_that=None,
        module="fastapi.routing",
    ),
    Fix(
        name="jinja2",
        summary=(
            "Jinja2Templates decorates url_for with jinja2.pass_context (legacy releases use "
            "jinja2.contextfunction: AttributeError with Jinja2 3.1, a DeprecationWarning "
            "with 3.0)"
        ),
        # Every release before 0.15.0 decorates with `jinja2.contextfunction`;
        # #1183 used pass_context where Jinja2 has it (3.0+). Jinja2 3.0
        # deprecated contextfunction, 3.1 removed it (pallets/jinja #1544).
        ranges=(("starlette", "0.12.0b3", "0.15.0"), ("jinja2", "3.0.0", None)),
        upstream="encode/starlette #1183 (fix, 0.15.0); pallets/jinja #1544 (3.1 removes contextfunction)",
        fails_from_python=EVERY_PYTHON,
        before_that=None,
        module="starlette.templating",
    ),
    Fix(
        name="gzip",
        summary=(
            "GZipMiddleware closes its GzipFile and buffer after each response, as 0.38.3 does "
            "(legacy releases leave them open when a response is too small to compress: "
            "'Exception ignored ... I/O operation on closed file' on Python 3.12 and 3.13, "
            "ResourceWarning: unclosed GzipFile from 3.14)"
        ),
        # GZipResponder makes a GzipFile per response and closes it only when
        # it compresses; #2662 closed both in __call__ in 0.38.3. The leak is
        # silent before Python 3.12, which gave GzipFile a finalizer that
        # writes (CPython gh-122727).
        ranges=(("starlette", "0.12.0b3", "0.38.3"),),
        upstream="encode/starlette #2615 (report), #2662 (fix, 0.38.3); CPython gh-122727",
        fails_from_python=None,
        before_that="an unraisable exception on Python 3.12 and 3.13, a ResourceWarning from 3.14; "
                    "errors in a strict pytest run",
        python=(3, 12),
        module="starlette.middleware.gzip",
    ),
    Fix(
        name="staticfiles",
        summary=(
            "StaticFiles keeps every path inside its directory with os.path.commonpath, as 0.27.0 "
            "does (legacy releases compare with os.path.commonprefix, so /static/../static_private/"
            "key.txt is served from a sibling directory whose name starts with the same letters: "
            "CVE-2023-29159; commonprefix is also deprecated in Python 3.15)"
        ),
        # 0.13.5 added the commonprefix check; GHSA-v5gw-mw7f-84px
        # (CVE-2023-29159) reported the sibling-directory escape, fixed by
        # commonpath in 0.27.0.
        ranges=(("starlette", "0.13.5", "0.27.0"),),
        upstream="CVE-2023-29159 / GHSA-v5gw-mw7f-84px (fix, 0.27.0)",
        fails_from_python=EVERY_PYTHON,
        before_that=None,
        module="starlette.staticfiles",
    ),
    Fix(
        name="request-url",
        summary=(
            "request.url uses the Host header only when it is a host with an optional port, and puts a / "
            "before a path that lacks one, as 1.3.0 does (legacy releases glue both in as they come: a Host "
            "header `evil.example/public?x=` makes request.url.path read /public while the router serves the "
            "real path, so path checks in middleware are bypassed, CVE-2026-48710; a request target "
            "`@evil.example` makes request.url.hostname read evil.example, CVE-2026-54282)"
        ),
        # Every release builds request.url from the raw Host header and path;
        # GHSA-86qp-5c8j-p5mr fixed the header in 1.0.1 (1.7.0 widened its grammar to
        # every reg-name character), GHSA-jp82-jpqv-5vv3 the path in 1.3.0. Fixed here
        # for the legacy releases; 0.15.0 to 1.2.x are named by the report (_security.py).
        ranges=(("starlette", "0.12.0b3", "0.15.0"),),
        upstream="CVE-2026-48710 / GHSA-86qp-5c8j-p5mr (fix, 1.0.1); CVE-2026-54282 / GHSA-jp82-jpqv-5vv3 (1.3.0)",
        fails_from_python=EVERY_PYTHON,
        before_that=None,
        module="starlette.datastructures",
    ),
    Fix(
        name="form-limits",
        summary=(
            "request.form() stops at 1,000 files, 1,000 fields and 1 MB a field (multipart and "
            "urlencoded) with a 400 naming the limit, and takes max_files, max_fields and "
            "max_part_size as 1.3.1 does (legacy releases read any form whole into memory: "
            "CVE-2023-30798, CVE-2024-47874, CVE-2026-54283)"
        ),
        # GHSA-74m5-2c7w-9w3x (0.25.0: files and fields), GHSA-f96h-pmfr-66vw
        # (0.40.0: part size), GHSA-82w8-qh3p-5jfq (1.3.1: urlencoded forms too).
        ranges=(("starlette", "0.12.0b3", "0.15.0"),),
        upstream="CVE-2023-30798 (fix, 0.25.0), CVE-2024-47874 (0.40.0), CVE-2026-54283 (1.3.1)",
        fails_from_python=EVERY_PYTHON,
        before_that=None,
        module="starlette.requests",
    ),
    Fix(
        name="upload-rollover",
        summary=(
            "UploadFile.write moves an upload from memory to disk in the thread pool, as 0.47.2 does "
            "(from 0.13.5 the write that crosses the 1 MB spool runs in the event loop: each large "
            "upload blocks every other request of the worker while it is copied to disk: CVE-2025-54121)"
        ),
        # 0.13.5 began writing in-memory uploads in the event loop; GHSA-2c2j-9gv5-cj73
        # (CVE-2025-54121), fixed in 0.47.2. Fixed here for the legacy releases.
        ranges=(("starlette", "0.13.5", "0.15.0"),),
        upstream="CVE-2025-54121 / GHSA-2c2j-9gv5-cj73 (fix, 0.47.2)",
        fails_from_python=EVERY_PYTHON,
        before_that=None,
        module="starlette.datastructures",
    ),
    Fix(
        name="fastapi-body-errors",
        summary=(
            "FastAPI lets an HTTPException raised while it reads a body reach the client, as 0.81.0 "
            "does (earlier releases answer every failure with 400 'There was an error parsing the "
            "body': a form past form-limits would not say which limit)"
        ),
        # fastapi/fastapi #2036 (0.81.0). The second range is the Starlette
        # releases form-limits fixes (and those FastAPI releases' pins).
        ranges=(("fastapi", "0.42.0", "0.81.0"), ("starlette", "0.12.9", "0.15.0")),
        upstream="fastapi/fastapi #2036 (fix, 0.81.0)",
        fails_from_python=EVERY_PYTHON,
        before_that=None,
        module="fastapi.routing",
    ),
    Fix(
        name="iscoroutinefunction",
        summary=(
            "Starlette asks inspect.iscoroutinefunction, as 0.46.0 does (legacy releases ask "
            "asyncio.iscoroutinefunction: a DeprecationWarning at every route on Python 3.14 and 3.15, "
            "and AttributeError on 3.16, which removes it)"
        ),
        # routing, endpoints, background, exceptions, the errors middleware,
        # authentication and the test client ask it up to 0.16; _utils from
        # 0.17; #2855 asked inspect in 0.46.0. CPython 3.14 deprecated it.
        ranges=(("starlette", "0.12.0b3", "0.46.0"),),
        upstream="encode/starlette #2855 (fix, 0.46.0); CPython 3.14 deprecates, 3.16 removes it",
        fails_from_python=(3, 16),
        before_that="a DeprecationWarning on Python 3.14 and 3.15, an error under -W error",
        python=(3, 14),
        module=("starlette.routing", "starlette.endpoints", "starlette.background", "starlette.exceptions",
                "starlette.middleware.errors", "starlette.authentication", "starlette.testclient",
                "starlette._utils"),
    ),
    Fix(
        name="fastapi-iscoroutinefunction",
        summary=(
            "FastAPI asks inspect.iscoroutinefunction, as 0.117.0 does (earlier releases ask "
            "asyncio.iscoroutinefunction in fastapi.routing: the same warning on 3.14/3.15 and "
            "AttributeError on 3.16)"
        ),
        # fastapi.routing asks it from 0.1.0 (fastapi.dependencies.utils too,
        # early on) to 0.116.x; fastapi/fastapi #14022 moved to inspect in 0.117.0.
        ranges=(("fastapi", "0.1.0", "0.117.0"),),
        upstream="fastapi/fastapi #14022 (fix, 0.117.0)",
        fails_from_python=(3, 16),
        before_that="a DeprecationWarning on Python 3.14 and 3.15, an error under -W error",
        python=(3, 14),
        module=("fastapi.routing", "fastapi.dependencies.utils"),
    ),
)


# distribution: the module its version is read beside. Starlette and
# sse-starlette are read at every import; the others only when a row's
# earlier ranges hold (see _versions.Versions), so that a release outside
# every range pays nothing for them. python-multipart is found by the module
# it was renamed to in 0.0.13: older releases have none, and no row of theirs.
PACKAGES = {
    "starlette": "starlette",
    "sse-starlette": "sse_starlette",
    "python-multipart": "python_multipart",
    "jinja2": "jinja2",
    "fastapi": "fastapi",
}


def markdown_table() -> str:
    """The README's "which releases get which fix" table, made from FIXES."""
    rows = [
        "| fix | affected releases | fails on | what it does | upstream |",
        "| --- | --- | --- | --- | --- |",
    ]
    for fix in FIXES:
        if fix.fails_from_python is None:
            fails = "no Python by default ({})".format(fix.before_that)
        else:
            fails = "Python >= " + _dotted(fix.fails_from_python) if fix.fails_from_python else "every Python"
            if fix.before_that:
                fails += " ({})".format(fix.before_that)
        affected = fix.describe(", with ")
        rows.append("| `{}` | {} | {} | {} | {} |".format(fix.name, affected, fails, fix.summary, fix.upstream))
    return "\n".join(rows)
