"""Helpers of the e2e tests: a real uvicorn (or gunicorn) process serving
tests/e2e/e2e_app.py on 127.0.0.1, and raw HTTP/1.1 clients for it."""

import asyncio
import json
import os

HERE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "e2e")  # e2e_app.py

try:
    import fastapi  # noqa: F401  (present in the FastAPI leg only)

    FLAVOUR = {"E2E_FASTAPI": "1"}
except ImportError:
    FLAVOUR = {}


class Server:
    def __init__(self, port):
        self.port = port

    def url(self, path):
        return "http://127.0.0.1:{}{}".format(self.port, path)


def run(coro):
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


async def open_stream(port, path):
    """A raw HTTP/1.1 GET: (reader, writer) positioned after the response headers."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write("GET {} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".format(path).encode())
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    assert head.startswith(b"HTTP/1.1 200"), head
    return reader, writer


async def read_until(reader, marker, timeout=10.0):
    data = b""
    loop = asyncio.get_event_loop()
    deadline = loop.time() + timeout
    while marker not in data:
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise AssertionError("{!r} not received within {}s; got {!r}".format(marker, timeout, data[-200:]))
        chunk = await asyncio.wait_for(reader.read(65536), remaining)
        if not chunk:
            raise AssertionError("connection closed before {!r}; got {!r}".format(marker, data[-200:]))
        data += chunk
    return data


async def get_json(port, path):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write("GET {} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".format(path).encode())
    await writer.drain()
    raw = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    if b"transfer-encoding: chunked" in head.lower():
        body = dechunk(body)
    return json.loads(body.decode())


def dechunk(body):
    out = b""
    while body:
        size, _, rest = body.partition(b"\r\n")
        n = int(size, 16)
        if n == 0:
            break
        out += rest[:n]
        body = rest[n + 2:]
    return out
