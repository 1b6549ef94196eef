"""Fix ``fastapi-uploads``: FastAPI closes the form it parsed for a route
once the request is done (FastAPI 0.42.0-0.85.x).

``get_request_handler`` makes the handler that parses a route's body; for
Form and File parameters that is ``await request.form()``, whose UploadFiles
each hold a ``SpooledTemporaryFile``. Nothing closes them: a large upload,
spooled to disk, leaves an open file behind ("ResourceWarning: unclosed
file" when it is collected, on every Python), and from Python 3.11 any
upload does ("Unclosed file <tempfile.SpooledTemporaryFile ...>"). -X dev
or ``-W error`` turn that into errors. fastapi/fastapi #4833 asked who closes
them; #5465 (0.86.0) pushes the form's ``close()`` onto the request's exit
stack, ``scope["fastapi_astack"]`` (FastAPI.__call__ opens it around the
whole request, background tasks included, since 0.42.0; on Python 3.6 only
with the async_exit_stack backport installed: without it there is no stack,
and the forms stay open as the release leaves them).

The replacement does the same for the handlers it makes for form routes:
before the release's handler runs, a callback that closes whatever form the
request parsed goes onto that stack, so it runs after the response, after
the teardown of dependencies with ``yield`` (pushed later, run earlier), as
in 0.86.0. A form that failed to parse is not closed (0.86.0 neither); an
endpoint's own ``await request.form()`` on a route without Form parameters
stays the endpoint's to close.
"""

import functools
import inspect
from typing import Any, Callable, List, Optional, Tuple

from .._bindings import LayoutError, Switch, unwrap_ours

MODULES = ("fastapi.routing",)


def body_kind(args: Any, kwargs: Any) -> "Optional[str]":
    """How get_request_handler's handler reads its body: "form" (Form or File
    parameters), "json" (any other body), or None (no body parameter).
    (fastapi-json reads it too.)"""
    body_field = kwargs.get("body_field", args[1] if len(args) > 1 else None)
    if body_field is None:
        return None
    if not _FORM:
        from fastapi import params  # type: ignore[import-not-found]  # not a dependency of the package

        _FORM.append(params.Form)
    # pydantic 1 fields carry field_info; FastAPI before 0.45 read `schema`
    info = getattr(body_field, "field_info", None) or getattr(body_field, "schema", None)
    return "form" if isinstance(info, tuple(_FORM)) else "json"


_FORM: "List[type]" = []  # fastapi.params.Form, found once (asked for every route FastAPI builds)


async def _close_form(request: Any) -> None:
    form = getattr(request, "_form", None)  # (Starlette sets it once the form is parsed)
    if form is not None:
        await form.close()


def per_route(original: "Callable[..., Any]", kinds: "Tuple[Optional[str], ...]",
              wrap: "Callable[[Any], Any]") -> "Callable[..., Any]":
    """A replacement for get_request_handler: the handler it makes for a route whose
    body_kind() is one of `kinds` is wrapped by wrap(handler); the others are the
    release's own. (fastapi-json and fastapi-body-errors make theirs with it too.)"""
    @functools.wraps(original)
    def get_request_handler(*args: Any, **kwargs: Any) -> Any:
        handler = original(*args, **kwargs)
        if body_kind(args, kwargs) not in kinds:
            return handler
        app = wrap(handler)
        app.__wrapped__ = handler  # (no functools.wraps: one per route)
        return app

    return get_request_handler


def make(original: "Callable[..., Any]", switch: Switch) -> "Callable[..., Any]":
    def wrap(handler: Any) -> Any:
        async def app(request: Any) -> Any:
            stack = request.scope.get("fastapi_astack")
            if switch.on and stack is not None:
                stack.push_async_callback(_close_form, request)
            return await handler(request)

        return app

    return per_route(original, ("form",), wrap)


def targets(routing: Any) -> "List[Tuple[Any, str, Any]]":
    return [handler_target(routing)]


def handler_target(routing: Any) -> "Tuple[Any, str, Any]":
    """fastapi.routing's get_request_handler, checked (fastapi-json replaces it too)."""
    current = vars(routing).get("get_request_handler")
    if current is None:
        raise LayoutError("fastapi.routing has no get_request_handler")
    try:
        parameters = list(inspect.signature(unwrap_ours(current)).parameters)
    except (TypeError, ValueError):
        parameters = []
    if parameters[:2] != ["dependant", "body_field"]:
        raise LayoutError("fastapi.routing.get_request_handler does not take (dependant, body_field, ...)")
    return (routing, "get_request_handler", current)
