"""pytest plugin (entry point ``pytest11``): one header line per test run
saying the Starlette release and which fixes are installed, so that each leg
of a tox matrix shows what it ran with. It reads status() and installs
nothing: loading this plugin imports the package without its import-time
install (see ``_loaded_as_pytest_plugin`` in ``__init__``), and then lets the
application's own ``import starlette_asyncstream`` do what it always does.
"""

import sys
from typing import Any, List, Optional

# Everything the header reads is imported now, while the package is in
# sys.modules: after pytest_addoption below forgets it, a relative import
# from it would run the package's __init__ (and its install) once more.
from ._core import DISABLE_ENV as _DISABLE_ENV
from ._status import status as _status
from ._versions import read as _read_versions

_PACKAGE = __name__.rpartition(".")[0]
_as_loaded = sys.modules[_PACKAGE]


def pytest_addoption(parser: Any) -> None:
    # Called as soon as pytest registers the plugin (a historic hook), before
    # any conftest is imported. Forget the package object that skipped its
    # install: the application's import then runs the package as if pytest
    # had not loaded us. (Not while this module is imported: the import
    # system still needs the parent package in sys.modules then.)
    if getattr(_as_loaded, "_as_plugin", False) and sys.modules.get(_PACKAGE) is _as_loaded:
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
