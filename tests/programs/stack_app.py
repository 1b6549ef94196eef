"""A Starlette application served by the uvicorn releases tests/stack installs:
GET / answers "hi", /ws accepts, sends "yo" and closes."""

import starlette_asyncstream  # noqa: F401,I001  (first, as the README asks)

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute


async def home(request):
    return PlainTextResponse("hi")


async def ws(websocket):
    await websocket.accept()
    await websocket.send_text("yo")
    await websocket.close()


app = Starlette(routes=[Route("/", home), WebSocketRoute("/ws", ws)])
