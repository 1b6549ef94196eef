"""CVE-2021-32677 (GHSA-8h2j-cgx8-6xv7): FastAPI before 0.65.2 parses any
request body as JSON, so a browser's cross-site `text/plain` or form post
(no CORS preflight) reaches a JSON route. With the `fastapi-json` fix a
legacy FastAPI answers as 0.65.3 does: JSON only for application/json,
application/*+json or no Content-Type; anything else is refused by the
model's validation (422). The expectations below are what FastAPI 0.65.3
answers: the 0.65.3 leg runs them with nothing patched.
"""

import importlib
import sys

import fastapi
import httpx
import pytest
import starlette

import starlette_asyncstream as sa
from support.releases import applies, run

LEG = "FastAPI {} (Starlette {})".format(fastapi.__version__, starlette.__version__)
ITEM = '{"name": "Foo", "price": 50.5}'
NOT_A_DICT = {"detail": [{"loc": ["body"], "msg": "value is not a valid dict", "type": "type_error.dict"}]}
PAIR_MISSING = {"detail": [
    {"loc": ["body", "item"], "msg": "field required", "type": "value_error.missing"},
    {"loc": ["body", "count"], "msg": "field required", "type": "value_error.missing"},
]}
def seen(status, body):
    """What a client reads: the status, and the body (for an error, each message and type: where in
    the body FastAPI says it found it is each release's own convention, ["body", "item"] up to 0.54)."""
    if status == 422:
        return status, [(e["msg"], e["type"]) for e in body["detail"]]
    return status, body


# Content-Type -> (status, body) of POST /items/ with ITEM, as FastAPI 0.65.3 answers.
ITEMS = {k: seen(*v) for k, v in {
    "application/json": (200, {"name": "Foo", "price": 50.5}),
    "application/json; charset=utf-8": (200, {"name": "Foo", "price": 50.5}),
    "application/geo+json": (200, {"name": "Foo", "price": 50.5}),
    "APPLICATION/JSON": (200, {"name": "Foo", "price": 50.5}),
    None: (200, {"name": "Foo", "price": 50.5}),  # no Content-Type: JSON (0.65.3)
    "": (200, {"name": "Foo", "price": 50.5}),  # an empty one is none
    # Two Content-Type headers: the first decides (Starlette's request.headers.get)
    ("application/json", "text/plain"): (200, {"name": "Foo", "price": 50.5}),
    ("text/plain", "application/json"): (422, NOT_A_DICT),
    "text/plain": (422, NOT_A_DICT),
    "text/plain; charset=utf-8": (422, NOT_A_DICT),
    "application/x-www-form-urlencoded": (422, NOT_A_DICT),
    "multipart/form-data; boundary=x": (422, NOT_A_DICT),
    "application/geo+json-seq": (422, NOT_A_DICT),
    "application/not-really-json": (422, NOT_A_DICT),
    "text/json": (422, NOT_A_DICT),
}.items()}


def the_app():
    """The program's app, built now (routes made after the fixes were installed)."""
    sys.modules.pop("fastapi_json_app", None)
    return importlib.import_module("fastapi_json_app").app


async def post(app, path, body, content_type):
    values = content_type if isinstance(content_type, tuple) else () if content_type is None else (content_type,)
    headers = [("content-type", value) for value in values]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        request = client.build_request("POST", path, content=body.encode(), headers=headers)
        if content_type is None:
            request.headers.pop("content-type", None)
        response = await client.send(request)
        return seen(response.status_code, response.json())


@pytest.fixture
def programs_on_path(monkeypatch):
    from support.servers import PROGRAMS

    monkeypatch.syspath_prepend(PROGRAMS)


@pytest.mark.usefixtures("patched", "programs_on_path")
@pytest.mark.parametrize("content_type", list(ITEMS), ids=[str(c) for c in ITEMS])
def test_a_json_route_answers_as_0653(content_type):
    assert run(post(the_app(), "/items/", ITEM, content_type)) == ITEMS[content_type]


@pytest.mark.usefixtures("patched", "programs_on_path")
def test_several_body_parameters_and_the_endpoints_own_json_answer_as_0653():
    app = the_app()
    pair = '{"item": {"name": "a", "price": 1}, "count": 2}'
    assert run(post(app, "/pair/", pair, "application/json")) == (
        200, {"item": {"name": "a", "price": 1.0}, "count": 2})
    assert run(post(app, "/pair/", pair, "text/plain")) == seen(422, PAIR_MISSING)
    # a route without body parameters parses nothing itself: the endpoint's own request.json() is Starlette's
    assert run(post(app, "/raw/", ITEM, "text/plain")) == (200, {"json": {"name": "Foo", "price": 50.5}})
    # Broken JSON under a JSON Content-Type gets the release's own answer (400 up to 0.5x, then 422).
    broken = run(post(app, "/items/", "{broken", "application/json"))
    sa.uninstall("fastapi-json")
    try:
        assert run(post(the_app(), "/items/", "{broken", "application/json")) == broken
    finally:
        sa.install()


@pytest.mark.usefixtures("programs_on_path")
def test_without_the_fix_a_text_plain_post_reaches_the_route():
    if not applies("fastapi-json"):
        pytest.skip("{}: outside 0.42.0 <= fastapi < 0.65.2 (any Python): the release checks the "
                    "Content-Type itself".format(LEG))
    sa.install()
    sa.uninstall("fastapi-json")
    try:
        assert run(post(the_app(), "/items/", ITEM, "text/plain")) == (200, {"name": "Foo", "price": 50.5})
    finally:
        sa.uninstall()


def positional_route_app(by_position):
    """An application whose own APIRoute subclass calls fastapi.routing.get_request_handler
    with its first arguments (dependant, body_field) by position (as a custom route class may)."""
    import inspect

    from fastapi import FastAPI, routing
    from fastapi.responses import JSONResponse
    from fastapi_json_app import Item

    class PositionalRoute(routing.APIRoute):
        def get_route_handler(self):
            rest = {}
            for name in list(inspect.signature(routing.get_request_handler).parameters)[2:]:
                if name == "response_field":
                    rest[name] = self.secure_cloned_response_field
                elif name == "response_class":
                    rest[name] = self.response_class or JSONResponse
                elif hasattr(self, name):
                    rest[name] = getattr(self, name)
            if by_position == 1:
                return routing.get_request_handler(self.dependant, body_field=self.body_field, **rest)
            return routing.get_request_handler(self.dependant, self.body_field, **rest)

    app = FastAPI()
    app.router.route_class = PositionalRoute

    @app.post("/items/")
    async def create_item(item: Item):
        return item

    @app.post("/raw/")
    async def raw(request: fastapi.Request):  # no body parameter: the endpoint reads the body itself
        return {"json": await request.json()}

    return app


@pytest.mark.usefixtures("patched", "programs_on_path")
@pytest.mark.parametrize("by_position", [1, 2])
@pytest.mark.parametrize("content_type", ["application/json", "text/plain"])
def test_a_route_class_that_passes_the_body_field_by_position_answers_as_0653(content_type, by_position):
    app = positional_route_app(by_position)
    assert run(post(app, "/items/", ITEM, content_type)) == ITEMS[content_type]
    # A route without a body parameter is the release's own, whatever the Content-Type.
    assert run(post(app, "/raw/", ITEM, content_type)) == (200, {"json": {"name": "Foo", "price": 50.5}})
