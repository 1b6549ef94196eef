"""Fix ``staticfiles``: StaticFiles keeps paths inside its directory
(Starlette 0.13.5-0.26.1): CVE-2023-29159, GHSA-v5gw-mw7f-84px.

``StaticFiles.lookup_path`` checks ``os.path.commonprefix([full_path,
directory]) != directory``. commonprefix compares characters, not path
components, so with ``directory="static"`` a request for
``/static/../static_private/key.txt`` resolves to a sibling directory whose
name starts with "static" and passes the check: the file is served. 0.27.0
compares with ``os.path.commonpath`` against the real directory, and the
request gets the release's 404. (commonprefix is also deprecated in Python
3.15: a warning on every static request.)

``starlette.staticfiles``'s ``os`` global becomes a stand-in for the real
module whose ``path.commonprefix``, the one name the check calls, answers
so that the check compares whole path components, as 0.27.0's does; every
other name is looked up on the real modules each time, so each release
keeps its own code for everything else (symlinks, ``follow_symlink``, the
responses it sends). ``os`` itself is not changed.
"""

import os
import types
from typing import Any, List, Sequence, Tuple

from .._bindings import LayoutError, Switch, code_names, own_attribute, unwrap_ours

MODULES = ("starlette.staticfiles",)


def _common_characters(paths: "Sequence[str]") -> str:
    """What os.path.commonprefix answers (characters, not components),
    without calling it: Python 3.15 deprecates it.

    (No release's answer depends on it: each calls commonprefix with its two
    paths only, and refuses a path that does not start with its directory
    whatever prefix comes back; it is here so the stand-in stays faithful.)"""
    if not paths:  # pragma: no mutate (see the docstring)
        return ""
    low, high = min(paths), max(paths)
    for i, char in enumerate(low):  # pragma: no mutate (see the docstring)
        if char != high[i]:  # pragma: no mutate (see the docstring)
            return low[:i]
    return low


def _component_prefix(paths: "Sequence[str]") -> str:
    """For the legacy `commonprefix([full_path, directory]) != directory`.

    That test passes when `directory` is a prefix of full_path by
    characters; this one also asks that the prefix end at a path component
    (or be the whole path), which is 0.27.0's `commonpath(...) == directory`
    for the real paths the releases from 0.13.6 on pass. Everything else
    stays each release's own: 0.13.5 passes the directory as configured
    (a relative one never matched: still so), symlinks are resolved or not
    as the release does before it asks.
    """
    if len(paths) != 2:  # not the check this stands in for: what commonprefix says
        return _common_characters(paths)
    full_path, directory = paths
    if not full_path.startswith(directory):
        return _common_characters(paths)  # refused by the release's own test: unchanged
    rest = full_path[len(directory):]
    separators = (os.sep, os.altsep or os.sep)
    if not rest or directory.endswith(separators) or rest.startswith(separators):
        return directory
    return ""  # "static_private" after "static": a sibling, not inside


def make(original: "types.ModuleType", switch: Switch) -> "types.ModuleType":
    class Path(types.ModuleType):
        def __getattr__(self, name: str) -> Any:
            if name == "commonprefix" and switch.on:
                return _component_prefix
            return getattr(original.path, name)

    class Os(types.ModuleType):
        def __getattr__(self, name: str) -> Any:
            return getattr(original, name)

    path = Path(original.path.__name__, original.path.__doc__)
    path.__wrapped__ = original.path  # type: ignore[attr-defined]
    stand_in = Os(original.__name__, original.__doc__)
    stand_in.path = path  # type: ignore[attr-defined]
    stand_in.__wrapped__ = original  # type: ignore[attr-defined]
    return stand_in


def targets(staticfiles: Any) -> "List[Tuple[Any, str, Any]]":
    _, lookup = own_attribute(staticfiles, "StaticFiles", "lookup_path")
    if "commonprefix" not in code_names(lookup):
        raise LayoutError("StaticFiles.lookup_path does not check with os.path.commonprefix")
    current = vars(staticfiles).get("os")
    if unwrap_ours(current) is not os:
        raise LayoutError("starlette.staticfiles.os is not the os module")
    return [(staticfiles, "os", current)]
