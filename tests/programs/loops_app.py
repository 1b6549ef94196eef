"""Event loops a strict suite sees left open by the legacy test client:

    python -W error loops_app.py websocket|asyncio-run

`websocket`: one websocket session through TestClient.websocket_connect.
`asyncio-run`: `with TestClient(app)` and then an `asyncio.run()` that
unsets the thread's event loop. Prints one JSON line; a loop collected
unclosed shows on stderr ("Exception ignored ... ResourceWarning").
"""

import asyncio
import gc
import json
import sys

import starlette_asyncstream

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient


async def home(request):
    return PlainTextResponse("home")


async def echo(websocket):
    await websocket.accept()
    await websocket.send_text("hi " + await websocket.receive_text())
    await websocket.close()


app = Starlette(routes=[Route("/", home), WebSocketRoute("/ws", echo)])
result = {}
if sys.argv[1] == "websocket":
    with TestClient(app).websocket_connect("/ws") as session:
        session.send_text("there")
        result["said"] = session.receive_text()
elif sys.argv[1] == "asyncio-run":
    with TestClient(app) as client:
        result["said"] = client.get("/").text

    async def later():
        return "ran"

    if hasattr(asyncio, "run"):
        result["later"] = asyncio.run(later())
    else:  # 3.6: what asyncio.run() does, unsetting the thread's loop at the end
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        result["later"] = loop.run_until_complete(later())
        asyncio.set_event_loop(None)
        loop.close()
    with TestClient(app) as client:  # and the client works again after it
        result["again"] = client.get("/").text
gc.collect()
result["installed"] = sorted(name for name, fix in starlette_asyncstream.status().items() if fix.installed)
print(json.dumps(result, sort_keys=True))
