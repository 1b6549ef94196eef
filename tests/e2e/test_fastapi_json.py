"""CVE-2021-32677 behind a real uvicorn on 127.0.0.1: a cross-site style
`text/plain` post of JSON to a FastAPI JSON route. With the package it is
refused (422) as FastAPI 0.65.2+ refuse it; with the fix switched off the
legacy release accepts it (200). Four requests a server, each bounded."""

import http.client
import json
import sys

import pytest

from support.releases import applies
from support.servers import PROGRAMS, free_port, server_env, serving

import starlette  # noqa: E402

LEG = "Starlette {} on Python {}.{}".format(starlette.__version__, *sys.version_info[:2])
fastapi = pytest.importorskip("fastapi", reason="{} without FastAPI (a Starlette-only e2e leg): no FastAPI route "
                              "to post to".format(LEG))

ITEM = b'{"name": "Foo", "price": 50.5}'


def post(port, content_type):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"Content-Type": content_type} if content_type else {}
        conn.request("POST", "/items/", body=ITEM, headers=headers)
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


@pytest.mark.parametrize("fixed", [True, False], ids=["with-the-fix", "switched-off"])
def test_a_text_plain_json_post_behind_uvicorn(fixed):
    if not fixed and not applies("fastapi-json"):
        pytest.skip("FastAPI {} (any Python): outside 0.42.0 <= fastapi < 0.65.2, nothing to switch "
                    "off".format(fastapi.__version__))
    env = server_env()
    if not fixed:
        env["STARLETTE_ASYNCSTREAM_DISABLE"] = "fastapi-json"
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", "fastapi_json_app:app", "--host", "127.0.0.1", "--port", str(port),
            "--log-level", "warning"]
    with serving(argv, PROGRAMS, port, env=env):
        answers = {ct: post(port, ct) for ct in ("application/json", None, "text/plain",
                                                   "application/x-www-form-urlencoded")}
    ok = (200, {"name": "Foo", "price": 50.5})
    assert answers["application/json"] == answers[None] == ok
    for attack in ("text/plain", "application/x-www-form-urlencoded"):
        status, body = answers[attack]
        if fixed:
            assert status == 422 and [e["msg"] for e in body["detail"]] == ["value is not a valid dict"], body
        else:
            assert (status, body) == ok  # the legacy release takes it: the vulnerability
