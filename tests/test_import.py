"""The import side effect, each case in a fresh interpreter."""

import json
import os
import sys
import textwrap

import pytest
import starlette

from support.releases import AFFECTED, AT_IMPORT, PY, STREAMING, WITH_RESPONSES, applies, run_python
from support.installs import RAISING_FINDER, run_child, site_view
from starlette_asyncstream import FIX_NAMES
from starlette_asyncstream._ranges import FIXES


PROBE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "programs", "stream_probe.py")


def probe(order="", **env):
    """What tests/programs/stream_probe.py saw, importing the package in that order."""
    proc = run_child([PROBE], env_extra=dict(env, PROBE_IMPORT=order))
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["outcome"], proc.stderr


@pytest.mark.parametrize("order", ["package-first", "responses-first", "starlette-package-first"])
def test_one_import_line_fixes_streaming_whatever_the_import_order(order):
    assert probe(order) == ("body c1c2", "")


def test_without_the_import_the_release_range_really_is_broken():
    outcome, stderr = probe()
    if AFFECTED:
        assert outcome == "error TypeError"
    else:
        assert (outcome, stderr) == ("body c1c2", "")


@pytest.mark.parametrize("value", ["1", "true", "YES", "on", "all"])
def test_opt_out_variable_patches_nothing_but_explicit_install_works(value):
    code = """
        import json, sys
        from starlette.responses import StreamingResponse
        before = vars(StreamingResponse)["__init__"]
        import starlette_asyncstream as sa
        untouched = vars(StreamingResponse)["__init__"] is before
        installed = [f.installed for f in sa.status().values()]
        sa.install()
        after = {n: f.installed == f.applies for n, f in sa.status().items()}
        print(json.dumps([untouched, installed, after, "wrapt" in sys.modules]))
    """
    proc = run_python(code, env={"STARLETTE_ASYNCSTREAM_DISABLE": value})
    assert proc.stderr == ""  # every spelling of "all off" is understood: no "names no fix" warning
    untouched, installed, after, wrapt_loaded = json.loads(proc.stdout)
    assert untouched is True
    assert not any(installed)
    # The fixes that wait for their module (starlette.testclient, ...) are not installed yet.
    assert {n: ok for n, ok in after.items() if n in AT_IMPORT} == {n: True for n in AT_IMPORT}
    assert wrapt_loaded == AFFECTED


@pytest.mark.parametrize("value", ["0", "", "false", "No", "OFF", " off "])
def test_opt_out_variable_with_a_false_value_does_not_opt_out(value):
    assert probe("package-first", STARLETTE_ASYNCSTREAM_DISABLE=value) == ("body c1c2", "")


def test_import_on_a_fixed_release_is_a_true_noop():
    code = """
        import json, sys
        import starlette_asyncstream as sa
        heavy = [m for m in ("wrapt", "starlette.responses", "starlette.concurrency", "asyncio",
                             "starlette_asyncstream._status", "starlette_asyncstream._hook") if m in sys.modules]
        finder = any(type(f).__module__ == "starlette_asyncstream._hook" for f in sys.meta_path)
        from starlette.responses import StreamingResponse
        print(json.dumps({"heavy": heavy, "finder": finder, "installed": [f.installed for f in sa.status().values()],
                          "init_module": StreamingResponse.__init__.__module__,
                          "has_wrapped": hasattr(StreamingResponse.__init__, "__wrapped__")}))
    """
    result = json.loads(run_python(code).stdout)
    # The status module's FixStatus is made on first use, whatever applies (at once on 3.6,
    # which has no module __getattr__).
    assert ("starlette_asyncstream._status" in result["heavy"]) is (sys.version_info < (3, 7))
    # The import hook, and its finder on sys.meta_path, only where a fix applies (wherever one
    # does, another waits for its module: testclient's range holds the streaming rows').
    some = any(applies(f.name) for f in FIXES)
    assert ("starlette_asyncstream._hook" in result["heavy"], result["finder"]) == (some, some)
    result["heavy"] = [m for m in result["heavy"] if m != "starlette_asyncstream._hook"]
    if AFFECTED:
        assert "wrapt" in result["heavy"]
        assert result["has_wrapped"] is applies("dispatch")
    else:
        assert result["heavy"] == (["starlette_asyncstream._status"] if sys.version_info < (3, 7) else [])
        # Only what waits for a module the code then imported: starlette.responses
        # imports starlette.background (iscoroutinefunction's, 3.14+) and
        # starlette.datastructures (request-url's and upload-rollover's, up to 0.14.2).
        assert [n for n, on in zip(FIX_NAMES, result["installed"]) if on] == [
            f.name for f in FIXES if applies(f.name) and set(f.waits_for) & set(WITH_RESPONSES)]
        assert result["has_wrapped"] is False


