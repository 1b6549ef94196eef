"""python -m starlette_asyncstream --app module:attr: what in the user's own
application the import cannot reach, named with file and line, and shown to
be true by a request (what is named fails, what is called reached streams)."""

import json
import os
import subprocess
import sys
import textwrap

import pytest
import starlette

from support.contents import LEGACY_STREAM_INIT
from support.installs import (RESPONSES_FAIL, assert_responses_fail_warned, failing_aiofiles, responses_import_aiofiles,
                              run_child)
from support.releases import applies, per_python, starlette_at_least

LEG = "Starlette {} on Python {}.{}".format(starlette.__version__, *sys.version_info[:2])
HAS_THREADPOOL_ITERATION = starlette_at_least("0.12.0b3")  # iterate_in_threadpool: #462

HELPERS = """\
from starlette.responses import StreamingResponse


class Inherit(StreamingResponse):
    media_type = "text/plain"
"""

APP = """\
import inspect

import starlette_asyncstream  # noqa: F401  (first, as the README asks)
from starlette.applications import Starlette
from starlette.concurrency import iterate_in_threadpool
from starlette.responses import StreamingResponse
from starlette.routing import Mount, Route

from helpers import Inherit


class LegacyStream(StreamingResponse):
""" + LEGACY_STREAM_INIT + """


class Feed:
    def __init__(self):
        self.left = [b"a", b"b"]

    def __aiter__(self):
        return self

    async def __anext__(self):
        if not self.left:
            raise StopAsyncIteration
        return self.left.pop(0)


async def legacy(request):
    return LegacyStream(Feed())


async def inherits(request):
    return Inherit(Feed())


app = Starlette(routes=[Route("/legacy", legacy), Mount("/sub", routes=[Route("/inherits", inherits)])])
"""

# What a client gets from each route (the claims of the report, checked by requests).
REQUESTS = """\
import asyncio, json, sys
import app as application


async def get(path):
    sent, asked = [], []
    async def receive():  # the request, then a client that stays
        asked.append(1)
        if len(asked) > 1:
            await asyncio.sleep(30)
        return {"type": "http.request", "body": b"", "more_body": False}
    async def send(message):
        sent.append(message)
    scope = {"type": "http", "method": "GET", "path": path, "root_path": "", "scheme": "http",
             "query_string": b"", "headers": [], "client": ("127.0.0.1", 1), "server": ("t", 80),
             "http_version": "1.1"}
    try:
        await application.app(scope, receive, send)
    except Exception as exc:
        return "%s: %s" % (type(exc).__name__, exc)
    return b"".join(m.get("body", b"") for m in sent).decode()


loop = asyncio.new_event_loop()
print(json.dumps({p: loop.run_until_complete(get(p)) for p in sys.argv[1:]}))
"""


def write(directory, **files):
    for name, text in files.items():
        (directory / (name + ".py")).write_text(textwrap.dedent(text))


def report(directory, *args, env=None):
    """The report's CompletedProcess; it prints nothing on stderr, whatever the application does."""
    proc = run_child(["-m", "starlette_asyncstream", "--app"] + list(args), python_path=[str(directory)],
                     cwd=str(directory), env_extra=env)
    assert proc.stderr == "", proc.stderr
    return proc


@pytest.mark.skipif(not HAS_THREADPOOL_ITERATION, reason="{}: no iterate_in_threadpool before 0.12.0b3 (#462), so "
                    "no legacy dispatch to copy".format(LEG))
def test_a_subclass_that_repeats_the_legacy_dispatch_is_named_with_file_and_line(tmp_path):
    write(tmp_path, app=APP, helpers=HELPERS)
    proc = report(tmp_path, "app:app")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    start = lines.index("Application app:app (2 routes; its modules: app, helpers)")
    assert lines[start + 2:start + 6] == [
        "  app.LegacyStream ({}:12): NOT REACHED: its own __init__ repeats the legacy dispatch (inspect.isasyncgen "
        "or iterate_in_threadpool): the fixed StreamingResponse.__init__ never runs, and async iterables other "
        "than generators fail as before".format(tmp_path / "app.py"),
        "    fix: remove that __init__, or let it pass the content to super().__init__()",
        "  helpers.Inherit ({}:4): inherits StreamingResponse.__init__".format(tmp_path / "helpers.py"),
        "",
    ]
    assert lines[-1] == "Result: the application holds 1 place that the import cannot reach (see Application)."
    assert "Traceback" not in proc.stdout + proc.stderr

    # What it says is what a client gets: the subclass named fails, the one reached streams.
    got = run_child(["-c", REQUESTS, "/legacy", "/sub/inherits"], python_path=[str(tmp_path)], cwd=str(tmp_path))
    assert got.stderr == "", got.stderr
    answers = json.loads(got.stdout)
    # (iterate_in_threadpool calls next() on legacy releases, iter() on the newest)
    assert answers["/legacy"] in ("TypeError: 'Feed' object is not an iterator",
                                  "TypeError: 'Feed' object is not iterable"), got.stderr
    assert answers["/sub/inherits"] == "ab", got.stderr

    # --json: the same, as data.
    proc = run_child(["-m", "starlette_asyncstream", "--json", "--app", "app:app"], python_path=[str(tmp_path)],
                     cwd=str(tmp_path))
    assert proc.stderr == "", proc.stderr
    data = json.loads(proc.stdout)
    assert data["exit"] == proc.returncode == 1
    (legacy,) = [r for r in data["app"]["responses"] if r["name"] == "app.LegacyStream"]
    assert (legacy["file"], legacy["line"], legacy["reached"]) == (str(tmp_path / "app.py"), 12, False)
    assert data["app"]["routes"] == 2 and data["app"]["problems"] == []


