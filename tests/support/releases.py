"""What the tests share: the running releases against the range table, a
strict event-loop runner, fresh interpreters. The test process itself is never
patched by the import: the opt-out variable is set before anything imports
the package (here, and conftest imports this first), and tests that want the
fixes call install()/uninstall() through the `patched` fixture. Tests whose
subject is the import side effect run in a subprocess (`run_python`)."""

import asyncio
import gc
import json
import os
import subprocess
import sys
import textwrap

import pytest

os.environ["STARLETTE_ASYNCSTREAM_DISABLE"] = "1"

import starlette  # noqa: E402
import starlette_asyncstream  # noqa: E402,F401  (first imported here, after the opt-out)
from starlette_asyncstream._ranges import FIXES  # noqa: E402
from starlette_asyncstream._pep440 import parse_version  # noqa: E402

STARLETTE = parse_version(starlette.__version__)
PY = sys.version_info[:2]


def installed_version(distribution, module):
    """A distribution's version, read independently of the package under test."""
    try:
        from importlib.metadata import PackageNotFoundError, version
    except ImportError:  # Python 3.6/3.7: the module's own __version__
        try:
            return getattr(__import__(module), "__version__", None)
        except ImportError:
            return None
    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


VERSIONS = {
    "starlette": STARLETTE,
    "sse-starlette": parse_version(installed_version("sse-starlette", "sse_starlette") or "") or None,
    "jinja2": parse_version(installed_version("jinja2", "jinja2") or "") or None,
    # python_multipart, the name since 0.0.13: older releases have no row that applies
    "python-multipart": parse_version(installed_version("python-multipart", "python_multipart") or "") or None,
    "fastapi": parse_version(installed_version("fastapi", "fastapi") or "") or None,
}


def applies(name):
    """Does the range table put the running releases in fix `name`'s range(s)?"""
    return next(f for f in FIXES if f.name == name).applies(VERSIONS)


MODULES = {"starlette": "starlette", "sse-starlette": "sse_starlette", "jinja2": "jinja2",
           "python-multipart": "python_multipart", "fastapi": "fastapi"}


def outside_details(name):
    """What status() may say of a fix whose ranges do not all hold here: the Python, or one of
    the ranges that fails (whichever it reads first), each release read independently."""
    fix = next(f for f in FIXES if f.name == name)
    if VERSIONS[fix.package] is None and (fix.package == "starlette" or installed_version(
            fix.package, MODULES[fix.package]) is None):
        return {"{} is not installed".format(fix.package)}  # (its own package: said first)
    if tuple(sys.version_info[:3]) < fix.python:  # (a row may name a micro release: 3.8.7)
        return {"Python {} is outside the affected range (Python >= {})".format(
            sys.version.split()[0], ".".join(map(str, fix.python)))}
    details = set()
    for package, low, high in fix.ranges:
        text = starlette.__version__ if package == "starlette" else installed_version(package, MODULES[package])
        key = VERSIONS[package]
        if text is None:
            details.add("{} is not installed".format(package))
        elif not (parse_version(low) <= key and (high is None or key < parse_version(high))):
            details.add("{} {} is outside the affected range".format(package, text))
    return details


def assert_outside_details(statuses):
    """Each fix of status() that does not apply here is not installed and says why: outside_details."""
    for name, st in statuses.items():
        if not applies(name):
            assert (st.installed, st.detail in outside_details(name)) == (False, True), (st, outside_details(name))


# The fixes installed by the import itself (in starlette.responses/concurrency);
# the others wait for their module (starlette.testclient, sse_starlette.sse, ...).
STREAMING = [fix.name for fix in FIXES if not fix.waits_for]
# Installing those imports starlette.responses, which imports starlette.background and
# starlette.datastructures: modules that iscoroutinefunction, request-url and
# upload-rollover wait for, so where a streaming fix applies they are in place at once too.
WITH_RESPONSES = ("starlette.background", "starlette.datastructures")
AT_IMPORT = STREAMING + ([f.name for f in FIXES if set(f.waits_for) & set(WITH_RESPONSES)]
                         if any(applies(name) for name in STREAMING) else [])


def ready(name):
    """Does install() put fix `name` in place now: it applies, and its module (if it waits for one) is imported?"""
    fix = next(f for f in FIXES if f.name == name)
    return applies(name) and (not fix.waits_for or any(m in sys.modules for m in fix.waits_for))


# Does a streaming fix apply to the running release (the import patches something)?
AFFECTED = any(applies(name) for name in AT_IMPORT)


# The unit leg that runs this Python's `per_python` tests, when this leg is another of its unit
# legs (scripts/matrix.py sets it; unset outside tox: every test runs).
PER_PYTHON_LEG = os.environ.get("STARLETTE_ASYNCSTREAM_TESTS_PER_PYTHON_IN")


# A test (or a module, as its pytestmark) whose outcome depends on the Python and the package,
# never on the Starlette release (the harness, a command line read, a module that cannot be
# loaded): it runs in one unit leg of each Python and is skipped, naming that leg, in the
# Python's other unit legs.
per_python = pytest.mark.skipif(PER_PYTHON_LEG is not None, reason=(
    "Starlette {} on Python {}.{}: this test does not depend on the Starlette release; it runs in {}"
    .format(starlette.__version__, PY[0], PY[1], PER_PYTHON_LEG)))


def starlette_at_least(text):
    return STARLETTE >= parse_version(text)


