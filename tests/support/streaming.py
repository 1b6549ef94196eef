"""Drive a real StreamingResponse over ASGI in-process, as a user's app would."""

import asyncio
import inspect
import threading

import httpx


REQUEST_TIMEOUT = 10


class Outcome:
    """What a client sees: status, headers and body, or the exception raised."""

    def __init__(self, status=None, headers=None, body=None, error=None):
        self.status = status
        self.headers = headers
        self.body = body
        self.error = error

    def __repr__(self):
        return "Outcome(status={!r}, body={!r}, error={!r})".format(self.status, self.body, self.error)


async def fetch(make_response, path="/"):
    """Serve make_response() at any path and GET it with httpx."""
    seen = {}

    async def app(scope, receive, send):
        assert scope["type"] == "http"
        seen["loop_thread"] = threading.get_ident()
        response = make_response()
        if inspect.isawaitable(response):
            response = await response
        seen["response"] = response
        await response(scope, receive, send)

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        try:
            # A hang must fail, not wait: no response here takes a second.
            r = await asyncio.wait_for(client.get(path), timeout=REQUEST_TIMEOUT)
        except Exception as exc:  # the app's exception, re-raised by the transport
            return Outcome(error=exc), seen
    return Outcome(status=r.status_code, headers=r.headers, body=r.content), seen
