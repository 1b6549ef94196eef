"""The fixes for what a strict test suite meets besides streaming: `multipart`,
`jinja2`, `gzip`, `staticfiles` (CVE-2023-29159) and `debug-page-type`.

Each test runs tests/programs/clean_app.py in a fresh interpreter under
`-W error` (pytest's `filterwarnings = error`, which turns an unraisable
exception or a ResourceWarning into what the program prints on stderr),
with the fix and with it switched off, against the leg's real releases.
Outside a row's range both runs must be the same.
"""

import json
import os
import warnings

import pytest
import starlette

from support.installs import run_child
from support.releases import PY, applies, installed_version, run_python, starlette_at_least

PROGRAM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "programs", "clean_app.py")
# Starlette before 0.46 calls asyncio.iscoroutinefunction, deprecated on
# Python 3.14: not one of these fixes' business (yet).
# The newest Starlette deprecates httpx for httpx2 in its test client: not ours either.
STRICT = ["-W", "error", "-W", "ignore:'asyncio.iscoroutinefunction' is deprecated:DeprecationWarning",
          "-W", "ignore:Using `httpx` with `starlette.testclient` is deprecated"]
LEG = "Starlette {} on Python {}.{}".format(starlette.__version__, *PY)


def outcome(proc):
    """What a program run shows, to compare two: the exit status, the result, what the package
    installed, and the last line on stderr (whole tracebacks differ in object addresses)."""
    lines = proc.stdout.splitlines()
    data = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}
    installed = data.pop("installed", [])
    errors = [line for line in proc.stderr.splitlines() if line and not line.startswith(" ")]
    return proc.returncode, data, errors[-1:], installed


SUPPORTED = starlette_at_least("0.12.0b3")
# Below what the package supports, its bugs are left alone (the first test
# below checks that nothing changes there); the others skip.
supported_only = pytest.mark.skipif(not SUPPORTED, reason="{}: below 0.12.0b3, the oldest release the package "
                                    "supports; no row applies".format(LEG))


def probe(name, disable=""):
    return run_child([PROGRAM, name], env_extra={"STARLETTE_ASYNCSTREAM_DISABLE": disable}, flags=STRICT, timeout=60)


def clean(proc):
    """The program ran to its end and printed nothing but its result."""
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stderr
    return json.loads(proc.stdout)


@supported_only
def test_templates_render_url_for():
    if installed_version("jinja2", "jinja2") is None:  # pragma: no cover - every leg installs it
        pytest.skip("{}: Jinja2 is not installed".format(LEG))
    result = clean(probe("templates"))
    assert (result["status"], result["body"]) == (200, "home is http://testserver/")
    assert ("jinja2" in result["installed"]) is applies("jinja2")
    without = probe("templates", disable="jinja2")
    if not applies("jinja2"):
        assert clean(without)["body"] == result["body"]
    elif installed_version("jinja2", "jinja2").startswith("3.0."):
        assert "DeprecationWarning: 'contextfunction' is renamed to 'pass_context'" in without.stderr
    else:
        assert "AttributeError: module 'jinja2' has no attribute 'contextfunction'" in without.stderr


@supported_only
def test_forms_parse_and_python_multipart_is_imported_by_its_new_name():
    result = clean(probe("form"))
    assert (result["status"], json.loads(result["body"])) == (200, {"a": "1", "f": ["x.txt", "data"]})
    assert ("multipart" in result["installed"]) is applies("multipart")
    without = probe("form", disable="multipart")
    if not applies("multipart") or installed_version("python-multipart", "multipart") in ("0.0.14", "0.0.15"):
        # (0.0.14/0.0.15 have no `multipart` module: nothing warns, legacy forms fail instead)
        assert without.returncode == 0 or not applies("multipart"), without.stderr
        if without.returncode == 0:
            assert clean(without)["body"] == result["body"]
    elif installed_version("python-multipart", "multipart") == "0.0.13":
        assert "FutureWarning: Please use `import python_multipart` instead." in without.stderr
    else:
        assert without.returncode == 1
        assert "PendingDeprecationWarning: Please use `import python_multipart` instead." in without.stderr