@pytest.mark.skipif(not HAS_THREADPOOL_ITERATION, reason="{}: no iterate_in_threadpool before 0.12.0b3".format(LEG))
def test_an_application_with_nothing_out_of_reach_keeps_the_report_s_own_result(tmp_path):
    # (It holds os and traceback too: modules that fixes give Starlette's modules in place of
    # others, staticfiles' and the debug page's; holding them is fine.)
    clean = APP.replace("Route(\"/legacy\", legacy), ", "").replace("class LegacyStream(StreamingResponse):",
                                                                   "class LegacyStream:")
    write(tmp_path, app="import os, traceback  # noqa: F401\n" + clean, helpers=HELPERS)
    proc = report(tmp_path, "app:app")
    assert "  nothing here that the import cannot reach" in proc.stdout.splitlines()
    # The fixes it runs with, those that waited for a module it imports included
    # (Starlette() imports starlette.middleware.errors: the debug page's).
    (installed,) = [line for line in proc.stdout.splitlines() if line.startswith("  fixes installed with it: ")]
    assert ("debug-page" in installed.split(": ", 1)[1].split(", ")) is applies("debug-page"), installed
    assert proc.returncode == 0 and proc.stdout.splitlines()[-1].startswith("Result: streaming works"), proc.stdout


@pytest.mark.skipif(not applies("tasks"), reason="{}: the tasks fix (run_until_first_complete) does not apply "
                    "here, so no function of Starlette's is replaced by name".format(LEG))
def test_a_function_taken_by_name_before_the_import_is_named_where_it_was_taken(tmp_path):
    # A user's sitecustomize imports a helper module before anything else.
    write(tmp_path, sitecustomize="import helpers\n", helpers="""\
        from starlette.concurrency import run_until_first_complete
        """, app="""\
        import starlette_asyncstream  # noqa: F401
        from starlette.applications import Starlette
        from helpers import run_until_first_complete

        app = Starlette()
        """)
    proc = report(tmp_path, "app:app")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    for module, line in (("helpers", 1), ("app", 3)):
        assert ("  {}.run_until_first_complete ({}:{}): NOT REACHED: still starlette.concurrency."
                "run_until_first_complete as it was before the fix (taken by name before starlette_asyncstream "
                "was imported): calls through it run unpatched".format(
                    module, tmp_path / (module + ".py"), line)) in proc.stdout.splitlines(), proc.stdout
    assert proc.stdout.splitlines()[-1] == ("Result: the application holds 2 places that the import cannot reach "
                                            "(see Application).")
    # And it is so: the reference it names fails where the fixed function works.
    call = ("import asyncio, gc, helpers, starlette.concurrency as c\n"
            "async def job(): return None\n"
            "for f in (helpers.run_until_first_complete, c.run_until_first_complete):\n"
            "    loop = asyncio.new_event_loop()\n"
            "    try:\n        loop.run_until_complete(f((job, {})))\n"
            "        print('ok')\n"
            "    except TypeError as exc:\n        print('TypeError:', exc)\n"
            "    loop.close()\n"
            "    gc.collect()  # (the refused coroutine says so here, not inside whatever runs next)\n")
    got = run_child(["-c", "import starlette_asyncstream\n" + call], python_path=[str(tmp_path)], cwd=str(tmp_path))
    if sys.version_info >= (3, 11):  # the refused call leaves its coroutine unawaited, as the legacy bug does
        assert "RuntimeWarning: coroutine 'job' was never awaited" in got.stderr, got.stderr
        # (and nothing else: a warning's source line, which 3.13 shows for -c code, is indented)
        said = [line for line in got.stderr.splitlines() if line.strip() and not line.startswith(" ")]
        assert said and all("RuntimeWarning" in line for line in said), got.stderr
    else:
        assert got.stderr == "", got.stderr
    # (Python 3.11 made the unpatched function's call an error; before, it only warns.)
    first = "TypeError: Passing coroutines is forbidden, use tasks explicitly." if sys.version_info >= (3, 11) else "ok"
    assert got.stdout.splitlines() == [first, "ok"], got.stdout + got.stderr


