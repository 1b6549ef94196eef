"""Fix ``gzip``: GZipMiddleware closes what it opens (Starlette 0.12.0b3-0.38.2,
Python 3.12+).

``GZipResponder.__init__`` makes a ``GzipFile`` over a ``BytesIO`` for every
response, and closes it only when it compresses. A response smaller than
``minimum_size`` leaves both open; from Python 3.12 the GzipFile's finalizer
writes to the already collected buffer ("Exception ignored ... ValueError:
I/O operation on closed file"), and from 3.14 it warns "ResourceWarning:
unclosed GzipFile" (CPython gh-122727). 0.38.3 (#2662) closes the file, then
the buffer, when ``__call__`` ends, however it ends.
"""

import functools
import inspect
from typing import Any, Callable, List, Tuple

from .._bindings import LayoutError, Switch, code_names, own_attribute, unwrap_ours

MODULES = ("starlette.middleware.gzip",)


def make(original: "Callable[..., Any]", switch: Switch) -> "Callable[..., Any]":
    async def __call__(self: Any, scope: Any, receive: Any, send: Any) -> None:
        if not switch.on:
            await original(self, scope, receive, send)
            return
        try:
            await original(self, scope, receive, send)
        finally:
            # The order of 0.38.3's `with self.gzip_buffer, self.gzip_file:`.
            try:
                self.gzip_file.close()
            finally:
                self.gzip_buffer.close()

    functools.update_wrapper(__call__, original)
    return __call__


def targets(gzip_module: Any) -> "List[Tuple[Any, str, Any]]":
    cls, call = own_attribute(gzip_module, "GZipResponder", "__call__")
    names = code_names(vars(cls).get("__init__"))
    if "gzip_file" not in names or "gzip_buffer" not in names:
        raise LayoutError("GZipResponder.__init__ does not make gzip_file and gzip_buffer")
    original = unwrap_ours(call)
    if not inspect.iscoroutinefunction(original):
        raise LayoutError("GZipResponder.__call__ is not a coroutine function")
    if "close" in code_names(original):
        raise LayoutError("GZipResponder.__call__ already closes what it opens")
    return [(cls, "__call__", call)]
