"""The advisories the import closes, each proven both ways on the leg's real
Starlette: `request-url` (CVE-2026-48710, CVE-2026-54282),
`form-limits` (CVE-2023-30798, CVE-2024-47874, CVE-2026-54283) and
`upload-rollover` (CVE-2025-54121).

tests/programs/security_app.py sends each advisory's request (and ordinary
ones: hosts with ports, IPv6, underscores, no Host header, root_path; forms
of 1,000 fields, 900 KB fields, uploads) through a plain ASGI call in a fresh
interpreter under -W error. With the fixes, a legacy release answers what the
fixed releases answer; the answers below were printed by that program on
Starlette 1.10.0, and the newest-Starlette leg checks them again every run.
With a fix switched off, the legacy release is vulnerable, so each test can
fail. Behind a real uvicorn: tests/e2e/test_security.py.
"""

import json
import os

import pytest
import starlette

from starlette_asyncstream._pep440 import parse_version
from support.installs import run_child
from support.releases import PY, VERSIONS, applies, run_python, starlette_at_least

PROGRAM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "programs", "security_app.py")
STRICT = ["-W", "error", "-W", "ignore:'asyncio.iscoroutinefunction' is deprecated:DeprecationWarning",
          "-W", "ignore:Using `httpx` with `starlette.testclient` is deprecated",
          "-W", "ignore:Please use `import python_multipart` instead.:PendingDeprecationWarning"]
LEG = "Starlette {} on Python {}.{}".format(starlette.__version__, *PY)
BLOCKED = [403, "blocked"]
THROUGH = [200, "admin area"]


def probe(name, disable=""):
    proc = run_child([PROGRAM, name], env_extra={"STARLETTE_ASYNCSTREAM_DISABLE": disable}, flags=STRICT,
                     timeout=120)
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stderr
    return json.loads(proc.stdout)


def fixed_here(row, fixed_in):
    """The leg answers as the fixed release: the row applies, or the release is a fixed one."""
    if applies(row) or starlette_at_least(fixed_in):
        return
    pytest.skip("{}: outside the `{}` row (legacy releases only) and before {}, which fixed it: the report "
                "names the advisory with its remedy (tests/test_diagnostics.py)".format(LEG, row, fixed_in))


def switchable(row):
    if not applies(row):
        pytest.skip("{}: outside the `{}` row's range, nothing to switch off".format(LEG, row))


# --- request.url (CVE-2026-48710, CVE-2026-54282) -----------------------------

FIXED_HOSTS = {
    "": "http://testserver/admin",
    "127.0.0.1:8000": "http://127.0.0.1:8000/admin",
    "EXAMPLE.com": "http://EXAMPLE.com/admin",
    "[::1]": "http://[::1]/admin",
    "[::1]:8000": "http://[::1]:8000/admin",
    "[not-ipv6]:80": "http://testserver/admin",
    "evil.example#x": "http://testserver/admin",
    "evil.example/public?x=": "http://testserver/admin",
    "evil.example:99999": "http://testserver/admin",
    "evil.example\\x": "http://testserver/admin",
    "example.com": "http://example.com/admin",
    "example.com:8080": "http://example.com:8080/admin",
    "my_service:8000": "http://my_service:8000/admin",
    "user@evil.example": "http://testserver/admin",
    "xn--bcher-kva.example": "http://xn--bcher-kva.example/admin",
    "example.com:65535": "http://example.com:65535/admin",
    "example.com:65536": "http://testserver/admin",
    "example.com:80a": "http://testserver/admin",
    "[::1::2]:80": "http://testserver/admin",
    "[v1.fe]:80": "http://[v1.fe]:80/admin",
}
FIXED_PATHS = {
    "//double": ["http://testserver//double", "testserver"],
    "/ok": ["http://testserver/ok", "testserver"],
    "@evil.example": ["http://testserver/@evil.example", "testserver"],
    "@evil.example, neither": ["@evil.example", None],
    "@evil.example, server only": ["http://testserver/@evil.example", "testserver"],
    "@evil.example/x": ["http://testserver/@evil.example/x", "testserver"],
    "evil.example": ["http://testserver/evil.example", "testserver"],
}
# Each release's own, fixed or not (root_path, joined before the path up to 0.34, the
# IPv6 brackets of 1.x): compared between the runs, not with the newest.
RELEASE_OWN = ("ipv6 server", "root_path", "root_path without /")


def test_request_url_answers_as_the_fixed_releases():
    fixed_here("request-url", "1.3.0")
    got = probe("urls")
    assert got["guard"] == {"evil.example/public?x=": BLOCKED, "evil.example/?": BLOCKED, "example.com": BLOCKED}
    assert got["url"] == FIXED_HOSTS
    assert got["paths"] == FIXED_PATHS
    assert (got["no host"], got["no host, no server"]) == ("http://testserver/admin", "/admin")
    assert got["two hosts"] == ["http://example.com/admin", "http://testserver/admin"]
    assert got["query"] == "http://example.com/a?x=1&y=2"
    assert got["base_url"] == ("http://testserver/" if starlette_at_least("0.12.11") else "None")
    # root_path "@evil.example": legacy releases join it before the path, the newest ignore it here
    assert got["root_path without /"] == (["http://testserver/x", "testserver"] if starlette_at_least("0.35.0")
                                          else ["http://testserver/@evil.example/x", "testserver"])


