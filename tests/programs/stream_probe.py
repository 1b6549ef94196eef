"""A user's program that never imports starlette_asyncstream: it streams a
custom async iterator through StreamingResponse and prints, as JSON, whether
the package was already imported (by `run`'s sitecustomize) and what a
client received (or the exception type the request died with)."""

import asyncio
import json
import sys

PRELOADED = "starlette_asyncstream" in sys.modules

import httpx  # noqa: E402
from feeds import Feed  # noqa: E402
from starlette.responses import StreamingResponse  # noqa: E402


async def app(scope, receive, send):
    await StreamingResponse(Feed([b"c1", b"c2"]))(scope, receive, send)


async def get():
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        return (await client.get("/")).content


loop = asyncio.new_event_loop()
try:
    outcome = "body " + loop.run_until_complete(get()).decode()
except Exception as exc:
    outcome = "error " + type(exc).__name__
finally:
    loop.close()
print(json.dumps({"preloaded": PRELOADED, "outcome": outcome, "argv": sys.argv[1:]}))
