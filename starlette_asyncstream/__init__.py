"""Make StreamingResponse on Starlette 0.12.0b3-0.13.8 behave as in 0.14.x
(and sse-starlette's EventSourceResponse before 1.2.1 as in 1.2.1), and keep
the legacy TestClient and debug error page working on new Pythons.

``import starlette_asyncstream`` installs the fixes that the running
Starlette, sse-starlette and Python need (see ``_ranges``), and does nothing
at all otherwise. See the README, "Notes on monkey patching", for exactly
what is replaced.
"""

import os
import sys
import threading
import warnings
from typing import TYPE_CHECKING, Any, Dict, FrozenSet, Iterable, List, NamedTuple, Optional, Tuple

from ._ranges import FIXES, PACKAGES, Fix
from ._pep440 import parse_version

if TYPE_CHECKING:
    import logging

    from ._pep440 import VersionKey

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

DISABLE_ENV = "STARLETTE_ASYNCSTREAM_DISABLE"
SSE_MODULE = "sse_starlette.sse"


class StarletteLayoutWarning(UserWarning):
    """Starlette (or sse-starlette) is not what its version promises; nothing of it was patched."""


class FixStatus(NamedTuple):
    name: str
    applies: bool  # the running release(s) are in this fix's range
    installed: bool  # read off the patched objects, not remembered
    needed_here: bool  # without it, streaming misbehaves on this Python
    affected: str  # the range(s), "introduced <= package < fixed"
    upstream: str
    detail: str
    switched_off: bool = False  # named in DISABLE_ENV, so the import left it alone


FIX_NAMES = tuple(fix.name for fix in FIXES)
# Subscripted annotations below are written as strings: evaluating them at
# import would build typing aliases, which costs more than the rest of the
# no-op import on a fixed release. mypy reads them all the same.
if TYPE_CHECKING:  # {distribution: (version text or None if absent, PEP 440 key or None)}
    Versions = Dict[str, Tuple[Optional[str], Optional[VersionKey]]]
_lock = threading.RLock()
# Fixes with a `module` in the table are applied when the application imports
# that module (sse_starlette.sse, starlette.testclient, ...), never by
# importing it ourselves: {module: the fixes to apply then}.
_waiting = {}  # type: Dict[str, FrozenSet[str]]
# True while the import (or sse-starlette's import hook) installs: a warning
# that `-W error` turns into an exception is then printed, not raised, so
# that it never breaks the application's import.
_quiet = threading.local()


def _logger() -> "logging.Logger":  # logging is imported only when there is something to say
    import logging

    return logging.getLogger(__name__)


def _metadata_version(site: str, distribution_module: str) -> "Optional[str]":
    """The version in a .dist-info/.egg-info for this distribution in `site`, if there is one."""
    try:
        entries = os.listdir(site)
    except OSError:  # not a directory (a zip on sys.path), or gone
        return None
    for entry in entries:
        stem, ext = os.path.splitext(entry)
        name, _, version = stem.partition("-")
        if ext not in (".dist-info", ".egg-info") or name.lower().replace(".", "_") != distribution_module:
            continue
        if version:
            return version.partition("-")[0]
        # setuptools' "develop" mode: <name>.egg-info with the version inside.
        try:
            with open(os.path.join(site, entry, "PKG-INFO"), encoding="utf-8") as f:
                for line in f:
                    if line.startswith("Version:"):
                        return line.split(":", 1)[1].strip()
        except OSError:
            pass
    return None


def _find_spec(top_level_name: str) -> Any:
    """importlib.util.find_spec for a top-level name that is not imported,
    without importing importlib.util: that alone costs a fifth of this
    package's no-op import. Every finder on sys.meta_path is asked, as the
    import system would (an editable install's finder included)."""
    for finder in sys.meta_path:
        find_spec = getattr(finder, "find_spec", None)
        if find_spec is None:
            continue
        try:
            spec = find_spec(top_level_name, None)
        except (ImportError, ValueError):
            return None
        if spec is not None:
            return spec
    return None


