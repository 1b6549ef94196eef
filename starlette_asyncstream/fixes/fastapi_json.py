"""Fix ``fastapi-json``: FastAPI parses a request body as JSON only when its
Content-Type says JSON (FastAPI 0.42.0-0.65.1; CVE-2021-32677).

``get_request_handler`` makes the handler that parses a route's body; for a
body that is not a form, legacy releases run ``await request.json()``
whatever the Content-Type. A browser sends ``text/plain`` (or form-encoded)
requests cross-site without a CORS preflight, so another site's page can
make a logged-in user's browser post JSON to a JSON route
(GHSA-8h2j-cgx8-6xv7). 0.65.2 parses the body only when the Content-Type is
``application/json`` or ``application/*+json``; any other is handed on as
the raw bytes, which a model's validation then refuses (422, "value is not a
valid dict"). 0.65.3 settled one more case, which this fix follows: a body
with no Content-Type at all is JSON, as before (no browser sends one without
it cross-site).

The replacement leaves the release's handler as it is. Under a Content-Type
that is not JSON it reads the body first and leaves it where Starlette's
``Request.json()`` keeps what it parsed (``_json``), so the handler's
``await request.json()`` gets the bytes, as 0.65.2 hands them on; anything
else costs one look at the headers (each Content-Type's answer is kept).
The one difference: on such a request, an endpoint whose body parameter
takes raw bytes or any value (it passes validation) and that calls
``request.json()`` itself gets the bytes too, not Starlette's parse.
"""

import email.message
import functools
import inspect
from typing import Any, Callable, List, Set, Tuple

from .._bindings import LayoutError, Switch, code_names, unwrap_ours
from .fastapi_uploads import handler_target, per_route

MODULES = ("fastapi.routing",)


# (a service sees a handful of Content-Types: parsed once each; the cache changes no answer)
@functools.lru_cache(maxsize=256)  # pragma: no mutate
def says_json(raw: bytes) -> bool:
    """0.65.2's test of the Content-Type header (raw, as ASGI has it): application/json,
    or application/<anything>+json, parameters allowed. An empty one is no Content-Type."""
    if not raw:
        return True  # (0.65.3: no Content-Type is JSON)
    message = email.message.Message()
    message["content-type"] = raw.decode("latin-1")
    if message.get_content_maintype() != "application":
        return False
    subtype = message.get_content_subtype()
    return subtype == "json" or subtype.endswith("+json")


def make(original: "Callable[..., Any]", switch: Switch) -> "Callable[..., Any]":
    def wrap(handler: Any) -> Any:
        async def app(request: Any) -> Any:
            if switch.on:
                for key, value in request.scope["headers"]:  # (inline: this runs for every request)
                    if key == b"content-type":
                        if not says_json(value):
                            # The handler's `await request.json()` answers what Starlette
                            # cached in _json: the bytes, as 0.65.2 hands them on.
                            request._json = await request.body()
                        break
            return await handler(request)

        return app

    return per_route(original, ("json",), wrap)


def targets(routing: Any) -> "List[Tuple[Any, str, Any]]":
    target = handler_target(routing)
    names = _names_inside(unwrap_ours(target[2]))
    if "json" not in names:
        raise LayoutError("fastapi.routing.get_request_handler's handler does not call request.json()")
    if "get_content_maintype" in names:
        raise LayoutError("fastapi.routing.get_request_handler already reads the Content-Type")
    return [target]


def _names_inside(function: Any) -> "Set[str]":
    """The names a function's code and the functions it defines use (the handler is a closure)."""
    code = getattr(function, "__code__", None)
    names = set(code_names(function))
    for const in getattr(code, "co_consts", ()):
        if inspect.iscode(const):
            names.update(const.co_names)
    return names