@supported_only
def test_gzip_closes_what_it_opens():
    result = clean(probe("gzip"))
    assert result["/small"] == {"status": 200, "encoding": "", "length": 4}
    assert result["/large"]["encoding"] == "gzip" and result["/large"]["status"] == 200
    assert ("gzip" in result["installed"]) is applies("gzip")
    assert result["left_open"] == 0 or not applies("gzip")
    without = probe("gzip", disable="gzip")
    if not applies("gzip"):
        assert clean(without)["/small"] == result["/small"]
        return
    assert without.returncode == 0  # only a finalizer may complain: the responses are the same
    assert json.loads(without.stdout)["/small"] == result["/small"]
    assert json.loads(without.stdout)["left_open"] == 2  # the small response's file, the large one's buffer
    # Whether the finalizer says so depends on the order of collection (3.12.1 here
    # never does, 3.13 mostly does): when it speaks, it says this.
    if without.stderr:
        assert "Exception ignored" in without.stderr
        assert ("ResourceWarning: unclosed GzipFile" if PY >= (3, 14) else
                "ValueError: I/O operation on closed file") in without.stderr


@supported_only
def test_static_files_stay_inside_their_directory():
    # CVE-2023-29159: "/static/../static_private/key.txt" matches "static" by
    # its first letters. Every release answers it with its own 404; ordinary
    # paths (subdirectories, `..` that stays inside) are served as before, and
    # everything else answers as the release does without the fix
    # ("/../static/a.txt": 0.13.4 refuses any path that starts with ".."; a
    # relative directory: 0.13.5 serves nothing from it).
    attacks = ["/static/../static_private/key.txt", "/abs/../static_private/key.txt",
               "/slash/../static_private/key.txt"]
    result = clean(probe("static"))
    for attack in attacks:
        assert result[attack][0] == 404 and "SECRET" not in result[attack][1], attack
    ordinary = {"/abs/a.txt": [200, "public a"], "/abs/sub/b.txt": [200, "public b"],
                "/abs/sub/../a.txt": [200, "public a"], "/abs/missing.txt": [404, "Not Found"]}
    assert {path: result[path] for path in ordinary} == ordinary
    assert (result["/html/"], result["/html/sub/"]) == ([200, "the index"], [404, "Not Found"])
    assert {path.replace("/abs/", "/slash/"): answer for path, answer in ordinary.items()} == {
        path.replace("/abs/", "/slash/"): result[path.replace("/abs/", "/slash/")] for path in ordinary}
    if not starlette_at_least("0.13.5") or starlette_at_least("0.13.6"):
        assert {path.replace("/abs/", "/static/"): answer for path, answer in ordinary.items()} == {
            path.replace("/abs/", "/static/"): result[path.replace("/abs/", "/static/")] for path in ordinary}
    assert ("staticfiles" in result["installed"]) is applies("staticfiles")
    without = clean(probe("static", disable="staticfiles"))
    if applies("staticfiles") and PY >= (3, 15):
        # 3.15 deprecates os.path.commonprefix: under -W error every legacy lookup fails
        assert {answer[0] for path, answer in without.items() if path.startswith("/")} == {500}
        return
    if applies("staticfiles"):
        assert without["/abs/../static_private/key.txt"] == [200, "SECRET"]  # the vulnerability, for real
        if starlette_at_least("0.13.6"):
            assert without["/static/../static_private/key.txt"] == [200, "SECRET"]
    for attack in attacks:
        del without[attack], result[attack]
    assert {k: v for k, v in without.items() if k != "installed"} == {
        k: v for k, v in result.items() if k != "installed"}


@supported_only
def test_the_debug_page_names_the_exception_without_deprecated_attributes():
    result = clean(probe("page"))
    assert (result["status"], result["type"]) == (500, "text/html; charset=utf-8")
    assert result["raised"] == ["Kaboom"]
    # 0.12.x escape less of the message than later releases (each its own page).
    assert result["title"].startswith("<h2>Kaboom: no ") and result["title"].endswith("luck&lt;/b&gt;</h2>") or \
        result["title"] == "<h2>Kaboom: no <b>luck</b></h2>"
    assert ("debug-page-type" in result["installed"]) is applies("debug-page-type")
    without = probe("page", disable="debug-page-type")
    if applies("debug-page-type"):
        assert without.returncode == 1
        assert "DeprecationWarning: Deprecated in 3.13. Use exc_type_str instead." in without.stderr
    else:
        assert clean(without)["title"] == result["title"]


