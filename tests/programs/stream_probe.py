"""A user's program that streams a custom async iterator through
StreamingResponse and prints, as JSON, whether starlette_asyncstream was
already imported when it started (by `run`'s sitecustomize), what a client
received (or the exception type the request died with), and its arguments.

By default it never imports the package itself; PROBE_IMPORT makes it do so,
in the order an application might: "package-first", "responses-first"
(after `from starlette.responses import StreamingResponse`) or
"starlette-package-first" (after `import starlette`, before its responses)."""

import asyncio
import json
import os
import sys

PRELOADED = "starlette_asyncstream" in sys.modules
ORDER = os.environ.get("PROBE_IMPORT", "")
if ORDER == "package-first":
    import starlette_asyncstream  # noqa: F401
elif ORDER == "responses-first":
    from starlette.responses import StreamingResponse  # noqa: F401
    import starlette_asyncstream  # noqa: F401
elif ORDER == "starlette-package-first":
    import starlette  # noqa: F401
    import starlette_asyncstream  # noqa: F401
    import starlette.responses  # noqa: F401

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
