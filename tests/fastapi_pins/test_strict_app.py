"""A realistic application's own strict suite (tests/strictapp: FastAPI,
streams, SSE, a websocket, uploads, templates, static files, gzip, a
BaseHTTPMiddleware, background tasks, the debug page; pytest.ini says
`filterwarnings = error`), run in a fresh interpreter on this leg's real
releases: it passes with the package (the first line of its conftest.py),
and with each fix switched off it fails exactly where that fix is needed,
with what a user would read.
"""

import asyncio
import os
import xml.etree.ElementTree as ET

import fastapi
import pytest
import starlette

from starlette_asyncstream._ranges import FIXES
from support.installs import run_child
from support.releases import PY, applies

APP = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "strictapp")
LEG = "FastAPI {} (Starlette {}) on Python {}.{}".format(fastapi.__version__, starlette.__version__, *PY)
TESTS = [
    "test_helper_outside_requests", "test_startup_ran", "test_countdown_streams", "test_events_stream",
    "test_async_generator_streams", "test_generator_streams", "test_file_download", "test_websocket_echo",
    "test_small_upload", "test_large_upload", "test_orders_take_json",
    "test_orders_refuse_a_cross_site_text_plain_post", "test_page_renders", "test_report_is_compressed",
    "test_ping_is_too_small_to_compress", "test_static_files", "test_static_files_stay_in_their_directory",
    "test_background_tasks", "test_debug_page",
]
CLIENT = set(TESTS) - {"test_helper_outside_requests"}
# Every HTTP request goes through the app's BaseHTTPMiddleware, which streams
# the response: the tasks bug breaks them all (not the lifespan, the websocket,
# nor the debug page, which ServerErrorMiddleware renders outside it).
HTTP = CLIENT - {"test_startup_ran", "test_websocket_echo", "test_debug_page"}

# Without the fix, the module cannot be imported: pytest stops at collection.
# (3.16, simulated, has no asyncio.iscoroutinefunction at all.)
LEGACY_CHECK = ("DeprecationWarning: 'asyncio.iscoroutinefunction' is deprecated"
                if hasattr(asyncio, "iscoroutinefunction") else
                "AttributeError: module 'asyncio' has no attribute 'iscoroutinefunction'")
AT_COLLECTION = {
    "multipart": "PendingDeprecationWarning: Please use `import python_multipart` instead.",
    "fastapi-multipart": "PendingDeprecationWarning: Please use `import python_multipart` instead.",
    "jinja2": "AttributeError: module 'jinja2' has no attribute 'contextfunction'",
    "iscoroutinefunction": LEGACY_CHECK,
    "fastapi-iscoroutinefunction": LEGACY_CHECK,
}
# Without the fix, these tests fail (and say this).
FAILING = {
    # (the 500 page that says why is cut short in pytest's assertion message)
    "dispatch": ({"test_countdown_streams", "test_events_stream"}, "assert 500 == 200"),
    # a DeprecationWarning from 3.9, a TypeError from 3.11
    "tasks": (HTTP if PY >= (3, 9) else set(), "assert 500 == 200"),
    # asyncio.run() left no loop (every Python); from 3.12 the lookup warns anyway
    "testclient": (CLIENT, "There is no current event loop"),
    "debug-page": ({"test_debug_page"}, "assert ('RuntimeError' in "),
    "debug-page-type": ({"test_debug_page"}, "assert ('RuntimeError' in "),
    "fastapi-json": ({"test_orders_refuse_a_cross_site_text_plain_post"}, "assert 200 == 422"),
    # the sibling's file is served; on 3.15 every static request fails first (commonprefix is deprecated)
    "staticfiles": ({"test_static_files_stay_in_their_directory"} | ({"test_static_files"} if PY >= (3, 15) else set()),
                    "assert 500 == 404" if PY >= (3, 15) else "assert 200 == 404"),
}
# Without the fix a finalizer complains, in whichever test the collector runs
# it (or after the last one): the suite fails, or prints, saying this (gzip:
# only when CPython's order of collection lets GzipFile's finalizer speak,
# which it always does from 3.14).
UNRAISABLE = {
    # (the loop, or, on 3.8, its self-pipe socket first)
    "websocket-loop": (("ResourceWarning: unclosed event loop", "ResourceWarning: unclosed <socket.socket"), True),
    "fastapi-uploads": (("ResourceWarning: unclosed file", "ResourceWarning: Unclosed file"), True),
    "gzip": (("ResourceWarning: unclosed GzipFile" if PY >= (3, 14) else "I/O operation on closed file",),
             PY >= (3, 14)),
}

