"""The advisories' requests against the installed Starlette, in process.

    python security_app.py urls|forms|rollover

Imports the package first (STARLETTE_ASYNCSTREAM_DISABLE decides what it
fixes), then answers each request through a plain ASGI call (no test client:
theirs differ between releases) and prints one JSON line: what a user of the
release sees. tests/test_security.py compares it with what the fixed releases
answer (the same program on the newest Starlette leg prints the same).
`app` is also served by uvicorn in tests/e2e/test_security.py.
"""

import asyncio
import json
import sys
import threading

import starlette_asyncstream  # noqa: F401

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route


class Guard:
    """Middleware as users write it: a path check by request.url.path, and a header made
    from request.url.hostname (as code that builds absolute links or allow-lists does)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        url = Request(scope).url
        host = (url.hostname or "").encode("latin-1")

        async def send_with_host(message):
            if message["type"] == "http.response.start":
                message = dict(message, headers=list(message.get("headers", [])) + [(b"x-url-hostname", host)])
            await send(message)

        if url.path.startswith("/admin"):
            await PlainTextResponse("blocked", status_code=403)(scope, receive, send_with_host)
            return
        await self.app(scope, receive, send_with_host)


async def admin(request):
    return PlainTextResponse("admin area")


async def where(request):
    return JSONResponse({"url": str(request.url), "path": request.url.path, "hostname": request.url.hostname})


async def form(request):
    data = await request.form()
    if request.query_params.get("twice"):
        assert await request.form() is data  # (parsed once: the second call answers the same form)
    sizes = {key: len(value) if isinstance(value, str) else "file" for key, value in data.items()}
    count = len(data.keys()) if hasattr(data, "keys") else 0
    await data.close()
    return JSONResponse({"count": count, "largest": max([v for v in sizes.values() if v != "file"] or [0])})


app = Guard(Starlette(routes=[Route("/admin", admin), Route("/where", where), Route("/form", form, methods=["POST"])]))


def scope_for(path, host=None, server=("testserver", 80), root_path="", method="GET", headers=()):
    raw = [(b"host", host.encode("latin-1"))] if host is not None else []
    return {"type": "http", "method": method, "path": path, "root_path": root_path, "query_string": b"",
            "headers": raw + list(headers), "scheme": "http", "server": server, "client": ("127.0.0.1", 5000),
            "http_version": "1.1", "asgi": {"version": "3.0"}}


READ = [0]  # body messages the last call() handed to the application


async def call(scope, body=b""):
    """(status, body) of one request through `app`, the body sent in 64 KB messages (or in the
    messages given, a list)."""
    chunks = body if isinstance(body, list) else [body[i:i + 65536] for i in range(0, len(body), 65536)] or [b""]
    messages = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]
    sent = []
    READ[:] = [0]

    async def receive():
        if messages:
            READ[0] += 1
            return messages.pop(0)
        await asyncio.sleep(3600)  # (a client that stays)

    async def send(message):
        sent.append(message)

    await asyncio.wait_for(app(scope, receive, send), 60)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body").decode()


HOSTS = ["example.com", "example.com:8080", "EXAMPLE.com", "127.0.0.1:8000", "[::1]:8000", "[::1]",
         "my_service:8000", "xn--bcher-kva.example", "evil.example/public?x=", "evil.example#x",
         "user@evil.example", "evil.example:99999", "[not-ipv6]:80", "evil.example\\x", "",
         "example.com:65535", "example.com:65536", "example.com:80a", "[::1::2]:80", "[v1.fe]:80"]


def no_query_string():
    """A scope without query_string (ASGI made it optional later): each release's own answer."""
    scope = scope_for("/a", "example.com")
    del scope["query_string"]
    try:
        return str(Request(scope).url)
    except Exception as exc:  # noqa: BLE001 - up to 0.12.10 it is required
        return "{}: {}".format(type(exc).__name__, exc)