def _installed_version(module_name: str) -> "Optional[str]":
    """A distribution's version, without importing it when it is not imported yet.

    None when it is not installed; "" when it is, but no version can be read
    before it is imported (a vendored copy with no metadata). Read from the
    module's __version__ if it is imported and has one (sse-starlette 0.9 and
    0.10 have none), else from metadata: beside the package first (a normal
    install), then on sys.path in order (an editable install keeps its
    .dist-info in site-packages, away from the checkout). Not
    importlib.metadata: that import alone costs more than this whole package.
    """
    module = sys.modules.get(module_name)
    version = getattr(module, "__version__", None)
    if isinstance(version, str):
        return version
    spec = _find_spec(module_name)
    if spec is None or not spec.submodule_search_locations:
        return None
    beside = [os.path.dirname(location) for location in spec.submodule_search_locations]
    for site in beside + [entry or os.curdir for entry in sys.path]:
        version = _metadata_version(site, module_name)
        if version is not None:
            return version
    return ""


def _versions() -> "Versions":
    """{distribution: (version text or None if absent, PEP 440 key or None)}.

    Imports only the ``starlette`` package (its __init__ holds nothing but
    the version), never starlette.responses: on a fixed release the import
    of this package must stay a no-op.
    """
    try:
        import starlette

        starlette_text: Optional[str] = str(getattr(starlette, "__version__", ""))
    except ImportError:
        starlette_text = None
    found = {"starlette": starlette_text, "sse-starlette": _installed_version(PACKAGES["sse-starlette"])}
    return {name: (text, None if text is None else parse_version(text)) for name, text in found.items()}


def _applicable(versions: "Optional[Versions]" = None) -> "List[Fix]":
    """THE guard: every decision to patch goes through this comparison.

    A distribution whose version cannot be read gets a warning, and none of
    its fixes apply; the other distribution's fixes still do. An
    sse-starlette copy with no metadata at all ("" below) is not warned
    about: once imported it is judged by its own code (see _judged_by_code).
    """
    versions = _versions() if versions is None else versions
    keys = {}
    for name, (text, key) in versions.items():
        if text is not None and key is None and (text or name == "starlette"):
            _warn_layout("cannot read {}'s version {!r}".format(name, text), stacklevel=5)
        keys[name] = key
    return [fix for fix in FIXES if fix.applies(keys) or _judged_by_code(fix, versions, keys)]


def _judged_by_code(fix: Fix, versions: "Versions", keys: "Dict[str, Optional[VersionKey]]") -> bool:
    """For an imported sse-starlette with no version to read (vendored): does its code have the bug?"""
    if fix.package != "sse-starlette" or versions.get(fix.package, (None,))[0] != "" or SSE_MODULE not in sys.modules:
        return False
    # Its own range is replaced by a look at the code; any other range of
    # the row (the Starlette one of sse-tasks) still holds as written.
    as_if = dict(keys)
    as_if[fix.package] = parse_version(fix.introduced)
    if not fix.applies(as_if):
        return False
    patches = _patches_module()
    return patches is not None and patches.has_legacy_code(fix)


def _warn(message: str, category: type, stacklevel: int = 3) -> None:
    try:
        warnings.warn("starlette_asyncstream: " + message, category, stacklevel=stacklevel)
    except Warning:  # an "error" filter: raise, except while the application imports us
        if not getattr(_quiet, "on", False):
            raise
        sys.stderr.write("{}: starlette_asyncstream: {}\n".format(category.__name__, message))


def _warn_layout(reason: str, stacklevel: int = 4) -> None:
    _warn("{}; nothing of it was patched".format(reason), StarletteLayoutWarning, stacklevel)


WRAPT_HINT = "pip install 'wrapt>=1.14,<3'"


# The fixes made of plain functions; the others (the streaming ones) are
# installed only where wrapt can be imported (see _patches).
_WITHOUT_WRAPT = ("testclient", "debug-page")


def _patches_module(fixes: "Optional[List[Fix]]" = None) -> Any:
    """Our replacements, or None with a warning when these fixes need wrapt and it cannot be imported."""
    from . import _patches

    if fixes is None or any(f.name not in _WITHOUT_WRAPT for f in fixes):
        try:
            import wrapt  # noqa: F401
        except ImportError as exc:  # a --no-deps install, or a wrapt built for another Python
            if fixes:
                _warn("{} not installed: wrapt cannot be imported ({}); {}".format(
                    ", ".join(f.name for f in fixes), exc, WRAPT_HINT), RuntimeWarning, stacklevel=5)
            return None
    return _patches


