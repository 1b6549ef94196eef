"""Fix ``disconnect``: StreamingResponse stops when the client leaves
(Starlette 0.12.0b3-0.13.2).

Releases before 0.13.3 never listen for ``http.disconnect`` while streaming:
a stream whose client has gone is pulled until its iterator ends, for ever
for server-sent events (tiangolo/fastapi #1342). 0.13.3 (#839) streams and
listens at once, and the first to end cancels the other.
"""

import functools
import inspect
from typing import Any, Callable, Dict, List, Tuple

from .._bindings import LayoutError, Switch, own_attribute, unwrap_ours
from .tasks import first_complete

MODULES = ("starlette.responses",)


async def _send_all(response: Any, send: "Callable[..., Any]") -> None:
    # What the legacy __call__ sends, without its background task: from
    # 0.13.3 (#839) the task runs after the stream, whichever half ended it.
    await send({"type": "http.response.start", "status": response.status_code, "headers": response.raw_headers})
    async for chunk in response.body_iterator:
        await send({
            "type": "http.response.body",
            "body": chunk if isinstance(chunk, bytes) else chunk.encode(response.charset),
            "more_body": True,
        })
    await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _until_disconnect(receive: "Callable[..., Any]") -> None:
    message: Dict[str, Any] = {}
    while message.get("type") != "http.disconnect":
        message = await receive()


def make(original: "Callable[..., Any]", switch: Switch) -> "Callable[..., Any]":
    async def __call__(self: Any, scope: Any, receive: Any, send: Any) -> None:
        if not switch.on:
            await original(self, scope, receive, send)
            return
        # As 0.13.3-0.14.x: stream and listen at once; the first to end
        # cancels the other (a client gone cancels the body iterator), and
        # only then does the background task run.
        await first_complete((_send_all, {"response": self, "send": send}),
                             (_until_disconnect, {"receive": receive}))
        if self.background is not None:
            await self.background()

    functools.update_wrapper(__call__, original)
    return __call__


def targets(responses: Any) -> "List[Tuple[Any, str, Any]]":
    cls, call = own_attribute(responses, "StreamingResponse", "__call__")
    if hasattr(cls, "listen_for_disconnect"):
        raise LayoutError("StreamingResponse already listens for http.disconnect")
    original = unwrap_ours(call)
    if not inspect.iscoroutinefunction(original):
        raise LayoutError("StreamingResponse.__call__ is not a coroutine function")
    if list(inspect.signature(original).parameters) != ["self", "scope", "receive", "send"]:
        raise LayoutError("StreamingResponse.__call__ does not take (self, scope, receive, send)")
    return [(cls, "__call__", call)]
