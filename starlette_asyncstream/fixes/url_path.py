"""Fix ``url-path``: a request path that does not start with ``/`` cannot
move the authority of ``request.url`` (Starlette 0.12.0b3-0.14.2):
CVE-2026-54282, GHSA-jp82-jpqv-5vv3.

``URL(scope=...)`` glues ``{scheme}://{host}{path}`` together and parses the
result. A server that hands on a request target such as ``@evil.example``
(uvicorn's h11 and httptools do) gives the scope a path without a leading
``/``, and the URL then reads ``http://testserver@evil.example``:
``request.url.hostname`` is the attacker's, for code that builds redirects,
callbacks or allow-lists from it. 1.3.0 joins the parts with
``urllib.parse.urlunsplit``, which puts a ``/`` before such a path whenever
there is an authority; the router still sees the path as sent.

The replacement hands the release's own ``__init__`` a copy of the scope
whose path (root_path + path, as legacy releases join them) starts with
``/`` when there is a Host header or a server address to build an authority
from; every other URL is the release's own. (A Host header that the
``host-header`` fix sets aside still counts as an authority here: without a
server address, such a request's URL is ``/@evil.example`` where 1.3.0 has
``@evil.example``; neither names a host.)
"""

import functools
from typing import Any, Callable, List, Tuple

from .._core import LayoutError, Switch, code_names, own_attribute, unwrap_ours

MODULES = ("starlette.datastructures",)


def make(original: "Callable[..., Any]", switch: Switch) -> "Callable[..., Any]":
    def __init__(self: Any, url: str = "", scope: Any = None, **components: Any) -> None:
        if scope is not None and switch.on:
            path = scope.get("root_path", "") + scope["path"]
            if path and path[0] != "/" and (scope.get("server") is not None
                                            or any(key == b"host" for key, _ in scope["headers"])):
                scope = dict(scope, root_path="", path="/" + path)
        original(self, url, scope, **components)

    functools.update_wrapper(__init__, original)
    return __init__


def targets(datastructures: Any) -> "List[Tuple[Any, str, Any]]":
    cls, init = own_attribute(datastructures, "URL", "__init__")
    names = code_names(init)
    if "root_path" not in unwrap_consts(init):
        raise LayoutError("URL.__init__ does not join scope['root_path'] and scope['path']")
    if "SplitResult" in names:
        raise LayoutError("URL.__init__ already joins the URL with urlunsplit")
    return [(cls, "__init__", init)]


def unwrap_consts(function: Any) -> "Tuple[Any, ...]":
    return tuple(getattr(getattr(unwrap_ours(function), "__code__", None), "co_consts", ()))
