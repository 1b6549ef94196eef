"""Fix ``fastapi-body-errors``: an HTTPException raised while FastAPI reads a
route's body reaches the client as raised (FastAPI 0.42.0-0.80.x).

``get_request_handler``'s handler reads the body inside ``try: ... except
Exception``, and answers every failure with its own 400, ``{"detail":
"There was an error parsing the body"}``. Once Starlette's ``request.form()``
answers a form past its limits with an HTTPException (the ``form-limits``
fix; Starlette 0.25.0+ upstream), a FastAPI of that era would hide which
limit it was. fastapi/fastapi #2036 (0.81.0) lets an HTTPException through
unchanged, which is how the FastAPI releases that run on a fixed Starlette
answer: ``400 {"detail": "Too many fields. Maximum number of fields is
1000."}``.

The replacement leaves the release's handler as it is and, when the
handler's 400 was raised from an HTTPException, raises that one instead
(FastAPI chains its own to the cause: ``raise HTTPException(...) from e``).
Every other error, and every other request, is the release's own.
"""

from typing import Any, Callable, List, Tuple

from .._bindings import LayoutError, Switch, unwrap_ours
from .fastapi_uploads import handler_target, per_route

MODULES = ("fastapi.routing",)

PARSE_ERROR = "There was an error parsing the body"


def make(original: "Callable[..., Any]", switch: Switch) -> "Callable[..., Any]":
    from starlette.exceptions import HTTPException

    def wrap(handler: Any) -> Any:
        async def app(request: Any) -> Any:
            try:
                return await handler(request)
            except HTTPException as exc:
                cause = exc.__cause__
                if switch.on and exc.detail == PARSE_ERROR and isinstance(cause, HTTPException):
                    raise cause from None  # (FastAPI 0.81.0 re-raises it as it is)
                raise

        return app

    return per_route(original, ("form", "json"), wrap)


def targets(routing: Any) -> "List[Tuple[Any, str, Any]]":
    target = handler_target(routing)
    consts = _strings_inside(unwrap_ours(target[2]))
    if PARSE_ERROR not in consts:
        raise LayoutError("fastapi.routing.get_request_handler's handler does not answer {!r}".format(PARSE_ERROR))
    return [target]


def _strings_inside(function: Any) -> "List[str]":
    """The string constants of a function's code and of the functions it defines."""
    found: "List[str]" = []
    stack = [getattr(function, "__code__", None)]
    while stack:
        code = stack.pop()
        for const in getattr(code, "co_consts", ()):
            if isinstance(const, str):
                found.append(const)
            elif hasattr(const, "co_consts"):
                stack.append(const)
    return found
