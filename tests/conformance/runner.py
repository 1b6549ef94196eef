"""Runs conformance specs inside one environment: one JSON spec per stdin
line in, one JSON outcome per stdout line out. Started by
test_conformance.py with the Starlette under test first on PYTHONPATH; the
package installs its fixes on import (or not, with the opt-out set).

The outcome is what a client and the content object saw: construction
error, response start, body chunks, completion, the exception the app
raised, whether the body iterator is the content object itself, which
thread each step ran on, cancellations and clean-up, when the background
task ran, and how many sends came after the client went away.
"""

import asyncio
import concurrent.futures
import gc
import json
import os
import sys
import tempfile
import threading
import warnings

import starlette_asyncstream  # noqa: F401  (the import under test)
from starlette.background import BackgroundTask
from starlette.responses import StreamingResponse

from cases import THREADED_KINDS, Log, build_content, build_third_party

warnings.simplefilter("ignore")  # un-awaited coroutines of failing cases
TMP = tempfile.mkdtemp()


class Subclass(StreamingResponse):
    media_type = "text/event-stream"


class SubclassInit(StreamingResponse):
    def __init__(self, source, **kwargs):
        super().__init__(content=source, **kwargs)


def describe(exc):
    return "{}: {}".format(type(exc).__name__, exc)


async def run_case(spec, log, out):
    c, r, client = spec["content"], spec["response"], spec["client"]
    closer = None
    if c["kind"] in ("anyio-stream", "aiofiles"):
        content, closer = await build_third_party(c, TMP)
    else:
        content = build_content(c, log)

    kwargs = {}
    for key, name in (("status", "status_code"), ("headers", "headers"), ("media_type", "media_type")):
        if r[key] is not None:
            kwargs[name] = r[key]
    if r["background"]:
        kwargs["background"] = BackgroundTask(lambda: log.add("background:after-{}-chunks".format(len(out["chunks"]))))
    cls = {"plain": StreamingResponse, "subclass": Subclass, "subclass-init": SubclassInit}[r["cls"]]
    try:
        if r["cls"] == "subclass-init":
            response = cls(content, **kwargs)
        elif r["keyword"]:
            response = cls(content=content, **kwargs)
        else:
            response = cls(content, **kwargs)
    except Exception as exc:
        out["construct"] = describe(exc)
        return
    out["construct"] = "ok"
    out["body_is_content"] = response.body_iterator is content

    disconnect_after = client["disconnect_after"]
    gone = asyncio.Event()
    done = asyncio.Event()
    body_sent = [0]
    calls = [0]

    async def receive():
        calls[0] += 1
        if calls[0] == 1:
            return {"type": "http.request", "body": b"", "more_body": False}
        if disconnect_after is None:
            await done.wait()
        else:
            while body_sent[0] < disconnect_after and not done.is_set():
                await asyncio.sleep(0)
            gone.set()
            log.add("client-gone")
        return {"type": "http.disconnect"}

    async def send(message):
        if gone.is_set():  # like uvicorn: sends after a disconnect go nowhere
            out["sends_after_disconnect"] += 1
            return
        if message["type"] == "http.response.start":
            out["start"] = [message["status"], sorted([k.decode(), v.decode()] for k, v in message["headers"])]
        else:
            body = bytes(message.get("body", b""))  # later releases send memoryviews as they are
            if message.get("more_body", False):
                out["chunks"].append(body.decode("latin-1"))
                body_sent[0] += 1
            else:
                out["complete"] = body.decode("latin-1")
                done.set()
        await asyncio.sleep(0)

    scope = {"type": "http", "method": "GET", "path": "/", "headers": [], "query_string": b""}
    try:
        await asyncio.wait_for(response(scope, receive, send), timeout=10)
    except Exception as exc:
        out["error"] = describe(exc)
    finally:
        if closer is not None:
            await closer()


async def settle(loop):
    """Make clean-up timing deterministic before it is recorded.

    One worker thread, so a no-op submitted last waits for any next() call
    still in flight; then the cyclic garbage collector (an exception, its
    traceback and a task form a cycle, so when an abandoned async generator
    becomes garbage otherwise depends on allocation counts), then a few loop
    turns for the aclose() that the loop's finaliser hook schedules.
    """
    await loop.run_in_executor(None, lambda: None)
    gc.collect()
    for _ in range(3):
        await asyncio.sleep(0)


def pending_coroutines(loop):
    tasks = asyncio.all_tasks(loop) if hasattr(asyncio, "all_tasks") else asyncio.Task.all_tasks(loop)
    current = asyncio.current_task(loop) if hasattr(asyncio, "current_task") else asyncio.Task.current_task(loop)

    def coroutine(task):  # Task.get_coro is 3.8+
        return task.get_coro() if hasattr(task, "get_coro") else task._coro

    return sorted(coroutine(task).__qualname__ for task in tasks if not task.done() and task is not current)


def run_one(spec):
    out = {"construct": None, "body_is_content": None, "start": None, "chunks": [], "complete": None,
           "error": None, "events": None, "sends_after_disconnect": 0, "pending_tasks": None,
           "loop_errors": None}
    loop = asyncio.new_event_loop()
    loop.set_default_executor(concurrent.futures.ThreadPoolExecutor(max_workers=1))
    asyncio.set_event_loop(loop)
    log = Log(threading.get_ident())
    # Leaks are outcomes too: a task still pending after the response, and
    # what only the loop sees ("Task was destroyed but it is pending",
    # "Task exception was never retrieved"). 0.14.2 leaves neither.
    loop_errors = []
    loop.set_exception_handler(lambda _, context: loop_errors.append(context["message"]))
    try:
        loop.run_until_complete(run_case(spec, log, out))
        loop.run_until_complete(settle(loop))
        out["pending_tasks"] = pending_coroutines(loop)
        log.add("-- loop shutdown --")
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        asyncio.set_event_loop(None)
        loop.close()
    gc.collect()
    out["loop_errors"] = loop_errors
    out["events"] = log.events
    if spec["client"]["disconnect_after"] is not None and spec["content"]["kind"] in THREADED_KINDS:
        # Once the client is gone, 0.14.x cancels the streaming task; whether
        # the thread pool had already started one more next() call (and so
        # one more step, send or error) is a race in 0.14.x itself. Compared:
        # everything up to the moment the client left.
        if "client-gone" in log.events:
            out["events"] = log.events[: log.events.index("client-gone") + 1]
            out["complete"] = out["error"] = out["sends_after_disconnect"] = "not compared: thread pool race"
    return out


def main():
    protocol = sys.stdout
    sys.stdout = sys.stderr  # nothing but outcomes on the protocol stream
    import starlette

    protocol.write(json.dumps({"starlette": starlette.__version__, "python": sys.version.split()[0],
                               "installed": sorted(n for n, s in starlette_asyncstream.status().items()
                                                   if s.installed),
                               "pid": os.getpid()}) + "\n")
    protocol.flush()
    for line in sys.stdin:
        spec = json.loads(line)
        try:
            result = run_one(spec)
        except Exception as exc:  # the harness itself failed: report, keep serving
            result = {"harness_error": describe(exc)}
        protocol.write(json.dumps(result, sort_keys=True) + "\n")
        protocol.flush()


if __name__ == "__main__":
    main()
