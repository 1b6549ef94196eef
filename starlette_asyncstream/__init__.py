"""Backport Starlette 0.14.0's two StreamingResponse fixes to 0.12.0b3-0.13.8.

``import starlette_asyncstream`` installs them when the running Starlette
needs them and does nothing at all otherwise. See the README, "Notes on
monkey patching", for exactly what is replaced.
"""

import os
import threading
import warnings
from typing import Dict, NamedTuple, Optional, Tuple

from ._ranges import FIXES, Fix
from ._version import VersionKey, parse_version

__version__ = "0.1.0"
__all__ = [
    "DISABLE_ENV",
    "FixStatus",
    "StarletteLayoutWarning",
    "install",
    "status",
    "uninstall",
]

DISABLE_ENV = "STARLETTE_ASYNCSTREAM_DISABLE"


class StarletteLayoutWarning(UserWarning):
    """The running Starlette is not what its version promises; nothing was patched."""


class FixStatus(NamedTuple):
    name: str
    applies: bool  # the running Starlette is in this fix's range
    installed: bool  # read off the patched objects, not remembered
    needed_here: bool  # without it, streaming fails on this Python
    affected: str  # the range, "introduced <= starlette < fixed"
    upstream: str
    detail: str


_lock = threading.RLock()


def _logger():  # logging is imported only when there is something to say
    import logging

    return logging.getLogger(__name__)


def _starlette() -> Tuple[Optional[str], Optional[VersionKey]]:
    """The running Starlette's version string and its PEP 440 key.

    Imports only the ``starlette`` package (its __init__ holds nothing but
    the version), never starlette.responses: on a fixed release the import
    of this package must stay a no-op.
    """
    try:
        import starlette
    except ImportError:
        return None, None
    text = str(getattr(starlette, "__version__", ""))
    return text, parse_version(text)


def _applicable() -> Tuple[Optional[str], Tuple[Fix, ...]]:
    # THE guard: every decision to patch goes through this comparison.
    text, key = _starlette()
    if text is None:
        return None, ()
    if key is None:
        raise _Layout("cannot read Starlette's version {!r}".format(text))
    return text, tuple(fix for fix in FIXES if fix.contains(key))


class _Layout(Exception):
    pass


def _warn_layout(reason: str) -> None:
    warnings.warn(
        "starlette_asyncstream: {}; nothing was patched".format(reason),
        StarletteLayoutWarning,
        stacklevel=3,
    )


def install() -> None:
    """Install every fix the running Starlette needs. Idempotent, thread-safe.

    On a Starlette outside every affected range this does nothing (and does
    not import wrapt). A Starlette whose layout does not match its version
    gets a StarletteLayoutWarning and is left untouched.
    """
    with _lock:
        try:
            version, fixes = _applicable()
            if not fixes:
                # Nothing to say, so no logging import: this is the no-op path.
                return
            from . import _patches

            # Every patch is resolved before any is applied: all or nothing.
            patches = [_patches.patch_for(fix) for fix in fixes]
        except _Layout as exc:
            _warn_layout(str(exc))
            return
        except Exception as exc:  # _patches.LayoutError, or a fork's surprise
            _warn_layout("unexpected Starlette layout ({}: {})".format(type(exc).__name__, exc))
            return
        for patch in patches:
            if patch.installed():
                _logger().info("fix %r is already installed", patch.fix.name)
            else:
                patch.install()
                _logger().debug("installed fix %r: %s", patch.fix.name, patch.describe())


def uninstall() -> None:
    """Put the original objects back. Idempotent, thread-safe.

    Where another library wrapped one of our replacements after us, its
    wrapper is left in place, ours inside it is switched off (it then calls
    straight through to the original), and a warning says where.
    """
    import sys

    with _lock:
        patches_module = sys.modules.get(__name__ + "._patches")
        if patches_module is None:
            _logger().info("nothing to uninstall")
            return
        try:
            _, fixes = _applicable()
            patches = [patches_module.patch_for(fix) for fix in fixes]
        except Exception as exc:
            _warn_layout("cannot uninstall ({}: {})".format(type(exc).__name__, exc))
            return
        for patch in patches:
            restored, left = patch.uninstall()
            if not restored and not left:
                _logger().info("fix %r is not installed; nothing to uninstall", patch.fix.name)
            if left:
                warnings.warn(
                    "starlette_asyncstream: {} wrapped by another patch after ours; "
                    "left in place with ours switched off".format(", ".join(left)),
                    RuntimeWarning,
                    stacklevel=2,
                )


def status() -> Dict[str, FixStatus]:
    """For each fix: does it apply here, is it installed (read off the objects)."""
    import sys

    text, key = _starlette()
    patches_module = sys.modules.get(__name__ + "._patches")
    result = {}
    for fix in FIXES:
        applies = key is not None and fix.contains(key)
        installed = False
        if text is None:
            detail = "Starlette is not installed"
        elif key is None:
            detail = "cannot read Starlette's version {!r}".format(text)
        elif not applies:
            detail = "Starlette {} is outside the affected range".format(text)
        elif patches_module is None:
            detail = "not installed (opted out with {}, or uninstalled)".format(DISABLE_ENV)
        else:
            try:
                patch = patches_module.patch_for(fix)
            except Exception as exc:
                detail = "unexpected layout: {}".format(exc)
            else:
                installed = patch.installed()
                detail = patch.describe()
        result[fix.name] = FixStatus(
            name=fix.name,
            applies=applies,
            installed=installed,
            needed_here=applies and sys.version_info[:2] >= fix.fails_from_python,
            affected="{} <= starlette < {}".format(fix.introduced, fix.fixed),
            upstream=fix.upstream,
            detail=detail,
        )
    return result


def _disabled_by_environment() -> bool:
    value = os.environ.get(DISABLE_ENV, "").strip().lower()
    return value not in ("", "0", "false", "no", "off")


if not _disabled_by_environment():
    install()