def _install_group(fixes: "List[Fix]") -> None:
    """Resolve every patch of the group, then apply them all, or warn and apply none."""
    patches_module = _patches_module(fixes)
    if patches_module is None:
        return
    try:
        patches = [patches_module.patch_for(fix) for fix in fixes]
    except patches_module.CannotImport as exc:  # not ours to fix: the report says what is
        _warn("{}; nothing was patched (python -m starlette_asyncstream tells why)".format(exc), RuntimeWarning)
        return
    except Exception as exc:  # _patches.LayoutError, or a fork's surprise
        _warn_layout("unexpected layout ({}: {})".format(type(exc).__name__, exc))
        return
    for patch in patches:
        if patch.installed():
            _logger().info("fix %r is already installed", patch.fix.name)
        else:
            patch.install()


def _on_import(module: Any) -> None:
    # A module that fixes wait for has just been imported (see _hooks): its
    # code can be read now, and sse-starlette's __version__ where it has one.
    with _lock, _quietly():
        name = module.__name__
        fixes = [f for f in _applicable() if f.module == name and f.name in _waiting.get(name, ())]
        if fixes:
            _install_group(fixes)


def _chosen(names: "Iterable[str]") -> "FrozenSet[str]":
    """The fixes named, or all of them when none is; a name we do not have is a ValueError."""
    chosen = frozenset(names) or frozenset(FIX_NAMES)
    unknown = sorted(chosen.difference(FIX_NAMES))
    if unknown:
        raise ValueError("no fix named {}; the fixes are: {}".format(", ".join(map(repr, unknown)),
                                                                    ", ".join(FIX_NAMES)))
    return chosen


def install(*names: str) -> None:
    """Install the fixes the running releases need (or only those named).
    Idempotent, thread-safe.

    Outside every affected range this does nothing (and does not import
    wrapt). A release whose layout does not match its version gets a
    StarletteLayoutWarning and is left untouched. sse-starlette, when it is
    affected but not imported yet, is fixed when it is imported; so is a
    copy of it whose version cannot be read before then.
    """
    chosen = _chosen(names)
    with _lock:
        versions = _versions()
        fixes = [f for f in _applicable(versions) if f.name in chosen]
        later = {}  # type: Dict[str, FrozenSet[str]]
        for fix in fixes:
            if fix.module is not None:
                later[fix.module] = later.get(fix.module, frozenset()) | {fix.name}
        if versions["sse-starlette"][0] == "" and SSE_MODULE not in sys.modules:
            # A copy with no version to read: judged by its code once imported.
            unread = frozenset(f.name for f in FIXES if f.module == SSE_MODULE and f.name in chosen)
            if unread:
                later[SSE_MODULE] = later.get(SSE_MODULE, frozenset()) | unread
        if not fixes and not later:
            # Nothing to say, so no logging import: this is the no-op path.
            return
        now = [f for f in fixes if f.module is None]
        if now:
            _install_group(now)
        from ._hooks import when_imported

        for module, wanted in later.items():
            _waiting[module] = _waiting.get(module, frozenset()) | wanted
            # At once if the module is imported already, else right after its import.
            when_imported(module, _on_import)


def uninstall(*names: str) -> None:
    """Put the original objects back (of every fix, or only those named).
    Idempotent, thread-safe.

    Where another library wrapped one of our replacements after us, its
    wrapper is left in place, ours inside it is switched off (it then calls
    straight through to the original), and a warning says where.
    """
    chosen = _chosen(names)
    with _lock:
        for module in _waiting:
            _waiting[module] = _waiting[module] - chosen
        patches_module = sys.modules.get(__name__ + "._patches")
        if patches_module is None:
            _logger().info("nothing to uninstall")
            return
        try:
            patches = [
                patches_module.patch_for(fix)
                for fix in _applicable()
                if fix.name in chosen and (fix.module is None or fix.module in sys.modules) and _could_install(fix)
            ]
        except Exception as exc:
            _warn_layout("cannot uninstall ({}: {})".format(type(exc).__name__, exc))
            return
        for patch in patches:
            restored, left = patch.uninstall()
            if not restored and not left:
                _logger().info("fix %r is not installed; nothing to uninstall", patch.fix.name)
            if left:
                _warn("{} wrapped by another patch after ours; left in place with ours switched off".format(
                    ", ".join(left)), RuntimeWarning)