# The security fixes: an ordinary suite sends no attack, so it passes without
# them too (which shows they change nothing in ordinary traffic: uploads, forms,
# url_for, static files, hosts); their attacks are in tests/test_security.py.
SILENT = {"request-url", "form-limits", "upload-rollover", "fastapi-body-errors"}

pytestmark = pytest.mark.skipif(PY < (3, 8), reason="{}: the application is written for Python 3.8+ "
                                "(asyncio.run, aiofiles' current API)".format(LEG))


def suite(tmp_path, disable=""):
    """Run the app's suite; (exit status, failing test names or "collection", all it printed)."""
    junit = str(tmp_path / "junit.xml")
    proc = run_child(["-m", "pytest", "-p", "no:cacheprovider", "-q", "--junitxml", junit, APP],
                     env_extra={"STARLETTE_ASYNCSTREAM_DISABLE": disable}, cwd=APP, timeout=180)
    printed = proc.stdout + proc.stderr
    if proc.returncode == 2 and "error during collection" in proc.stdout:
        return proc.returncode, "collection", printed
    failing = set()
    for case in ET.parse(junit).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failing.add(case.get("name"))
    return proc.returncode, failing, printed


def test_the_suite_passes_with_the_package(tmp_path):
    code, failing, printed = suite(tmp_path)
    assert (code, failing) == (0, set()), printed
    assert "{} passed in".format(len(TESTS)) in printed and "warning" not in printed, printed


def test_every_fix_is_mapped():
    assert set(AT_COLLECTION) | set(FAILING) | set(UNRAISABLE) | SILENT == {
        f.name for f in FIXES if not f.name.startswith("sse-") and f.name != "disconnect"}


@pytest.mark.parametrize("name", sorted(set(AT_COLLECTION) | set(FAILING) | set(UNRAISABLE)))
def test_without_the_fix_the_suite_fails_where_it_is_needed(tmp_path, name):
    if not applies(name):
        pytest.skip("{}: outside the {} fix's ranges ({})".format(
            LEG, name, next(f for f in FIXES if f.name == name).describe()))
    code, failing, printed = suite(tmp_path, disable=name)
    if name in AT_COLLECTION:
        assert failing == "collection", printed
        assert AT_COLLECTION[name] in printed, printed
    elif name in FAILING:
        expected, says = FAILING[name]
        assert failing == expected, printed
        if expected:
            assert says in printed, printed
    else:
        # A failed test; or, when the collector ran the finalizer after the last
        # test, the same words on stderr (3.8: in a worker thread, exit 0) or
        # pytest's own error at the end of the session (3.15: exit 1, no test failed).
        says, always = UNRAISABLE[name]
        if code != 0:
            assert code == 1 and failing != "collection", printed
        if always or code != 0:
            assert any(text in printed for text in says), printed


def test_without_the_security_fixes_an_ordinary_suite_still_passes(tmp_path):
    off = sorted(name for name in SILENT if applies(name))
    if not off:
        pytest.skip("{}: no security row applies".format(LEG))
    code, failing, printed = suite(tmp_path, disable=",".join(off))
    assert (code, failing) == (0, set()), printed
    assert "{} passed in".format(len(TESTS)) in printed and "warning" not in printed, printed


def test_without_any_fix_it_cannot_even_be_collected(tmp_path):
    if not any(applies(name) for name in AT_COLLECTION):
        pytest.skip("{}: no fix that acts at import applies".format(LEG))
    code, failing, printed = suite(tmp_path, disable="all")
    assert failing == "collection", printed
