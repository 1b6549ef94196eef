"""sse-starlette behind a real server, with the one-line import: five events
from a custom async iterator."""

import starlette_asyncstream  # noqa: F401

from feeds import Feed  # noqa: E402
from sse_starlette.sse import EventSourceResponse  # noqa: E402


async def app(scope, receive, send):
    if scope["type"] == "http":
        events = [{"data": "event %d" % i} for i in range(1, 6)]
        await EventSourceResponse(Feed(events))(scope, receive, send)