def test_request_url_without_the_fix_is_the_advisories():
    switchable("request-url")
    fixed = probe("urls")
    off = probe("urls", disable="request-url")
    # CVE-2026-48710: the guard reads /public, the router serves /admin.
    assert off["guard"] == {"evil.example/public?x=": THROUGH, "evil.example/?": THROUGH, "example.com": BLOCKED}
    assert off["url"]["evil.example/public?x="] == "http://evil.example/public?x=/admin"
    assert off["base_url"] == ("http://evil.example/public?x=/" if starlette_at_least("0.12.11") else "None")
    # CVE-2026-54282: the path moves the authority.
    assert off["paths"]["@evil.example"] == ["http://testserver@evil.example", "evil.example"]
    assert off["paths"]["@evil.example, server only"] == ["http://testserver@evil.example", "evil.example"]
    assert off["root_path without /"] == ["http://testserver@evil.example/x", "evil.example"]
    for key in ("ipv6 server", "root_path", "no host, no server", "query", "no query_string"):
        assert fixed[key] == off[key], key
    assert fixed["no query_string"] == ("http://example.com/a" if starlette_at_least("0.12.11")
                                        else "KeyError: 'query_string'")
    for host in ("example.com", "example.com:8080", "[::1]:8000", "my_service:8000", "127.0.0.1:8000"):
        assert fixed["url"][host] == off["url"][host], host  # ordinary traffic unchanged


def test_the_hosts_remembered_as_good_stay_few_whatever_arrives():
    # Good hosts are remembered to spare the check; a client sending a new one each time
    # must not grow that memory without end.
    switchable("request-url")
    code = """
        import starlette_asyncstream
        from starlette.datastructures import URL
        from starlette_asyncstream.fixes import request_url
        for i in range(1000):
            scope = {"type": "http", "path": "/", "query_string": b"", "headers": [(b"host", b"h%d.example" % i)]}
            assert str(URL(scope=scope)) == "http://h%d.example/" % i
        print(len(request_url._GOOD))
    """
    proc = run_python(code)
    assert (proc.stdout.split(), proc.stderr) == (["256"], "")


# --- request.form() (CVE-2023-30798, CVE-2024-47874, CVE-2026-54283) ----------

TOO_MANY_FIELDS = [400, "Too many fields. Maximum number of fields is 1000."]
FIXED_FORMS = {
    "max_fields=3, 5 fields": "Too many fields. Maximum number of fields is 3.",
    "multipart 1000 fields": [200, '{"count":1000,"largest":1}'],
    "multipart 1000 fields and 1000 files": [200, '{"count":2000,"largest":1}'],
    "multipart 1000 files": [200, '{"count":1000,"largest":0}'],
    "multipart 1001 fields": TOO_MANY_FIELDS,
    "multipart 1001 files": [400, "Too many files. Maximum number of files is 1000."],
    "multipart field of 1 MB": [200, '{"count":1,"largest":1048576}'],
    "multipart field of 1 MB + 1": [400, "Part exceeded maximum size of 1024KB."],
    "multipart field of 900 KB": [200, '{"count":1,"largest":921600}'],
    "multipart file of 2 MB": [200, '{"count":1,"largest":0}'],
    "outside an application": ["MultiPartException", "Too many fields. Maximum number of fields is 1000."],
    "urlencoded 1000 fields": [200, '{"count":1000,"largest":1}'],
    "urlencoded 1001 fields": TOO_MANY_FIELDS,
    "urlencoded field of 1 MB": [200, '{"count":1,"largest":1048574}'],
    "urlencoded field of 1 MB + 1": [400, "Field exceeded maximum size of 1024KB."],
    "urlencoded field of 900 KB": [200, '{"count":1,"largest":921600}'],
    "urlencoded field of 1 MB + 1 over three messages": [400, "Field exceeded maximum size of 1024KB."],
    "urlencoded field of 1 MB and another, one message": [200, '{"count":2,"largest":1048574}'],
    "urlencoded 1000 fields of 1.1 KB, one message": [200, '{"count":1000,"largest":1100}'],
    "multipart field of 1 MB and another, one message": [200, '{"count":2,"largest":1048576}'],
    "multipart 1000 fields of 1.1 KB, one message": [200, '{"count":1000,"largest":1100}'],
    "urlencoded 1000 fields of 1.1 KB": [200, '{"count":1000,"largest":1100}'],
    "multipart 1000 fields of 1.1 KB": [200, '{"count":1000,"largest":1100}'],
    "multipart a file, then a field of 1 MB + 1": [400, "Part exceeded maximum size of 1024KB."],
    "multipart 1001 files, split inside one": [400, "Too many files. Maximum number of files is 1000."],
    "multipart 1001 fields, delimiters split": TOO_MANY_FIELDS,
    # the limit crossed in the first of three body messages: that one is all that is read
    "1001 fields split by & then more: messages read": [400, 1],
    "urlencoded field of 1 MB + 1 then more: messages read": [400, 1],
    "urlencoded name field of 1 MB + 1 then more: messages read": [400, 1],
    "multipart field of 1 MB + 1 then more: messages read": [400, 1],
    "form() twice": [200, '{"count":3,"largest":1}'],
}


