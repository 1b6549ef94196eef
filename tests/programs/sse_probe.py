"""Import the package, then sse-starlette, and stream a custom async iterator
through EventSourceResponse; print, as JSON, the events a client received
(or the exception type), each sse fix's status, and whether wrapt was imported."""

import asyncio
import json
import sys

import starlette_asyncstream as sa

import httpx  # noqa: E402
from feeds import Feed  # noqa: E402


async def main():
    from sse_starlette.sse import EventSourceResponse

    async def app(scope, receive, send):
        await EventSourceResponse(Feed([{"data": "e1"}, {"data": "e2"}]))(scope, receive, send)

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        return (await client.get("/")).text


loop = asyncio.new_event_loop()
try:
    out = loop.run_until_complete(main())
except Exception as exc:
    while getattr(exc, "exceptions", None):  # anyio task groups (0.10+) wrap it
        exc = exc.exceptions[0]
    out = "ERROR %s" % type(exc).__name__
finally:
    loop.close()
status = {name: [s.applies, s.installed] for name, s in sa.status().items() if name.startswith("sse-")}
print(json.dumps({"out": out, "status": status, "wrapt": "wrapt" in sys.modules}))
