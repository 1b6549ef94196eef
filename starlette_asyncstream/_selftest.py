"""A real stream through a real StreamingResponse, driven over ASGI in-process.

No HTTP client is needed: the driver plays the server's part of the ASGI
contract (one http.request, then http.disconnect once the body is complete)
and records what a client would receive. Runs on Python 3.6 (no asyncio.run).
"""

import asyncio
import gc
import inspect
import threading
import warnings
from typing import Any, Callable, Dict, List, Tuple

CHUNKS = (b"alpha ", "beta ", b"gamma")
EXPECTED = b"alpha beta gamma"


class CustomAsyncIterator:
    """The case from starlette #793: __aiter__/__anext__, not a generator."""

    def __init__(self) -> None:
        self._chunks = list(CHUNKS)

    def __aiter__(self) -> "CustomAsyncIterator":
        return self

    async def __anext__(self) -> Any:
        if not self._chunks:
            raise StopAsyncIteration
        return self._chunks.pop(0)


async def _async_generator() -> Any:
    for chunk in CHUNKS:
        yield chunk


def _sync_generator() -> Any:
    for chunk in CHUNKS:
        yield chunk


CONTENTS: Tuple[Tuple[str, Callable[[], Any]], ...] = (
    ("custom async iterator", CustomAsyncIterator),
    ("async generator", _async_generator),
    ("sync generator", _sync_generator),
)


async def _drive(response: Any) -> bytes:
    done = asyncio.Event()
    requested: List[bool] = []
    body: List[bytes] = []

    async def receive() -> Dict[str, Any]:
        if not requested:
            requested.append(True)
            return {"type": "http.request", "body": b"", "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: Dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            body.append(message.get("body", b""))
            if not message.get("more_body", False):
                done.set()

    scope = {"type": "http", "method": "GET", "path": "/", "headers": [], "query_string": b""}
    # Starlette 0.11.x and older speak ASGI 2: response(receive, send).
    asgi2 = len(inspect.signature(response.__call__).parameters) == 2
    call = response(receive, send) if asgi2 else response(scope, receive, send)
    await asyncio.wait_for(call, timeout=10)
    return b"".join(body)


def stream_once(make_content: Callable[[], Any]) -> Tuple[bool, str]:
    """(ok, what a user would see): the body, or the exception it died with."""
    from starlette.responses import StreamingResponse

    loop = asyncio.new_event_loop()
    result: List[Tuple[bool, str]] = []

    def target() -> None:
        # A thread of its own, so a caller that already runs a loop is not disturbed.
        asyncio.set_event_loop(loop)
        try:
            body = loop.run_until_complete(_drive(StreamingResponse(make_content())))
            result.append((body == EXPECTED, "body {!r}".format(body)))
        except Exception as exc:
            result.append((False, "{}: {}".format(type(exc).__name__, exc)))
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    worker = threading.Thread(target=target, name="starlette-asyncstream-selftest")
    worker.start()
    worker.join()
    return result[0]


def run_all() -> Dict[str, Dict[str, Any]]:
    with warnings.catch_warnings():
        # A failing legacy release leaves its coroutines un-awaited; that is
        # the failure already reported, not news for the user's stderr.
        warnings.filterwarnings("ignore", message="coroutine .* was never awaited", category=RuntimeWarning)
        results = {}
        for name, make in CONTENTS:
            ok, outcome = stream_once(make)
            results[name] = {"ok": ok, "outcome": outcome}
        gc.collect()
    return results