# python-multipart before 0.0.30 splits urlencoded fields at ";" too (CVE-2026-53538).
SEMICOLONS = VERSIONS["python-multipart"] is None or VERSIONS["python-multipart"] < parse_version("0.0.30")


def test_forms_answer_as_the_fixed_releases():
    fixed_here("form-limits", "1.3.1")
    # (-W error: uploads opened before a limit was crossed are closed, or a ResourceWarning fails the run)
    got = probe("forms")
    semicolons = got.pop("urlencoded 1001 fields split by ;")
    semicolons_read = got.pop("1001 fields split by ; then more: messages read")
    assert got == FIXED_FORMS
    if SEMICOLONS:
        assert semicolons == TOO_MANY_FIELDS
        assert semicolons_read == [400, 1]
    else:
        assert semicolons[0] == 200 and json.loads(semicolons[1])["count"] == 1
        assert semicolons_read == [200, 3]


def test_forms_without_the_fix_are_parsed_whole():
    switchable("form-limits")
    got = probe("forms", disable="form-limits")
    assert got["multipart 1001 fields"] == [200, '{"count":1001,"largest":1}']
    assert got["multipart 1001 files"] == [200, '{"count":1001,"largest":0}']
    assert got["multipart field of 1 MB + 1"] == [200, '{"count":1,"largest":1048577}']
    assert got["urlencoded 1001 fields"] == [200, '{"count":1001,"largest":1}']
    assert got["urlencoded field of 1 MB + 1"] == [200, '{"count":1,"largest":1048575}']
    assert got["outside an application"] == ["no error"]
    assert got["multipart 1001 fields, delimiters split"] == [200, '{"count":1001,"largest":1}']
    assert got["1001 fields split by & then more: messages read"] == [200, 3]
    assert got["urlencoded field of 1 MB + 1 then more: messages read"] == [200, 3]
    assert got["multipart field of 1 MB + 1 then more: messages read"] == [200, 3]
    assert got["max_fields=3, 5 fields"] == "form() takes no max_fields"
    for name, answer in FIXED_FORMS.items():  # under the limits: the same answers
        if answer[0] == 200:
            assert got[name] == answer, name


# --- UploadFile.write (CVE-2025-54121) -----------------------------------------

def test_an_upload_rolls_over_in_a_worker_thread():
    if starlette_at_least("0.15.0") and not starlette_at_least("0.47.2"):
        pytest.skip("{}: the rollover runs in the event loop before 0.47.2 and the `upload-rollover` row "
                    "covers the legacy releases only: the report names CVE-2025-54121".format(LEG))
    # (before 0.13.5 every write went to the thread pool: those releases were never affected)
    # Only the write that rolls over moves to a worker thread; one that stays in memory is
    # written in the event loop, as 0.47.2 writes it; once on disk, each goes to the pool.
    first = "event loop thread" if starlette_at_least("0.13.5") else "worker thread"
    assert probe("rollover") == {"size": 1048581, "rolled over in": ["worker thread"],
                                 "written in": [first, first, "worker thread", "worker thread"]}


def test_without_the_fix_the_rollover_blocks_the_event_loop():
    switchable("upload-rollover")
    assert probe("rollover", disable="upload-rollover") == {
        "size": 1048581, "rolled over in": ["event loop thread"],
        "written in": ["event loop thread", "event loop thread", "event loop thread", "worker thread"]}


@pytest.mark.usefixtures("patched")
@pytest.mark.parametrize("scheme, default", [("http", 80), ("https", 443), ("ws", 80), ("wss", 443)])
def test_a_url_from_the_server_names_its_port_unless_it_is_the_schemes_own(scheme, default):
    # No Host header: the URL is made from scope["server"], as every release makes it
    # (the fix rewrites URL.__init__ where it applies: this is that rewrite too).
    from starlette.datastructures import URL

    def url(port):
        scope = {"type": "http", "scheme": scheme, "server": ("example.org", port), "path": "/p",
                 "query_string": b"", "headers": []}
        return str(URL(scope=scope))

    assert url(default) == "{}://example.org/p".format(scheme)
    for port in (default - 1, default + 1):
        assert url(port) == "{}://example.org:{}/p".format(scheme, port)
