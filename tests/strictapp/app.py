"""A small FastAPI application of the legacy era, as teams wrote them: the
one the strict suite beside it (test_app.py) tests.

It streams over a custom async iterator, an async generator, a plain
generator and a file read with aiofiles; sends server-sent events; echoes
on a websocket; takes a form with an upload; renders a Jinja2 template;
serves static files; compresses with GZipMiddleware behind a
BaseHTTPMiddleware; runs background tasks; and shows Starlette's debug page.
Nothing in it knows about the package but its first line.
"""

import starlette_asyncstream  # noqa: F401  (first, as the README asks)

import asyncio
import os

import aiofiles
from fastapi import BackgroundTasks, FastAPI, File, Form, Request, UploadFile, WebSocket
from pydantic import BaseModel
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import PlainTextResponse, StreamingResponse
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

HERE = os.path.dirname(os.path.abspath(__file__))
REPORT = "".join("line {:04d} of the quarterly report\n".format(i) for i in range(200))
JOBS = []  # what the background tasks did, in order

app = FastAPI(debug=True, title="strict app")
templates = Jinja2Templates(directory=os.path.join(HERE, "templates"))
app.mount("/static", StaticFiles(directory=os.path.join(HERE, "static")), name="static")


class Stamp(BaseHTTPMiddleware):
    async def dispatch(self, request, call_next):
        response = await call_next(request)
        response.headers["x-served-by"] = "strict-app"
        return response


app.add_middleware(GZipMiddleware, minimum_size=500)
app.add_middleware(Stamp)


@app.on_event("startup")
async def startup():
    app.state.started = True


class Countdown:
    """An async iterator that is not a generator (a driver's cursor, a queue reader)."""

    def __init__(self, start):
        self.left = start

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self.left == 0:
            raise StopAsyncIteration
        await asyncio.sleep(0)
        self.left -= 1
        return "{}\n".format(self.left + 1)


class Ticker:
    """Server-sent events from an async iterable object."""

    def __init__(self, count):
        self.count = count

    async def _events(self):
        for i in range(self.count):
            await asyncio.sleep(0)
            yield "id: {0}\nevent: tick\ndata: tick {0}\n\n".format(i)

    def __aiter__(self):
        return self._events()


@app.get("/countdown")
async def countdown(start: int = 3):
    return StreamingResponse(Countdown(start), media_type="text/plain")


@app.get("/events")
async def events(count: int = 3):
    return StreamingResponse(Ticker(count), media_type="text/event-stream", headers={"cache-control": "no-cache"})


@app.get("/numbers")
async def numbers():
    async def gen():
        for i in range(3):
            yield "{},".format(i).encode()

    return StreamingResponse(gen(), media_type="text/csv")


@app.get("/letters")
def letters():
    return StreamingResponse(iter(["a", "b", "c"]), media_type="text/plain")


@app.get("/download/{name}")
async def download(name: str):
    async def chunks():
        async with aiofiles.open(os.path.join(HERE, "static", name), "rb") as f:
            while True:
                chunk = await f.read(16)
                if not chunk:
                    break
                yield chunk

    return StreamingResponse(chunks(), media_type="application/octet-stream")


@app.websocket("/ws")
async def echo(websocket: WebSocket):
    await websocket.accept()
    while True:
        text = await websocket.receive_text()
        if text == "bye":
            await websocket.close()
            return
        await websocket.send_text(text.upper())


@app.post("/profile")
async def profile(name: str = Form(...), avatar: UploadFile = File(...)):  # noqa: B008  (FastAPI's own idiom)
    data = await avatar.read()
    return {"name": name, "filename": avatar.filename, "size": len(data)}


class Order(BaseModel):
    item: str
    quantity: int


@app.post("/orders")
async def order(new: Order):
    return {"ordered": new.quantity, "of": new.item}


@app.get("/page")
async def page(request: Request):
    return templates.TemplateResponse("page.html", {"request": request, "title": "Home"})


@app.get("/report")
async def report():
    return PlainTextResponse(REPORT)


@app.get("/ping")
async def ping():
    return PlainTextResponse("pong")


async def remember(what):
    await asyncio.sleep(0)
    JOBS.append(what)


def remember_sync(what):
    JOBS.append(what)


@app.post("/jobs")
async def jobs(tasks: BackgroundTasks):
    tasks.add_task(remember, "async job")
    tasks.add_task(remember_sync, "sync job")
    return {"queued": 2}


@app.get("/boom")
async def boom():
    raise RuntimeError("the database is gone")


async def total(*amounts):
    """A helper the application also runs outside requests (a CLI, a script)."""
    await asyncio.sleep(0)
    return sum(amounts)
