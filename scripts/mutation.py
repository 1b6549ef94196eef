"""Mutation testing of the package with cosmic-ray (opt-in: scripts/tox -e mutation).

    python scripts/mutation.py run [--thorough] [GROUP ...]    # every group by default; prints the score
    python scripts/mutation.py rerun [--thorough] [--keep-map] [GROUP ...]  # only the last survivors
    python scripts/mutation.py report                          # the last run's counts and survivors again
    python scripts/mutation.py map [LEG ...]                   # only the coverage map (to see what reaches what)
    python scripts/mutation.py test GROUP                      # what cosmic-ray runs for one mutant (internal)

A run first maps the suite: each leg of LEGS (tox environments of the default
run, made with `tox --notest` when missing; 3.14/3.15 in the sid root) runs
its whole tox suite once on an unmutated copy of HEAD under coverage, with
the running test as coverage's context, in the tests' process and in the
child processes they start (fresh interpreters, servers, the report). Then
cosmic-ray mutates the modules of each GROUP in a copy, one mutant at a
time, and for each one every leg runs, with -x, the tests that ran the lines
the mutant changed (those that run the rare lines around it first, each
test's worth divided by its time; for a module-level statement, every test
that ran the module; at most 10 s of tests, as the map timed them, per leg
and 8 legs unless --thorough):
killed at the first failure, survived when all pass. Lines no test ran as
coverage saw it (a child started with -S runs no .pth and is not measured)
are tried with the tests that start such children (found in the tests'
code: BLIND_HELPERS), in every leg that has them, then with the tests that
ran the rest of their module, in two legs; a survivor there is marked "no
test runs it". Before all of that, a mutant runs the tests seen killing a
mutant of the same source line before, in their own legs, past the caps:
an earlier session's (.tox/mutation-work/killers.json) and those found by
hand for a survivor (scripts/mutation_killers.json, committed).

The legs run the copy, not their installed package: a .pth file in each leg
puts the directory that MUTANT_ROOT names where the installed package would
be, before site-packages (not PYTHONPATH, which the tests' own interpreters
and venvs would see too). Two copies run side by side (the machine's two
cores), each taking whole groups. Work files: .tox/mutation-work/ (the map,
each group's cosmic-ray session, the copies, the last results).

Operators: cosmic-ray's core set, with each comparison replaced only by its
boundary or negation (== by !=, < by <=, in by not in, ...) and each binary
operator by one other, instead of by every other operator (a comparison
turned into `is`, or `+` into `<<`, finds nothing the boundary does not, and
would double the run). Only committed code is mutated (the copies are `git
worktree`s of HEAD): commit, then run.
"""

import ast
import configparser
import functools
import json
import os
import pickle
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, ".tox", "mutation-work")
# The main checkout's tox environments, for a copy whose own .tox is empty.
ENVS_VAR = "STARLETTE_ASYNCSTREAM_MUTATION_ENVS"
MUTANT_ROOT = "STARLETTE_ASYNCSTREAM_MUTANT_ROOT"
PTH = "zz_starlette_asyncstream_mutant.pth"
MAP = "map.pickle"  # the coverage map, under WORK
# Where the installed package would be found: before site-packages, after PYTHONPATH (which
# the tests use to put other copies of the package first, as users do).
# The legs whose tests may kill a mutant, ordered so that the first ones differ most (a mutant
# runs the first eight that ran its lines): an affected release on 3.11, its sse, FastAPI and
# clean legs, the newest release (a no-op) on 3.13, an affected release on 3.14 (the sid root),
# 0.12 with wrapt 1 on 3.8, 3.6; then the oldest release the security rows reach, 0.14.2, the
# other clean legs (0.45.3 on 3.14: the last release that asks asyncio, from _utils), the sse
# legs (0.10.3: anyio, no run_until_first_complete to take by name), the stack legs, 3.15 and the
# simulated 3.16. Each runs its tox suite once under coverage (the map); a mutant then runs, leg
# by leg, only the tests that executed the lines it changed.
LEGS = [
    "py311-unit-starlette0.13.6-wrapt2",
    "py311-sse0.6.2-starlette0.13.2-wrapt2",
    "py311-fastapi0.61.2-wrapt2",
    "py311-clean-starlette0.13.4-wrapt2",
    "py313-unit-starlette-newest-wrapt2",
    "py314-unit-starlette0.13.6-wrapt2",
    "py38-unit-starlette0.12.13-wrapt1",
    "py36-unit-starlette0.13.6-wrapt1",
    "py311-unit-starlette0.12.0b3-wrapt2",
    "py313-unit-starlette0.14.2-wrapt2",
    "py311-clean-starlette0.26.1-wrapt2",
    "py313-clean-starlette0.38.2-wrapt2",
    "py312-clean-starlette0.41.0-wrapt2",
    "py314-clean-starlette0.45.3-wrapt2",
    "py311-sse0.4.0-starlette0.12.13-wrapt2",
    "py311-sse0.10.3-starlette0.13.6-wrapt2",
    "py313-sse1.1.6-starlette-newest-wrapt2",
    "py311-stack-starlette0.13.6-wrapt2",
    "py312-stack-starlette0.13.6-wrapt2",
    "py313-stack-starlette0.13.6-wrapt2",
    "py314-stack-starlette0.13.6-wrapt2",
    "py315-as316-clean-starlette0.13.6-wrapt2",
    "py315-as316-fastapi0.61.2-wrapt2",
]
SID = ("py314", "py315")  # legs whose Python lives in the sid root (scripts/sid)
# group: the modules cosmic-ray mutates in one session (one copy runs a whole group).
GROUPS = {
    "core": ["starlette_asyncstream/_core.py", "starlette_asyncstream/_bindings.py", "starlette_asyncstream/_hook.py",
             "starlette_asyncstream/__init__.py", "starlette_asyncstream/_status.py",
             "starlette_asyncstream/_versions.py"],
    "table": ["starlette_asyncstream/_ranges.py", "starlette_asyncstream/_pep440.py"],
    "report": ["starlette_asyncstream/__main__.py", "starlette_asyncstream/_selftest.py"],
    "stack": ["starlette_asyncstream/_stack.py", "starlette_asyncstream/_security.py"],
    "appcheck": ["starlette_asyncstream/_appcheck.py"],
    "plugin": ["starlette_asyncstream_pytest.py"],
    "run": ["starlette_asyncstream/_run.py", "starlette_asyncstream/_bootstrap/sitecustomize.py"],
    "streaming": ["starlette_asyncstream/fixes/dispatch.py", "starlette_asyncstream/fixes/tasks.py",
                  "starlette_asyncstream/fixes/disconnect.py"],
    "newpython": ["starlette_asyncstream/fixes/testclient.py", "starlette_asyncstream/fixes/debug_page.py",
                  "starlette_asyncstream/fixes/debug_page_type.py", "starlette_asyncstream/fixes/websocket_loop.py",
                  "starlette_asyncstream/fixes/jinja2.py", "starlette_asyncstream/fixes/multipart.py",
                  "starlette_asyncstream/fixes/gzip.py", "starlette_asyncstream/fixes/staticfiles.py",
                  "starlette_asyncstream/fixes/iscoroutinefunction.py"],
    "security": ["starlette_asyncstream/fixes/request_url.py", "starlette_asyncstream/fixes/form_limits.py",
                 "starlette_asyncstream/fixes/upload_rollover.py"],
    "sse": ["starlette_asyncstream/fixes/sse_dispatch.py", "starlette_asyncstream/fixes/sse_tasks.py",
            "starlette_asyncstream/fixes/sse_disconnect.py"],
    "fastapi": ["starlette_asyncstream/fixes/fastapi_json.py", "starlette_asyncstream/fixes/fastapi_uploads.py",
                "starlette_asyncstream/fixes/fastapi_multipart.py",
                "starlette_asyncstream/fixes/fastapi_body_errors.py",
                "starlette_asyncstream/fixes/fastapi_iscoroutinefunction.py"],
}