def urls():
    loop = asyncio.new_event_loop()
    try:
        result = {
            "guard": {host: loop.run_until_complete(call(scope_for("/admin", host)))
                      for host in ("evil.example/public?x=", "evil.example/?", "example.com")},
            "url": {host: str(Request(scope_for("/admin", host)).url) for host in HOSTS},
            "no host": str(Request(scope_for("/admin")).url),
            # Two Host headers: the first one decides, good or not (the second is never read).
            "two hosts": [str(Request(dict(scope_for("/admin"), headers=[(b"host", first), (b"host", second)])).url)
                          for first, second in ((b"example.com", b"evil.example"),
                                                (b"evil.example/x?", b"example.com"))],
            "no host, no server": str(Request(scope_for("/admin", server=None)).url),
            "ipv6 server": str(Request(scope_for("/admin", server=("::1", 8000))).url),
            "root_path": str(Request(scope_for("/admin", "example.com", root_path="/api")).url),
            "query": str(Request(dict(scope_for("/a", "example.com"), query_string=b"x=1&y=2")).url),
            "no query_string": no_query_string(),
            # (0.12.11 added base_url)
            "base_url": str(getattr(Request(scope_for("/admin", "evil.example/public?x=")), "base_url", None)),
        }
        paths = {}
        for path in ("@evil.example", "@evil.example/x", "evil.example", "/ok", "//double"):
            url = Request(scope_for(path, "testserver")).url
            paths[path] = [str(url), url.hostname]
        url = Request(scope_for("@evil.example", None, server=("testserver", 80))).url
        paths["@evil.example, server only"] = [str(url), url.hostname]
        url = Request(scope_for("@evil.example", None, server=None)).url
        paths["@evil.example, neither"] = [str(url), url.hostname]
        result["paths"] = paths
        # Legacy releases join root_path and path (the newest reads path alone): the host must hold either way.
        url = Request(scope_for("/x", "testserver", root_path="@evil.example")).url
        result["root_path without /"] = [str(url), url.hostname]
        return result
    finally:
        loop.close()


def urlencoded(n, size=1):
    return "&".join("f{}={}".format(i, "x" * size) for i in range(n)).encode()


def multipart(fields=0, files=0, field_size=1, boundary="b0undary"):
    parts = []
    for i in range(fields):
        parts.append('--{}\r\nContent-Disposition: form-data; name="f{}"\r\n\r\n{}\r\n'.format(
            boundary, i, "x" * field_size))
    for i in range(files):
        parts.append('--{}\r\nContent-Disposition: form-data; name="u{}"; filename="u{}.txt"\r\n'
                     'Content-Type: text/plain\r\n\r\nupload\r\n'.format(boundary, i, i))
    return ("".join(parts) + "--{}--\r\n".format(boundary)).encode()


def split_inside(body, marker):
    """The body as two messages, the first ending inside the content of the part after `marker`."""
    at = body.index(b"upload", body.index(marker)) + 3
    return [body[:at], body[at:]]


def split_delimiters(body, boundary=b"--b0undary"):
    """The body as three messages, cut inside its last two delimiters."""
    last = body.rindex(boundary)
    before = body.rindex(boundary, 0, last)
    return [body[:before + 5], body[before + 5:last + 5], body[last + 5:]]


URLENCODED = [(b"content-type", b"application/x-www-form-urlencoded")]
MULTIPART = [(b"content-type", b"multipart/form-data; boundary=b0undary")]
KB = 1024


