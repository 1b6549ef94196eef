"""The range table: PEP 440 order, the table against the running release,
and the tox matrix against the table (both sides of every boundary)."""

import json
import os
import subprocess
import sys

import pytest

from support.releases import PY, VersionInfo, applies, starlette_at_least
from support.installs import run_child
from starlette_asyncstream._ranges import FIXES
from starlette_asyncstream._pep440 import parse_version

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.parametrize(
    "lower, higher",
    [
        ("0.12.0b2", "0.12.0b3"),
        ("0.12.0.b2", "0.12.0.b3"),  # how 0.12.0b3 spells its own __version__
        ("0.12.0b3", "0.12.0rc1"),
        ("0.12.0rc1", "0.12.0"),
        ("0.12.0.dev1", "0.12.0a1"),
        ("0.12.0", "0.12.0.post1"),
        ("0.12.13", "0.13.0"),
        ("0.13.2", "0.13.3"),
        ("0.13.8", "0.14.0"),
        ("0.9.9", "0.10.0"),
        ("0.52.1", "1.0.0"),
        ("0.13.9", "0.13.10"),  # numbers, not strings
        ("0.14.0rc1", "0.14.0"),  # the regex path against the fast path
        ("0.14.0", "0.14.0.post1"),
    ],
)
def test_pep440_order(lower, higher):
    assert parse_version(lower) < parse_version(higher)


@pytest.mark.parametrize("a, b", [("0.12.0.b3", "0.12.0b3"), ("0.14", "0.14.0"), ("1.0+local.1", "1.0")])
def test_pep440_equal(a, b):
    assert parse_version(a) == parse_version(b)


# PEP 440's own example of the order ("Summary of permitted suffixes and relative ordering"),
# local versions left out (they compare equal here), and two devs of one base.
PEP440_ORDER = ["1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12", "1.0b1.dev456", "1.0b2",
                "1.0b2.post345.dev456", "1.0b2.post345", "1.0rc1.dev456", "1.0rc1", "1.0", "1.0.post456.dev34",
                "1.0.post456", "1.0.15", "1.1.dev1", "1.1.dev2"]


def test_pep440s_own_example_is_in_order():
    keys = [parse_version(v) for v in PEP440_ORDER]
    assert all(a < b for a, b in zip(keys, keys[1:])), PEP440_ORDER


@pytest.mark.parametrize("spellings", [
    ("1.0a1", "1.0alpha1", "1.0.a1", "1.0-A1", "1.0a.1"),
    ("1.0b2", "1.0beta2", "1.0.b2", "1.0B2"),
    ("1.0rc1", "1.0c1", "1.0pre1", "1.0preview1", "1.0.RC1"),
    ("1.0a0", "1.0a"),
    ("1.0.post1", "1.0-1", "1.0r1", "1.0rev1", "1.0post1", "1.0.POST1"),
    ("1.0.post0", "1.0.post", "1.0-r"),
    ("1.0.dev0", "1.0.dev"),
    ("1", "1.0", "1.0.0.0", "v1.0", " 1.0 "),
    ("1.0b3", "v1.0b3", "1.0.0b3"),
])
def test_pep440_spellings_of_one_version(spellings):
    # Every spelling PEP 440 normalises to one version makes one key, by the fast path or the full one.
    assert len({parse_version(v) for v in spellings}) == 1, [(v, parse_version(v)) for v in spellings]


def test_pep440_epochs_and_post_releases_of_pre_releases():
    assert parse_version("1!0.1") > parse_version("2.0")
    assert parse_version("1.0.post") > parse_version("1.0")
    assert parse_version("1.0a1") < parse_version("1.0a1.post1") < parse_version("1.0a2")


@pytest.mark.parametrize("text", ["", "fork", "0.13.x", "1..0", "1.0-gamma1", "0.\u0661\u0664.0", "1.x.0b3", "x.0b3"])
def test_not_a_version(text):
    assert parse_version(text) is None


