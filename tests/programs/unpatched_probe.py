"""The running Starlette release, unpatched (run with the opt-out set): what a
custom async iterator, an async generator, a client that leaves an endless
stream, and a direct run_until_first_complete call do. One line each:
"<probe> <outcome>"; tests/test_ranges.py checks them against the range table."""

import asyncio
# The legacy failures leave coroutines un-awaited; CPython 3.12.1 formats
# their RuntimeWarning by importing tracemalloc, and a second warning that
# arrives during that import prints a traceback instead. Imported up front.
import tracemalloc  # noqa: F401

import httpx
from starlette.responses import StreamingResponse

from feeds import Feed


def run(coro):
    """On a loop of its own, closed after: a loop left for the interpreter's exit
    to collect prints a traceback there on Python 3.14."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


def outcome(make):
    """ "ok", or the exception a request for make() died with."""
    async def app(scope, receive, send):
        await make()(scope, receive, send)

    async def get():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            return (await client.get("/")).content

    try:
        run(get())
        return "ok"
    except Exception as exc:
        return "%s: %s" % (type(exc).__name__, exc)


async def agen():
    yield b"g"


pulled = [0]


async def endless():  # a generator: the dispatch bug must not be what stops it
    while True:
        await asyncio.sleep(0)
        pulled[0] += 1
        yield b"x"


async def leave_after_five():
    """The client goes after five chunks: does the response notice?"""
    gone, sent = asyncio.Event(), [0]

    async def receive():
        if not sent[0]:
            sent[0] = -1
            return {"type": "http.request", "body": b"", "more_body": False}
        await gone.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        sent[0] += 1
        if sent[0] >= 5:
            gone.set()

    try:
        await asyncio.wait_for(StreamingResponse(endless())({"type": "http"}, receive, send), 1.0)
        return "stops"
    except asyncio.TimeoutError:
        return "keeps streaming (%d chunks pulled)" % pulled[0]
    except Exception as exc:
        return "%s: %s" % (type(exc).__name__, exc)


async def nothing():
    pass


print("custom", outcome(lambda: StreamingResponse(Feed([]))))
print("asyncgen", outcome(lambda: StreamingResponse(agen())))
print("disconnect", run(leave_after_five()))
try:
    from starlette.concurrency import run_until_first_complete
except ImportError:
    print("direct absent")
else:
    try:
        run(run_until_first_complete((nothing, {}), (nothing, {})))
        print("direct ok")
    except Exception as exc:
        print("direct %s: %s" % (type(exc).__name__, exc))
