"""The mechanism every fix shares, and nothing specific to any one fix.

- the guard: which rows of the range table (``_ranges``) apply here;
- the opt-out: which fixes ``STARLETTE_ASYNCSTREAM_DISABLE`` switches off;
- a room's patch: its targets bound to its replacements (the bindings and
  switches themselves, and the helpers rooms use, are ``_bindings``);
- install / uninstall; a fix whose module the application has not imported
  yet waits for it with the post-import hook (``_hook``).

Each fix's replacement code is a module of its own under ``fixes/``, named
after its row, imported only once the row applies (``room()``). A room has:

    MODULES      the modules it changes, imported by ``patch_for``
    targets(*modules) -> [(owner, attribute, the object there now), ...]
                 raising LayoutError, before anything is changed, when a
                 target does not look like the release it claims to be
    make(original, switch) -> the replacement (keeping ``__wrapped__``)
    IMPORTED_ONLY  (optional) True for a fix of several modules: only those
                 imported so far are patched (the row's `module` names them all)
    around_import()  (optional) a context manager that the first import of
                 each module in the row's `around_imports` runs inside, for a
                 fix that must act while a module executes (an import it makes)
    has_legacy_code(module) -> bool   (optional) for a copy with no version:
                 does its code have the bug?

Nothing here imports asyncio, inspect or wrapt: on a release outside every
range, this module, ``_bindings``, the table and ``_versions`` are all the
import loads.
"""

import functools
import os
import sys
import threading
import warnings
from typing import TYPE_CHECKING, Any, Dict, FrozenSet, Iterable, List, Optional, Set, Tuple

from ._bindings import BINDINGS, SWITCHES, Binding, Patch, Switch
from ._pep440 import parse_version
from ._ranges import FIXES, Fix
from . import _versions

if TYPE_CHECKING:
    import logging
    import types

    from ._pep440 import VersionKey
    from ._versions import Versions

DISABLE_ENV = "STARLETTE_ASYNCSTREAM_DISABLE"
SSE_MODULE = "sse_starlette.sse"
FIX_NAMES = tuple(fix.name for fix in FIXES)
WRAPT_HINT = "pip install 'wrapt>=1.14,<3'"


class StarletteLayoutWarning(UserWarning):
    """Starlette (or sse-starlette) is not what its version promises; nothing of it was patched."""


StarletteLayoutWarning.__module__ = "starlette_asyncstream"  # where users import it from


class CannotImport(Exception):
    """A module a fix patches fails to import (for example aiofiles < 0.6 on Python 3.11+)."""


_lock = threading.RLock()


def _logger() -> "logging.Logger":  # logging is imported only when there is something to say
    import logging

    return logging.getLogger("starlette_asyncstream")


# --- warnings that never break the application's import ------------------------

# True while the import (or a post-import hook) installs: a warning that `-W
# error` turns into an exception is then printed, not raised, so that it
# never breaks the application's import.
class _Quiet(threading.local):
    on = False


_quiet = _Quiet()


class quietly:
    """While the application imports us (or a module we wait for), warnings never raise."""

    def __enter__(self) -> None:
        self.was = _quiet.on
        _quiet.on = True

    def __exit__(self, *exc_info: Any) -> None:
        _quiet.on = self.was


_HERE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _blamed() -> Any:
    """The frame a warning names: the first outside this package and the import system (the
    application's `import starlette_asyncstream`, its import of a module a fix waits for, its
    call to uninstall()), as a library's warnings name their caller's line."""
    frame: Any = sys._getframe()
    last = frame
    while frame is not None:
        name = frame.f_code.co_filename
        if not (name.startswith(_HERE) or name.startswith("<frozen importlib")):
            return frame
        last, frame = frame, frame.f_back
    return last


