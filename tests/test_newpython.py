"""The fixes for newer Pythons: `testclient` (3.12+) and `debug-page` (3.8.7+, and 3.7+ once
exceptiongroup is imported).

Each runs a real test program (tests/programs/testclient_app.py) in a fresh
interpreter: a test process may already have an event loop set, which is
exactly what hides the testclient bug. `-W error::DeprecationWarning` is on,
as in the test suites that meet the 3.12/3.13 warning.
"""

import html
import json
import os
import sys

import pytest
import starlette

from support.installs import run_child
from support.releases import PY, applies, installed_version, run_python, starlette_at_least

# The asyncio DeprecationWarning as an error, as in the suites that meet it;
# but not two warnings that are not the testclient fix's business: Starlette
# before 0.46.0 calls asyncio.iscoroutinefunction, deprecated on 3.14 (the
# report names it), and the newest Starlette deprecates httpx for httpx2.
WARNINGS = [
    "error::DeprecationWarning",
    "ignore:'asyncio.iscoroutinefunction' is deprecated:DeprecationWarning",
    "ignore:Using `httpx` with `starlette.testclient` is deprecated",
]
# For the debug page: warnings shown, as by default, but not the one every
# release up to 0.14.2 triggers on 3.13+ by reading the deprecated
# TracebackException.exc_type (fatal under -W error, 0.14.2's page included).
PAGE_WARNINGS = ["default"] + WARNINGS[1:] + ["ignore:Deprecated in 3.13. Use exc_type_str instead.:DeprecationWarning"]
PROGRAM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "programs", "testclient_app.py")
HAS_TESTCLIENT = True
try:
    import starlette.testclient  # noqa: F401  (requests, or httpx from 0.21 on)
except ImportError:  # pragma: no cover - the legs install requests
    HAS_TESTCLIENT = False
pytestmark = pytest.mark.skipif(not HAS_TESTCLIENT, reason="Starlette {} on Python {}.{}: starlette.testclient cannot "
                                "be imported (requests, or httpx from 0.21 on, is missing in this leg)".format(
                                    starlette.__version__, *sys.version_info[:2]))


def program(*args, disable="", warnings=WARNINGS):
    flags = [flag for warning in warnings for flag in ("-W", warning)]
    return run_child([PROGRAM] + list(args), env_extra={"STARLETTE_ASYNCSTREAM_DISABLE": disable}, flags=flags,
                     timeout=60)


@pytest.mark.parametrize("order", [[], ["--import-first"], ["--after-run"]],
                         ids=["after-testclient", "import-first", "after-asyncio-run"])
def test_with_the_import_the_lifespan_form_works_without_warnings(order):
    if order == ["--after-run"] and not applies("testclient") and not starlette_at_least("0.15.0"):
        pytest.skip("Starlette {} (any Python): below 0.12.0b3, whose test client has the same bug, left "
                    "alone by the package".format(starlette.__version__))
    proc = program(*order)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    result = json.loads(proc.stdout)
    assert result["lifespan"] == "home started"
    assert ("testclient" in result["installed"]) is applies("testclient")


@pytest.mark.parametrize("after_run", [False, True], ids=["no-loop-set", "after-asyncio-run"])
def test_without_the_fix_the_range_really_is_broken(after_run):
    proc = program(*(["--after-run"] if after_run else []), disable="testclient")
    # Before 3.12 a thread that never had a loop gets one made up, silently;
    # after asyncio.run() (or from 3.14) there is none to get.
    legacy_client = not starlette_at_least("0.15.0")  # below 0.12.0b3 too, where the package does nothing
    if (not applies("testclient") and not (after_run and legacy_client)) or (PY < (3, 12) and not after_run):
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["lifespan"] == "home started"
        return
    assert proc.returncode == 1
    if PY >= (3, 14) or after_run:
        assert "RuntimeError: There is no current event loop in thread 'MainThread'" in proc.stderr
    else:  # 3.12, 3.13: the DeprecationWarning, an error under -W error
        assert "DeprecationWarning: There is no current event loop" in proc.stderr


@pytest.mark.skipif(starlette_at_least("0.15.0"), reason="Starlette {}: its TestClient runs the app in an anyio "
                    "portal's own loop (0.15.0 on)".format(starlette.__version__))
def test_the_lifespan_and_the_requests_share_the_loop_the_thread_already_has():
    # A loop the test set up before (pytest-asyncio style) is the one used,
    # as asyncio.get_event_loop() always returned it.
    code = """
        import asyncio, json
        import starlette_asyncstream
        from starlette.testclient import TestClient
        from starlette.responses import PlainTextResponse
        mine = asyncio.new_event_loop()
        asyncio.set_event_loop(mine)
        seen = []
        async def app(scope, receive, send):
            seen.append(asyncio.get_event_loop() is mine)
            if scope["type"] == "lifespan":
                while True:
                    message = await receive()
                    await send({"type": message["type"] + ".complete"})
                    if message["type"] == "lifespan.shutdown":
                        return
            await PlainTextResponse("ok")(scope, receive, send)
        with TestClient(app) as client:
            client.get("/")
        TestClient(app).get("/")
        print(json.dumps(seen))
    """
    proc = run_python(code, env={"PYTHONWARNINGS": ",".join(WARNINGS)})
    assert json.loads(proc.stdout) == [True, True, True]
    assert proc.stderr == ""


