"""The application's own strict suite (pytest.ini: filterwarnings = error),
written as its team would: through the TestClient, asserting what clients
get. tests/fastapi_pins/test_strict_app.py runs it in a fresh interpreter
with the package's fixes and with each switched off.
"""

import asyncio

import pytest
from starlette.testclient import TestClient

from app import JOBS, app, total


def test_helper_outside_requests():
    # An ordinary asyncio.run() before the client tests: it leaves the main
    # thread without an event loop, which legacy TestClients then ask for.
    assert asyncio.run(total(1, 2, 3)) == 6


@pytest.fixture(scope="module")
def client():
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_startup_ran(client):
    assert app.state.started is True


def test_countdown_streams(client):
    response = client.get("/countdown", params={"start": 3})
    assert (response.status_code, response.text) == (200, "3\n2\n1\n")
    assert response.headers["x-served-by"] == "strict-app"


def test_events_stream(client):
    response = client.get("/events", params={"count": 2})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.text == "id: 0\nevent: tick\ndata: tick 0\n\nid: 1\nevent: tick\ndata: tick 1\n\n"


def test_async_generator_streams(client):
    assert client.get("/numbers").text == "0,1,2,"


def test_generator_streams(client):
    assert client.get("/letters").text == "abc"


def test_file_download(client):
    response = client.get("/download/site.css")
    assert (response.status_code, response.content) == (200, b"body { color: #222; }\n")


def test_websocket_echo(client):
    with client.websocket_connect("/ws") as ws:
        ws.send_text("hello")
        assert ws.receive_text() == "HELLO"
        ws.send_text("bye")


def test_small_upload(client):
    response = client.post("/profile", data={"name": "ada"}, files={"avatar": ("a.png", b"\x89PNG" * 10)})
    assert response.json() == {"name": "ada", "filename": "a.png", "size": 40}


def test_large_upload(client):
    response = client.post("/profile", data={"name": "bob"}, files={"avatar": ("b.bin", b"\0" * 2000000)})
    assert response.json() == {"name": "bob", "filename": "b.bin", "size": 2000000}


def test_orders_take_json(client):
    response = client.post("/orders", json={"item": "tea", "quantity": 2})
    assert (response.status_code, response.json()) == (200, {"ordered": 2, "of": "tea"})


def test_orders_refuse_a_cross_site_text_plain_post(client):
    # What a browser sends another site's form as, with no CORS preflight (CVE-2021-32677).
    response = client.post("/orders", data='{"item": "tea", "quantity": 200}', headers={"content-type": "text/plain"})
    assert response.status_code == 422


def test_page_renders(client):
    response = client.get("/page")
    assert response.status_code == 200
    assert '<link rel="stylesheet" href="http://testserver/static/site.css">' in response.text


def test_report_is_compressed(client):
    response = client.get("/report", headers={"accept-encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.text.startswith("line 0000 of the quarterly report\n")


def test_ping_is_too_small_to_compress(client):
    response = client.get("/ping", headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in response.headers
    assert response.text == "pong"


def test_static_files(client):
    assert client.get("/static/site.css").text == "body { color: #222; }\n"
    assert client.get("/static/js/app.js").status_code == 200
    assert client.get("/static/missing.css").status_code == 404


def test_static_files_stay_in_their_directory(client):
    # The client would normalise "..": send the path as a browser-less attacker does.
    from urllib.parse import quote

    response = client.get("/static/" + quote("../static_private/key.txt", safe=""))
    assert response.status_code == 404


def test_background_tasks(client):
    del JOBS[:]
    assert client.post("/jobs").json() == {"queued": 2}
    assert JOBS == ["async job", "sync job"]


def test_debug_page(client):
    response = client.get("/boom", headers={"accept": "text/html"})
    assert response.status_code == 500
    assert "RuntimeError" in response.text and "the database is gone" in response.text
