"""A FastAPI app as users pin it, streaming a custom async iterator and an
aiofiles file; argv[1] says where the app imports starlette_asyncstream:
"before-fastapi", "after-fastapi" or "none". Prints, as JSON, what a client
received from each route (or the exception the request died with)."""

import asyncio
import json
import os
import sys
import tempfile

WHERE = sys.argv[1]
if WHERE == "before-fastapi":
    import starlette_asyncstream  # noqa: F401

from fastapi import FastAPI  # noqa: E402
from fastapi.responses import StreamingResponse as FastAPIStreamingResponse  # noqa: E402
from starlette.responses import StreamingResponse  # noqa: E402

if WHERE == "after-fastapi":
    import starlette_asyncstream  # noqa: F401

import aiofiles  # noqa: E402
import httpx  # noqa: E402
from feeds import Feed  # noqa: E402

path = os.path.join(tempfile.mkdtemp(), "report.csv")
with open(path, "wb") as f:
    f.write(b"a,b\n1,2\n3,4\n")

app = FastAPI()


@app.get("/ticks")
async def ticks():
    return FastAPIStreamingResponse(Feed(["tick 1\n", "tick 2\n", "tick 3\n"]), media_type="text/plain")


@app.get("/file")
async def file():
    handle = await aiofiles.open(path, "rb")
    return StreamingResponse(handle, media_type="text/csv")


async def main():
    out = {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        for route in ("/ticks", "/file"):
            try:
                r = await client.get(route)
                out[route] = [r.status_code, r.headers["content-type"], r.text]
            except Exception as exc:
                out[route] = ["error", type(exc).__name__, str(exc)]
    return out


loop = asyncio.new_event_loop()
try:
    print(json.dumps(loop.run_until_complete(main())))
finally:
    loop.close()
