"""The one table of affected Starlette releases.

Everything that needs to know which releases are broken reads this table:
the import-time guard (``_guard``), ``status()``, the diagnostics report,
the README's compatibility table and the tox matrix check in the tests.
Ranges are half-open, ``introduced <= version < fixed``, compared per PEP 440
(so ``0.12.0b3`` is inside the first range and ``0.12.0b2`` is not).

The boundaries were read off the published sdists of every release and
reproduced by running them (see the README, "Which releases are patched").
"""

from typing import Optional, Tuple

from ._version import VersionKey, parse_version

__all__ = ["Fix", "FIXES", "fixes_for"]


class Fix:
    """One row of the table. (A plain class: a typing.NamedTuple costs more
    to create than the whole rest of the no-op import.)"""

    __slots__ = ("name", "summary", "introduced", "fixed", "upstream", "fails_from_python", "before_that")

    def __init__(
        self,
        name: str,
        summary: str,
        introduced: str,  # first affected release, inclusive
        fixed: str,  # first release with the upstream fix, exclusive
        upstream: str,
        # The bug is an exception only from this Python on; before it the
        # backport still runs (it is what 0.14.x does) but nothing was failing.
        fails_from_python: Tuple[int, int],
        before_that: Optional[str],
    ) -> None:
        self.name = name
        self.summary = summary
        self.introduced = introduced
        self.fixed = fixed
        self.upstream = upstream
        self.fails_from_python = fails_from_python
        self.before_that = before_that

    def contains(self, version: VersionKey) -> bool:
        # The upper bound first: on a fixed release ("0.14.0" <= version) that
        # answers without parsing "0.12.0b3", whose pre-release suffix needs
        # the full PEP 440 pattern compiled (see _version).
        high = parse_version(self.fixed)
        assert high is not None
        if version >= high:
            return False
        low = parse_version(self.introduced)
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
        introduced="0.12.0b3",
        fixed="0.14.0",
        upstream="encode/starlette #462 (introduced), #793 (report), #1041 (fix, 0.14.0)",
        fails_from_python=(3, 0),
        before_that=None,
    ),
    Fix(
        name="tasks",
        summary=(
            "run_until_first_complete wraps each coroutine in a task before "
            "asyncio.wait (legacy releases pass bare coroutines: "
            "TypeError: Passing coroutines is forbidden, use tasks explicitly)"
        ),
        # 0.13.3 made StreamingResponse.__call__ go through
        # run_until_first_complete (to listen for http.disconnect); #1066
        # wrapped the coroutines in tasks in 0.14.0. Python 3.11 turned the
        # deprecation of bare coroutines in asyncio.wait (documented in 3.8, warned
        # on 3.9 and 3.10) into a TypeError.
        introduced="0.13.3",
        fixed="0.14.0",
        upstream="encode/starlette #1066 (fix, 0.14.0); CPython bpo-34790 (3.11 TypeError)",
        fails_from_python=(3, 11),
        before_that="a DeprecationWarning on Python 3.9 and 3.10, silent before 3.9",
    ),
)


def fixes_for(version: VersionKey) -> Tuple[Fix, ...]:
    """The fixes whose range contains this Starlette version."""
    return tuple(fix for fix in FIXES if fix.contains(version))


def markdown_table() -> str:
    """The README's "which releases get which fix" table, made from FIXES."""
    rows = [
        "| fix | affected Starlette releases | fails on | what it does | upstream |",
        "| --- | --- | --- | --- | --- |",
    ]
    for fix in FIXES:
        fails = "every Python" if fix.fails_from_python <= (3, 0) else "Python >= {}.{}".format(*fix.fails_from_python)
        if fix.before_that:
            fails += " ({})".format(fix.before_that)
        rows.append(
            "| `{}` | {} <= version < {} | {} | {} | {} |".format(
                fix.name, fix.introduced, fix.fixed, fails, fix.summary, fix.upstream
            )
        )
    return "\n".join(rows)