def warn(message: str, category: type) -> None:
    frame = _blamed()
    try:
        warnings.warn_explicit(
            "starlette_asyncstream: " + message, category, frame.f_code.co_filename, frame.f_lineno,
            module=frame.f_globals.get("__name__", "<string>"),
            registry=frame.f_globals.setdefault("__warningregistry__", {}))
    except Warning:  # an "error" filter: raise, except while the application imports us
        if not _quiet.on:
            raise
        sys.stderr.write("{}: starlette_asyncstream: {}\n".format(category.__name__, message))


def warn_layout(reason: str) -> None:
    warn("{}; nothing of it was patched".format(reason), StarletteLayoutWarning)


# --- the opt-out ------------------------------------------------------------------

# DISABLE_ENV values that switch every fix off, and none.
_ALL_OFF = ("1", "true", "yes", "on", "all")
_NONE_OFF = ("", "0", "false", "no", "off")


def switched_off() -> "Tuple[FrozenSet[str], str]":
    """(the fixes DISABLE_ENV switches off, what is wrong with its value or "").

    A comma-separated list of fix names switches those off; a name we do not
    have switches everything off (an opt-out errs on the side of patching
    less) and is reported.
    """
    value = os.environ.get(DISABLE_ENV, "").strip().lower()
    if value in _NONE_OFF:
        return frozenset(), ""
    if value in _ALL_OFF:
        return frozenset(FIX_NAMES), ""
    named = frozenset(part.strip() for part in value.split(",") if part.strip())
    unknown = sorted(named.difference(FIX_NAMES))
    if unknown:
        return frozenset(FIX_NAMES), "{}={!r} names no fix {}; the fixes are: {}; every fix is switched off".format(
            DISABLE_ENV, os.environ.get(DISABLE_ENV), ", ".join(map(repr, unknown)), ", ".join(FIX_NAMES))
    return named, ""


def chosen(names: "Iterable[str]") -> "FrozenSet[str]":
    """The fixes named, or all of them when none is; a name we do not have is a ValueError."""
    picked = frozenset(names) or frozenset(FIX_NAMES)
    unknown = sorted(picked.difference(FIX_NAMES))
    if unknown:
        raise ValueError("no fix named {}; the fixes are: {}".format(", ".join(map(repr, unknown)),
                                                                    ", ".join(FIX_NAMES)))
    return picked


# --- the guard --------------------------------------------------------------------


def applicable(versions: "Optional[Versions]" = None, say: bool = True) -> "List[Fix]":
    """THE guard: every decision to patch goes through this comparison.

    A distribution whose version cannot be read gets a warning, and none of
    its fixes apply; the other distribution's fixes still do. An
    sse-starlette copy with no metadata at all ("" below) is not warned
    about: once imported it is judged by its own code (see judged_by_code).
    """
    versions = _versions.read() if versions is None else versions
    for name, (text, key) in list(versions.items()) if say else ():
        if text is not None and key is None and (text or name == "starlette"):
            warn_layout("cannot read {}'s version {!r}".format(name, text))
    keys = _versions.Keys(versions)
    return [fix for fix in FIXES if fix.applies(keys) or judged_by_code(fix, versions, keys)]


def judged_by_code(fix: Fix, versions: "Versions", keys: "Dict[str, Optional[VersionKey]]") -> bool:
    """For an imported sse-starlette with no version to read (vendored): does its code have the bug?"""
    if fix.package != "sse-starlette" or versions.get(fix.package, (None,))[0] != "" or SSE_MODULE not in sys.modules:
        return False
    # Its own range is replaced by a look at the code; any other range of
    # the row (the Starlette one of sse-tasks) still holds as written.
    as_if = dict(keys)
    as_if[fix.package] = parse_version(fix.introduced)
    if not fix.applies(as_if):
        return False
    try:
        return bool(room(fix).has_legacy_code(sys.modules[SSE_MODULE]))  # (each sse room has one)
    except Exception:  # cannot show the bug: leave the copy alone
        return False


# --- rooms: one module per fix ----------------------------------------------------