LAYOUT_CASES = {
    # a fork whose version string is not PEP 440
    "unreadable-version": "import starlette; starlette.__version__ = 'fork-of-0.13'\n",
    # a fork (or a vendored copy) that says no version at all
    "no-version": "import starlette; del starlette.__version__\n",
    # a fork that dropped StreamingResponse's own __init__
    "no-own-init": (
        "import starlette.responses as r\n"
        "r.StreamingResponse = type('StreamingResponse', (r.Response,), {})\n"
    ),
    # a fork whose StreamingResponse.__init__ has no signature to read, or is not callable
    "init-without-signature": "import starlette.responses as r\nr.StreamingResponse.__init__ = min\n",
    "init-not-callable": "import starlette.responses as r\nr.StreamingResponse.__init__ = 42\n",
    # a fork whose StreamingResponse.__init__ calls its first argument something else
    "renamed-content": (
        "import starlette.responses as r\n"
        "_legacy_init = r.StreamingResponse.__init__\n"
        "def __init__(self, body, *args, **kwargs):\n"
        "    _legacy_init(self, body, *args, **kwargs)\n"
        "r.StreamingResponse.__init__ = __init__\n"
    ),
    # a fork whose legacy StreamingResponse.__call__ takes other arguments
    # (where the disconnect fix does not apply, a fork without its own __init__)
    "call-signature": (
        "import starlette.responses as r\n"
        "if not hasattr(r.StreamingResponse, 'listen_for_disconnect'):\n"
        "    _legacy_call = r.StreamingResponse.__call__\n"
        "    async def __call__(self, scope, receive, send, extra=None):\n"
        "        await _legacy_call(self, scope, receive, send)\n"
        "    r.StreamingResponse.__call__ = __call__\n"
        "else:\n"
        "    r.StreamingResponse = type('StreamingResponse', (r.Response,), {})\n"
    ),
    # a fork without the name starlette.responses imported from concurrency
    "no-run-until-first-complete": (
        "import starlette.responses as r\n"
        "if hasattr(r, 'run_until_first_complete'): del r.run_until_first_complete\n"
        "else: r.StreamingResponse = type('StreamingResponse', (r.Response,), {})\n"
    ),
}


@pytest.mark.skipif(
    not AFFECTED,
    reason="Starlette {} is outside 0.12.0b3 <= starlette < 0.14.0 (any Python): "
    "a layout is only checked where a fix applies".format(starlette.__version__),
)
@pytest.mark.parametrize("case", sorted(LAYOUT_CASES))
def test_unknown_layout_warns_and_patches_nothing(case):
    code = LAYOUT_CASES[case] + """
import json, warnings
import starlette.concurrency, starlette.responses
before = (vars(starlette.responses.StreamingResponse).get("__init__"),
          vars(starlette.responses.StreamingResponse).get("__call__"),
          getattr(starlette.responses, "run_until_first_complete", None),
          starlette.concurrency.__dict__.get("run_until_first_complete"))
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import starlette_asyncstream as sa
after = (vars(starlette.responses.StreamingResponse).get("__init__"),
         vars(starlette.responses.StreamingResponse).get("__call__"),
         getattr(starlette.responses, "run_until_first_complete", None),
         starlette.concurrency.__dict__.get("run_until_first_complete"))
print(json.dumps({
    "categories": [w.category.__name__ for w in caught],
    "messages": [str(w.message) for w in caught],
    "untouched": all(a is b for a, b in zip(before, after)),
    "installed": [f.installed for f in sa.status().values()],
    "details": {n: f.detail for n, f in sa.status().items()},
}))
"""
    result = json.loads(run_python(code).stdout)
    # A version that cannot be read is said to be so, not taken for one outside the range.
    versions = {"unreadable-version": "'fork-of-0.13'", "no-version": "''"}
    if case in versions:
        assert {result["details"][f.name] for f in FIXES if f.package == "starlette"} == {
            "cannot read starlette's version " + versions[case]}, result
    assert result["categories"] == ["StarletteLayoutWarning"], result
    assert "nothing of it was patched" in result["messages"][0]
    if case in ("init-without-signature", "init-not-callable"):  # (what it says, for those two)
        assert result["messages"][0] == ("starlette_asyncstream: unexpected layout (LayoutError: StreamingResponse"
                                         ".__init__ does not take (self, content, ...): []); nothing of it was patched")
    assert result["untouched"] is True
    # The broken group is left alone (the fixes of other modules judge their own code).
    assert not any(installed for name, installed in zip(FIX_NAMES, result["installed"]) if name in STREAMING)