@pytest.mark.skipif(not applies("testclient"), reason="Starlette {} on Python {}.{}: outside the testclient "
                    "range (there the legacy client leaves the thread's loop unclosed, printed at exit on "
                    "3.6)".format(starlette.__version__, *PY))
def test_a_plain_request_in_a_fresh_thread_gets_a_loop_silently():
    code = """
        import json, threading
        import starlette_asyncstream
        from starlette.testclient import TestClient
        from starlette.responses import PlainTextResponse
        out = []
        def work():
            out.append(TestClient(PlainTextResponse("ok")).get("/").text)
        thread = threading.Thread(target=work)
        thread.start(); thread.join()
        print(json.dumps(out))
    """
    proc = run_python(code, env={"PYTHONWARNINGS": ",".join(WARNINGS)})
    assert json.loads(proc.stdout) == ["ok"]
    assert proc.stderr == ""


def test_our_import_never_imports_the_testclient_or_requests():
    code = """
        import json, sys
        import starlette_asyncstream as sa
        st = sa.status()["testclient"]
        print(json.dumps({"imported": [m for m in ("starlette.testclient", "requests") if m in sys.modules],
                          "detail": st.detail, "installed": st.installed}))
    """
    proc = run_python(code)
    assert proc.stderr == ""
    result = json.loads(proc.stdout)
    assert result["imported"] == []
    assert result["installed"] is False
    if applies("testclient"):
        assert result["detail"] == "waiting: the fix is applied when starlette.testclient is imported"


@pytest.mark.skipif(not applies("testclient"), reason="Starlette {} on Python {}.{}: outside the testclient "
                    "range".format(starlette.__version__, *PY))
def test_uninstall_puts_the_originals_back():
    code = """
        import json
        import starlette_asyncstream as sa
        from starlette.testclient import TestClient, _ASGIAdapter
        ours = [vars(TestClient)["__enter__"], vars(_ASGIAdapter)["send"]]
        sa.uninstall("testclient")
        back = [vars(TestClient)["__enter__"], vars(_ASGIAdapter)["send"]]
        print(json.dumps({"restored": [b is o.__wrapped__ for b, o in zip(back, ours)],
                          "installed": sa.status()["testclient"].installed}))
    """
    proc = run_python(code)
    assert proc.stderr == ""
    assert json.loads(proc.stdout) == {"restored": [True, True], "installed": False}


# --- debug-page ----------------------------------------------------------------


def test_the_debug_page_shows_the_error_and_the_frame_that_raised_it():
    # The package first, as the README asks (the multipart fix acts while starlette.requests is imported).
    proc = program("--import-first", warnings=PAGE_WARNINGS)
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stderr
    result = json.loads(proc.stdout)
    assert result["page_status"] == 500
    assert result["page_type"].startswith("text/html")
    # Unescaped for the comparison: releases before 0.13 escape less of the page.
    page = html.unescape(result["page"].replace("&nbsp", " "))
    assert "<h2>ValueError: kaboom <b></h2>" in page
    if starlette_at_least("0.12.1"):  # the first release whose page shows the frames
        # The frame of the endpoint that raised, with its source line, as 0.14.2 shows it.
        assert "testclient_app.py" in page and "<b>boom</b>" in page
        assert 'raise ValueError("kaboom <b>")' in page
    assert ("debug-page" in result["installed"]) is applies("debug-page")
    # The plain-text page (any other Accept) reads the rest of the traceback module: as before.
    assert result["plain_status"] == 500
    assert 'raise ValueError("kaboom <b>")' in result["plain"], result["plain"]


# exceptiongroup, installed with pytest 7.2+ on 3.7-3.10 (and patching TracebackException there).
needs_exceptiongroup = pytest.mark.skipif(
    not ((3, 7) <= PY < (3, 11) and installed_version("exceptiongroup", "exceptiongroup") is not None),
    reason="Python {}.{}: exceptiongroup is not installed here (pytest needs it on 3.7-3.10 only; none for "
    "3.6)".format(*PY))


@pytest.mark.parametrize("first", [[], pytest.param(["--exceptiongroup"], marks=needs_exceptiongroup)],
                         ids=["plain", "exceptiongroup-first"])
def test_without_the_fix_the_debug_page_is_an_empty_500_where_the_table_says(first):
    proc = program("--import-first", *first, disable="debug-page", warnings=PAGE_WARNINGS)
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stderr
    result = json.loads(proc.stdout)
    assert result["page_status"] == 500
    broken = result["page"] == ""
    # CPython 3.8.7 removed the attribute; before, exceptiongroup's TracebackException does.
    assert broken is (applies("debug-page") and (sys.version_info >= (3, 8, 7) or bool(first)))