def room(fix: Fix) -> "types.ModuleType":
    """The fix's own module, fixes/<name>.py, imported now if it was not."""
    import importlib

    return importlib.import_module("{}.fixes.{}".format(__package__, fix.name.replace("-", "_")))


def could_install(fix: Fix) -> bool:
    """Could install() have replaced anything of this fix (wrapt, where it needs it, was imported)?"""
    return not fix.needs_wrapt or "wrapt" in sys.modules


def wrapt_missing(fixes: "List[Fix]") -> bool:
    """True, with a warning, when one of these fixes needs wrapt and it cannot be imported."""
    if not any(f.needs_wrapt for f in fixes):
        return False
    try:
        import wrapt  # noqa: F401
    except ImportError as exc:  # a --no-deps install, or a wrapt built for another Python
        warn("{} not installed: wrapt cannot be imported ({}); {}".format(
            ", ".join(f.name for f in fixes), exc, WRAPT_HINT), RuntimeWarning)
        return True
    return False


# --- patches: a room's targets bound to its replacements (_bindings) -----------------


def patch_for(fix: Fix) -> Patch:
    """The Patch for this fix against the modules as they are now.

    Imports the modules its room names if needed (install() only asks on an
    affected release; a module that waits for the application is only asked
    for once it is imported). Raises LayoutError, before anything is
    changed, when a target is missing.
    """
    import importlib

    where = room(fix)
    modules = []
    for name in where.MODULES:
        if getattr(where, "IMPORTED_ONLY", False) and name not in sys.modules:
            continue  # a fix of several modules: each is fixed once the application imports it
        try:
            modules.append(importlib.import_module(name))
        except Exception as exc:
            raise CannotImport("{} cannot be imported ({}: {})".format(name, type(exc).__name__, exc)) from exc
    switch = SWITCHES.setdefault(fix.name, Switch())
    bindings = []
    for owner, attribute, current in where.targets(*modules):
        key = (fix.name, id(owner), attribute)
        binding = BINDINGS.get(key)
        if binding is None or binding.owner is not owner or (
            binding.state() == "absent" and current is not binding.original
        ):
            # First time, or someone replaced the original since: wrap what is there now.
            binding = Binding(owner, attribute, current, where.make(current, switch))
            BINDINGS[key] = binding
        bindings.append(binding)
    return Patch(fix, bindings, switch)


# --- install / uninstall ------------------------------------------------------------

# Fixes with a `module` in the table are applied when the application imports
# that module (sse_starlette.sse, starlette.testclient, ...), never by
# importing it ourselves: {module: the fixes to apply then}.
waiting = {}  # type: Dict[str, FrozenSet[str]]


def _install_group(fixes: "List[Fix]") -> None:
    """Resolve every patch of the group, then apply them all, or warn and apply none."""
    if wrapt_missing(fixes):
        return
    try:
        patches = [patch_for(fix) for fix in fixes]
    except CannotImport as exc:  # not ours to fix: the report says what is
        # (only this group: the other groups' fixes are installed, or not, on their own)
        warn("{}; not installed: {} (python -m starlette_asyncstream tells why)".format(
            exc, ", ".join(fix.name for fix in fixes)), RuntimeWarning)
        return
    except Exception as exc:  # LayoutError, or a fork's surprise
        warn_layout("unexpected layout ({}: {})".format(type(exc).__name__, exc))
        return
    touched: "Set[Tuple[int, str]]" = set()
    for patch in patches:
        places = {(id(b.owner), b.attribute) for b in patch.bindings}
        if places & touched:  # pragma: no mutate (resolved again where nothing overlapped: the same bindings)
            # An earlier fix of this group replaced what this one wraps
            # (debug-page, then debug-page-type): wrap what is there now.
            patch = patch_for(patch.fix)
        touched |= places
        if patch.installed():
            _logger().info("fix %r is already installed", patch.fix.name)
        else:
            patch.install()


def _still_waiting(fix: Fix) -> bool:
    # (read without _lock: it runs inside an import, which a thread installing may be waiting for)
    return any(fix.name in waiting.get(m, ()) for m in fix.waits_for)