def forms():
    cases = {
        "urlencoded 1000 fields": (URLENCODED, urlencoded(1000)),
        "urlencoded 1001 fields": (URLENCODED, urlencoded(1001)),
        # (the name counts: "f0" and the value make the field's size)
        "urlencoded field of 1 MB": (URLENCODED, urlencoded(1, KB * KB - 2)),
        "urlencoded field of 1 MB + 1": (URLENCODED, urlencoded(1, KB * KB - 1)),
        "urlencoded field of 900 KB": (URLENCODED, urlencoded(1, 900 * KB)),
        "multipart 1000 fields": (MULTIPART, multipart(fields=1000)),
        "multipart 1001 fields": (MULTIPART, multipart(fields=1001)),
        "multipart 1000 files": (MULTIPART, multipart(files=1000)),
        "multipart 1001 files": (MULTIPART, multipart(files=1001)),
        "multipart 1000 fields and 1000 files": (MULTIPART, multipart(fields=1000, files=1000)),
        "multipart field of 1 MB": (MULTIPART, multipart(fields=1, field_size=KB * KB)),
        "multipart field of 1 MB + 1": (MULTIPART, multipart(fields=1, field_size=KB * KB + 1)),
        "multipart field of 900 KB": (MULTIPART, multipart(fields=1, field_size=900 * KB)),
        "urlencoded 1000 fields of 1.1 KB": (URLENCODED, urlencoded(1000, 1100)),  # (1.1 MB in all)
        "multipart 1000 fields of 1.1 KB": (MULTIPART, multipart(fields=1000, field_size=1100)),
        "multipart a file, then a field of 1 MB + 1": (MULTIPART, multipart(files=1)[:-len(b"--b0undary--\r\n")]
                                                      + multipart(fields=1, field_size=KB * KB + 1)),
        # The 1,001st part's delimiter and the closing one each cut in two: no message holds
        # a whole delimiter when the 1,001st field's headers arrive.
        "multipart 1001 fields, delimiters split": (MULTIPART, split_delimiters(multipart(fields=1001))),
        # Fields separated by ";": one field from python-multipart 0.0.30 on, 1,001 before it.
        "urlencoded 1001 fields split by ;": (URLENCODED, urlencoded(1001).replace(b"&", b";")),
        # The second message starts inside a file's content: that file is open, not yet in the form.
        "multipart 1001 files, split inside one": (MULTIPART, split_inside(multipart(files=1001), b"u500.txt")),
        # A field that outgrows its limit over two messages, the first of which also ends the
        # field before it: what it held of the open field still counts.
        "urlencoded field of 1 MB + 1 over three messages": (URLENCODED, [
            b"a=1", b"1&big=" + b"x" * (KB * KB // 2), b"x" * (KB * KB - 2 - KB * KB // 2)]),
        # One message of more than 1 MB (each limit is then counted exactly): a field of exactly
        # the limit, and 1,000 fields, are still within it.
        "urlencoded field of 1 MB and another, one message": (URLENCODED, [urlencoded(1, KB * KB - 2) + b"&g=y"]),
        "urlencoded 1000 fields of 1.1 KB, one message": (URLENCODED, [urlencoded(1000, 1100)]),
        "multipart field of 1 MB and another, one message": (MULTIPART, [
            multipart(fields=1, field_size=KB * KB)[:-len(b"--b0undary--\r\n")]
            + b'--b0undary\r\nContent-Disposition: form-data; name="g"\r\n\r\ny\r\n--b0undary--\r\n']),
        "multipart 1000 fields of 1.1 KB, one message": (MULTIPART, [multipart(fields=1000, field_size=1100)]),
        "multipart file of 2 MB": (MULTIPART, (
            b'--b0undary\r\nContent-Disposition: form-data; name="big"; filename="big.bin"\r\n\r\n'
            + b"x" * (2 * KB * KB) + b"\r\n--b0undary--\r\n")),
    }
    loop = asyncio.new_event_loop()
    try:
        answers = {}
        for name, (headers, body) in cases.items():
            length = sum(map(len, body)) if isinstance(body, list) else len(body)
            scope = scope_for("/form", "example.com", method="POST",
                              headers=list(headers) + [(b"content-length", str(length).encode())])
            answers[name] = loop.run_until_complete(call(scope, body))
        # How much of a body is read once a limit is crossed in its first message: that message only.
        for name, first in (("&", urlencoded(1001) + b"&"), (";", urlencoded(1001).replace(b"&", b";") + b";")):
            body = [first, b"&more=1", b"&more=2"]
            scope = scope_for("/form", "example.com", method="POST", headers=URLENCODED)
            status = loop.run_until_complete(call(scope, body))[0]
            answers["1001 fields split by {} then more: messages read".format(name)] = [status, READ[0]]
        # And once a field outgrows its limit in the first message.
        for name, headers, first in (
                ("urlencoded", URLENCODED, b"big=" + b"x" * (KB * KB + 1) + b"&"),
                ("urlencoded name", URLENCODED, b"x" * (KB * KB + 1)),  # (exactly the limit + 1, no "=")
                ("multipart", MULTIPART, multipart(fields=1, field_size=KB * KB + 1)[:-len(b"--b0undary--\r\n")])):
            body = [first, b"more", b"more"]
            scope = scope_for("/form", "example.com", method="POST", headers=headers)
            status = loop.run_until_complete(call(scope, body))[0]
            answers["{} field of 1 MB + 1 then more: messages read".format(name)] = [status, READ[0]]
        scope = dict(scope_for("/form", "example.com", method="POST", headers=URLENCODED), query_string=b"twice=1")
        answers["form() twice"] = loop.run_until_complete(call(scope, urlencoded(3)))
        # Outside an application (no "app" in the scope), the exception itself.
        scope = scope_for("/form", "example.com", method="POST", headers=URLENCODED)
        body = [{"type": "http.request", "body": urlencoded(1001), "more_body": False}]

        async def receive():
            return body.pop(0)

        async def by_hand():
            try:
                await Request(scope, receive).form()
            except Exception as exc:  # noqa: BLE001 - what a user catches, by name
                return [type(exc).__name__, getattr(exc, "message", str(exc))]
            return ["no error"]

        answers["outside an application"] = loop.run_until_complete(by_hand())

        async def own_limit():
            own = [{"type": "http.request", "body": urlencoded(5), "more_body": False}]

            async def receive_own():
                return own.pop(0)

            try:
                await Request(scope, receive_own).form(max_fields=3)
            except TypeError:
                return "form() takes no max_fields"
            except Exception as exc:  # noqa: BLE001
                return getattr(exc, "message", str(exc))
            return "no error"

        answers["max_fields=3, 5 fields"] = loop.run_until_complete(own_limit())
        return answers
    finally:
        loop.close()


def rollover():
    import tempfile

    from starlette.datastructures import UploadFile

    seen, writes = [], []

    def where():
        return "event loop thread" if threading.current_thread() is threading.main_thread() else "worker thread"

    async def main():
        # (the keywords every release takes; the newest requires the file)
        upload = UploadFile(filename="big.bin", file=tempfile.SpooledTemporaryFile(max_size=1024 * 1024))
        real, real_write = upload.file.rollover, upload.file.write

        def watched():
            seen.append(where())
            real()

        def watched_write(data):
            writes.append(where())
            return real_write(data)

        upload.file.rollover, upload.file.write = watched, watched_write
        await upload.write(b"x" * 1000)
        await upload.write(b"x" * (1024 * 1024 - 1000))  # (up to the spool's size exactly: still in memory)
        await upload.write(b"x")  # (one byte past it: it rolls over)
        await upload.write(b"tail")
        await upload.seek(0)
        data = await upload.read()
        await upload.close()
        return len(data)

    loop = asyncio.new_event_loop()
    try:
        size = loop.run_until_complete(main())
    finally:
        loop.close()
    return {"size": size, "rolled over in": seen, "written in": writes}


if __name__ == "__main__":
    PROBES = {"urls": urls, "forms": forms, "rollover": rollover}
    print(json.dumps(PROBES[sys.argv[1]](), sort_keys=True))
