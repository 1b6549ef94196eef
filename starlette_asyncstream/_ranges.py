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
from typing import TYPE_CHECKING, Dict, Optional, Tuple

from ._pep440 import parse_version

if TYPE_CHECKING:  # annotations are strings: no typing aliases built at import (see __init__)
    from ._pep440 import VersionKey

__all__ = ["Fix", "FIXES", "PACKAGES"]


class Fix:
    """One row of the table. (A plain class: a typing.NamedTuple costs more
    to create than the whole rest of the no-op import.)"""

    __slots__ = ("name", "summary", "ranges", "upstream", "fails_from_python", "before_that", "python", "module",
                 "needs_wrapt")

    def __init__(
        self,
        name: str,
        summary: str,
        # ((distribution, first affected release, first fixed release), ...):
        # the fix applies where every range holds; the first names the
        # distribution whose code the fix changes.
        ranges: "Tuple[Tuple[str, str, str], ...]",
        upstream: str,
        # The bug is an exception only from this Python on; before it the
        # backport still runs (it is what 0.14.x does) but nothing was failing.
        fails_from_python: "Tuple[int, ...]",
        before_that: "Optional[str]",
        # The first Python the fix applies on (every one when (3, 0)).
        python: "Tuple[int, ...]" = (3, 0),
        # The module whose objects it replaces, when the fix waits for the
        # application to import it (None: starlette.responses, imported at once).
        module: "Optional[str]" = None,
        # Installed only where wrapt imports. The streaming fixes go in
        # together or not at all (tasks wraps with wrapt; a half fix on
        # Python 3.11 would move the failure rather than cure it).
        needs_wrapt: bool = False,
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

    @property
    def package(self) -> str:
        """The distribution whose code the fix changes."""
        return self.ranges[0][0]

    @property
    def introduced(self) -> str:
        return self.ranges[0][1]

    @property
    def fixed(self) -> str:
        return self.ranges[0][2]

    def outside(self, versions: "Dict[str, Optional[VersionKey]]",
                python: "Optional[Tuple[int, ...]]" = None) -> "Optional[str]":
        """The first range that does not hold, or None if all hold: a
        distribution's name (absent counts), or "python". `python` is the
        running one unless given."""
        running = tuple(sys.version_info[:3]) if python is None else python
        if running < self.python:
            return "python"
        for package, low, high in self.ranges:
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
        running = tuple(sys.version_info[:3]) if python is None else python
        return running >= self.fails_from_python

    def contains(self, version: "VersionKey") -> bool:
        """Is this version of `package` in the row's own (first) range?"""
        return _within(version, self.introduced, self.fixed)

    def describe(self, joiner: str = " and ") -> str:
        """The ranges as "0.13.2 <= starlette < 0.14.0 and ..." (and "Python >= 3.12")."""
        parts = ["{1} <= {0} < {2}".format(*r) for r in self.ranges]
        if self.python > (3, 0):
            parts.append("Python >= " + _dotted(self.python))
        return joiner.join(parts)


def _dotted(version: "Tuple[int, ...]") -> str:
    return ".".join(map(str, version))


def _within(version: "VersionKey", introduced: str, fixed: str) -> bool:
    # The upper bound first: on a fixed release ("0.14.0" <= version) that
        # answers without parsing "0.12.0b3", whose pre-release suffix needs
        # the full PEP 440 pattern compiled (see _pep440).
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
        fails_from_python=(3, 0),
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
        fails_from_python=(3, 0),
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
        fails_from_python=(3, 0),
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
        name="testclient",
        summary=(
            "TestClient finds or sets the thread's event loop without asking asyncio to "
            "make one up (legacy `with TestClient(app)` calls asyncio.get_event_loop() "
            "with no loop set: RuntimeError: There is no current event loop)"
        ),
        # Every requests-based TestClient (through 0.14.x) calls
        # asyncio.get_event_loop() in __enter__/__exit__ and on each request;
        # CPython 3.12 deprecated its making a loop when none is set
        # (gh-100160) and 3.14 made that a RuntimeError (gh-126353).
        # Starlette 0.15.0 (#1157, anyio) runs the app through a portal instead.
        # (0.11.x-0.12.0b2 have the same client but are below what this package supports.)
        ranges=(("starlette", "0.12.0b3", "0.15.0"),),
        upstream="encode/starlette #1157 (anyio portal, 0.15.0); CPython gh-100160 (3.12), gh-126353 (3.14)",
        fails_from_python=(3, 14),
        before_that="a DeprecationWarning on Python 3.12 and 3.13, an error under -W error",
        python=(3, 12),
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
        # attribute: there the fix only does what 0.14.2 does.)
        ranges=(("starlette", "0.12.1", "0.14.2"),),
        upstream="encode/starlette #1126 (report), #1132 (fix, 0.14.2); CPython bpo-42482",
        fails_from_python=(3, 8, 7),
        before_that=None,
        python=(3, 8, 7),
        module="starlette.middleware.errors",
    ),
)


PACKAGES = {"starlette": "starlette", "sse-starlette": "sse_starlette"}  # distribution: module


def markdown_table() -> str:
    """The README's "which releases get which fix" table, made from FIXES."""
    rows = [
        "| fix | affected releases | fails on | what it does | upstream |",
        "| --- | --- | --- | --- | --- |",
    ]
    for fix in FIXES:
        fails = "every Python" if fix.fails_from_python <= (3, 0) else "Python >= " + _dotted(fix.fails_from_python)
        if fix.before_that:
            fails += " ({})".format(fix.before_that)
        affected = fix.describe(", with ")
        rows.append("| `{}` | {} | {} | {} | {} |".format(fix.name, affected, fails, fix.summary, fix.upstream))
    return "\n".join(rows)
