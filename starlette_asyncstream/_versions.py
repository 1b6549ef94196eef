"""Which releases are installed, read without importing what is not imported yet.

The guard (``_core``), ``status()``, the report and the pytest plugin all
read versions through ``read()`` here. Nothing here imports importlib.util
or importlib.metadata: either import alone costs more than this package's
whole no-op import (see the bench).
"""

import os
import sys
from typing import Any, Optional

from ._pep440 import parse_version
from ._ranges import PACKAGES


__all__ = ["Keys", "Versions", "find_spec", "installed_version", "read"]


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
                        return line.partition(":")[2].strip()
        except OSError:
            pass
    return None


def find_spec(top_level_name: str) -> Any:
    """importlib.util.find_spec for a top-level name that is not imported,
    without importing importlib.util: that alone costs a fifth of this
    package's no-op import. Every finder on sys.meta_path is asked, as the
    import system would (an editable install's finder included)."""
    for finder in sys.meta_path:
        ask = getattr(finder, "find_spec", None)
        if ask is None:
            continue
        try:
            spec = ask(top_level_name, None)
        except (ImportError, ValueError):
            return None
        if spec is not None:
            return spec
    return None


def installed_version(module_name: str, metadata_name: "Optional[str]" = None) -> "Optional[str]":
    """A distribution's version, without importing it when it is not imported yet.

    None when it is not installed; "" when it is, but no version can be read
    before it is imported (a vendored copy with no metadata). Read from the
    module's __version__ if it is imported and has one (sse-starlette 0.9 and
    0.10 have none), else from metadata: beside the package first (a normal
    install), then on sys.path in order (an editable install keeps its
    .dist-info in site-packages, away from the checkout). Not
    importlib.metadata: that import alone costs more than this whole package.
    `metadata_name`: the distribution's name in its .dist-info, when it is not
    the module's (python-multipart before 0.0.13 has only `multipart`).
    """
    module = sys.modules.get(module_name)
    version = getattr(module, "__version__", None)
    if isinstance(version, str):
        return version
    spec = find_spec(module_name)
    if spec is None or not spec.submodule_search_locations:
        return None
    beside = [os.path.dirname(location) for location in spec.submodule_search_locations]
    for site in beside + [entry or os.curdir for entry in sys.path]:
        version = _metadata_version(site, metadata_name or module_name)
        if version is not None:
            return version
    return ""


class Versions(dict):  # type: ignore[type-arg]
    """{distribution: (version text or None if absent, PEP 440 key or None)}.

    Starlette and sse-starlette are read at once; any other distribution of
    PACKAGES the first time get() asks for it. Fix.outside() asks a row's
    ranges in order and stops at the first that fails, so a Starlette outside
    the row's range never costs a look for jinja2 or python-multipart.
    """

    def get(self, name: str, default: Any = None) -> Any:
        # (read once: reading again would give the same answer, only later)
        if name not in self and name in PACKAGES:  # pragma: no mutate
            text = installed_version(PACKAGES[name])
            self[name] = (text, None if text is None else parse_version(text))
        return super().get(name, default)


class Keys(dict):  # type: ignore[type-arg]
    """{distribution: PEP 440 key or None}, read through a Versions as asked."""

    def __init__(self, versions: "Versions") -> None:
        super().__init__((name, key) for name, (_, key) in versions.items())
        self.versions = versions

    def get(self, name: str, default: Any = None) -> Any:
        # (read once: the ranges ask only for PACKAGES, and Versions answers the same again)
        if name not in self and name in PACKAGES:  # pragma: no mutate
            self[name] = self.versions.get(name)[1]
        return super().get(name, default)


def read() -> "Versions":
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
    found = {"starlette": starlette_text, "sse-starlette": installed_version(PACKAGES["sse-starlette"])}
    return Versions((name, (text, None if text is None else parse_version(text))) for name, text in found.items())