def test_an_unreadable_sse_starlette_version_does_not_block_the_starlette_fixes(tmp_path):
    # An sse-starlette fork whose distribution name carries no PEP 440 version.
    (tmp_path / "sse_starlette").mkdir()
    (tmp_path / "sse_starlette" / "__init__.py").write_text("")
    (tmp_path / "sse_starlette-fork.dist-info").mkdir()
    path = os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))
    result = json.loads(run_python(SWITCHES, env={"PYTHONPATH": path}).stdout)
    assert result["warnings"] == [[
        "StarletteLayoutWarning",
        "starlette_asyncstream: cannot read sse-starlette's version 'fork'; nothing of it was patched",
    ]]
    assert result["installed"] == {n: n in AT_IMPORT and applies(n) for n in FIX_NAMES}


SWITCHES = """
import json, sys, warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import starlette_asyncstream as sa
status = sa.status()
print(json.dumps({
    "warnings": [(w.category.__name__, str(w.message)) for w in caught],
    "installed": {n: s.installed for n, s in status.items()},
    "switched_off": {n: s.switched_off for n, s in status.items()},
    "detail": {n: s.detail for n, s in status.items()},
    "wrapt": "wrapt" in sys.modules,
}))
"""


def switches(value):
    proc = run_python(SWITCHES, env={"STARLETTE_ASYNCSTREAM_DISABLE": value})
    assert proc.stderr == ""  # what the import warned was caught, and nothing else was printed
    return json.loads(proc.stdout)


@pytest.mark.parametrize("value", ["dispatch", "tasks,disconnect", " Dispatch , sse-tasks ", "disconnect"])
def test_a_list_of_fix_names_switches_only_those_off(value):
    off = {name.strip().lower() for name in value.split(",")}
    result = switches(value)
    assert result["warnings"] == []
    for name, installed in result["installed"].items():
        assert result["switched_off"][name] is (name in off)
        assert installed is (applies(name) and name not in off and name in AT_IMPORT), (name, result)
        if applies(name) and name not in off and name not in AT_IMPORT:
            assert result["detail"][name].startswith("waiting: the fix is applied when "), (name, result)
        if applies(name) and name in off:
            assert result["detail"][name] == "not installed: switched off with STARLETTE_ASYNCSTREAM_DISABLE=" + value


def test_switching_off_every_fix_that_applies_imports_nothing_heavy():
    on = [n for n in FIX_NAMES if applies(n)]
    assert switches(",".join(on) or "dispatch")["wrapt"] is False


@pytest.mark.parametrize("value", ["dispatch,nope", "please", "dispatch;tasks"])
def test_an_unknown_name_warns_naming_the_fixes_and_switches_everything_off(value):
    result = switches(value)
    assert result["warnings"] == [[
        "RuntimeWarning",
        "starlette_asyncstream: STARLETTE_ASYNCSTREAM_DISABLE={!r} names no fix {}; the fixes are: {}; "
        "every fix is switched off".format(
            value, ", ".join(repr(n) for n in sorted({p.strip() for p in value.split(",")} - set(FIX_NAMES))),
            ", ".join(FIX_NAMES)),
    ]]
    assert not any(result["installed"].values())
    assert all(result["switched_off"].values())