@pytest.mark.parametrize(
    "version, dispatch, tasks, disconnect",
    [
        ("0.11.4", False, False, False),
        ("0.12.0b2", False, False, False),
        ("0.12.0.b3", True, False, True),
        ("0.12.0", True, False, True),
        ("0.12.13", True, False, True),
        ("0.13.1", True, False, True),
        ("0.13.2", True, True, True),
        ("0.13.3", True, True, False),
        ("0.13.8", True, True, False),
        ("0.14.0", False, False, False),
        ("0.14.2", False, False, False),
        ("1.10.0", False, False, False),
    ],
)
def test_table_ranges(version, dispatch, tasks, disconnect):
    fixes = {f.name: f for f in FIXES}
    key = parse_version(version)
    assert fixes["dispatch"].contains(key) is dispatch
    assert fixes["tasks"].contains(key) is tasks
    assert fixes["disconnect"].contains(key) is disconnect


@pytest.mark.parametrize(
    "sse, starlette, expected",
    [
        ("0.1.0", "0.12.13", {"sse-dispatch", "sse-disconnect"}),
        ("0.4.0", "0.13.6", {"sse-dispatch", "sse-disconnect"}),  # 0.5.0 listens for http.disconnect
        ("0.5.0", "0.13.6", {"sse-dispatch", "sse-tasks"}),
        ("0.5.0", "0.13.1", {"sse-dispatch"}),  # Starlette without the function (sse cannot import)
        ("0.5.0", "0.13.2", {"sse-dispatch", "sse-tasks"}),
        ("0.9.0", "0.14.0", {"sse-dispatch"}),  # 0.14's function makes tasks itself
        ("0.10.0", "0.13.6", {"sse-dispatch"}),
        ("1.1.6", "1.10.0", {"sse-dispatch"}),  # the copied bug bites on new Starlette too
        ("1.2.1", "0.13.6", set()),
        (None, "0.13.6", set()),
    ],
)
def test_sse_rows(sse, starlette, expected):
    versions = {"starlette": parse_version(starlette), "sse-starlette": parse_version(sse) if sse else None}
    assert {f.name for f in FIXES if f.package == "sse-starlette" and f.applies(versions)} == expected


# Unpatched probes of the running release: the table must match reality.
UNPATCHED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "programs", "unpatched_probe.py")


def test_the_table_matches_what_the_unpatched_release_does():
    proc = run_child([UNPATCHED], env_extra={"STARLETTE_ASYNCSTREAM_DISABLE": "1"})
    # (the failing legacy code may leave coroutines un-awaited on stderr; the probe itself must not crash)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    out = proc.stdout
    lines = dict(line.split(" ", 1) for line in out.strip().splitlines())
    tasks_bites = applies("tasks") and PY >= (3, 11)
    # tasks: the function itself, as Starlette's websocket docs call it
    assert lines["direct"] == ("TypeError: Passing coroutines is forbidden, use tasks explicitly."
                               if tasks_bites else "absent" if not starlette_at_least("0.13.2") else "ok"), lines
    # disconnect: the response ignores a client that has gone
    if applies("disconnect") or not starlette_at_least("0.12.0b3"):
        assert lines["disconnect"].startswith("keeps streaming"), lines
    elif tasks_bites:
        assert "Passing coroutines is forbidden" in lines["disconnect"], lines
    else:
        assert lines["disconnect"] == "stops", lines
    tasks_bites = tasks_bites and starlette_at_least("0.13.3")  # the response uses it from 0.13.3
    if tasks_bites:
        assert "Passing coroutines is forbidden" in lines["asyncgen"], lines
        assert "Passing coroutines is forbidden" in lines["custom"], lines
    else:
        assert lines["asyncgen"] == "ok", lines
        if applies("dispatch"):
            assert lines["custom"].startswith("TypeError:") and "not an iterator" in lines["custom"], lines
        else:
            assert lines["custom"] == "ok", lines


