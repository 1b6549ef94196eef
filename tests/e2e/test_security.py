"""The advisories' requests behind a real uvicorn on 127.0.0.1
(tests/programs/security_app.py): with the package the legacy release
answers as the fixed releases do; with the fixes switched off it is
vulnerable, so each test can fail. Eight requests a server, each bounded
(tests/test_security.py has the in-process cases, ordinary traffic included)."""

import http.client
import sys

import pytest
import starlette

from support.releases import applies
from support.servers import PROGRAMS, free_port, server_env, serving

LEG = "Starlette {} on Python {}.{}".format(starlette.__version__, *sys.version_info[:2])
ROWS = "request-url,form-limits"


def request(port, method, target, headers=None, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        # (skip_host: the Host header is the request's own, as an attacker sends it)
        conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        for key, value in (headers or {"Host": "127.0.0.1:{}".format(port)}).items():
            conn.putheader(key, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        response = conn.getresponse()
        return response.status, response.getheader("x-url-hostname"), response.read().decode()
    finally:
        conn.close()


def urlencoded(n):
    return "&".join("f{}=x".format(i) for i in range(n)).encode()


def files(n):
    return "".join('--b\r\nContent-Disposition: form-data; name="u{0}"; filename="u{0}.txt"\r\n\r\nx\r\n'.format(i)
                   for i in range(n)).encode() + b"--b--\r\n"


@pytest.mark.parametrize("fixed", [True, False], ids=["with-the-fixes", "switched-off"])
def test_the_advisories_requests_behind_uvicorn(fixed):
    if not applies("request-url"):
        pytest.skip("{}: outside the legacy releases the security rows fix".format(LEG))
    env = server_env()
    if not fixed:
        env["STARLETTE_ASYNCSTREAM_DISABLE"] = ROWS
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", "security_app:app", "--host", "127.0.0.1", "--port", str(port),
            "--log-level", "warning"]
    form = {"Host": "example.com", "Content-Type": "application/x-www-form-urlencoded"}
    multipart = {"Host": "example.com", "Content-Type": "multipart/form-data; boundary=b"}
    with serving(argv, PROGRAMS, port, env=env) as (_, log):
        answers = {
            "bad host": request(port, "GET", "/admin", {"Host": "evil.example/public?x="}),
            "good host": request(port, "GET", "/admin", {"Host": "my_service:8000"}),
            "at path": request(port, "GET", "@evil.example", {"Host": "example.com"}),
            "ipv6 host": request(port, "GET", "/where", {"Host": "[::1]:8000"}),
            "1000 fields": request(port, "POST", "/form", form, urlencoded(1000)),
            "1001 fields": request(port, "POST", "/form", form, urlencoded(1001)),
            "1001 files": request(port, "POST", "/form", multipart, files(1001)),
            "1000 files": request(port, "POST", "/form", multipart, files(1000)),
        }
        log.seek(0)
        printed = log.read()
    # (a limit is the client's 400, not an error of the server's: uvicorn logs nothing at --log-level warning)
    assert "Traceback" not in printed and "Error" not in printed, printed
    assert answers["good host"] == (403, "my_service", "blocked")
    assert answers["ipv6 host"][:2] == (200, "::1")
    assert answers["1000 fields"] == (200, "example.com", '{"count":1000,"largest":1}')
    assert answers["1000 files"] == (200, "example.com", '{"count":1000,"largest":0}')
    if fixed:  # as Starlette 1.3.1 answers
        assert answers["bad host"] == (403, "127.0.0.1", "blocked")  # (the server's address)
        assert answers["at path"][:2] == (404, "example.com")
        assert answers["1001 fields"] == (400, "example.com", "Too many fields. Maximum number of fields is 1000.")
        assert answers["1001 files"] == (400, "example.com", "Too many files. Maximum number of files is 1000.")
    else:  # the legacy release: the advisories
        assert answers["bad host"] == (200, "evil.example", "admin area")
        assert answers["at path"][:2] == (404, "evil.example")
        assert answers["1001 fields"] == (200, "example.com", '{"count":1001,"largest":1}')
        assert answers["1001 files"] == (200, "example.com", '{"count":1001,"largest":0}')
