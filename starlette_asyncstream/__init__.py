"""Keep stacks pinned to legacy Starlette (0.12/0.13, and the FastAPI that pins
them) streaming and working on every new CPython, from one import line.

``import starlette_asyncstream`` installs the fixes that the running
Starlette, sse-starlette and Python need (the range table: ``_ranges``), and
does nothing at all otherwise. This module is the public API only: the
mechanism is ``_core``, each fix is a module of its own in ``fixes/``, and
the README's "Notes on monkey patching" says exactly what is replaced.
"""

import sys
from typing import TYPE_CHECKING, Any, Dict, List

from . import _core
from ._core import DISABLE_ENV, FIX_NAMES, StarletteLayoutWarning

if TYPE_CHECKING or sys.version_info < (3, 7):
    from ._status import FixStatus

__version__ = "0.1.0"
__all__ = [
    "DISABLE_ENV",
    "FIX_NAMES",
    "FixStatus",
    "StarletteLayoutWarning",
    "install",
    "status",
    "uninstall",
]


def install(*names: str) -> None:
    """Install the fixes the running releases need (or only those named).
    Idempotent, thread-safe; a name that is not a fix is a ValueError.

    Outside every affected range this does nothing (and does not import
    wrapt). A release whose layout does not match its version gets a
    StarletteLayoutWarning and is left untouched. A fix whose module the
    application has not imported yet (sse_starlette.sse,
    starlette.testclient, ...) is applied when it is imported; so is a copy
    of sse-starlette whose version cannot be read before then.
    """
    _core.install(names)


def uninstall(*names: str) -> None:
    """Put the original objects back (of every fix, or only those named).
    Idempotent, thread-safe.

    Where another library wrapped one of our replacements after us, its
    wrapper is left in place, ours inside it is switched off (it then calls
    straight through to the original), and a warning says where. A fix
    named alone whose replacement another fix of this package wraps (the
    FastAPI rows share one function) is switched off the same way, without
    a warning; the other stays installed.
    """
    _core.uninstall(names)


def status() -> "Dict[str, FixStatus]":
    """For each fix: does it apply here, is it installed (read off the objects)."""
    from . import _status

    return _status.status()


def __getattr__(name: str) -> Any:
    # FixStatus (a NamedTuple) is made on first use: on a release outside
    # every range the import stays the table and the guard (Python 3.6 has
    # no module __getattr__, and makes it at once).
    if name == "FixStatus":
        from ._status import FixStatus

        return FixStatus
    raise AttributeError("module {!r} has no attribute {!r}".format(__name__, name))


def __dir__() -> "List[str]":
    return sorted(set(globals()) | {"FixStatus"})


# The pytest plugin (starlette_asyncstream_pytest, a module of its own) imports
# the package only to read the status for its header line, and says so first:
# then the import installs nothing (the application's own import will).
_skipped_install = bool(getattr(sys.modules.get("starlette_asyncstream_pytest"), "READING", False))
if not _skipped_install:
    _core.install_at_import()