@needs_exceptiongroup
def test_with_the_fix_the_debug_page_works_after_exceptiongroup_too():
    proc = program("--import-first", "--exceptiongroup", warnings=PAGE_WARNINGS)
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stderr
    page = html.unescape(json.loads(proc.stdout)["page"].replace("&nbsp", " "))
    assert "<h2>ValueError: kaboom <b></h2>" in page


def test_the_debug_page_range_is_the_releases_that_read_exc_traceback():
    # The table's range against the code of the running release.
    import inspect
    import starlette.middleware.errors as errors

    reads = ".exc_traceback" in inspect.getsource(errors.ServerErrorMiddleware.generate_html)
    removed = not hasattr(__import__("traceback").TracebackException(ValueError, ValueError(), None),
                          "exc_traceback")
    # Gone from CPython 3.8.7; before that, once exceptiongroup is imported (this process:
    # pytest imports it on 3.7-3.10), which 3.6 has none of.
    assert removed is (sys.version_info >= (3, 8, 7) or "exceptiongroup" in sys.modules)
    assert applies("debug-page") is (reads and sys.version_info >= (3, 7))


# --- the post-import hook those fixes wait with ------------------------------


def test_the_import_hook_runs_after_a_real_import_and_not_after_a_failed_one(tmp_path):
    (tmp_path / "good_mod.py").write_text("VALUE = 1\n")
    (tmp_path / "bad_mod.py").write_text("raise ImportError('broken on purpose')\n")
    code = """
        import json, sys
        sys.path.insert(0, {path!r})
        from starlette_asyncstream._hook import when_imported
        seen = []
        when_imported("good_mod", lambda m: seen.append(("good", m.VALUE)))
        when_imported("bad_mod", lambda m: seen.append(("bad", None)))
        try:
            import bad_mod
        except ImportError:
            pass
        import good_mod
        when_imported("good_mod", lambda m: seen.append(("again", m.VALUE)))  # already imported: at once
        print(json.dumps({{"seen": seen, "loader": type(good_mod.__loader__).__name__,
                          "spec_loader": type(good_mod.__spec__.loader).__name__}}))
    """.format(path=str(tmp_path))
    proc = run_python(code)
    assert proc.stderr == ""
    result = json.loads(proc.stdout)
    assert result["seen"] == [["good", 1], ["again", 1]]
    assert result["loader"] == result["spec_loader"] == "SourceFileLoader"


def test_status_says_when_the_python_is_what_keeps_a_fix_out():
    # gzip: Starlette 0.12.0b3-0.38.2, from Python 3.12 (the Python is asked first)
    detail = __import__("starlette_asyncstream").status()["gzip"].detail
    if applies("gzip") or PY >= (3, 12):
        assert "Python" not in detail
    else:
        assert detail == "Python {} is outside the affected range (Python >= 3.12)".format(sys.version.split()[0])


@pytest.mark.skipif(not applies("testclient"), reason="Starlette {} on Python {}.{}: outside the testclient "
                    "range: no loop is made by the package".format(starlette.__version__, *PY))
def test_the_loops_the_fix_makes_are_closed_when_replaced_and_at_exit_but_a_running_one_is_left():
    # After something unsets the thread's loop, the next request gets a new one and the
    # loop made before is closed then; at exit the others are closed, except a loop still
    # running in another thread (closing it would fail).
    code = """
        import asyncio, atexit, json, threading
        loops = {}
        # (registered before the package's own exit handler: so it runs after it)
        atexit.register(lambda: print(json.dumps({k: v.is_closed() for k, v in loops.items()})))
        import starlette_asyncstream
        from starlette.testclient import TestClient
        from starlette.responses import PlainTextResponse
        client = TestClient(PlainTextResponse("ok"))
        started = threading.Event()
        def serve_forever():
            TestClient(PlainTextResponse("ok")).get("/")
            loops["running in a thread, at exit"] = asyncio.get_event_loop()
            loops["running in a thread, at exit"].call_soon(started.set)
            loops["running in a thread, at exit"].run_forever()
        threading.Thread(target=serve_forever, daemon=True).start()
        started.wait(30)
        client.get("/")
        loops["replaced"] = asyncio.get_event_loop()
        asyncio.set_event_loop(None)  # (as asyncio.run() does when it ends)
        client.get("/")
        loops["the last, at exit"] = asyncio.get_event_loop()
        print(json.dumps({k: v.is_closed() for k, v in loops.items()}))
    """
    proc = run_python(code, env={"PYTHONWARNINGS": ",".join(WARNINGS)})
    now, at_exit = [json.loads(line) for line in proc.stdout.splitlines()]
    assert now == {"running in a thread, at exit": False, "replaced": True, "the last, at exit": False}
    assert at_exit == {"running in a thread, at exit": False, "replaced": True, "the last, at exit": True}
    assert proc.stderr == ""

