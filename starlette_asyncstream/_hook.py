"""The post-import hook: code run right after a module's first import, and
context managers that a module's first execution runs inside.

Some fixes replace objects in modules this package must never import
itself: ``starlette.testclient`` imports requests, ``sse_starlette.sse`` may
not be there at all. They are fixed when the application imports them. This
is the idea of wrapt's post-import hooks (PEP 369), made small: importing
wrapt costs more than ``starlette.responses`` itself, and where only a fix
that waits applies (the testclient fix on Starlette 0.14.x) nothing else
needs it.

A finder at the front of ``sys.meta_path`` answers only for the watched
names: it asks the finders after it for the real spec and wraps its loader,
so the module is created and executed by its own loader, and the callbacks
run once that has succeeded (a failed import runs nothing).

Nothing here knows about fixes: ``_core`` says what to run and whether it is
still wanted. This module's lock is taken after ``_core``'s, never before:
what it calls back (the callbacks, ``still_wanted``) runs outside it.
"""

import contextlib
import sys
import threading
from typing import Any, Callable, Dict, List, Optional, Tuple

_lock = threading.RLock()
_callbacks: "Dict[str, List[Callable[[Any], None]]]" = {}
# {module: {key: (still_wanted, a context manager factory)}}: the module's
# first execution runs inside those still wanted then.
_around: "Dict[str, Dict[str, Tuple[Callable[[], bool], Callable[[], Any]]]]" = {}


def around_import(name: str, key: str, still_wanted: "Callable[[], bool]", factory: "Callable[[], Any]") -> None:
    """Run `name`'s first execution inside factory() if still_wanted() then (once per key)."""
    with _lock:
        if name in sys.modules:
            return  # too late to act while it executes: the caller's targets say what is left
        _around.setdefault(name, {}).setdefault(key, (still_wanted, factory))
        _ensure_finder()


def when_imported(name: str, callback: "Callable[[Any], None]") -> None:
    """callback(module) now if `name` is imported, else right after its import.
    The same callback is registered once."""
    with _lock:
        module = sys.modules.get(name)
        if module is None:
            registered = _callbacks.setdefault(name, [])
            if callback not in registered:
                registered.append(callback)
            _ensure_finder()
            return
    callback(module)


def _ensure_finder() -> None:
    if not any(isinstance(finder, _Finder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Finder())


def _fire(name: str, module: Any) -> None:
    with _lock:
        registered = _callbacks.pop(name, [])
    for callback in registered:
        callback(module)


class _Loader:
    """The real loader, and the callbacks once it has executed the module."""

    def __init__(self, name: str, loader: Any) -> None:
        self.name = name
        self.loader = loader

    def create_module(self, spec: Any) -> Any:
        # (a loader with exec_module has create_module too: Python 3.6 on requires it)
        return self.loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        # The module's own spec keeps the real loader, as if we had not been here.
        spec: Any = getattr(module, "__spec__", None)
        if getattr(spec, "loader", None) is self:
            spec.loader = self.loader
        if getattr(module, "__loader__", None) is self:
            module.__loader__ = self.loader
        with _lock:
            registered = _around.pop(self.name, {})
        with contextlib.ExitStack() as contexts:
            for still_wanted, factory in registered.values():
                if still_wanted():
                    contexts.enter_context(factory())
            self.loader.exec_module(module)
        _fire(self.name, sys.modules.get(self.name, module))

    def __getattr__(self, attribute: str) -> Any:  # get_source, is_package, ... of the real loader
        return getattr(self.loader, attribute)


class _Finder:
    def __init__(self) -> None:
        self._asking = threading.local()

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Optional[Any]:
        if (name not in _callbacks and name not in _around) or getattr(self._asking, "on", False):
            return None
        self._asking.on = True
        try:
            spec = None
            for finder in sys.meta_path:
                if finder is self or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(name, path, target)
                if spec is not None:
                    break
        finally:
            self._asking.on = False
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec  # nothing we can wait on: the import goes on as it would have
        spec.loader = _Loader(name, spec.loader)  # type: ignore[assignment]  # a loader by duck typing
        return spec