KEEP_COMPARISONS = {"Eq_NotEq", "NotEq_Eq", "Lt_LtE", "LtE_Lt", "Gt_GtE", "GtE_Gt", "Is_IsNot", "IsNot_Is",
                    "In_NotIn", "NotIn_In"}
KEEP_BINARY = {"Add_Sub", "Sub_Add", "Mul_Div", "Div_Mul", "FloorDiv_Mul", "Mod_FloorDiv", "Pow_Mul",
               "BitOr_BitAnd", "BitAnd_BitOr", "BitXor_BitOr", "LShift_RShift", "RShift_LShift"}
# Seconds one mutant may take over all its legs; more is a hang the mutant caused (counted as
# killed). pytest-timeout stops one test at 120 s first.
TIMEOUT = 1800.0
LEG_TIMEOUT = 300.0  # seconds one leg's pytest may take for one mutant (its selection: 10 s of tests)
UNREACHED = "scripts/mutation.py: no test of any leg runs the lines this mutant changed"
NEAR = 12  # lines either side of a mutant whose tests are asked first
# At most this many seconds of tests per leg for one mutant (as the map timed them, under
# coverage), in _selection's order: a line of the install path runs in hundreds of tests of
# every leg, and a mutant they all miss would cost minutes. `run --thorough` (or BUDGET=all)
# runs every test that ran the lines.
BUDGET = "STARLETTE_ASYNCSTREAM_MUTATION_SECONDS"
DEFAULT_BUDGET = 10.0
OVERHEAD = 0.3  # seconds pytest adds to each test it runs, whatever the test (setup, report)
# And at most this many legs, the first of LEGS that ran the lines (--thorough: every one).
LEGS_VAR = "STARLETTE_ASYNCSTREAM_MUTATION_LEGS"
DEFAULT_LEGS = 8
INTERNAL = "scripts/mutation.py: the test command itself failed (counted as a survivor)"
# Tests seen killing a mutant, by the source line it changed (its module and its text, so that
# code moved by an edit keeps them): those of earlier sessions (KILLERS under WORK, written
# after each group) and those found by hand for a survivor of an earlier run (KILLERS_FILE,
# committed: each seen failing on a copy with that mutant applied). A mutant of such a line runs
# them first, in their own legs, past the caps: a kill that only a leg past the first eight or
# a test past the budget finds is found at once the next time.
KILLERS = "killers.json"
KILLERS_FILE = os.path.join(ROOT, "scripts", "mutation_killers.json")
KILLED_BY = re.compile(r"^killed by (\S+) \(leg \w+, test \d+ of \d+: (.+)\)$", re.M)

# The map: while each leg's suite runs once on the unmutated copy, coverage runs in the tests'
# process and in every child process that keeps the environment (the leg's PTH starts it when
# COVER names the directory that holds coverage and the plugin below); the plugin names the
# running test as coverage's context, in the process and (through CONTEXT, which the children's
# coverage configuration reads) in its children.
COVER = "STARLETTE_ASYNCSTREAM_MUTATION_COVER"
CONTEXT = "STARLETTE_ASYNCSTREAM_MUTATION_TEST"
FAILED = "STARLETTE_ASYNCSTREAM_MUTATION_FAILED"
DURATIONS = "STARLETTE_ASYNCSTREAM_MUTATION_DURATIONS"
PLUGIN = "starlette_asyncstream_mutation_context"
PLUGIN_SOURCE = '''"""Names the running test as coverage's context (scripts/mutation.py's map)."""
import os

import coverage
import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    cov = coverage.Coverage.current()
    os.environ["{context}"] = item.nodeid
    if cov is not None:
        cov.switch_context(item.nodeid)
    yield
    os.environ.pop("{context}", None)
    if cov is not None:
        cov.switch_context("")


def pytest_runtest_logreport(report):
    with open(os.environ["{durations}"], "a") as f:
        f.write("{{}}\\t{{}}\\n".format(report.nodeid, report.duration))
    if report.failed:
        with open(os.environ["{failed}"], "a") as f:
            f.write(report.nodeid + "\\n")
'''.format(context=CONTEXT, failed=FAILED, durations=DURATIONS)
# Where the installed package would be found: before site-packages, after PYTHONPATH (which
# the tests use to put other copies of the package first, as users do); coverage only for the map.
PTH_LINE = ("import os, sys; r = os.environ.get({!r}); r and sys.path.insert(next((i for i, p in "
            "enumerate(sys.path) if p.endswith('-packages')), len(sys.path)), r); c = os.environ.get({!r}); "
            "c and (sys.path.append(c), __import__('coverage').process_startup())\n").format(MUTANT_ROOT, COVER)


def envs_root():
    return os.environ.get(ENVS_VAR) or os.path.join(ROOT, ".tox")


def _sid(leg):
    return leg.startswith(SID)