def test_install_and_uninstall_take_fix_names():
    code = """
import json
import starlette_asyncstream as sa
sa.install("dispatch")
one = {n: s.installed for n, s in sa.status().items()}
sa.install()
sa.uninstall("dispatch")
rest = {n: s.installed for n, s in sa.status().items()}
try:
    sa.install("dispatch", "nope")
except ValueError as exc:
    error = str(exc)
print(json.dumps([one, rest, error]))
"""
    proc = run_python(code, env={"STARLETTE_ASYNCSTREAM_DISABLE": "1"})
    assert proc.stderr == ""
    one, rest, error = json.loads(proc.stdout)
    assert one == {n: n == "dispatch" and applies(n) for n in FIX_NAMES}
    assert rest == {n: n != "dispatch" and applies(n) and n in AT_IMPORT for n in FIX_NAMES}
    assert error == "no fix named 'nope'; the fixes are: " + ", ".join(FIX_NAMES)


@pytest.mark.skipif(not applies("testclient"), reason="Starlette {} on Python {}.{}: outside the testclient "
                    "fix's range, nothing waits for starlette.testclient".format(starlette.__version__, *PY))
def test_uninstall_cancels_the_fixes_still_waiting_for_their_module():
    code = """
import json
import starlette_asyncstream as sa
waiting = sa.status()["testclient"].detail
sa.uninstall()
from starlette.testclient import TestClient
print(json.dumps([waiting, sa.status()["testclient"].installed, hasattr(TestClient.__enter__, "__wrapped__")]))
"""
    proc = run_python(code)
    assert proc.stderr == ""
    assert json.loads(proc.stdout) == [
        "waiting: the fix is applied when starlette.testclient is imported", False, False]


@pytest.mark.parametrize("case", [
    "unknown switch name",
    pytest.param("no wrapt", marks=pytest.mark.skipif(
        not AFFECTED, reason="Starlette {} is outside every range (any Python): without wrapt nothing is "
        "missing".format(starlette.__version__))),
])
def test_under_w_error_a_warning_at_import_is_one_line_not_a_traceback(case, tmp_path):
    # -W error turns warnings into exceptions; the application's import must still work.
    env, flags, path = {}, ["-W", "error"], []
    if case == "unknown switch name":
        env["STARLETTE_ASYNCSTREAM_DISABLE"] = "dispatch,nope"
    else:
        path, view_flags = site_view(tmp_path, leave_out=["wrapt"])
        flags += view_flags
    proc = run_child(["-c", "import starlette_asyncstream; print('imported')"], env_extra=env,
                     python_path=path, flags=flags)
    assert (proc.returncode, proc.stdout) == (0, "imported\n"), proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.splitlines()) == 1 and proc.stderr.startswith("RuntimeWarning: starlette_asyncstream: ")


def test_a_warning_at_import_names_the_applications_import_line(tmp_path):
    # As a library's warnings name their caller: the line that imports the package
    # (not a line of the package, nor of the import system).
    app = tmp_path / "app.py"
    app.write_text("import os\nimport starlette_asyncstream\n")
    proc = run_child([str(app)], env_extra={"STARLETTE_ASYNCSTREAM_DISABLE": "bogus"})
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert lines[0].startswith("{}:2: RuntimeWarning: starlette_asyncstream: STARLETTE_ASYNCSTREAM_DISABLE='bogus' "
                               "names no fix 'bogus'".format(app)), proc.stderr
    assert lines[1:] == ["  import starlette_asyncstream"]


def test_a_finder_that_fails_at_import_time_gets_a_warning_not_a_crash():
    # A shim's finder on sys.meta_path that raises while the package reads versions: the
    # application's import goes on, with one warning saying what happened.
    code = RAISING_FINDER + textwrap.dedent("""
        import warnings
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            import starlette_asyncstream
        print([(w.category.__name__, str(w.message)) for w in caught])
        # status() still answers: the fixes whose versions cannot be read say why
        for name, st in starlette_asyncstream.status().items():
            print(name, st.applies, st.needed_here, st.installed, st.detail)
    """)
    proc = run_python(code)
    lines = proc.stdout.splitlines()
    assert lines[0] == str([(
        "StarletteLayoutWarning", "starlette_asyncstream: install() failed (RuntimeError: shim is broken); nothing "
        "of it was patched")]), proc.stdout
    shown = dict(line.split(" ", 1) for line in lines[1:])
    assert list(shown) == list(FIX_NAMES)
    for fix in FIXES:
        if fix.package == "sse-starlette":
            assert shown[fix.name] == ("False False False cannot read the installed versions (RuntimeError: shim "
                                       "is broken)")
        else:  # nothing was patched
            assert shown[fix.name].split()[2] == "False", shown[fix.name]
    assert proc.stderr == ""


