"""status(): what each fix would do here and whether it is in place, read off
the patched objects each time (never a flag that could lie)."""

import os
import sys
from typing import Dict, FrozenSet, NamedTuple

from . import _bindings, _core, _versions
from ._ranges import FIXES

__all__ = ["FixStatus", "status"]


class FixStatus(NamedTuple):
    name: str
    applies: bool  # the running release(s) are in this fix's range
    installed: bool  # read off the patched objects, not remembered
    needed_here: bool  # without it, the fixed thing misbehaves on this Python
    affected: str  # the range(s), "introduced <= package < fixed"
    upstream: str
    detail: str
    switched_off: bool = False  # named in DISABLE_ENV, so the import left it alone


FixStatus.__module__ = "starlette_asyncstream"  # where users import it from


def status() -> "Dict[str, FixStatus]":
    try:
        versions = _versions.read()
    except Exception:  # a finder that raises (each fix below says so): status must always answer
        versions = _versions.Versions()
    keys = _versions.Keys(versions)
    off = _core.switched_off()[0]
    result = {}
    for fix in FIXES:
        try:
            text, key = versions.get(fix.package, (None, None))
            applies = fix.applies(keys) or _core.judged_by_code(fix, versions, keys)
        except Exception as exc:  # a finder on sys.meta_path that raises (a broken shim): install() warned
            result[fix.name] = FixStatus(
                # (installed: its switch, which install() turns on as it puts the replacements in place)
                name=fix.name, applies=False, installed=getattr(_bindings.SWITCHES.get(fix.name), "on", False),
                needed_here=False, affected=fix.describe(),
                upstream=fix.upstream, detail="cannot read the installed versions ({}: {})".format(
                    type(exc).__name__, exc), switched_off=fix.name in off)
            continue
        installed = False
        if text is None:
            detail = "{} is not installed".format(fix.package)
        elif text == "" and fix.package != "starlette" and not applies:
            detail = (
                "{} has no version to read: judged by its code when sse_starlette is imported".format(fix.package)
                if _core.SSE_MODULE not in sys.modules else
                "{} has no version to read, and its code does not have this bug".format(fix.package)
            )
        elif key is None and not applies:
            detail = "cannot read {}'s version {!r}".format(fix.package, text)
        elif not applies:
            outside = fix.outside(keys) or fix.package
            outside_text = versions.get(outside, (None, None))[0]
            if outside == "python":
                detail = "Python {} is outside the affected range (Python >= {})".format(
                    sys.version.split()[0], ".".join(map(str, fix.python)))
            else:
                detail = ("{} is not installed".format(outside) if outside_text is None
                          else "{} {} is outside the affected range".format(outside, outside_text))
        elif fix.waits_for and not any(m in sys.modules for m in fix.waits_for):
            modules = " or ".join(fix.waits_for)
            detail = (
                "waiting: the fix is applied when {} is imported".format(modules)
                if any(fix.name in _core.waiting.get(m, ()) for m in fix.waits_for) else
                _why_not_installed(fix.name, off) if fix.name in off else
                "not installed ({} is not imported)".format(modules)
            )
        elif fix.name not in _bindings.SWITCHES or not _core.could_install(fix):
            detail = _why_not_installed(fix.name, off)
        else:
            try:
                patch = _core.patch_for(fix)
            except Exception as exc:
                detail = "unexpected layout: {}".format(exc)
            else:
                installed = patch.installed()
                detail = patch.describe() if installed or fix.name not in off else _why_not_installed(fix.name, off)
        result[fix.name] = FixStatus(
            name=fix.name,
            applies=applies,
            installed=installed,
            # A row that only warns is needed wherever it applies: its Python range says where it shows.
            needed_here=applies and (fix.fails_from_python is None or fix.fails_here()),
            affected=fix.describe(),
            upstream=fix.upstream,
            detail=detail,
            switched_off=fix.name in off,
        )
    return result


def _why_not_installed(name: str, off: "FrozenSet[str]") -> str:
    """Why an applicable fix has no replacement in place."""
    if name in off:
        return "not installed: switched off with {}={}".format(_core.DISABLE_ENV, os.environ.get(_core.DISABLE_ENV))
    fix = next(f for f in FIXES if f.name == name)
    if fix.needs_wrapt and "wrapt" not in sys.modules and _versions.find_spec("wrapt") is None:
        return "not installed: wrapt is missing ({})".format(_core.WRAPT_HINT)
    return "not installed (install() was not called, or it warned why)"