def _suite_args(leg):
    """The leg's tox suite: its pytest arguments with posargs' defaults (scripts/matrix.py's SUITES)."""
    from matrix import SUITES  # (scripts/ is this script's own directory: first on sys.path)

    suite = next(p for p in leg.split("-")[1:] if p != "as316")
    suite = next(s for s in SUITES if suite.startswith(s))
    return re.sub(r"\{posargs:([^}]*)\}", r"\1", SUITES[suite]).split()


def _leg_env(leg, copy):
    """The leg's own set_env from tox.ini (the simulated 3.16's PYTHONPATH), for a copy."""
    return dict(_tox_config(copy).get(leg, {}))


@functools.lru_cache(maxsize=None)  # (one mutant asks for up to ten legs: tox.ini is read once)
def _tox_config(copy):
    """{leg: its set_env} from a copy's tox.ini, {toxinidir} made the copy."""
    config = configparser.RawConfigParser(strict=False)
    config.read(os.path.join(copy, "tox.ini"))
    legs = {}
    for section in config.sections():
        if section.startswith("testenv:") and config.has_option(section, "set_env"):
            values = legs.setdefault(section[len("testenv:"):], {})
            for line in config.get(section, "set_env").splitlines():
                if "=" in line:
                    key, value = line.split("=", 1)
                    values[key.strip()] = value.strip().replace("{toxinidir}", copy)
    return legs


def _leg_argv(leg, copy, env, argv):
    """argv run with the leg's Python in copy: directly, or in the sid root with env passed in."""
    python = os.path.join(envs_root(), leg, "bin", "python")
    if not _sid(leg):
        return [python] + argv, dict(os.environ, **env)
    sid = os.path.join(os.path.dirname(envs_root()), "scripts", "sid")
    return ([sid, "run", "env"] + ["{}={}".format(k, v) for k, v in sorted(env.items())]
            + ["sh", "-c", 'cd "$0" && exec "$@"', copy, python] + argv), dict(os.environ)


def _statement_lines(source, lines):
    """{first line of the innermost statement holding each changed line (what coverage records):
    whether that statement is inside a function (run by the tests that call it, in their context)}."""
    spans = []

    def walk(node, in_function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                spans.append((child.lineno, getattr(child, "end_lineno", child.lineno), in_function))
            walk(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))

    walk(ast.parse(source), False)
    found = {}
    for line in lines:
        inside = [s for s in spans if s[0] <= line <= s[1]]
        first, _, in_function = min(inside, key=lambda s: s[1] - s[0]) if inside else (line, line, False)
        found[first] = found.get(first, True) and in_function
    return found


def _uses(source, lines):
    """Where the names that a changed module- or class-level assignment binds are read (a constant
    such as the opt-out's spellings runs once, at import, in every test: the lines that read it tell
    its tests apart)."""
    tree = ast.parse(source)
    names = set()
    for scope in [tree] + [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]:
        for node in scope.body:
            if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and any(
                    node.lineno <= line <= getattr(node, "end_lineno", node.lineno) for line in lines):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names.update(t.id for target in targets for t in ast.walk(target) if isinstance(t, ast.Name))
    return {node.lineno for node in ast.walk(tree)
            if (isinstance(node, ast.Name) and node.id in names and isinstance(node.ctx, ast.Load))
            or (isinstance(node, ast.Attribute) and node.attr in names)}


# Words too common in the package's code to tell its tests apart.
COMMON = frozenset("self none true false return import from with async await else elif pass raise "
                   "that this their there what when where which module modules name names fixes "
                   "starlette asyncstream test tests pragma mutate".split())


def _words(text):
    """The words of identifiers, comments and test names (run_until_first_complete: until,
    first, complete), lower case, four letters or more."""
    return {w for w in re.findall(r"[a-z]{4,}", re.sub(r"([a-z])([A-Z])", r"\1 \2", text).lower())} - COMMON


def _changed():
    """{module path: first lines of the statements the mutant changed}: the copy against HEAD;
    {module path: the lines that read what a changed module-level assignment binds}; and the
    words of the source around the change (what the tests about it tend to be named after)."""
    diff = _sh(["git", "diff", "-U0", "HEAD", "--"] + [m for ms in GROUPS.values() for m in ms], cwd=ROOT)
    changed, path = {}, None
    for line in diff.splitlines():
        if line.startswith("--- a/"):
            path = line[6:]
        elif line.startswith("@@") and path:
            start, _, count = re.match(r"@@ -(\d+)(,(\d+))?", line).group(1, 2, 3)
            first, count = int(start), int(count) if count is not None else 1
            changed.setdefault(path, set()).update(range(first, first + max(count, 1)))
    sources = {p: _sh(["git", "show", "HEAD:" + p], cwd=ROOT) for p in changed}
    words, keys = set(), []
    for p, lines in changed.items():
        text = sources[p].splitlines()
        for line in lines:
            words |= _words("\n".join(text[max(line - 1 - NEAR, 0):line + NEAR]))
            if line <= len(text):
                keys.append(_line_key(p, text, line))
    return ({p: _statement_lines(sources[p], lines) for p, lines in changed.items()},
            {p: _uses(sources[p], lines) for p, lines in changed.items()}, words, keys)


def _line_key(path, lines, number):
    """A source line by its module and text, and the next line's ("except Exception as exc:"
    is on many lines; with what follows it, it is one)."""
    return "{}: {}".format(path, " / ".join(" ".join(line.split()) for line in lines[number - 1:number + 1]))


def _known_killers(keys):
    """{leg: [tests]} that killed a mutant of these lines before (KILLERS_FILE's first)."""
    known = {}
    for path in (KILLERS_FILE, os.path.join(envs_root(), "mutation-work", KILLERS)):
        try:
            with open(path) as f:
                table = json.load(f)
        except (OSError, ValueError):
            continue
        for key in keys:
            for leg, test in table.get(key, []):
                if os.path.isdir(os.path.join(envs_root(), leg)) and test not in known.get(leg, []):
                    known.setdefault(leg, []).append(test)
    return known


