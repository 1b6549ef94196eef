"""A legacy-style test of a Starlette app: `with TestClient(app)` (lifespan),
a plain request, and the debug error page. Prints one JSON line.

    python testclient_app.py [--import-first] [--after-run] [--exceptiongroup]

STARLETTE_ASYNCSTREAM_DISABLE decides what the import fixes; with
--import-first, `import starlette_asyncstream` comes before Starlette's
imports, else after `starlette.testclient` is imported. With --after-run,
an asyncio.run() comes first, as a suite's earlier test does: it leaves the
main thread without an event loop, on every Python. With --exceptiongroup,
exceptiongroup is imported first, as pytest 7.2 and later do on Python < 3.11.
"""

import asyncio
import json
import sys

if "--exceptiongroup" in sys.argv:
    import exceptiongroup  # noqa: F401

if "--import-first" in sys.argv:
    import starlette_asyncstream  # noqa: F401

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

import starlette_asyncstream  # noqa: E402,F401  (a no-op when imported above)

started = []


async def startup():
    started.append("started")


async def home(request):
    return PlainTextResponse("home " + ",".join(started))


async def boom(request):
    raise ValueError("kaboom <b>")


routes = [Route("/", home), Route("/boom", boom)]
try:
    app = Starlette(debug=True, routes=routes, on_startup=[startup])
except TypeError:
    try:  # Starlette 1.0 has no on_startup: a lifespan instead
        import contextlib

        @contextlib.asynccontextmanager
        async def lifespan(app):
            await startup()
            yield

        app = Starlette(debug=True, routes=routes, lifespan=lifespan)
    except (TypeError, AttributeError):  # 0.12.0b3-0.12.x: (debug, routes) only (3.6: no asynccontextmanager)
        app = Starlette(debug=True, routes=routes)
        app.add_event_handler("startup", startup)

if "--after-run" in sys.argv:
    if hasattr(asyncio, "run"):
        asyncio.run(asyncio.sleep(0))
    else:  # 3.6: what asyncio.run() leaves behind
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        loop.run_until_complete(asyncio.sleep(0))
        asyncio.set_event_loop(None)
        loop.close()

with TestClient(app) as client:  # runs the startup handlers
    lifespan_body = client.get("/").text

page = TestClient(app, raise_server_exceptions=False).get("/boom", headers={"Accept": "text/html"})
plain = TestClient(app, raise_server_exceptions=False).get("/boom", headers={"Accept": "text/plain"})
print(json.dumps({
    "plain_status": plain.status_code,
    "plain": plain.text,
    "lifespan": lifespan_body,
    "page_status": page.status_code,
    "page_type": page.headers.get("content-type", ""),
    "page": page.text,
    "installed": sorted(name for name, fix in starlette_asyncstream.status().items() if fix.installed),
}))