@pytest.mark.skipif(SUPPORTED, reason="{}: from 0.12.0b3 on, the tests above say what changes".format(LEG))
@pytest.mark.parametrize("name", ["templates", "form", "gzip", "static", "page"])
def test_below_the_supported_releases_nothing_changes(name):
    assert outcome(probe(name)) == outcome(probe(name, disable="1"))


# --- what the fixes must not change --------------------------------------------


def test_other_code_keeps_the_modules_as_they_are():
    proc = run_python("""
        import json, os, posixpath, sys, warnings
        import starlette_asyncstream
        import starlette.requests, starlette.staticfiles, starlette.templating  # noqa: F401
        out = {"commonprefix": os.path.commonprefix is posixpath.commonprefix,
               "multipart_in_modules": "multipart" in sys.modules}
        try:
            import jinja2
            out["contextfunction"] = hasattr(jinja2, "contextfunction")
        except ImportError:
            out["contextfunction"] = None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                import multipart  # noqa: F401
            except ImportError:
                pass
        out["multipart_warned"] = [type(w.message).__name__ for w in caught]
        print(json.dumps(out))
    """)
    assert proc.stderr == ""
    out = json.loads(proc.stdout)
    assert out["commonprefix"] is True
    assert out["multipart_in_modules"] is False or not applies("multipart")
    if out["contextfunction"] is not None:
        jinja2_version = installed_version("jinja2", "jinja2")
        assert out["contextfunction"] is (not jinja2_version.startswith("3.1"))
    if applies("multipart") and installed_version("python-multipart", "multipart") not in ("0.0.13", "0.0.14",
                                                                                          "0.0.15"):
        assert out["multipart_warned"] == ["PendingDeprecationWarning"]  # a user's own import still warns


@pytest.mark.skipif(not applies("multipart"), reason="{}: the multipart fix does not apply here (python-multipart "
                    "{})".format(LEG, installed_version("python-multipart", "multipart")))
def test_formparsers_imported_before_the_package_is_pointed_at_python_multipart():
    proc = run_python("""
        import json, warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import starlette.formparsers
        import python_multipart
        import starlette_asyncstream
        before = starlette.formparsers.multipart is python_multipart
        status = starlette_asyncstream.status()["multipart"]
        starlette_asyncstream.uninstall("multipart")
        print(json.dumps([before, status.installed, starlette.formparsers.multipart is python_multipart]))
    """)
    assert proc.stderr == ""
    assert json.loads(proc.stdout) == [True, True, False]


@pytest.mark.skipif(not (applies("debug-page") and applies("debug-page-type")), reason="{}: debug-page and "
                    "debug-page-type do not both apply here".format(LEG))
def test_two_fixes_of_one_module_global_stack_and_come_off_in_any_order():
    proc = run_python("""
        import json, traceback
        import starlette_asyncstream as sa
        import starlette.middleware.errors as errors
        out = [errors.traceback.__wrapped__.__wrapped__ is traceback]
        sa.uninstall("debug-page-type")
        out.append(errors.traceback.__wrapped__ is traceback)
        out.append(sorted(n for n, s in sa.status().items() if s.installed and n.startswith("debug")))
        sa.install()
        sa.uninstall("debug-page")  # the one underneath: switched off inside the other, no warning
        out.append(sorted(n for n, s in sa.status().items() if s.installed and n.startswith("debug")))
        out.append(errors.traceback.__wrapped__.__wrapped__ is traceback)
        sa.install()
        sa.uninstall()
        out.append(errors.traceback is traceback)
        print(json.dumps(out))
    """)
    assert proc.stderr == ""
    assert json.loads(proc.stdout) == [True, True, ["debug-page"], ["debug-page-type"], True, True]


@pytest.mark.skipif(starlette_at_least("0.13.5"), reason="{}: StaticFiles checks with commonprefix from 0.13.5 "
                    "on".format(LEG))