def _remember_killers(session, copy):
    """Add the session's killers (by the text of the line each mutant changed, as the copy has
    it) to the work file KILLERS: at most three a line, the latest first."""
    path = os.path.join(WORK, KILLERS)
    try:
        with open(path) as f:
            table = json.load(f)
    except (OSError, ValueError):
        table = {}
    db = sqlite3.connect(session)
    try:
        rows = db.execute("SELECT r.output, m.module_path, m.start_pos_row FROM work_results r JOIN "
                          "mutation_specs m ON m.job_id = r.job_id WHERE lower(r.test_outcome) = 'killed'").fetchall()
    finally:
        db.close()
    sources = {}
    for output, module, row in rows:
        found = KILLED_BY.search(output or "")
        if not found or "::" not in found.group(2):  # (a file that failed to collect is no test to run first)
            continue
        if module not in sources:
            with open(os.path.join(copy, module), encoding="utf-8") as f:
                sources[module] = f.read().splitlines()
        if 0 < row <= len(sources[module]):
            key = _line_key(module, sources[module], row)
            pair = [found.group(1), found.group(2)]
            table[key] = ([pair] + [p for p in table.get(key, []) if p != pair])[:3]
    with open(path, "w") as f:
        json.dump(table, f, indent=0, sort_keys=True)


# Test helpers whose children run with -S (tests/support/installs.py: a broken install made for
# real): such a child runs no .pth, so the map never sees what it runs.
BLIND_HELPERS = frozenset(["site_view", "vendored_copy"])


@functools.lru_cache(maxsize=None)
def _blind_tests(root):
    """Every test (as path::function) that starts a child coverage cannot see: one that calls a
    BLIND_HELPERS helper or passes "-S" itself."""
    found = []
    for folder, dirs, files in sorted(os.walk(os.path.join(root, "tests"))):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in sorted(f for f in files if f.startswith("test_") and f.endswith(".py")):
            path = os.path.join(folder, name)
            with open(path) as f:
                tree = ast.parse(f.read())
            functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
            # The module's own helpers and fixtures that call one (a fixture counts where a test
            # takes it as an argument), until no more are found.
            blind = set(BLIND_HELPERS)
            while True:
                more = {f.name for f in functions if f.name not in blind and any(
                    (isinstance(n, ast.Name) and n.id in blind) or (isinstance(n, ast.arg) and n.arg in blind)
                    or (isinstance(n, ast.Constant) and n.value == "-S") for n in ast.walk(f))}
                if not more:
                    break
                blind |= more
            found.extend(os.path.relpath(path, root) + "::" + f.name
                         for f in functions if f.name.startswith("test_") and f.name in blind)
    return found


def _in_suite(leg, test):
    """Does the leg's suite (its paths, less its --ignore'd ones) hold this test's file?"""
    path, args = test.split("::")[0], _suite_args(leg)
    ignored = [a.split("=", 1)[1] for a in args if a.startswith("--ignore=")]
    paths = [a for a in args if not a.startswith("-")]
    inside = lambda p: path == p or path.startswith(p.rstrip("/") + "/")  # noqa: E731
    return any(inside(p) for p in paths) and not any(inside(p) for p in ignored)


def _blind(leg, leg_map, words):
    """The leg's blind tests (for lines no test ran as coverage saw it), those named after the
    words around the change first, each with its time from the map."""
    seconds = leg_map.get("seconds", {})
    tests = []
    for test in _blind_tests(ROOT):
        if _in_suite(leg, test):
            cost = sum(s for node, s in seconds.items() if node == test or node.startswith(test + "["))
            named = len(_words(test.split("::", 1)[-1]) & words)
            tests.append((-named, cost or 1.0, test))
    return [(test, cost, -minus) for minus, cost, test in sorted(tests)]


def _selection(leg_map, changed, related, words, mode="direct", leg=None):
    """The leg's tests that ran the changed lines, first. A module-level statement (a table, a
    default, a decorator) also runs at import in the tests' own process, for tests that coverage
    cannot name: then every test that ran any line of that module follows. For lines no test
    ran: the leg's blind tests alone (mode "blind"), or every test that ran the module ("module")."""
    if mode == "blind":
        chosen = [(test, cost) for test, cost, _ in _blind(leg, leg_map, words)]
        budget = os.environ.get(BUDGET, str(DEFAULT_BUDGET))
        left, picked = float("inf") if budget == "all" else float(budget), []
        for test, cost in chosen:
            if picked and cost + OVERHEAD > left:
                break
            picked.append(test)
            left -= cost + OVERHEAD
        return picked
    whole_module = mode == "module"
    direct, modules = set(), set()
    for path, lines in changed.items():
        for line, in_function in lines.items():
            contexts = leg_map["files"].get(path, {}).get(str(line), [])
            direct.update(i for i in contexts if i >= 0)
            if whole_module or (-1 in contexts and not in_function):
                modules.add(path)
    # A module-level assignment runs once per process, in whichever test imported the module
    # first: the tests that read what it binds (a default port only a ws:// URL reads) are as
    # much its tests as those.
    for path, lines in related.items():
        for line in lines:
            direct.update(i for i in leg_map["files"].get(path, {}).get(str(line), []) if i >= 0)
    wider = set()
    for path in modules:
        for contexts in leg_map["files"].get(path, {}).values():
            wider.update(i for i in contexts if i >= 0)
    # First the tests that run the rare lines around the mutant (the raise only a layout test
    # reaches, the branch one request takes: each line counts 1/(how many tests run it)), then
    # those most about its module (the largest share of what they run is there); an
    # application's whole suite, which runs everything a little, comes last. With -x a mutant
    # stops at its first failure.
    tests, sizes = leg_map["tests"], leg_map["sizes"]
    here, near = {}, {}
    for path, lines in changed.items():
        around = set(lines) | related.get(path, set())  # (the lines that read what it binds)
        for number, contexts in leg_map["files"].get(path, {}).items():
            distance = min(abs(int(number) - line) for line in around)
            for i in contexts:
                here[i] = here.get(i, 0) + 1
                if distance <= NEAR:  # the branch right after a changed condition weighs most
                    near[i] = near.get(i, 0.0) + 1.0 / len(contexts) / (1 + distance)

    # Each test's worth is divided by what it costs (the map's timing): a request in process
    # that takes the changed branch comes before an application's suite in a child that also
    # does, and the budget holds a dozen of those or a few of these.
    costs = leg_map.get("costs") or [1.0] * len(tests)

    # Where coverage cannot tell tests apart (every FastAPI test runs the branch that fixes
    # fastapi.concurrency's reference), a test named after the words around the change (its
    # "concurrency", "tasks") is the likelier to look at what changed.
    def order(i):
        worth = near.get(i, 0.0) + 0.1 * here.get(i, 0) / max(sizes[i], 1)
        named = len(_words(tests[i].split("::", 1)[-1]) & words)
        return -worth * (1 + named) / (costs[i] + OVERHEAD), sizes[i], i

    chosen = [(tests[i], costs[i]) for i in sorted(direct, key=order) + sorted(wider - direct, key=order)]
    # The blind tests named after the code around the change first (their children may be the
    # only ones where it shows: no wrapt, a vendored copy), where the leg has them; in a leg that
    # did not run the lines they are all it runs, and that leg takes no place under the cap
    # (_run_legs: the sse rooms' mutants must still reach the one sse leg that runs them).
    if leg is not None:
        chosen = [(test, cost) for test, cost, named in _blind(leg, leg_map, words) if named] + chosen
    budget = os.environ.get(BUDGET, str(DEFAULT_BUDGET))
    if budget == "all":
        return list(dict.fromkeys(test for test, _ in chosen))
    # A module-level statement (a constant, a table row) runs at import in every test: coverage
    # ranks its tests only by the lines that read it, so it gets twice the budget.
    module_level = any(not in_function for lines in changed.values() for in_function in lines.values())
    left, picked = float(budget) * (2 if module_level else 1), []
    for test, cost in chosen:
        if picked and cost + OVERHEAD > left:
            break
        if test not in picked:
            picked.append(test)
            left -= cost + OVERHEAD
    return picked


