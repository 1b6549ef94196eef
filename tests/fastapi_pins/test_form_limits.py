"""Form limits behind FastAPI's Form and File parameters (CVE-2023-30798,
CVE-2024-47874, CVE-2026-54283): with `form-limits` and `fastapi-body-errors`
a legacy FastAPI answers a form past a limit as FastAPI 0.81+ on a fixed
Starlette does, `400 {"detail": "<the limit>"}`; with `fastapi-body-errors`
off, as FastAPI of its own era answers any form error; with `form-limits` off,
the form is parsed whole (the advisories). Forms under the limits are
unchanged. The apps are built in each test, after the fixes are installed,
as FastAPI builds a route's handler when the route is made.
"""

import json
import sys

import fastapi
import httpx
import pytest
import starlette

import starlette_asyncstream as sa
from support.releases import applies, run

LEG = "FastAPI {} (Starlette {}) on Python {}.{}".format(fastapi.__version__, starlette.__version__,
                                                        *sys.version_info[:2])
TOO_MANY = (400, {"detail": "Too many fields. Maximum number of fields is 1000."})


def make_app():
    from fastapi import FastAPI, File, Form, HTTPException, UploadFile

    app = FastAPI()

    class KilobyteLimit:
        """A body limit as middleware writes it (fastapi/fastapi #2036's case): the HTTPException
        comes out of receive(), inside FastAPI's reading of the body."""

        def __init__(self, app):
            self.app = app

        async def __call__(self, scope, receive, send):
            if scope["type"] != "http" or scope["path"] != "/item":
                await self.app(scope, receive, send)
                return
            seen = []

            async def limited():
                message = await receive()
                seen.append(len(message.get("body", b"")))
                if sum(seen) > 1024:
                    raise HTTPException(413, "Payload Too Large")
                return message

            await self.app(scope, limited, send)

    app.add_middleware(KilobyteLimit)

    @app.post("/login")
    async def login(username: str = Form(...)):
        return {"username": username}

    @app.post("/upload")
    async def upload(file: UploadFile = File(...), note: str = Form("")):  # noqa: B008
        return {"name": file.filename, "size": len(await file.read()), "note": note}

    @app.post("/item")
    async def item(payload: dict):
        return payload

    @app.post("/chained")
    async def chained(payload: dict):
        # The endpoint's own HTTPException, raised from another: the client sees the endpoint's.
        try:
            raise HTTPException(400, "inner")
        except HTTPException as inner:
            raise HTTPException(418, "teapot") from inner

    return app


def fields(n, size=1):
    return "username=alice&" + "&".join("f{}={}".format(i, "x" * size) for i in range(n - 1))


async def post(app, path, content, content_type):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        response = await client.post(path, content=content, headers={"content-type": content_type})
        return response.status_code, json.loads(response.text)


FORM = "application/x-www-form-urlencoded"


def answers(app):
    many_files = "".join('--b\r\nContent-Disposition: form-data; name="file"; filename="f{}.txt"\r\n\r\nx\r\n'
                         .format(i) for i in range(1001)) + "--b--\r\n"
    return {
        "1000 fields": run(post(app, "/login", fields(1000), FORM)),
        "1001 fields": run(post(app, "/login", fields(1001), FORM)),
        "a 2 MB field": run(post(app, "/login", "username=" + "x" * (2 * 1024 * 1024), FORM)),
        "1001 files": run(post(app, "/upload", many_files, "multipart/form-data; boundary=b")),
        "broken json": run(post(app, "/item", "{broken", "application/json")),
        "a 2 KB json body": run(post(app, "/item", '{"a": "' + "x" * 2048 + '"}', "application/json")),
        "chained": run(post(app, "/chained", "{}", "application/json")),
    }


def needs(row):
    if not applies(row):
        pytest.skip("{}: outside the `{}` row's range".format(LEG, row))


def answers_of_an_app_built(without=()):
    """answers() of an app built with every fix installed but `without`; the originals back after."""
    sa.install()
    if without:
        sa.uninstall(*without)
    try:
        return answers(make_app())
    finally:
        sa.uninstall()


def test_a_form_past_a_limit_answers_as_fastapi_on_a_fixed_starlette():
    needs("form-limits")
    got = answers_of_an_app_built()
    assert got["1000 fields"] == (200, {"username": "alice"})
    assert got["1001 fields"] == TOO_MANY
    assert got["a 2 MB field"] == (400, {"detail": "Field exceeded maximum size of 1024KB."})
    assert got["1001 files"] == (400, {"detail": "Too many files. Maximum number of files is 1000."})


def test_a_middlewares_http_exception_while_the_body_is_read_reaches_the_client():
    needs("fastapi-body-errors")
    sa.install()
    try:
        app = make_app()
        got = answers(app)
        assert got["a 2 KB json body"] == (413, {"detail": "Payload Too Large"})  # as 0.81.0
        assert got["chained"] == (418, {"detail": "teapot"})  # the endpoint's own, not its cause
        sa.uninstall("fastapi-body-errors")  # switched off: the routes made while it was on answer as the release
        assert run(post(app, "/item", '{"a": "' + "x" * 2048 + '"}', "application/json")) == (
            400, {"detail": "There was an error parsing the body"})
    finally:
        sa.uninstall()


def test_with_fastapi_body_errors_off_the_release_says_its_own_sentence():
    needs("fastapi-body-errors")
    got = answers_of_an_app_built(without=("fastapi-body-errors",))
    parse_error = (400, {"detail": "There was an error parsing the body"})
    assert (got["1001 fields"], got["1001 files"]) == (parse_error, parse_error)
    assert got["1000 fields"] == (200, {"username": "alice"})


def test_with_form_limits_off_the_form_is_parsed_whole():
    needs("form-limits")
    got = answers_of_an_app_built(without=("form-limits",))
    assert got["1001 fields"] == (200, {"username": "alice"})
    assert got["a 2 MB field"] == (200, {"username": "x" * (2 * 1024 * 1024)})


def test_other_body_errors_are_the_releases_own():
    needs("fastapi-body-errors")
    fixed = answers_of_an_app_built()
    own = answers_of_an_app_built(without=("fastapi-body-errors",))
    assert fixed["broken json"] == own["broken json"]