def _pending_tasks(loop):
    tasks = asyncio.all_tasks(loop) if hasattr(asyncio, "all_tasks") else asyncio.Task.all_tasks(loop)
    return sorted(repr(t) for t in tasks if not t.done())


def run(coro):
    """asyncio.run for Python 3.6 too (which has no asyncio.run), and strict:
    a task left pending, or an error only the loop saw ("Task was destroyed
    but it is pending", "Task exception was never retrieved"), fails the test,
    as it is a leak a server would carry for every request."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop_errors = []
    loop.set_exception_handler(lambda _, context: loop_errors.append(context["message"]))
    try:
        result = loop.run_until_complete(coro)
        for _ in range(3):  # cancelled tasks finish on the next turns
            loop.run_until_complete(asyncio.sleep(0))
        leftover = _pending_tasks(loop)
    finally:
        try:
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            asyncio.set_event_loop(None)
            loop.close()
    gc.collect()  # a destroyed pending task reports itself from __del__
    assert not loop_errors, "errors only the event loop saw: {}".format(loop_errors)
    assert not leftover, "tasks left pending after the response: {}".format(leftover)
    return result


def unawaited_coroutines(outcome):
    """Let go of what a failed legacy response left (its outcome's exception
    keeps the traceback, whose frames keep the coroutines), collect it here
    and return the names of the coroutines that were never awaited. Legacy
    run_until_first_complete makes them, then asyncio.wait refuses them
    (3.11+): a test that shows that failure on purpose names them, instead of
    leaving a RuntimeWarning to whichever test collects next."""
    import re
    import traceback
    import warnings

    error, seen = outcome.error, []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        while error is not None and not any(error is e for e in seen):
            seen.append(error)
            traceback.clear_frames(error.__traceback__)  # (freed at once, mostly)
            error = error.__context__
        del error, seen
        gc.collect()
    return sorted(name for w in caught for name in re.findall(r"coroutine '([^']+)' was never awaited",
                                                            str(w.message)))


LEGACY_COROUTINES = ["StreamingResponse.listen_for_disconnect", "StreamingResponse.stream_response"]


def run_python(code, env=None, check=True):
    """Run code in a fresh interpreter (same venv); returns CompletedProcess."""
    full_env = dict(os.environ)
    full_env.pop("STARLETTE_ASYNCSTREAM_DISABLE", None)
    full_env.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        universal_newlines=True,
        env=full_env,
        timeout=120,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            "subprocess failed ({}):\n--- stdout\n{}\n--- stderr\n{}".format(
                proc.returncode, proc.stdout, proc.stderr
            )
        )
    return proc


class VersionInfo(tuple):
    """Another interpreter's sys.version_info (monkeypatched in for the tables' pure lookups)."""

    def __new__(cls, major, minor, micro):
        self = tuple.__new__(cls, (major, minor, micro, "final", 0))
        self.major, self.minor, self.micro = major, minor, micro
        return self


_REPLACEMENTS = """
import importlib, inspect, json, warnings
# (the newest Starlette's own notice when starlette.testclient is imported: not ours)
warnings.filterwarnings("ignore", "Using `httpx` with `starlette.testclient` is deprecated")
import starlette_asyncstream
from starlette_asyncstream import _bindings
from starlette_asyncstream._ranges import FIXES
for fix in FIXES:
    for module in fix.waits_for:
        try:
            importlib.import_module(module)
        except Exception:  # (not installed in this leg: that fix does not apply)
            pass
problems = []
for (name, _, attribute), binding in sorted(_bindings.BINDINGS.items(), key=lambda item: (item[0][0], item[0][2])):
    owner, original, live = binding.owner, binding.original, binding.replacement
    now = vars(owner).get(attribute) if isinstance(owner, type) else getattr(owner, attribute, None)
    # In place: ours, or under another fix of ours on the same attribute (debug-page-type wraps
    # debug-page's, the FastAPI rows wrap one another's get_request_handler).
    if binding.state() == "absent" or not any(now is other.replacement for other in _bindings.BINDINGS.values()):
        problems.append([name, attribute, "not in place"])
    if name == "multipart":
        # Not a wrapper: the module global is pointed at python_multipart itself (the renamed
        # package, left as it is); uninstall() puts `multipart` back.
        if live is not importlib.import_module("python_multipart"):
            problems.append([name, attribute, "not python_multipart"])
        continue
    if getattr(live, "__wrapped__", None) is not original:
        problems.append([name, attribute, "__wrapped__ is not the original"])
    if not callable(original) or isinstance(original, type):
        continue
    for what in ("__name__", "__qualname__", "__doc__", "__module__"):
        if getattr(live, what, None) != getattr(original, what, None):
            problems.append([name, attribute, what])
    try:
        signatures = str(inspect.signature(live)), str(inspect.signature(original))
    except (TypeError, ValueError):
        signatures = None, None
    if signatures[0] != signatures[1]:
        problems.append([name, attribute, "signature {} for {}".format(*signatures)])
print(json.dumps({"bindings": len(_bindings.BINDINGS), "problems": problems}))
"""


def replacements_as_read():
    """Every fix that applies here installed (the modules they wait for imported), then each
    replaced attribute read as users read it: {bindings, problems: [[fix, attribute, what]]}."""
    proc = run_python(_REPLACEMENTS)
    assert proc.stderr == ""
    return json.loads(proc.stdout)