@per_python  # (the report stops before it reads anything of Starlette's)
@pytest.mark.parametrize("target, sentence", [
    ("broken:app", "the application module broken cannot be imported (ZeroDivisionError: division by zero)"),
    ("syntax:app", "the application module syntax cannot be imported at {syntax}:2 (SyntaxError: "),
    ("missing:app", "the application module missing cannot be imported (ModuleNotFoundError: No module named "
                    "'missing')"),
    ("fine:nothere", "the application module fine has no attribute nothere"),
    ("fine:app:extra", "--app takes module:attribute (for example main:app), not 'fine:app:extra'"),
    ("my app:app", "--app takes module:attribute (for example main:app), not 'my app:app'"),
])
def test_an_application_that_cannot_be_loaded_is_one_sentence_and_exit_2(tmp_path, target, sentence):
    write(tmp_path, broken="x = 1 / 0\n", syntax="x = 1\ndef (:\n", fine="app = None\n")
    proc = report(tmp_path, target)
    assert proc.returncode == 2 and "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    result = proc.stdout.splitlines()[-1]
    expected = "Result: the application was not checked: " + sentence.format(syntax=tmp_path / "syntax.py")
    if target == "syntax:app":
        assert result.startswith(expected), result
    else:
        assert result == expected + ".", result
    # The Application section says it too, and --json has it with nothing walked.
    assert "  " + sentence.format(syntax=tmp_path / "syntax.py") in proc.stdout, proc.stdout
    app = json.loads(report(tmp_path, target, "--json").stdout)["app"]
    assert (app["routes"], app["modules"], len(app["problems"])) == (0, [], 1), app


def test_a_route_whose_attribute_fails_is_walked_past(tmp_path):
    # A user's own route class: a property that raises is skipped, the rest of it is walked.
    write(tmp_path, views="async def home(request):\n    return None\n", main="""\
        import starlette_asyncstream  # noqa: F401
        from starlette.applications import Starlette


        class Odd:
            @property
            def app(self):
                raise RuntimeError("not configured")

            endpoint = staticmethod(__import__("views").home)  # views is reached only through here


        app = Starlette()
        app.router.routes.append(Odd())
        """)
    data = json.loads(report(tmp_path, "main:app", "--json").stdout)
    assert data["app"]["modules"] == ["main", "views"] and data["app"]["problems"] == [], data["app"]


def console_script(directory, *args):
    """The leg's `starlette-asyncstream` console script run in directory (the opt-out unset)."""
    script = os.path.join(os.path.dirname(sys.executable), "starlette-asyncstream")
    env = dict(os.environ)
    env.pop("STARLETTE_ASYNCSTREAM_DISABLE", None)
    return subprocess.run([script] + list(args), cwd=str(directory), env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=120)


def test_the_console_script_finds_the_app_in_the_current_directory_as_servers_do(tmp_path):
    # (python -m puts the current directory on sys.path itself; a console script does not.)
    write(tmp_path, main="from starlette.applications import Starlette\napp = Starlette()\n")
    proc = console_script(tmp_path, "--app", "main:app")
    assert "Application main:app (0 routes; its modules: main)" in proc.stdout.splitlines(), proc.stdout + proc.stderr
    assert proc.returncode == (0 if HAS_THREADPOOL_ITERATION else 1) and proc.stderr == "", proc.stderr


def test_a_response_class_made_without_a_class_statement_is_named_with_its_file(tmp_path):
    # type() (or exec) makes a class whose source line cannot be found: the report names its
    # file alone, never "None", and goes on.
    write(tmp_path, app="""\
        import starlette_asyncstream  # noqa: F401
        from starlette.applications import Starlette
        from starlette.responses import StreamingResponse

        Made = type("Made", (StreamingResponse,), {"media_type": "text/plain"})
        app = Starlette()
        """)
    proc = report(tmp_path, "app:app")
    assert "  app.Made ({}): inherits StreamingResponse.__init__".format(tmp_path / "app.py") in (
        proc.stdout.splitlines()), proc.stdout
    assert "None" not in proc.stdout and proc.returncode == (0 if HAS_THREADPOOL_ITERATION else 1), proc.stdout


@pytest.mark.skipif(not responses_import_aiofiles(), reason="{}: starlette.responses does not import aiofiles (from "
                    "0.15.0), so it cannot fail this way".format(LEG))