def _room_context(fix: Fix) -> Any:
    # The room's around_import(), for the first import of a module in the row's `around_imports`
    # (the room is imported then, not before).
    return room(fix).around_import()


def _on_import(module: Any) -> None:
    # A module that fixes wait for has just been imported: its code can be
    # read now, and sse-starlette's __version__ where it has one.
    with _lock, quietly():
        name = module.__name__
        # (an unreadable version was warned about by install(), which set this hook)
        fixes = [f for f in applicable(say=False) if name in f.waits_for and f.name in waiting.get(name, ())]
        if fixes:
            _install_group(fixes)


def install(names: "Iterable[str]") -> None:
    """See starlette_asyncstream.install()."""
    picked = chosen(names)
    with _lock:
        versions = _versions.read()
        fixes = [f for f in applicable(versions) if f.name in picked]
        later = {}  # type: Dict[str, FrozenSet[str]]
        for fix in fixes:
            for module in fix.waits_for:
                later[module] = later.get(module, frozenset()) | {fix.name}
        if versions["sse-starlette"][0] == "" and SSE_MODULE not in sys.modules:
            # A copy with no version to read: judged by its code once imported.
            unread = frozenset(f.name for f in FIXES if f.module == SSE_MODULE and f.name in picked)
            if unread:
                later[SSE_MODULE] = later.get(SSE_MODULE, frozenset()) | unread
        if not fixes and not later:
            # Nothing to say, so no logging import: this is the no-op path.
            return
        from . import _hook  # (not on the no-op path)

        # The hooks first: installing the others imports starlette.responses,
        # and nothing that a fix waits for may be imported before its hook.
        for fix in fixes:
            for name in fix.around_imports:  # (the room is imported only when one of them is)
                _hook.around_import(name, fix.name, functools.partial(_still_waiting, fix),
                                    functools.partial(_room_context, fix))
        for module, wanted in later.items():
            waiting[module] = waiting.get(module, frozenset()) | wanted
            # At once if the module is imported already, else right after its import.
            _hook.when_imported(module, _on_import)
        now = [f for f in fixes if not f.waits_for]
        if now:
            _install_group(now)


def uninstall(names: "Iterable[str]") -> None:
    """See starlette_asyncstream.uninstall()."""
    picked = chosen(names)
    with _lock:
        for module in waiting:
            waiting[module] = waiting[module] - picked
        if not SWITCHES:  # no patch was ever made in this process
            _logger().info("nothing to uninstall")
            return
        try:
            patches = [
                patch_for(fix)
                for fix in reversed(applicable())  # the last stacked first
                if fix.name in picked and (not fix.waits_for or any(m in sys.modules for m in fix.waits_for))
                and could_install(fix)
            ]
        except Exception as exc:
            warn("cannot uninstall ({}: {}); nothing was restored".format(type(exc).__name__, exc),
                 StarletteLayoutWarning)
            return
        for patch in patches:
            restored, left, stacked = patch.uninstall()
            if not restored and not left and not stacked:
                _logger().info("fix %r is not installed; nothing to uninstall", patch.fix.name)
            if stacked:
                # Uninstalling one of two fixes of one attribute: the other stays, and ours
                # inside it now calls the original (no warning: nothing foreign is involved).
                _logger().info("fix %r switched off under another fix of this package at %s", patch.fix.name,
                               ", ".join(stacked))
            if left:
                warn("{} wrapped by another patch after ours; left in place with ours switched off".format(
                    ", ".join(left)), RuntimeWarning)


def install_at_import() -> None:
    with quietly():
        try:
            off, problem = switched_off()
            if problem:
                warn(problem, RuntimeWarning)
            left_on = [name for name in FIX_NAMES if name not in off]
            if left_on:
                install(left_on)
        except Exception as exc:  # never a crash at import, whatever the installed releases look like
            warn_layout("install() failed ({}: {})".format(type(exc).__name__, exc))