@pytest.mark.skipif(not AFFECTED, reason="Starlette {} (any Python): no fix at import, nothing to uninstall".format(
    starlette.__version__))
def test_uninstall_that_cannot_read_the_layout_says_so_and_restores_nothing():
    code = """
        import json, warnings
        import starlette_asyncstream as sa
        import starlette.responses as r
        saved, r.StreamingResponse = r.StreamingResponse, None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sa.uninstall()
        r.StreamingResponse = saved
        print(json.dumps([[w.category.__name__, str(w.message)] for w in caught]))
    """
    proc = run_python(code)
    assert proc.stderr == ""  # (the warning was caught)
    assert json.loads(proc.stdout) == [["StarletteLayoutWarning", "starlette_asyncstream: cannot uninstall "
                                        "(LayoutError: starlette.responses.StreamingResponse is missing or not a "
                                        "class); nothing was restored"]]


def test_an_old_finder_without_find_spec_does_not_stop_a_waited_module_from_being_fixed():
    # A finder of the find_module() kind (an old shim) on sys.meta_path: passed over by the
    # package's import hook, as by the import system.
    code = """
        import sys, warnings
        warnings.simplefilter("ignore", ImportWarning)  # (3.6-3.11 say they fall back to find_module)
        class OldFinder:
            def find_module(self, name, path=None):
                return None
        sys.meta_path.insert(0, OldFinder())
        import starlette_asyncstream
        import starlette.datastructures
        print(starlette_asyncstream.status()["request-url"].installed)
    """
    proc = run_python(code)
    assert (proc.stdout.split(), proc.stderr) == ([str(applies("request-url"))], "")


# --- the import hook among other finders on sys.meta_path ------------------------------
# The testclient fix waits for starlette.testclient, which the package never imports: it is
# put in place by the package's finder when the application imports that module. The probe
# sees what an application sees: `with TestClient(app)` in a main thread whose loop was unset
# (legacy releases: RuntimeError), and status().

WAITED = """
import asyncio, sys
{before}
import starlette_asyncstream as sa
{after}
from starlette.responses import PlainTextResponse
from starlette.testclient import TestClient
async def app(scope, receive, send):
    while scope["type"] == "lifespan":
        message = await receive()
        await send({{"type": message["type"] + ".complete"}})
        if message["type"] == "lifespan.shutdown":
            return
    await PlainTextResponse("ok")(scope, receive, send)
asyncio.set_event_loop(None)
try:
    with TestClient(app) as client:
        print(client.get("/").text)
except RuntimeError as exc:
    print("RuntimeError")
print(sa.status()["testclient"].installed)
"""

NEEDS_TESTCLIENT = pytest.mark.skipif(
    not applies("testclient"), reason="Starlette {} on Python {}.{}: outside the testclient fix's range, nothing "
    "waits for starlette.testclient".format(starlette.__version__, *PY))


def waited_module_fixed(before="", after="", env=None):
    proc = run_python(WAITED.format(before=textwrap.dedent(before), after=textwrap.dedent(after)), env=env)
    assert proc.stderr == ""
    return proc.stdout.split()


@NEEDS_TESTCLIENT
def test_the_import_hook_is_asked_before_a_finder_that_was_there_first():
    # A finder put at the front before the package's import that finds the module itself (a
    # bundle, a zip): the package's finder goes in front of it, and wraps what it finds.
    assert waited_module_fixed(before="""
        import importlib.machinery
        class Bundle:
            def find_spec(self, name, path=None, target=None):
                if name.startswith("starlette"):
                    return importlib.machinery.PathFinder.find_spec(name, path, target)
                return None
        sys.meta_path.insert(0, Bundle())
    """) == ["ok", "True"]


@NEEDS_TESTCLIENT
def test_the_import_hook_takes_the_first_spec_found_not_the_last_finders_answer():
    # An editable install's finder sits after the path finder and answers None for what is
    # not its own: the spec the path finder found is the one that counts.
    assert waited_module_fixed(after="""
        class EditableFinder:
            def find_spec(self, name, path=None, target=None):
                return None
        sys.meta_path.append(EditableFinder())
    """) == ["ok", "True"]