def test(group):
    """One mutant: each leg runs the tests that reach the changed lines; exit 1 at the first failure."""
    started = time.monotonic()
    try:
        return _test(group)
    finally:
        print("{:.1f} s".format(time.monotonic() - started))  # (`report` sums these up)


def _test(group):
    with open(os.path.join(envs_root(), "mutation-work", MAP), "rb") as f:
        legs = pickle.load(f)["legs"]  # (read once per mutant: pickle reads it three times faster than json)
    changed, related, words, keys = _changed()
    env = {MUTANT_ROOT: ROOT, "PYTHONDONTWRITEBYTECODE": "1"}
    known = _known_killers(keys)
    if known and _run_legs(legs, (changed, related, words), env, "known", "all", picks=known) is None:
        return 1
    most = os.environ.get(LEGS_VAR, str(DEFAULT_LEGS))
    ran = _run_legs(legs, (changed, related, words), env, "direct", most)
    if ran is None:
        return 1
    if ran:
        return 0
    # Lines no test ran (as coverage saw it: a child started with -S runs no .pth, so it is not
    # measured) are tried with the tests that start such children, in every leg that has them
    # (each leg's releases decide what a vendored copy or a missing wrapt does), then with the
    # tests that ran the rest of their module, in two legs.
    for mode, limit in (("blind", "all"), ("module", "2")):
        if _run_legs(legs, (changed, related, words), env, mode, limit) is None:
            return 1
    print(UNREACHED)  # (and those tests passed)
    return 0


def _ran_lines(leg_map, changed, related):
    """Did any test of the leg run the changed lines (or those reading what they bind)?"""
    files = leg_map["files"]
    return any(i >= 0 for lines in (changed, related) for path, numbers in lines.items() for line in numbers
               for i in files.get(path, {}).get(str(line), []))


def _run_legs(legs, mutant, env, mode, most, picks=None):
    """Run the legs' selections (or picks: {leg: tests}, the known killers) for one mutant: None
    at the first failure, else how many legs ran."""
    ran = 0
    # (a known killer may be in a leg the map has not: 3.7, which only one line differs on)
    order = LEGS if picks is None else [leg for leg in LEGS if leg in picks] + sorted(set(picks) - set(LEGS))
    for leg in order:
        if (picks is None and leg not in legs) or (most != "all" and ran >= int(most)):
            continue
        chosen = picks.get(leg, []) if picks is not None else _selection(legs[leg], *mutant, mode=mode, leg=leg)
        if not chosen:
            continue
        # (a leg where only the blind tests named after the change run is not counted under the cap)
        counted = picks is not None or mode != "direct" or _ran_lines(legs[leg], *mutant[:2])
        ran += 1 if counted else 0
        # (known killers and a named-only leg are not a leg of the selection's order: `report` counts those)
        label = "known" if mode == "known" else ran if counted else "named"
        argv, full_env = _leg_argv(leg, ROOT, dict(_leg_env(leg, ROOT), **env), [
            "-m", "pytest", "-x", "-q", "-rfE", "-p", "no:cacheprovider", "--timeout", "120"]
            + chosen)
        full_env.pop("STARLETTE_ASYNCSTREAM_DISABLE", None)
        # Its own process group: a mutant that hangs where pytest-timeout does not reach (at
        # collection, in a child) is stopped with everything it started, and counts as killed.
        started = time.monotonic()
        proc = subprocess.Popen(argv, cwd=ROOT, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                universal_newlines=True, errors="replace", start_new_session=True)
        try:
            output = proc.communicate(timeout=LEG_TIMEOUT)[0]
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            print("hangs in", leg)
            return None
        print("leg {} took {:.1f} s".format(label, time.monotonic() - started))  # (`report`: what each leg costs)
        if mode == "known" and proc.returncode in (4, 5):  # (a known killer renamed or gone since: not a kill)
            print("known killers not found in {}: {}".format(leg, " ".join(chosen)))
            continue
        if proc.returncode != 0:
            # Which test failed, and how deep in the selection: `report` sums these up, the
            # evidence for the caps (a kill found only past them would be a survivor).
            # (a parameter id may hold spaces: "FAILED path::test[no wrapt] - AssertionError")
            failed = re.search(r"^(?:FAILED|ERROR) (.+?)(?: - .*)?$", output, re.M)
            node = failed.group(1) if failed else "(no test named: pytest exited {})".format(proc.returncode)
            where = next((i + 1 for i, t in enumerate(chosen) if node == t or node.startswith(t + "[")), 0)
            print("killed by {} (leg {}, test {} of {}: {})".format(leg, label, where, len(chosen), node))
            if not failed:
                print(output[-2000:])  # (a collection error, an internal error: to be read)
            return None
    return ran


def _tool(name):
    return os.path.join(os.path.dirname(sys.executable), name)


def _sh(argv, **kwargs):
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, **kwargs)
    if proc.returncode != 0:
        raise SystemExit("scripts/mutation.py: {} failed:\n{}".format(" ".join(argv), proc.stdout[-4000:]))
    return proc.stdout


