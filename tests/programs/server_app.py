"""The app the `run` tests serve through real uvicorn and gunicorn processes:
a custom async iterator, and no import of starlette_asyncstream (`run` must
bring the fixes). /block/<ms> blocks this worker's event loop first, so that
meanwhile another worker has to accept; every response says which process
served it (x-pid)."""

import os
import time

from feeds import Feed, lifespan
from starlette.responses import StreamingResponse


async def app(scope, receive, send):
    if await lifespan(scope, receive, send):
        return
    if scope["path"].startswith("/block/"):
        time.sleep(int(scope["path"].split("/")[2]) / 1000.0)
    content = Feed(["chunk1;", "chunk2;", "chunk3;"])
    await StreamingResponse(content, headers={"x-pid": str(os.getpid())})(scope, receive, send)