@NEEDS_TESTCLIENT
def test_the_import_hook_and_a_finder_that_asks_the_others_do_not_ask_each_other_forever():
    # An instrumentation shim that, like the package's finder, asks every other finder on
    # sys.meta_path (with no guard of its own): the package's finder answers nothing while it
    # is itself asking, so neither recurses.
    assert waited_module_fixed(before="""
        class Forwarding:
            def find_spec(self, name, path=None, target=None):
                for finder in list(sys.meta_path):
                    if finder is not self and hasattr(finder, "find_spec"):
                        spec = finder.find_spec(name, path, target)
                        if spec is not None:
                            return spec
                return None
        sys.meta_path.insert(0, Forwarding())
    """) == ["ok", "True"]


@NEEDS_TESTCLIENT
def test_the_import_hook_leaves_the_loaders_of_other_modules_and_of_old_style_loaders_alone():
    # What importlib.util.find_spec() gives is the real loader for any module the package
    # does not wait for; and for a waited module whose loader has no exec_module (an old
    # PEP 302 loader), which the package cannot wait on.
    code = """
        import importlib.util, sys
        class OldLoader:
            def load_module(self, name):
                raise ImportError(name)
        class OldStyle:
            def find_spec(self, name, path=None, target=None):
                if name == "starlette.testclient":
                    return importlib.util.spec_from_loader(name, OldLoader())
                return None
        sys.meta_path.insert(0, OldStyle())
        import starlette_asyncstream
        for name in ("tabnanny", "starlette.testclient"):
            print(type(importlib.util.find_spec(name).loader).__name__)
    """
    proc = run_python(code)
    assert (proc.stdout.split(), proc.stderr) == (["SourceFileLoader", "OldLoader"], "")


def test_a_module_the_package_waits_for_that_is_not_there_is_an_import_error(tmp_path):
    # A vendored sse-starlette (no version to read) is judged by its code once
    # sse_starlette.sse is imported; a copy without that module answers the application's
    # import with ModuleNotFoundError, as without the package (its try/except goes on).
    (tmp_path / "sse_starlette").mkdir()
    (tmp_path / "sse_starlette" / "__init__.py").write_text("")
    code = """
        import starlette_asyncstream
        try:
            import sse_starlette.sse
        except ImportError as exc:
            print(type(exc).__name__, exc.name)
    """
    proc = run_child(["-c", textwrap.dedent(code)], python_path=[str(tmp_path)])
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "ModuleNotFoundError sse_starlette.sse\n", "")


@NEEDS_TESTCLIENT
def test_a_fix_switched_off_stays_off_when_its_module_is_imported_for_another_fix():
    # testclient and websocket-loop both wait for starlette.testclient: with testclient switched
    # off, its import installs websocket-loop alone, and the client behaves as the release does.
    assert waited_module_fixed(after="""
        print(sa.status()["testclient"].detail)
    """, env={"STARLETTE_ASYNCSTREAM_DISABLE": "testclient"}) == [
        "not", "installed:", "switched", "off", "with", "STARLETTE_ASYNCSTREAM_DISABLE=testclient",
        "RuntimeError", "False"]
    code = """
        import starlette_asyncstream as sa
        import starlette.testclient
        print(sa.status()["websocket-loop"].installed)
    """
    proc = run_python(code, env={"STARLETTE_ASYNCSTREAM_DISABLE": "testclient"})
    assert (proc.stdout, proc.stderr) == ("{}\n".format(applies("websocket-loop")), "")


@NEEDS_TESTCLIENT
def test_without_wrapt_a_fix_that_needs_none_is_not_said_to_miss_it(tmp_path):
    # A --no-deps install: testclient needs no wrapt, so what status() says of it, installed
    # neither by the import (uninstalled first) nor since, is not about wrapt.
    path, flags = site_view(tmp_path, leave_out=["wrapt"])
    code = ("import starlette_asyncstream as sa; sa.uninstall(); import starlette.testclient; "
            "print(sa.status()['testclient'].detail)")
    proc = run_child(["-c", code], python_path=path, flags=flags)
    assert (proc.returncode, proc.stdout) == (0, "not installed (install() was not called, or it warned why)\n")
    # (where a streaming fix applies, the import said once that wrapt is missing)
    assert "Traceback" not in proc.stderr
    assert proc.stderr.count("RuntimeWarning: starlette_asyncstream: ") == (1 if AFFECTED else 0), proc.stderr