def _config(group, path):
    excluded = ["core/ReplaceComparisonOperator_(?!({})$)".format("|".join(sorted(KEEP_COMPARISONS))),
                "core/ReplaceBinaryOperator_(?!({})$)".format("|".join(sorted(KEEP_BINARY)))]
    with open(path, "w") as f:
        f.write("[cosmic-ray]\n")
        f.write("module-path = {}\n".format(json.dumps(GROUPS[group])))
        f.write("timeout = {}\n".format(TIMEOUT))
        f.write("excluded-modules = []\n")
        f.write("test-command = {}\n".format(json.dumps("{} scripts/mutation.py test {}".format(sys.executable,
                                                                                                 group))))
        f.write("[cosmic-ray.distributor]\nname = \"local\"\n")
        f.write("[cosmic-ray.filters.operators-filter]\nexclude-operators = {}\n".format(json.dumps(excluded)))


def _copy(index):
    """A worktree of HEAD under .tox/mutation-work (fresh each run)."""
    path = os.path.join(WORK, "copy-{}".format(index))
    if os.path.exists(path):
        subprocess.run(["git", "worktree", "remove", "--force", path], cwd=ROOT, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        shutil.rmtree(path, ignore_errors=True)
    _sh(["git", "worktree", "add", "--detach", path, "HEAD"], cwd=ROOT)
    return path


def _counts(session):
    """{outcome: count} and the survivors of one session database."""
    db = sqlite3.connect(session)
    counts, survivors = {}, []
    rows = db.execute(
        "SELECT r.worker_outcome, r.test_outcome, r.output, m.module_path, m.operator_name, m.occurrence, "
        "m.start_pos_row, r.diff FROM work_results r JOIN mutation_specs m ON m.job_id = r.job_id").fetchall()
    for worker, outcome, output, module, operator, occurrence, row, diff in rows:
        worker, outcome = (worker or "").lower(), (outcome or "").lower()
        if worker == "skipped":
            key = "skipped"
        elif outcome == "killed" and output == "timeout":
            key = "timeout"
        elif outcome in ("killed", "survived"):
            key = outcome
        else:
            key = "incompetent"
        counts[key] = counts.get(key, 0) + 1
        depth = re.search(r"killed by \S+ \(leg (\d+), test (\d+) of", output or "")
        if re.search(r"killed by \S+ \(leg known,", output or ""):
            counts["by a known killer"] = counts.get("by a known killer", 0) + 1
        if depth:
            counts.setdefault("depth", []).append([int(depth.group(1)), int(depth.group(2))])
        for position, seconds in re.findall(r"^leg (\d+) took (\d+\.\d) s$", output or "", re.M):
            spent = counts.setdefault("leg seconds", [0.0] * DEFAULT_LEGS)
            spent.extend([0.0] * (int(position) - len(spent)))
            spent[int(position) - 1] += float(seconds)
        took = re.search(r"^(\d+\.\d) s$", output or "", re.M)
        if took and key in ("killed", "survived"):
            counts.setdefault(key + " seconds", []).append(float(took.group(1)))
        if key == "survived":
            unreached = UNREACHED in (output or "")
            counts["unreached"] = counts.get("unreached", 0) + unreached
            survivors.append({"module": module, "line": row, "operator": operator, "occurrence": occurrence,
                              "diff": diff, "unreached": unreached})
    total = db.execute("SELECT COUNT(*) FROM mutation_specs").fetchone()[0]
    counts["pending"] = total - len(rows)
    return counts, survivors


def _expected_seconds(group):
    """What the group's last session spent on its mutants (each mutant's "N s" line), or a guess
    from its module count when it has none."""
    session = os.path.join(WORK, group + ".sqlite")
    if os.path.exists(session):
        db = sqlite3.connect(session)
        try:
            outputs = [row[0] or "" for row in db.execute("SELECT output FROM work_results")]
        except sqlite3.Error:
            outputs = []
        finally:
            db.close()
        spent = [float(m.group(1)) for m in (re.search(r"^(\d+\.\d) s$", o, re.M) for o in outputs) if m]
        if spent:
            return sum(spent)
    return 300.0 * len(GROUPS[group])


def _blobs(group, copy):
    """The group's modules as the copy has them (a session's mutants are positions in these; the
    copy is HEAD when the run began, whatever was committed since)."""
    return {m: _sh(["git", "rev-parse", "HEAD:" + m], cwd=copy).strip() for m in GROUPS[group]}


def _run_group(group, copy, results, again=False):
    session = os.path.join(WORK, group + ".sqlite")
    config = os.path.join(WORK, group + ".toml")
    stamp = os.path.join(WORK, group + ".json")
    env = dict(os.environ, **{ENVS_VAR: os.path.join(ROOT, ".tox")})
    started = time.monotonic()
    blobs = _blobs(group, copy)
    if again and os.path.exists(session) and os.path.exists(stamp) and json.load(open(stamp)) == blobs:
        # The modules are as mutated last time: only the survivors run again (against the tests as they are now).
        db = sqlite3.connect(session)
        with db:
            db.execute("DELETE FROM work_results WHERE lower(test_outcome) = 'survived' "
                       "AND lower(worker_outcome) != 'skipped'")
        db.close()
    else:
        if again:
            print("scripts/mutation.py: {}'s modules changed since its last session: all of it runs".format(group),
                  flush=True)
        if os.path.exists(session):
            os.remove(session)
        _config(group, config)
        _sh([_tool("cosmic-ray"), "init", config, session], cwd=copy, env=env)
        _sh([_tool("cr-filter-operators"), session, config], cwd=copy, env=env)
        _sh([_tool("cr-filter-pragma"), session], cwd=copy, env=env)
        with open(stamp, "w") as f:
            json.dump(blobs, f)
    _sh([_tool("cosmic-ray"), "exec", config, session], cwd=copy, env=env)
    _remember_killers(session, copy)
    counts, survivors = _counts(session)
    results[group] = {"counts": counts, "survivors": survivors, "seconds": round(time.monotonic() - started)}
    print("scripts/mutation.py: {} done in {} s: {}".format(group, results[group]["seconds"], {
        k: v for k, v in counts.items() if not isinstance(v, list)}), flush=True)


def _in_leg(leg, argv):
    """A command with the leg's Python (in the sid root for 3.14/3.15), from the main checkout."""
    full, env = _leg_argv(leg, ROOT, {}, argv)
    return _sh(full, cwd=ROOT, env=env)


def _all_legs():
    """LEGS, then the legs only a hand-found killer (KILLERS_FILE) runs in: not mapped, but with
    the copy put in place of their package like the others."""
    try:
        with open(KILLERS_FILE) as f:
            named = {leg for pairs in json.load(f).values() for leg, _ in pairs}
    except (OSError, ValueError):
        named = set()
    return LEGS + sorted(named - set(LEGS))


def _ensure_legs():
    """The legs exist, with this checkout's package, the PTH and (for the map) coverage installed."""
    missing = [leg for leg in _all_legs() if not os.path.lexists(os.path.join(ROOT, ".tox", leg, "bin", "python"))]
    for part in ([leg for leg in missing if not _sid(leg)], [leg for leg in missing if _sid(leg)]):
        if part:
            _sh([os.path.join(ROOT, "scripts", "tox"), "run", "--notest", "-e", ",".join(part)], cwd=ROOT)
    from envs import package_wheel

    wheel = package_wheel()
    for leg in _all_legs():
        _in_leg(leg, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
                      "--force-reinstall", wheel])
        with open(_pth(leg), "w") as f:
            f.write(PTH_LINE)
        if leg not in LEGS:
            continue
        cover = os.path.join(WORK, "cover", leg)
        if not os.path.isdir(os.path.join(cover, "coverage")):
            _in_leg(leg, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--target", cover,
                          "coverage"])
        with open(os.path.join(cover, PLUGIN + ".py"), "w") as f:
            f.write(PLUGIN_SOURCE)


