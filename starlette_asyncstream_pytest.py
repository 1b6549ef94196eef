"""pytest plugin of starlette-asyncstream (entry point ``pytest11``): one header
line per test run saying the Starlette release and which fixes are installed,
so that each leg of a tox matrix shows what it ran with.

It installs nothing. It is a module of its own, outside the package, so that
it can tell the package so before the package's code runs: while this module
imports the package, ``READING`` is true, and the package's ``__init__``
(which reads it) skips its import-time install. The package object that
skipped it is then forgotten, so that the application's own
``import starlette_asyncstream`` runs the package as if pytest had not loaded
this plugin (its submodules, and their state, are shared).
"""

import sys
from typing import Any, List, Optional

READING = True  # read by starlette_asyncstream/__init__.py
try:
    import starlette_asyncstream as _as_loaded
    from starlette_asyncstream._core import DISABLE_ENV as _DISABLE_ENV
    from starlette_asyncstream._status import status as _status
    from starlette_asyncstream._versions import read as _read_versions
finally:
    READING = False

_PACKAGE = "starlette_asyncstream"
if sys.modules.get(_PACKAGE) is _as_loaded and _as_loaded._skipped_install:
    del sys.modules[_PACKAGE]


def header_line() -> str:
    imported = sys.modules.get(_PACKAGE) is not None
    statuses = list(_status().values())
    version = _read_versions()["starlette"][0]  # the guard's own reading
    parts = ["starlette-asyncstream {}: Starlette {}".format(_as_loaded.__version__, version or "not installed")]
    off = [s.name for s in statuses if s.applies and s.switched_off]
    if not imported:
        # The usual layout: the application module (or a conftest not read
        # yet) imports the package. Say what that import will do.
        coming = [s.name for s in statuses if s.applies and not s.switched_off]
        parts.append("not imported yet; its import installs: " + (", ".join(coming) or "nothing here"))
    else:
        installed = [s.name for s in statuses if s.installed]
        waiting = [s.name for s in statuses if not s.installed and s.detail.startswith("waiting")]
        missing = [s.name for s in statuses if s.applies and not s.installed and s.name not in waiting + off]
        parts.append("fixes installed: " + (", ".join(installed) or "none"))
        if waiting:
            parts.append("waiting for their module: " + ", ".join(waiting))
        if missing:
            parts.append("not installed: " + ", ".join(missing))
    if off:
        parts.append("switched off by {}: {}".format(_DISABLE_ENV, ", ".join(off)))
    return "; ".join(parts)


def pytest_report_header(config: Any) -> Optional[List[str]]:
    try:
        return [header_line()]
    except Exception as exc:  # a header must never break a test run
        return ["starlette-asyncstream: status unavailable ({}: {})".format(type(exc).__name__, exc)]
