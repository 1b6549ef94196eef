"""What a strict test suite meets in a legacy Starlette app, one probe a run:

    python -W error clean_app.py templates|form|gzip|static|page|routes

Imports the package first, as the README asks (STARLETTE_ASYNCSTREAM_DISABLE
decides what it fixes), builds a small app for the probe, drives it, and
prints one JSON line. Whatever the interpreter prints besides (a warning
turned error, "Exception ignored ..." from a finalizer) is on stderr, which
the tests read too.
"""

import asyncio
import gc
import inspect
import json
import os
import sys
import tempfile

import starlette_asyncstream

from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Mount, Route

PROBE = sys.argv[1]
RAISED = []  # what the app raised to its server after answering
WORK = tempfile.mkdtemp()


def write(relative, text):
    path = os.path.join(WORK, relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def drive(app, path, method="GET", headers=(), body=b""):
    """One request straight through ASGI, as a server passes it (no client
    that would normalise `..` away): (status, headers, body bytes)."""
    messages = []
    scope = {
        "type": "http", "http_version": "1.1", "method": method, "scheme": "http", "path": path,
        "raw_path": path.encode(), "root_path": "", "query_string": b"",
        "headers": [(b"host", b"testserver")] + [(k.encode(), v.encode()) for k, v in headers],
        "server": ("testserver", 80), "client": ("127.0.0.1", 50000),
    }
    sent = []

    async def receive():
        if not sent:
            sent.append(True)
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)  # the client never leaves: a stream that waits for it is a hang

    async def send(message):
        messages.append(message)

    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(asyncio.wait_for(app(scope, receive, send), 10))
    except Exception as exc:  # ServerErrorMiddleware re-raises for the server, after its response
        if not messages:
            raise
        RAISED.append(type(exc).__name__)
    finally:
        loop.close()
    start = next(m for m in messages if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return start["status"], {k.decode().lower(): v.decode() for k, v in start["headers"]}, body


def text(body):
    return body.decode("utf-8", "replace")


result = {}
if PROBE == "templates":
    from starlette.templating import Jinja2Templates

    write("templates/page.html", "home is {{ url_for('home') }}")
    templates = Jinja2Templates(directory=os.path.join(WORK, "templates"))
    name_first = list(inspect.signature(templates.TemplateResponse).parameters)[0] == "name"

    async def home(request):
        if name_first:
            return templates.TemplateResponse("page.html", {"request": request})
        return templates.TemplateResponse(request=request, name="page.html")  # 0.29 on: the old form warns

    status, _, body = drive(Starlette(routes=[Route("/", home, name="home")]), "/")
    result = {"status": status, "body": text(body)}

elif PROBE == "form":
    async def upload(request):
        form = await request.form()
        out = {}
        for key, value in form.items():
            out[key] = value if isinstance(value, str) else [value.filename, text(await value.read())]
        await form.close()  # what a careful app does: no Starlette release closes it for you
        return JSONResponse(out)

    boundary = "x-boundary"
    payload = (
        "--{b}\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
        "--{b}\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.txt\"\r\n"
        "Content-Type: text/plain\r\n\r\ndata\r\n--{b}--\r\n"
    ).format(b=boundary).encode()
    status, _, body = drive(Starlette(routes=[Route("/", upload, methods=["POST"])]), "/", method="POST",
                           headers=[("content-type", "multipart/form-data; boundary=" + boundary),
                                    ("content-length", str(len(payload)))], body=payload)
    result = {"status": status, "body": text(body)}

elif PROBE == "gzip":
    import starlette.middleware.gzip as gz
    from starlette.middleware.gzip import GZipMiddleware

    # Which responders leave their GzipFile or its buffer open: what the
    # finalizer complains of, or not, depending on the order of collection.
    made = []

    class Recorded(gz.GZipResponder):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    original, gz.GZipResponder = gz.GZipResponder, Recorded

    async def small(request):
        return PlainTextResponse("tiny")

    async def large(request):
        return PlainTextResponse("x" * 2000)

    app = Starlette(routes=[Route("/small", small), Route("/large", large)])
    app.add_middleware(GZipMiddleware, minimum_size=500)
    for path in ("/small", "/large"):
        status, headers, body = drive(app, path, headers=[("accept-encoding", "gzip")])
        result[path] = {"status": status, "encoding": headers.get("content-encoding", ""), "length": len(body)}
    # (releases from 0.46 on keep no gzip_file or gzip_buffer on the responder: nothing left there)
    result["left_open"] = sum(1 for r in made if getattr(getattr(r, "gzip_file", None), "fileobj", None) is not None
                              or not getattr(getattr(r, "gzip_buffer", None), "closed", True))
    gz.GZipResponder = original  # (status() below reads the module as the release has it)
    del made
    gc.collect()  # a GzipFile left open may say so now, not at some later collection

elif PROBE == "static":
    from starlette.staticfiles import StaticFiles

    write("static/a.txt", "public a")
    write("static/sub/b.txt", "public b")
    write("static_private/key.txt", "SECRET")
    os.chdir(WORK)
    app = Starlette(routes=[
        Mount("/static", StaticFiles(directory="static")),  # relative, as the advisory's example has it
        Mount("/abs", StaticFiles(directory=os.path.join(WORK, "static"))),
        Mount("/slash", StaticFiles(directory=os.path.join(WORK, "static") + os.sep)),
        Mount("/html", StaticFiles(directory=os.path.join(WORK, "static"), html=True)),
    ])
    for mount in ("/static", "/abs", "/slash"):
        for path in ("/a.txt", "/sub/b.txt", "/sub/../a.txt", "/../static_private/key.txt", "/../static/a.txt",
                     "/missing.txt"):
            status, _, body = drive(app, mount + path)
            result[mount + path] = [status, text(body)]
    # html mode: the directory itself (the whole path: nothing after the directory) serves its index
    write("static/index.html", "the index")
    for path in ("/html/", "/html/sub/"):
        status, _, body = drive(app, path)
        result[path] = [status, text(body)]

elif PROBE == "page":
    class Kaboom(Exception):
        pass

    async def boom(request):
        raise Kaboom("no <b>luck</b>")

    status, headers, body = drive(Starlette(debug=True, routes=[Route("/boom", boom)]), "/boom",
                                  headers=[("accept", "text/html")])
    page = text(body)
    titles = [line.strip() for line in page.splitlines() if "<h2>" in line]
    result = {"status": status, "type": headers.get("content-type", ""), "title": titles[0] if titles else page[:200]}

elif PROBE == "routes":
    # What asks whether a callable is async: routes (async and sync), an
    # endpoint class, exception handlers, a background task, the errors middleware.
    from starlette.background import BackgroundTask
    from starlette.endpoints import HTTPEndpoint

    done = []

    async def fast(request):
        return PlainTextResponse("async", background=BackgroundTask(done.append, "sync task"))

    def slow(request):
        return PlainTextResponse("sync")

    class Thing(HTTPEndpoint):
        async def get(self, request):
            return PlainTextResponse("endpoint")

    async def teapot(request):
        raise ValueError("teapot")

    async def on_value_error(request, exc):
        return PlainTextResponse("handled " + str(exc), status_code=418)

    routes = [Route("/async", fast), Route("/sync", slow), Route("/thing", Thing), Route("/teapot", teapot)]
    try:
        app = Starlette(routes=routes, exception_handlers={ValueError: on_value_error})
    except TypeError:  # 0.12.x: no exception_handlers argument yet
        app = Starlette(routes=routes)
        app.add_exception_handler(ValueError, on_value_error)
    for path in ("/async", "/sync", "/thing", "/teapot"):
        status, _, body = drive(app, path)
        result[path] = [status, text(body)]
    result["background"] = done

else:
    sys.exit("no probe named {!r}".format(PROBE))

result["raised"] = RAISED
result["python"] = list(sys.version_info[:2])
result["installed"] = sorted(name for name, fix in starlette_asyncstream.status().items() if fix.installed)
print(json.dumps(result, sort_keys=True))