def _remove_pth():
    for leg in _all_legs():
        path = _pth(leg)
        if os.path.exists(path):
            os.remove(path)


@functools.lru_cache(maxsize=None)  # (asked when the PTH is written and again when it is removed)
def _pth(leg):
    """Where a leg's PTH lives: its site-packages."""
    return os.path.join(_in_leg(leg, ["-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).strip(),
                        PTH)


def _coverage_version(leg):
    """The version of the coverage installed for a leg, as a tuple."""
    for entry in os.listdir(os.path.join(WORK, "cover", leg)):
        match = re.match(r"coverage-(\d+)\.(\d+)", entry)
        if match and entry.endswith(".dist-info"):
            return int(match.group(1)), int(match.group(2))
    return (0, 0)


def _map_leg(leg, copy):
    """One leg's suite under coverage on the unmutated copy: {tests, files: {path: {line: [test index]}}}."""
    import coverage

    work = os.path.join(WORK, "map", leg)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    rc = os.path.join(work, "coveragerc")
    with open(rc, "w") as f:
        f.write("[run]\nparallel = True\ndata_file = {}\ninclude =\n    {}/starlette_asyncstream/*\n"
                "    {}/starlette_asyncstream_pytest.py\ncontext = ${{{}}}\n"
                "disable_warnings = no-data-collected, module-not-imported, module-not-measured, "
                "already-imported, include-ignored\n".format(os.path.join(work, ".coverage"), copy, copy, CONTEXT))
        if _coverage_version(leg) >= (7, 10):
            # `run` ends in os.execve: coverage saves what it saw first (else that process's lines
            # would be nobody's). Older coverage (3.6, 3.8) has no such option.
            f.write("patch = execv\n")
    failed = os.path.join(work, "failed.txt")
    durations = os.path.join(work, "durations.txt")
    env = dict(_leg_env(leg, copy), **{MUTANT_ROOT: copy, COVER: os.path.join(WORK, "cover", leg),
                                       "COVERAGE_PROCESS_START": rc, FAILED: failed, DURATIONS: durations,
                                       "PYTHONDONTWRITEBYTECODE": "1"})
    argv, full_env = _leg_argv(leg, copy, env, ["-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", PLUGIN,
                                                "--timeout", "300"] + _suite_args(leg))
    full_env.pop("STARLETTE_ASYNCSTREAM_DISABLE", None)
    started = time.monotonic()
    proc = subprocess.run(argv, cwd=copy, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True)
    failures = open(failed).read().split() if os.path.exists(failed) else []
    if proc.returncode not in (0, 1) or (proc.returncode == 1 and not failures):
        raise SystemExit("scripts/mutation.py: {}'s suite did not run under coverage:\n{}".format(
            leg, proc.stdout[-4000:]))
    cov = coverage.Coverage(data_file=os.path.join(work, ".coverage"))
    cov.combine([work], keep=False)
    data = cov.get_data()
    tests, index, files = [], {}, {}
    for measured in data.measured_files():
        path = os.path.relpath(measured, copy)
        lines = {}
        for line, contexts in data.contexts_by_lineno(measured).items():
            ids = set()
            for context in contexts:
                if context in failures:
                    continue  # fails unmutated under coverage: it cannot tell a mutant apart
                if not context:
                    ids.add(-1)
                    continue
                if context not in index:
                    index[context] = len(tests)
                    tests.append(context)
                ids.add(index[context])
            lines[str(line)] = sorted(ids)
        files[path] = lines
    sizes = [0] * len(tests)
    for lines in files.values():
        for ids in lines.values():
            for i in ids:
                if i >= 0:
                    sizes[i] += 1
    seconds = {}
    for line in open(durations).read().splitlines() if os.path.exists(durations) else []:
        node, _, duration = line.rpartition("\t")
        seconds[node] = seconds.get(node, 0.0) + float(duration)  # setup, call and teardown
    print("scripts/mutation.py: mapped {} in {} s: {} tests reach the package{}".format(
        leg, round(time.monotonic() - started), len(tests),
        "; failing under coverage, left out: " + ", ".join(failures) if failures else ""), flush=True)
    costs = [round(seconds.get(t, 1.0), 3) for t in tests]
    # (and every test's time: _blind() picks tests whose children coverage cannot see)
    return {"tests": tests, "sizes": sizes, "costs": costs, "files": files, "failed": failures,
            "seconds": seconds}


def _map(copy):
    """Every leg's map, two legs at a time, written to MAP."""
    legs, queue, lock = {}, list(LEGS), threading.Lock()

    def worker():
        while True:
            with lock:
                if not queue:
                    return
                leg = queue.pop(0)
            legs[leg] = _map_leg(leg, copy)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    missing = [leg for leg in LEGS if leg not in legs]
    if missing:
        raise SystemExit("scripts/mutation.py: no map for " + ", ".join(missing))
    with open(os.path.join(WORK, MAP), "wb") as f:
        pickle.dump({"legs": legs}, f, protocol=4)


def run(groups, again=False, keep_map=False):
    os.makedirs(WORK, exist_ok=True)
    _ensure_legs()
    results = {}
    copies = [_copy(0), _copy(1)]
    started = time.monotonic()
    try:
        if not (keep_map and os.path.exists(os.path.join(WORK, MAP))):
            _map(copies[0])
        # The longest groups first (as their last session timed them), shared out over the copies
        # as they free up: with whole groups per copy, a long one started last is the run's tail.
        queue = sorted(groups, key=lambda g: -_expected_seconds(g))
        lock = threading.Lock()

        def worker(copy):
            while True:
                with lock:
                    if not queue:
                        return
                    group = queue.pop(0)
                _run_group(group, copy, results, again)

        threads = [threading.Thread(target=worker, args=(c,)) for c in copies[:min(2, len(groups))]]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        _remove_pth()
    head = _sh(["git", "rev-parse", "--short", "HEAD"], cwd=copies[0]).strip()  # (what was mutated)
    summary = {"date": time.strftime("%Y-%m-%d"), "head": head, "seconds": round(time.monotonic() - started),
               "groups": results}
    with open(os.path.join(WORK, "results.json"), "w") as f:
        json.dump(summary, f, indent=1)
    return report(summary)


def report(summary=None):
    if summary is None:
        # The sessions as they are now (a run stopped part way counts what it did: "pending" says the rest).
        groups = {}
        for group in GROUPS:
            session = os.path.join(WORK, group + ".sqlite")
            if os.path.exists(session):
                counts, survivors = _counts(session)
                groups[group] = {"counts": counts, "survivors": survivors}
        stamp = os.path.getmtime(os.path.join(WORK)) if os.path.isdir(WORK) else time.time()
        summary = {"date": time.strftime("%Y-%m-%d", time.localtime(stamp)), "head": "as run", "seconds": 0,
                   "groups": groups}
    total = {}
    for group, result in sorted(summary["groups"].items()):
        if "error" in result:
            print("{:<10} {}".format(group, result["error"]))
            continue
        for key, value in result["counts"].items():
            if key == "leg seconds":  # (one sum per leg position)
                spent = total.setdefault(key, [])
                spent.extend([0.0] * (len(value) - len(spent)))
                for position, seconds in enumerate(value):
                    spent[position] += seconds
                continue
            total[key] = total.get(key, [] if isinstance(value, list) else 0) + value
        print("{:<10} {}".format(group, ", ".join("{} {}".format(k, v) for k, v in sorted(result["counts"].items())
                                                  if not isinstance(v, list))))
        for s in result["survivors"]:
            print("  survived: {}:{} {} #{}{}".format(s["module"], s["line"], s["operator"], s["occurrence"],
                                                      " (no test runs it)" if s.get("unreached") else ""))
    _depths(total)
    tested = sum(total.get(k, 0) for k in ("killed", "survived", "timeout"))
    killed = total.get("killed", 0) + total.get("timeout", 0)
    print("mutation {} (HEAD {}), {} s: killed {}, survived {} ({} on lines no test runs), timeout {}, "
          "incompetent {}, skipped by filter {}, pending {}; killed {:.1f} % of {} tested".format(
              summary["date"], summary["head"], summary["seconds"], total.get("killed", 0), total.get("survived", 0),
              total.get("unreached", 0), total.get("timeout", 0), total.get("incompetent", 0),
              total.get("skipped", 0), total.get("pending", 0),
              100.0 * killed / tested if tested else 0.0, tested))
    return 0 if not any("error" in r for r in summary["groups"].values()) else 1


def _depths(total):
    """Where the kills were found (the evidence for the caps) and what a mutant costs."""
    depth = total.get("depth", [])
    if depth:
        legs, tests = {}, {}
        for leg, test_index in depth:
            legs[leg] = legs.get(leg, 0) + 1
            band = "1" if test_index == 1 else "2-5" if test_index <= 5 else "6-10" if test_index <= 10 else \
                "11+" if test_index else "unnamed"
            tests[band] = tests.get(band, 0) + 1
        print("kills by leg: {}; by test in its leg: {}".format(
            ", ".join("{} {}".format(k, v) for k, v in sorted(legs.items())),
            ", ".join("{} {}".format(k, tests[k]) for k in ("1", "2-5", "6-10", "11+", "unnamed") if k in tests)))
    spent = total.get("leg seconds")
    if spent:
        print("seconds spent in each leg of a mutant's selection, first to last: " + ", ".join(
            "{:.0f}".format(x) for x in spent))
    for key in ("killed seconds", "survived seconds"):
        times = total.get(key, [])
        if times:
            print("{}: {} mutants, {:.1f} s each on average, {:.0f} s in all".format(
                key.split()[0], len(times), sum(times) / len(times), sum(times)))


def main(argv):
    global LEGS
    if argv[:1] == ["test"] and len(argv) == 2 and argv[1] in GROUPS:
        try:
            return test(argv[1])
        except Exception:  # counted as a survivor (cosmic-ray reads any failure as a kill), and shown
            import traceback

            traceback.print_exc(file=sys.stdout)
            print(INTERNAL)
            return 0
    if argv[:1] in (["run"], ["rerun"]):
        keep_map = "--keep-map" in argv  # (the last map: tests added since then are not in it)
        argv = [a for a in argv if a != "--keep-map"]
        if "--thorough" in argv:
            argv = [a for a in argv if a != "--thorough"]
            os.environ[BUDGET] = os.environ[LEGS_VAR] = "all"
        unknown = [g for g in argv[1:] if g not in GROUPS]
        if unknown:
            print("scripts/mutation.py: no group {}; groups: {}".format(", ".join(unknown), ", ".join(GROUPS)),
                  file=sys.stderr)
            return 2
        return run(argv[1:] or list(GROUPS), again=argv[0] == "rerun", keep_map=keep_map)
    if argv == ["report"]:
        return report()
    if argv[:1] == ["map"] and all(leg in LEGS for leg in argv[1:]):
        # The map alone (of some legs), on a fresh copy: to see what coverage says reaches what.
        os.makedirs(WORK, exist_ok=True)
        LEGS = argv[1:] or LEGS
        _ensure_legs()
        try:
            _map(_copy(0))
        finally:
            _remove_pth()
        return 0
    print(__doc__.strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