# The release just before each boundary in the table (read off the index).
RELEASE_BEFORE = {"0.12.0b3": "0.12.0b2", "0.12.1": "0.12.0", "0.13.2": "0.13.1", "0.13.3": "0.13.2",
                  "0.13.5": "0.13.4", "0.14.0": "0.13.8", "0.14.2": "0.14.1", "0.15.0": "0.14.2",
                  "0.27.0": "0.26.1", "0.38.3": "0.38.2", "0.41.1": "0.41.0", "0.46.0": "0.45.3"}
# sse-starlette's boundaries (0.1.0 is its first release; 0.4.0|0.5.0 and
# 0.9.0|0.10.0 are proven by the sweep's boundary leg, which CI runs).
SSE_LEGS = {"1.1.6", "1.2.1"}


MATRIX = os.path.join(ROOT, "scripts", "matrix.py")
needs_the_matrix = pytest.mark.skipif(
    not os.path.exists(MATRIX),
    reason="scripts/ is not shipped here (any Python, any Starlette): checked from the checkout")


def matrix():
    """The tox legs, as scripts/matrix.py (the source of tox.ini) lists them."""
    proc = subprocess.run([sys.executable, MATRIX, "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=60)
    assert (proc.returncode, proc.stderr) == (0, "")
    return json.loads(proc.stdout)


@needs_the_matrix
def test_tox_ini_is_generated_from_the_matrix():
    proc = subprocess.run([sys.executable, MATRIX, "--check"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=60)
    assert proc.returncode == 0, proc.stdout


@needs_the_matrix
def test_tox_matrix_has_a_leg_on_both_sides_of_every_boundary():
    legs = {}
    for leg in matrix():
        legs.setdefault(leg["starlette"], []).append(leg)
    sse_legs = {leg["pins"]["sse-starlette"] for leg in matrix() if "sse-starlette" in leg["pins"]}
    assert SSE_LEGS <= sse_legs, "no tox leg with sse-starlette {}".format(SSE_LEGS - sse_legs)
    for fix in (f for f in FIXES if f.package == "starlette"):
        for bound in (fix.introduced, fix.fixed):
            assert bound in legs, "no tox leg on {} ({} boundary)".format(bound, fix.name)
            assert RELEASE_BEFORE[bound] in legs, "no tox leg just before {}".format(bound)
        # A leg on each side of the upper bound where the row's Python range holds.
        for bound in (fix.fixed, RELEASE_BEFORE[fix.fixed]):
            assert any(tuple(map(int, leg["python"].split("."))) + (99,) >= fix.python for leg in legs[bound]), \
                "no leg on {} runs Python >= {} ({})".format(bound, fix.python, fix.name)
        if fix.fails_from_python:  # (not None, and not every Python)
            # A leg's "3.8" is pyenv's newest 3.8 (3.8.18): past 3.8.7.
            pythons = [tuple(map(int, leg["python"].split("."))) + (99,) for version, on in legs.items()
                       if version != "newest" and fix.contains(parse_version(version)) for leg in on]
            assert any(py >= fix.fails_from_python for py in pythons), \
                "no leg runs {} where it fails (Python >= {})".format(fix.name, fix.fails_from_python)


@needs_the_matrix
def test_each_python_runs_its_per_python_tests_in_one_unit_leg_where_the_streaming_fixes_apply():
    # The unit legs that skip the `per_python` tests (tests/support/releases.py) name the one
    # that runs them: one per Python, an affected release, and tox sets the variable on the others.
    with open(os.path.join(ROOT, "tox.ini"), encoding="utf-8") as f:
        tox = f.read()

    def section(env):
        return tox[tox.index("[testenv:{}]\n".format(env)):].split("\n\n", 1)[0]

    units = [leg for leg in matrix() if leg["suite"] == "unit" and "simulate" not in leg["pins"]]
    assert units and {leg["python"] for leg in units} >= {"3.6", "3.8", "3.11", "3.13", "3.14", "3.15"}
    for python in {leg["python"] for leg in units}:
        mine = [leg for leg in units if leg["python"] == python]
        runs = {leg["per_python_in"] for leg in mine}
        assert len(runs) == 1, (python, runs)
        (chosen,) = [leg for leg in mine if leg["env"] in runs]
        assert chosen["starlette"] in ("0.13.6", "0.13.8"), chosen
        assert "STARLETTE_ASYNCSTREAM_TESTS_PER_PYTHON_IN" not in section(chosen["env"]), section(chosen["env"])
        for leg in mine:
            if leg is not chosen:
                assert "set_env = STARLETTE_ASYNCSTREAM_TESTS_PER_PYTHON_IN = {}\n".format(chosen["env"]) in section(
                    leg["env"])


# Each row's Pythons, written a second time from the facts (legacy-facts.md, CPython's what's new,
# the releases' code): the first Python it applies on, and the first it fails on (None: only under
# strict warnings; (): every Python).
PYTHON_FACTS = {
    "dispatch": ((), ()), "tasks": ((), (3, 11)), "disconnect": ((), ()),  # bpo-34790: 3.11
    "sse-dispatch": ((), ()), "sse-tasks": ((), (3, 11)), "sse-disconnect": ((), ()),
    "testclient": ((), (3, 14)),  # get_event_loop() no longer makes a loop (warned from 3.12)
    # bpo-42482: TracebackException drops exc_traceback; on 3.7 exceptiongroup's does (pytest 7.2+ imports it)
    "debug-page": ((3, 7), (3, 8, 7)),
    "websocket-loop": ((), None), "debug-page-type": ((3, 13), None),  # exc_type deprecated in 3.13
    "multipart": ((), None), "fastapi-multipart": ((), None), "fastapi-uploads": ((), None),
    "fastapi-json": ((), ()), "jinja2": ((), ()), "gzip": ((3, 12), None),  # GzipFile's __del__ warns from 3.12
    "staticfiles": ((), ()), "request-url": ((), ()), "form-limits": ((), ()), "upload-rollover": ((), ()),
    "fastapi-body-errors": ((), ()),
    "iscoroutinefunction": ((3, 14), (3, 16)), "fastapi-iscoroutinefunction": ((3, 14), (3, 16)),
}


def _just_before(python):
    return python[:-1] + (python[-1] - 1,)


@pytest.mark.parametrize("fix", FIXES, ids=[f.name for f in FIXES])
def test_each_rows_pythons_begin_where_the_facts_say(fix):
    first, fails = PYTHON_FACTS[fix.name]
    releases = {package: parse_version(low) for package, low, _ in fix.ranges}  # inside every range
    assert fix.applies(releases, python=first + (0,) if first else (3, 6, 0))
    assert fix.applies(releases, python=first) if first else True
    if first:
        assert not fix.applies(releases, python=_just_before(first) + (99,))
        assert fix.outside(releases, python=_just_before(first)) == "python"
    if fails is None:
        assert not fix.fails_here(python=(3, 99))
    elif not fails:
        assert fix.fails_here(python=(3, 6, 0))
    else:
        assert fix.fails_here(python=fails) and fix.fails_here(python=fails + (1,))
        assert not fix.fails_here(python=_just_before(fails) + (99,))


def test_the_running_pythons_micro_release_decides(monkeypatch):
    # debug-page fails from 3.8.7 (bpo-42482) whatever is imported, and applies from 3.7 (where
    # exceptiongroup breaks it the same way): the interpreter's micro release is read.
    (fix,) = [f for f in FIXES if f.name == "debug-page"]
    releases = {package: parse_version(low) for package, low, _ in fix.ranges}
    for version, applies_there, fails_there in (((3, 6, 15), False, False), ((3, 8, 6), True, False),
                                                ((3, 8, 7), True, True)):
        monkeypatch.setattr(sys, "version_info", VersionInfo(*version))
        assert (fix.applies(releases), fix.fails_here()) == (applies_there, fails_there), version