def status() -> "Dict[str, FixStatus]":
    """For each fix: does it apply here, is it installed (read off the objects)."""
    try:
        versions = _versions()
    except Exception:  # pragma: no cover - status must always answer
        versions = {}
    keys = {name: key for name, (_, key) in versions.items()}
    patches_module = sys.modules.get(__name__ + "._patches")
    off = _switched_off()[0]
    result = {}
    for fix in FIXES:
        text, key = versions.get(fix.package, (None, None))
        applies = fix.applies(keys) or _judged_by_code(fix, versions, keys)
        installed = False
        if text is None:
            detail = "{} is not installed".format(fix.package)
        elif text == "" and fix.package != "starlette" and not applies:
            detail = (
                "{} has no version to read: judged by its code when sse_starlette is imported".format(fix.package)
                if SSE_MODULE not in sys.modules else
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
        elif fix.module is not None and fix.module not in sys.modules:
            detail = (
                "waiting: the fix is applied when {} is imported".format(fix.module)
                if fix.name in _waiting.get(fix.module, ()) else
                _why_not_installed(fix.name, off) if fix.name in off else
                "not installed ({} is not imported)".format(fix.module)
            )
        elif patches_module is None or not _could_install(fix):
            detail = _why_not_installed(fix.name, off)
        else:
            try:
                patch = patches_module.patch_for(fix)
            except Exception as exc:
                detail = "unexpected layout: {}".format(exc)
            else:
                installed = patch.installed()
                detail = patch.describe() if installed or fix.name not in off else _why_not_installed(fix.name, off)
        result[fix.name] = FixStatus(
            name=fix.name,
            applies=applies,
            installed=installed,
            needed_here=applies and fix.fails_here(),
            affected=fix.describe(),
            upstream=fix.upstream,
            detail=detail,
            switched_off=fix.name in off,
        )
    return result


def _could_install(fix: Fix) -> bool:
    """Could install() have replaced anything of this fix (wrapt, where it needs it, was imported)?"""
    return fix.name in _WITHOUT_WRAPT or "wrapt" in sys.modules


def _why_not_installed(name: str, off: "FrozenSet[str]") -> str:
    """Why an applicable fix has no replacement in place."""
    if name in off:
        return "not installed: switched off with {}={}".format(DISABLE_ENV, os.environ.get(DISABLE_ENV))
    if name not in _WITHOUT_WRAPT and "wrapt" not in sys.modules and _find_spec("wrapt") is None:
        return "not installed: wrapt is missing ({})".format(WRAPT_HINT)
    return "not installed (install() was not called, or it warned why)"


# DISABLE_ENV values that switch every fix off, and none.
_ALL_OFF = ("1", "true", "yes", "on", "all")
_NONE_OFF = ("", "0", "false", "no", "off")


def _switched_off() -> "Tuple[FrozenSet[str], str]":
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


class _quietly:
    """While the application imports us (or sse-starlette), warnings never raise."""

    def __enter__(self) -> None:
        self.was = getattr(_quiet, "on", False)
        _quiet.on = True

    def __exit__(self, *exc_info: Any) -> None:
        _quiet.on = self.was


def _install_at_import() -> None:
    with _quietly():
        try:
            off, problem = _switched_off()
            if problem:
                _warn(problem, RuntimeWarning)
            left_on = [name for name in FIX_NAMES if name not in off]
            if left_on:
                install(*left_on)
        except Exception as exc:  # never a crash at import, whatever the installed releases look like
            _warn_layout("install() failed ({}: {})".format(type(exc).__name__, exc))


def _loaded_as_pytest_plugin() -> bool:
    """Is pytest loading our plugin entry point (pluggy's load_setuptools_entrypoints)?
    Then the import must install nothing: see _pytest_plugin."""
    frame = sys._getframe(1)  # type: Optional[Any]
    for _ in range(64):
        if frame is None:
            return False
        if frame.f_code.co_name == "load_setuptools_entrypoints" and str(
                frame.f_globals.get("__name__", "")).startswith("pluggy"):
            return True
        frame = frame.f_back
    return False


_as_plugin = _loaded_as_pytest_plugin()
if not _as_plugin:
    _install_at_import()
