"""FastAPI as users pin it: the release's own Starlette pin, one import line.

Each case runs in a fresh interpreter whose app module imports FastAPI
first and starlette_asyncstream afterwards, as an existing app would add it.
"""

import json
import sys

import fastapi
import pytest
import starlette

from conftest import run_python

APP = """
import asyncio, json, os, sys, tempfile
{first}
from fastapi import FastAPI
from fastapi.responses import StreamingResponse as FastAPIStreamingResponse
from starlette.responses import StreamingResponse
{after}
import aiofiles, httpx

class Ticker:
    def __init__(self):
        self.n = 0
    def __aiter__(self):
        return self
    async def __anext__(self):
        self.n += 1
        if self.n > 3:
            raise StopAsyncIteration
        return "tick %d\\n" % self.n

path = os.path.join(tempfile.mkdtemp(), "report.csv")
with open(path, "wb") as f:
    f.write(b"a,b\\n1,2\\n3,4\\n")

app = FastAPI()

@app.get("/ticks")
async def ticks():
    return FastAPIStreamingResponse(Ticker(), media_type="text/plain")

@app.get("/file")
async def file():
    handle = await aiofiles.open(path, "rb")
    return StreamingResponse(handle, media_type="text/csv")

async def main():
    out = {{}}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        for route in ("/ticks", "/file"):
            try:
                r = await c.get(route)
                out[route] = [r.status_code, r.headers["content-type"], r.text]
            except Exception as exc:
                out[route] = ["error", type(exc).__name__, str(exc)]
    return out

loop = asyncio.new_event_loop()
print(json.dumps(loop.run_until_complete(main())))
"""


def run_app(first="", after=""):
    return json.loads(run_python(APP.format(first=first, after=after)).stdout)


def test_pins_are_what_users_run():
    pins = {"0.52.0": "0.13.2", "0.58.1": "0.13.4", "0.61.2": "0.13.6"}
    assert pins[fastapi.__version__] == starlette.__version__


@pytest.mark.parametrize("where", ["after-fastapi", "before-fastapi"])
def test_fastapi_routes_stream_custom_iterators_and_aiofiles(where):
    line = "import starlette_asyncstream"
    out = run_app(**({"after": line} if where == "after-fastapi" else {"first": line}))
    assert out["/ticks"] == [200, "text/plain; charset=utf-8", "tick 1\ntick 2\ntick 3\n"], out
    assert out["/file"] == [200, "text/csv; charset=utf-8", "a,b\n1,2\n3,4\n"], out


def test_without_the_import_these_routes_fail():
    out = run_app()
    assert out["/ticks"][0] == "error" and out["/ticks"][1] == "TypeError", out
    assert out["/file"][0] == "error" and out["/file"][1] == "TypeError", out
    if sys.version_info >= (3, 11):
        assert "Passing coroutines is forbidden" in out["/ticks"][2]
    else:
        assert "not an iterator" in out["/ticks"][2]
