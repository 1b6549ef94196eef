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
from typing import Any, Awaitable, Callable, Dict, List, Tuple

CHUNKS = (b"alpha ", "beta ", b"gamma")
# A check gets the response class and answers (ok, what a user would see).
Check = Callable[[Any], Awaitable[Tuple[bool, str]]]
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


LEAVES = "client that leaves"
STOPPED = "stopped when the client left"


class _Endless:
    """An endless stream, counting what is pulled from it. An async generator,
    so that only the disconnect handling decides how it ends."""

    def __init__(self) -> None:
        self.pulled = 0  # pragma: no mutate (only a difference of two reads is used)

    async def stream(self) -> Any:
        while True:
            await asyncio.sleep(0)  # pragma: no mutate (a negative pause is no pause either)
            self.pulled += 1  # pragma: no mutate (read only if a response returns while still pulled)
            yield b"tick "


async def _drive_and_leave(response: Any, content: "_Endless") -> str:
    """The client reads five chunks, then disconnects: does the response stop?"""
    gone = asyncio.Event()
    requested: List[bool] = []
    chunks: List[bytes] = []

    async def receive() -> Dict[str, Any]:
        if not requested:  # pragma: no mutate (the responses read receive() only for http.disconnect)
            requested.append(True)  # pragma: no mutate (as above)
            return {"type": "http.request", "body": b"", "more_body": False}  # pragma: no mutate (as above)
        await gone.wait()
        return {"type": "http.disconnect"}

    async def send(message: Dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if len(chunks) == 5:  # pragma: no mutate (after any number of chunks: stopping is what is checked)
                gone.set()

    try:
        await asyncio.wait_for(_call(response, receive, send), timeout=1)  # pragma: no mutate (a longer wait)
    except asyncio.TimeoutError:
        return "keeps streaming after the client left (still pulled 1s later)"
    pulled = content.pulled
    await asyncio.sleep(0.05)  # pragma: no mutate (a pause: a longer one only slows the report)
    if content.pulled != pulled:
        return "returned, but the iterator is still pulled"
    return STOPPED


async def _drive(response: Any) -> bytes:
    done = asyncio.Event()
    requested: List[bool] = []
    body: List[bytes] = []

    async def receive() -> Dict[str, Any]:
        if not requested:  # pragma: no mutate (the responses read receive() only for http.disconnect)
            requested.append(True)  # pragma: no mutate (as above)
            return {"type": "http.request", "body": b"", "more_body": False}  # pragma: no mutate (as above)
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: Dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            body.append(message.get("body", b""))
            if message.get("more_body") is not True:  # (the last message: more_body False, or none)
                done.set()

    await asyncio.wait_for(_call(response, receive, send), timeout=10)  # pragma: no mutate (a wait's length)
    return b"".join(body)


def _call(response: Any, receive: Any, send: Any) -> Any:
    scope = {"type": "http", "method": "GET", "path": "/", "headers": [], "query_string": b""}
    # Starlette 0.11.x and older speak ASGI 2: response(receive, send).
    if len(inspect.signature(response.__call__).parameters) == 2:
        return response(receive, send)
    return response(scope, receive, send)


def _streams(make_content: Callable[[], Any]) -> "Check":
    """A check: stream make_content() to the end; ok if the body is all of CHUNKS."""
    async def check(response_class: Any) -> Tuple[bool, str]:
        body = await _drive(response_class(make_content()))
        return body == EXPECTED, "body {!r}".format(body)

    return check


async def _client_leaves(response_class: Any) -> Tuple[bool, str]:
    """A check: an endless stream whose client goes after five chunks must stop."""
    content = _Endless()
    outcome = await _drive_and_leave(response_class(content.stream()), content)
    return outcome == STOPPED, outcome


def check_once(check: "Check") -> Tuple[bool, str]:
    """(ok, what a user would see) of one check against the real
    StreamingResponse, or the exception it died with."""
    from starlette.responses import StreamingResponse

    loop = asyncio.new_event_loop()
    result: List[Tuple[bool, str]] = []

    def target() -> None:
        # A thread of its own, so a caller that already runs a loop is not disturbed.
        asyncio.set_event_loop(loop)
        try:
            result.append(loop.run_until_complete(check(StreamingResponse)))
        except Exception as exc:
            result.append((False, "{}: {}".format(type(exc).__name__, exc)))
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    worker = threading.Thread(target=target, name="starlette-asyncstream-selftest")
    worker.start()
    worker.join()
    return result[0]  # pragma: no mutate (the one result: [-1] is the same)


CHECKS: "Tuple[Tuple[str, Check], ...]" = (
    ("custom async iterator", _streams(CustomAsyncIterator)),
    ("async generator", _streams(_async_generator)),
    ("sync generator", _streams(_sync_generator)),
    (LEAVES, _client_leaves),
)


def run_all() -> Dict[str, Dict[str, Any]]:
    with warnings.catch_warnings():
        # A failing legacy release leaves its coroutines un-awaited; that is
        # the failure already reported, not news for the user's stderr.
        warnings.filterwarnings("ignore", message="coroutine .* was never awaited", category=RuntimeWarning)
        results = {}
        for name, check in CHECKS:
            ok, outcome = check_once(check)
            results[name] = {"ok": ok, "outcome": outcome}
        gc.collect()
    return results
