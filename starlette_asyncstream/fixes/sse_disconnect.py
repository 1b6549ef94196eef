"""Fix ``sse-disconnect``: sse-starlette's EventSourceResponse stops when the
client leaves (sse-starlette 0.1.0-0.4.0).

Those releases (the only ones that import beside Starlette 0.12.x) stream
their body iterator and never read ``receive``: an endless event stream
whose client has gone is pulled for ever, its ``finally`` never runs, and a
server's shutdown waits for it (sysid/sse-starlette #7). 0.5.0 streams in
``stream_response`` and listens in ``listen_for_disconnect`` at once,
through Starlette's run_until_first_complete; the first to end cancels the
other, then the ping task is stopped and the background task runs.

The replacement ``__call__`` does what 0.5.0's does with the release's own
pieces (its ServerSentEvent, separator and ping task), and the ``tasks``
fix's first_complete, which needs no Starlette of any release.
"""

import functools
import inspect
import sys
from typing import Any, Callable, List, Tuple

from .._bindings import LayoutError, Switch, code_names, own_attribute, unwrap_ours
from .disconnect import _until_disconnect
from .tasks import first_complete

MODULES = ("sse_starlette.sse",)


async def _stream(response: Any, send: "Callable[..., Any]", event: Any) -> None:
    # 0.5.0's stream_response: the same messages the legacy __call__ sends
    # before it stops its ping task.
    await send({"type": "http.response.start", "status": response.status_code, "headers": response.raw_headers})
    response._ping_task = response._loop.create_task(response._ping(send))
    async for data in response.body_iterator:
        chunk = event(**data) if isinstance(data, dict) else event(str(data), sep=response.sep)
        await send({"type": "http.response.body", "body": chunk.encode(), "more_body": True})
    await send({"type": "http.response.body", "body": b"", "more_body": False})


def make(original: "Callable[..., Any]", switch: Switch) -> "Callable[..., Any]":
    event = vars(sys.modules[original.__module__])["ServerSentEvent"]

    async def __call__(self: Any, scope: Any, receive: Any, send: Any) -> None:
        if not switch.on:
            await original(self, scope, receive, send)
            return
        await first_complete((_stream, {"response": self, "send": send, "event": event}),
                             (_until_disconnect, {"receive": receive}))
        self.stop_streaming()
        await self.wait()
        if self.background is not None:
            await self.background()

    functools.update_wrapper(__call__, original)
    return __call__


def targets(sse: Any) -> "List[Tuple[Any, str, Any]]":
    cls, call = own_attribute(sse, "EventSourceResponse", "__call__")
    if not has_legacy_code(sse):
        raise LayoutError("EventSourceResponse already listens for http.disconnect")
    original = unwrap_ours(call)
    if not inspect.iscoroutinefunction(original) or list(inspect.signature(original).parameters) != [
            "self", "scope", "receive", "send"]:
        raise LayoutError("EventSourceResponse.__call__ is not a coroutine of (self, scope, receive, send)")
    if not {"_ping_task", "_loop", "body_iterator"} <= set(code_names(original)):
        raise LayoutError("EventSourceResponse.__call__ does not stream body_iterator beside its ping task")
    if not isinstance(vars(sse).get("ServerSentEvent"), type):
        raise LayoutError("sse_starlette.sse has no ServerSentEvent class")
    return [(cls, "__call__", call)]


def has_legacy_code(sse: Any) -> bool:
    """For a copy with no version to read: 0.5.0 on have listen_for_disconnect."""
    return not hasattr(getattr(sse, "EventSourceResponse", None), "listen_for_disconnect")