def test_before_the_check_existed_nothing_of_staticfiles_is_touched():
    proc = run_python("""
        import starlette_asyncstream, starlette.staticfiles, os
        print(starlette.staticfiles.os is os)
    """)
    assert (proc.stdout.strip(), proc.stderr) == ("True", "")



@pytest.mark.skipif(not applies("gzip"), reason="{}: the gzip fix does not apply here".format(LEG))
def test_gzip_closes_the_file_and_then_its_buffer_as_0_38_3_does():
    # What users cannot see in a warning (an open BytesIO says nothing) but
    # holds the body in memory: both are closed once the response is sent,
    # however it ended. The responders are recorded by a subclass the
    # middleware is given; the fix is on GZipResponder itself.
    proc, without = [run_python("""
        import asyncio, json
        import starlette_asyncstream
        import starlette.middleware.gzip as gz
        from starlette.responses import PlainTextResponse

        made = []

        class Recorded(gz.GZipResponder):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                made.append(self)

        gz.GZipResponder = Recorded

        async def small(scope, receive, send):
            await PlainTextResponse("tiny")(scope, receive, send)

        async def broken(scope, receive, send):
            raise RuntimeError("before any byte")

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            pass

        scope = {"type": "http", "method": "GET", "path": "/", "headers": [(b"accept-encoding", b"gzip")],
                 "query_string": b"", "root_path": "", "scheme": "http", "server": ("t", 80)}
        out = []
        for app in (small, broken):
            loop = asyncio.new_event_loop()
            try:
                loop.run_until_complete(gz.GZipMiddleware(app)(scope, receive, send))
            except RuntimeError:
                pass
            finally:
                loop.close()
            out.append([made[-1].gzip_file.fileobj is None, made[-1].gzip_buffer.closed])
        print(json.dumps(out))
    """, env={"STARLETTE_ASYNCSTREAM_DISABLE": disable}) for disable in ("", "gzip")]
    assert proc.stderr == ""
    assert json.loads(proc.stdout) == [[True, True], [True, True]]
    # Without it the small response's file and buffer stay open, and so does the
    # file of a response that failed before its first byte.
    assert json.loads(without.stdout) == [[False, False], [False, False]]


# --- event loops the legacy test client leaves open ----------------------------------

LOOPS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "programs", "loops_app.py")
try:
    # (only whether it imports: what the import warns is the release's, not this module's to show
    # at collection: 0.26-0.46 name anyio's BlockingPortal alias, the newest deprecate httpx)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (the newest's StarletteDeprecationWarning is no DeprecationWarning)
        import starlette.testclient  # noqa: F401  (requests, or httpx from 0.21 on)
    HAS_TESTCLIENT = True
except ImportError:  # pragma: no cover - the legs install requests and httpx
    HAS_TESTCLIENT = False
needs_testclient = pytest.mark.skipif(not HAS_TESTCLIENT, reason="{}: starlette.testclient cannot be imported "
                                      "(requests, or httpx from 0.21 on, is missing)".format(LEG))


def loops(case, disable=""):
    return run_child([LOOPS, case], env_extra={"STARLETTE_ASYNCSTREAM_DISABLE": disable}, flags=STRICT, timeout=60)


@supported_only
@needs_testclient
def test_websocket_sessions_close_their_loop():
    if not applies("websocket-loop"):  # outside the row: the package changes nothing here
        assert outcome(loops("websocket")) == outcome(loops("websocket", disable="websocket-loop"))
        return
    result = clean(loops("websocket"))
    assert result["said"] == "hi there"
    assert "websocket-loop" in result["installed"]
    without = loops("websocket", disable="websocket-loop")
    assert without.returncode == 0 and json.loads(without.stdout)["said"] == "hi there"
    assert "ResourceWarning: unclosed event loop" in without.stderr


