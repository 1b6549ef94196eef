"""The application the end-to-end tests serve: the one-line import, then
streaming endpoints over custom async iterators, plus /stats so the tests
can see inside the server process (iterator progress, tasks, threads, RSS).

With E2E_FASTAPI=1 the same endpoints are FastAPI routes (the FastAPI leg).
Routes (raw ASGI dispatch, so every Starlette generation serves them alike):
  /stream/<id>/<n>/<delay_ms>   n chunks "<id>:<i>;" from a custom iterator
  /gated/<id>/<n>               like /stream, but chunk n-1 waits for /release/<id>
  /release/<id>                 opens that gate
  /big/<id>/<n>/<kib>           n chunks of kib KiB, as fast as the client takes them
  /sync/<id>/<n>                a sync generator (through the thread pool)
  /sse/<id>/<n>                 text/event-stream events from a custom iterator
  /block/<ms>                   blocks this worker's loop for ms, then streams "who:0;who:1;who:2;"
                                with the worker's pid in x-pid
  /stats[/<id>]                 JSON
"""

import starlette_asyncstream  # noqa: F401  (the line users add)

import asyncio
import json
import os
import threading
import time

from feeds import lifespan  # tests/programs, on the servers' PYTHONPATH
from starlette.responses import Response, StreamingResponse

STATE = {}  # id -> progress of that stream's iterator
GATES = {}


def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def all_tasks():
    get = getattr(asyncio, "all_tasks", None)
    if get is None:  # Python 3.6
        return asyncio.Task.all_tasks()
    return get()


class Feed:
    """A custom async iterator: __aiter__/__anext__, not a generator."""

    def __init__(self, ident, n, delay=0.0, make=None, gate=None):
        self.ident, self.n, self.delay, self.gate = ident, n, delay, gate
        self.make = make or (lambda i: "{}:{};".format(ident, i))
        self.i = 0
        self.state = STATE[ident] = {"pulled": 0, "last_pull": None, "cancelled": False, "finished": False,
                                     "thread_ok": True}
        self.loop_thread = threading.get_ident()

    def __aiter__(self):
        return self

    async def __anext__(self):
        state = self.state
        state["thread_ok"] = state["thread_ok"] and threading.get_ident() == self.loop_thread
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
            if self.gate is not None and self.i == self.n - 1:
                await self.gate.wait()
        except asyncio.CancelledError:
            state["cancelled"] = True
            raise
        if self.i >= self.n:
            state["finished"] = True
            raise StopAsyncIteration
        self.i += 1
        state["pulled"] = self.i
        state["last_pull"] = time.monotonic()
        return self.make(self.i - 1)


def sync_chunks(ident, n):
    STATE[ident] = state = {"pulled": 0, "threads": []}
    for i in range(n):
        time.sleep(0.001)
        state["pulled"] = i + 1
        state["threads"].append(threading.get_ident())
        yield "{}:{};".format(ident, i)


def route(path):
    """(response or None): the same objects for both flavours of the app."""
    parts = path.strip("/").split("/")
    head, args = parts[0], parts[1:]
    if head == "stream":
        ident, n, delay = args[0], int(args[1]), int(args[2]) / 1000.0
        return StreamingResponse(Feed(ident, n, delay), media_type="text/plain")
    if head == "gated":
        ident, n = args[0], int(args[1])
        gate = GATES[ident] = asyncio.Event()
        return StreamingResponse(Feed(ident, n, gate=gate), media_type="text/plain")
    if head == "release":
        GATES[args[0]].set()
        return Response('"released"', media_type="application/json")
    if head == "big":
        ident, n, kib = args[0], int(args[1]), int(args[2])
        block = b"x" * (kib * 1024)
        return StreamingResponse(Feed(ident, n, make=lambda i: block), media_type="application/octet-stream")
    if head == "sync":
        return StreamingResponse(sync_chunks(args[0], int(args[1])), media_type="text/plain")
    if head == "sse":
        ident, n = args[0], int(args[1])
        feed = Feed(ident, n, delay=0.001, make=lambda i: "id: {}\ndata: event {}\n\n".format(i, i))
        return StreamingResponse(feed, media_type="text/event-stream", headers={"cache-control": "no-cache"})
    if head == "block":
        # Blocks this worker's event loop first: meanwhile another worker must accept.
        time.sleep(int(args[0]) / 1000.0)
        return StreamingResponse(Feed("who", 3), media_type="text/plain", headers={"x-pid": str(os.getpid())})
    if head == "stats":
        if args:
            body = dict(STATE.get(args[0], {}))
            body.pop("threads", None)
            if args[0] in STATE and "threads" in STATE[args[0]]:
                body["distinct_threads"] = len(set(STATE[args[0]]["threads"]))
                body["loop_thread_used"] = threading.get_ident() in STATE[args[0]]["threads"]
        else:
            body = {"pid": os.getpid(), "tasks": len(all_tasks()), "threads": threading.active_count(),
                    "rss_kib": rss_kib()}
        return Response(json.dumps(body), media_type="application/json")
    return None


async def asgi(scope, receive, send):
    if await lifespan(scope, receive, send):
        return
    response = route(scope["path"]) or Response("not found", status_code=404)
    await response(scope, receive, send)


if os.environ.get("E2E_FASTAPI") == "1":
    from fastapi import FastAPI, Request

    app = FastAPI()

    @app.get("/{path:path}")
    async def everything(path: str, request: Request):
        return route(path) or Response("not found", status_code=404)

else:
    app = asgi
