"""sse-starlette's EventSourceResponse streaming a custom async iterator.
argv[1] is the import order: "package-first" (the default), "sse-first", or
"none" (without starlette_asyncstream). Prints, as JSON, the event stream a
client received (or the exception type), each sse fix's status, whether the
package imported sse-starlette or wrapt itself."""

import asyncio
import json
import sys

ORDER = sys.argv[1] if len(sys.argv) > 1 else "package-first"
if ORDER == "sse-first":
    import sse_starlette.sse  # noqa: F401
if ORDER != "none":
    import starlette_asyncstream as sa
SSE_IMPORTED_BY_US = ORDER == "package-first" and "sse_starlette" in sys.modules

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
    out = "ERROR %s: %s" % (type(exc).__name__, exc)
finally:
    loop.close()
status = None
if ORDER != "none":
    status = {name: [s.applies, s.installed] for name, s in sa.status().items() if name.startswith("sse-")}
print(json.dumps({"out": out, "status": status, "wrapt": "wrapt" in sys.modules,
                  "sse_imported_by_us": SSE_IMPORTED_BY_US}))