@needs_testclient
@pytest.mark.skipif(not applies("websocket-loop"), reason="{}: outside the websocket-loop row".format(LEG))
def test_switched_off_under_another_wrapper_a_websocket_session_leaves_its_loop_as_the_release_does():
    # uninstall() with someone's wrapper on top of ours: ours stays, switched off, and
    # closes nothing (the release's own behaviour, its unclosed loop included).
    code = """
        import json, wrapt
        import starlette_asyncstream as sa
        import starlette.testclient as tc
        from starlette.websockets import WebSocket
        loops = []
        def theirs(wrapped, instance, args, kwargs):
            loops.append(instance._loop)
            return wrapped(*args, **kwargs)
        wrapt.wrap_function_wrapper(tc, "WebSocketTestSession._run", theirs)
        async def app(scope, receive, send):
            websocket = WebSocket(scope, receive, send)
            await websocket.accept()
            await websocket.send_text("hi")
            await websocket.close()
        def session():
            with tc.TestClient(app).websocket_connect("/") as websocket:
                return websocket.receive_text()
        said = [session()]
        sa.uninstall("websocket-loop")
        said.append(session())
        print(json.dumps([said, [loop.is_closed() for loop in loops]]))
        loops[1].close()  # (the release's own leak, closed here)
    """
    proc = run_python(code)
    assert json.loads(proc.stdout) == [["hi", "hi"], [True, False]]
    said = [line for line in proc.stderr.splitlines() if not line.startswith(" ")]  # (not the source line)
    assert len(said) == 1 and said[0].endswith(
        "RuntimeWarning: starlette_asyncstream: WebSocketTestSession._run wrapped by another patch after ours; "
        "left in place with ours switched off"), proc.stderr


@needs_testclient
@pytest.mark.skipif(not applies("testclient"), reason="{}: outside the testclient row (the legacy clients "
                    "below 0.12.0b3 fail after asyncio.run(), left alone; 0.15.0 on make their own loops)".format(LEG))
def test_the_loop_the_testclient_fix_sets_is_not_left_open_when_asyncio_run_unsets_it():
    # The testclient fix sets a loop for the thread where none is set; a
    # later asyncio.run() unsets it, and it must not then be collected unclosed.
    result = clean(loops("asyncio-run"))
    assert (result["said"], result["later"], result["again"]) == ("home", "ran", "home")
    assert ("testclient" in result["installed"]) is applies("testclient")


@supported_only
def test_routes_ask_inspect_whether_a_callable_is_async():
    # Plain -W error: Starlette's own asyncio.iscoroutinefunction calls are the subject here.
    strict = ["-W", "error", "-W", "ignore:Using `httpx` with `starlette.testclient` is deprecated"]
    proc = run_child([PROGRAM, "routes"], flags=strict, timeout=60)
    result = clean(proc)
    assert {k: result[k] for k in ("/async", "/sync", "/thing", "/teapot", "background")} == {
        "/async": [200, "async"], "/sync": [200, "sync"], "/thing": [200, "endpoint"],
        "/teapot": [418, "handled teapot"], "background": ["sync task"]}
    assert ("iscoroutinefunction" in result["installed"]) is applies("iscoroutinefunction")
    without = run_child([PROGRAM, "routes"], flags=strict, timeout=60,
                        env_extra={"STARLETTE_ASYNCSTREAM_DISABLE": "iscoroutinefunction"})
    if not applies("iscoroutinefunction"):
        assert clean(without)["/async"] == result["/async"]
    elif hasattr(__import__("asyncio"), "iscoroutinefunction"):  # 3.14, 3.15
        # At route construction (0.13.x: the program fails), or inside requests
        # (0.14.x asks in the exception and errors middleware: the app raises it).
        if without.returncode == 0:
            assert "DeprecationWarning" in json.loads(without.stdout)["raised"], without.stdout
        else:
            assert "DeprecationWarning: 'asyncio.iscoroutinefunction' is deprecated" in without.stderr
    else:  # 3.16, or the leg that simulates it
        assert without.returncode == 1
        assert "AttributeError: module 'asyncio' has no attribute 'iscoroutinefunction'" in without.stderr


BACKGROUND_FIRST = """
import asyncio
import starlette_asyncstream  # noqa: F401
from starlette.background import BackgroundTask

ran = []
loop = asyncio.new_event_loop()
loop.run_until_complete(BackgroundTask(ran.append, "sync task")())
loop.close()
print(ran)
"""


