"""Fix ``multipart``: Starlette imports python-multipart as ``python_multipart``
(Starlette 0.12.0b3-0.41.0, with python-multipart 0.0.13 or later).

python-multipart 0.0.13 renamed its module to ``python_multipart``; the old
name answers with a FutureWarning (0.0.13), not at all (0.0.14), or a
PendingDeprecationWarning (0.0.16 on). Starlette before 0.41.1 imports the
old name in ``starlette.requests`` and ``starlette.formparsers``, so under
``-W error`` (pytest's ``filterwarnings = error``) ``import fastapi`` fails.
0.41.1 (#2733) imports ``python_multipart`` instead.

The warning is raised while those modules execute, so the fix acts then:
their first import runs with ``multipart`` and ``multipart.multipart`` in
``sys.modules`` standing for the python_multipart modules, and both names
are put back as they were right after. Other code's ``import multipart``
is left alone. Where ``starlette.formparsers`` was imported before this
package, its ``multipart`` global is pointed at ``python_multipart``.
"""

import contextlib
import sys
import types
from typing import Any, Iterator, List, Tuple

from .._bindings import LayoutError, Switch, code_names

MODULES = ("starlette.formparsers",)


_ALIASES: "List[Tuple[str, types.ModuleType]]" = []  # found once: FastAPI's check asks per form route


def _new_modules() -> "List[Tuple[str, types.ModuleType]]":
    if not _ALIASES:
        import python_multipart
        import python_multipart.multipart

        _ALIASES[:] = [("multipart", python_multipart), ("multipart.multipart", python_multipart.multipart)]
    return _ALIASES


def put_aliases() -> "List[Tuple[str, types.ModuleType, Any]]":
    """Let `multipart` and `multipart.multipart` stand for the python_multipart modules;
    returns what take_aliases() puts back. (fastapi-multipart uses the pair too.)"""
    try:
        aliases = _new_modules()
    except Exception:  # a broken python_multipart: the module imports as it would have (never our crash)
        return []
    state = [(name, alias, sys.modules.get(name)) for name, alias in aliases]
    sys.modules.update(aliases)
    return state


def take_aliases(state: "List[Tuple[str, types.ModuleType, Any]]") -> None:
    for name, alias, before in state:
        if sys.modules.get(name) is alias:  # unless the module's code put something else there
            if before is None:
                del sys.modules[name]
            else:
                sys.modules[name] = before


@contextlib.contextmanager
def around_import() -> "Iterator[None]":
    state = put_aliases()
    try:
        yield
    finally:
        take_aliases(state)


def make(original: Any, switch: Switch) -> "types.ModuleType":
    # A module global cannot read a switch: uninstall() puts the original back.
    return _new_modules()[0][1]


def targets(formparsers: Any) -> "List[Tuple[Any, str, Any]]":
    if "multipart" not in vars(formparsers):
        raise LayoutError("starlette.formparsers has no `multipart` global")
    parser = getattr(formparsers, "MultiPartParser", None)
    parse = getattr(parser, "parse", None)
    if "multipart" not in code_names(parse):
        raise LayoutError("MultiPartParser.parse does not use the `multipart` module")
    return [(formparsers, "multipart", vars(formparsers)["multipart"])]