def test_an_application_checked_where_starlette_responses_cannot_be_imported_is_still_walked(tmp_path):
    # A plain ASGI application beside an aiofiles that fails as aiofiles < 0.6 does on 3.11+:
    # the check has no StreamingResponse to compare classes with, walks the rest and says so
    # where the report's problems say why.
    write(tmp_path, main="async def app(scope, receive, send):\n    pass\n")
    failing_aiofiles(tmp_path)
    proc = run_child(["-m", "starlette_asyncstream", "--app", "main:app"], python_path=[str(tmp_path)],
                     cwd=str(tmp_path))
    assert proc.returncode == 1 and "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    shown = proc.stdout.split("\nApplication ", 1)[1].split("\n\n", 1)[0].splitlines()
    assert shown[0] == "main:app (0 routes; its modules: main)" and shown[-1] == (
        "  nothing here that the import cannot reach"), proc.stdout
    assert proc.stdout.splitlines()[-1] == "Result: streaming FAILS here: {}: the self-test cannot run.".format(
        RESPONSES_FAIL)
    assert_responses_fail_warned(proc.stderr)
    data = run_child(["-m", "starlette_asyncstream", "--app", "main:app", "--json"], python_path=[str(tmp_path)],
                     cwd=str(tmp_path))
    assert_responses_fail_warned(data.stderr)
    app = json.loads(data.stdout)["app"]
    assert (app["routes"], app["modules"], app["problems"], app["responses"]) == (0, ["main"], [], [])


def test_a_response_class_in_a_module_with_an_empty_file_name_is_named_without_one(tmp_path):
    # A loader that leaves __file__ empty (as some embedding and plugin loaders do): inspect
    # cannot name the class's file (TypeError); the report says so and goes on.
    write(tmp_path, app="""\
        import starlette_asyncstream  # noqa: F401
        from starlette.applications import Starlette
        from starlette.responses import StreamingResponse


        class Made(StreamingResponse):
            media_type = "text/plain"


        app = Starlette()
        __file__ = ""
        """)
    proc = report(tmp_path, "app:app")
    assert "  app.Made (no source file): inherits StreamingResponse.__init__" in proc.stdout.splitlines(), \
        proc.stdout
    assert "Traceback" not in proc.stdout and proc.returncode == (0 if HAS_THREADPOOL_ITERATION else 1), proc.stdout


@per_python  # (which module is imported: sys.path, not Starlette)
def test_the_console_script_takes_the_applications_module_before_a_standard_one_of_its_name(tmp_path):
    # As servers put the current directory first: an application module named like a module
    # of the standard library (tabnanny here) is the application's.
    write(tmp_path, tabnanny="from starlette.applications import Starlette\napp = Starlette()\n")
    proc = console_script(tmp_path, "--app", "tabnanny:app")
    assert "Application tabnanny:app (0 routes; its modules: tabnanny)" in proc.stdout.splitlines(), proc.stdout
    assert proc.stderr == "", proc.stderr


@pytest.mark.skipif(not applies("tasks"), reason="{}: the tasks fix (run_until_first_complete) does not apply "
                    "here, so no function of Starlette's is replaced by name".format(LEG))
@pytest.mark.parametrize("shipped", ["pyc", "zip"])
def test_a_reference_in_a_module_shipped_without_source_is_named_without_a_line(tmp_path, shipped):
    # A sourceless deployment (.pyc only) or a zip on sys.path: the module holding Starlette's
    # function by name is named with its file; there is no source line to read, and the report
    # goes on.
    import py_compile
    import zipfile

    write(tmp_path, sitecustomize="import helpers\n", helpers="""\
        from starlette.concurrency import run_until_first_complete
        """, app="""\
        import starlette_asyncstream  # noqa: F401
        from starlette.applications import Starlette

        app = Starlette()
        """)
    source = tmp_path / "helpers.py"
    if shipped == "pyc":
        where = str(tmp_path / "helpers.pyc")
        py_compile.compile(str(source), cfile=where, doraise=True)
        env = None
    else:
        with zipfile.ZipFile(str(tmp_path / "lib.zip"), "w") as archive:
            archive.write(str(source), "helpers.py")
        where = str(tmp_path / "lib.zip" / "helpers.py")
        env = {"PYTHONPATH": os.pathsep.join([str(tmp_path), str(tmp_path / "lib.zip")])}
    source.unlink()
    proc = report(tmp_path, "app:app", env=env)
    assert ("  helpers.run_until_first_complete ({}): NOT REACHED: still starlette.concurrency."
            "run_until_first_complete as it was before the fix (taken by name before starlette_asyncstream was "
            "imported): calls through it run unpatched".format(where)) in proc.stdout.splitlines(), proc.stdout
    assert proc.returncode == 1 and "Traceback" not in proc.stdout, proc.stdout