@supported_only
def test_a_background_task_imported_before_the_rest_of_starlette_asks_inspect_too():
    # An application's tasks module whose first Starlette import is starlette.background: from
    # 0.17 it asks through starlette._utils, which it imports half made (on 0.45.3 and 3.14, the
    # fix found nothing to replace when it stopped at the first module that does not ask).
    proc = run_child(["-c", BACKGROUND_FIRST], flags=["-W", "error"], timeout=60)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "['sync task']\n", ""), proc.stderr


@pytest.mark.skipif(not applies("multipart"), reason="{}: the multipart fix does not apply here".format(LEG))
def test_a_broken_python_multipart_never_breaks_the_applications_import(tmp_path):
    # A python_multipart that cannot be imported (its metadata says 0.0.20):
    # the application's imports go on as they would have without the package.
    broken = tmp_path / "python_multipart"
    broken.mkdir()
    (broken / "__init__.py").write_text("raise ImportError('broken on purpose')\n")
    meta = tmp_path / "python_multipart-0.0.20.dist-info"
    meta.mkdir()
    (meta / "METADATA").write_text("Metadata-Version: 2.1\nName: python-multipart\nVersion: 0.0.20\n")
    code = "import starlette_asyncstream\nimport starlette.requests, starlette.formparsers\nprint('imported')\n"
    env = {"PYTHONPATH": str(tmp_path)}
    proc = run_child(["-c", code], env_extra=env)
    without = run_child(["-c", code], env_extra=dict(env, STARLETTE_ASYNCSTREAM_DISABLE="multipart"))
    # As the release does without the fix (legacy releases catch ImportError and go on without
    # forms; later ones catch only ModuleNotFoundError and fail), with nothing of ours in between.
    assert (proc.returncode, proc.stdout) == (without.returncode, without.stdout), proc.stderr
    assert proc.stderr.splitlines()[-1:] == without.stderr.splitlines()[-1:] or proc.returncode == 0
    assert "fixes/multipart.py" not in proc.stderr and "fixes" + os.sep + "multipart.py" not in proc.stderr
    if proc.returncode == 0:  # one sentence at most, never a traceback
        assert "Traceback" not in proc.stderr and len(proc.stderr.splitlines()) <= 2, proc.stderr


@pytest.mark.skipif(not applies("iscoroutinefunction"), reason="Starlette {} on Python {}.{}: outside the "
                    "iscoroutinefunction row (asyncio.iscoroutinefunction warns from 3.14; Starlette 0.46 "
                    "asks inspect)".format(starlette.__version__, *PY))
@pytest.mark.parametrize("first", ["starlette_asyncstream", "starlette.applications"])
def test_exactly_the_modules_whose_code_calls_asyncio_iscoroutinefunction_get_the_stand_in(first):
    # Every module of the installed Starlette, read as source (a comment naming it does not
    # count): those whose code calls asyncio.iscoroutinefunction hold the stand-in once
    # imported, the others keep asyncio itself.
    code = """
        import asyncio, importlib, io, json, pkgutil, tokenize
        import FIRST  # (the package, or an application's modules before it)
        import starlette, starlette.applications, starlette_asyncstream
        seen = {}
        for info in pkgutil.walk_packages(starlette.__path__, "starlette."):
            try:
                module = importlib.import_module(info.name)
            except Exception:  # (an optional dependency this leg has not installed)
                continue
            with open(module.__file__, encoding="utf-8") as f:
                words = [t.string for t in tokenize.generate_tokens(f.readline)
                         if t.type == tokenize.NAME or t.string == "."]
            calls = any(words[i:i + 3] == ["asyncio", ".", "iscoroutinefunction"] for i in range(len(words)))
            seen[info.name] = [calls, "asyncio" in vars(module) and vars(module)["asyncio"] is not asyncio]
        print(json.dumps(seen))
    """
    proc = run_python(code.replace("FIRST", first), env={"PYTHONWARNINGS": "ignore"})
    assert proc.stderr == ""
    seen = json.loads(proc.stdout)
    assert any(calls for calls, _ in seen.values())
    replaced = {name: replaced for name, (_, replaced) in seen.items()}
    assert replaced == {name: calls for name, (calls, _) in seen.items()}
