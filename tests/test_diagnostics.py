"""python -m starlette_asyncstream: the report, --json, exit codes."""

import json
import re
import sys

import pytest
import starlette

from support.releases import AFFECTED, AT_IMPORT, STREAMING, applies, run_python, starlette_at_least
from support.installs import (RAISING_FINDER, RESPONSES_FAIL, assert_responses_fail_warned, failing_aiofiles,
                              responses_import_aiofiles, run_child, site_view)

STARLETTE_FIXES = ("dispatch", "tasks", "disconnect")  # the table's order
# 0.12.0b2 and older hand sync content to `async for`: their self-test fails
# with or without this package, which leaves them alone.
STREAMS_EVERYTHING = starlette_at_least("0.12.0b3")
MAIN = (
    "import sys, runpy; sys.argv = ['starlette_asyncstream'] + {args!r}; "
    "runpy.run_module('starlette_asyncstream', run_name='__main__')"
)


def main(*args, env=None):
    return run_python(MAIN.format(args=list(args)), env=env, check=False)


def test_json_report_schema_and_exit_code():
    proc = main("--json")
    report = json.loads(proc.stdout)
    # One JSON document, keys sorted and indented by two, as scripts and diffs read it.
    assert proc.stdout == json.dumps(report, indent=2, sort_keys=True) + "\n"
    assert set(report) == {
        "package", "python", "starlette", "wrapt", "opted_out", "switched_off", "fixes", "self_test", "ok",
        "problems", "exit", "stack", "security",
    }
    assert (report["opted_out"], report["switched_off"]) == (False, [])
    assert report["exit"] == proc.returncode and report["problems"] == []
    assert report["python"].startswith("{}.{}.".format(*sys.version_info[:2]))
    import starlette

    assert report["starlette"]["version"] == starlette.__version__
    assert [f["name"] for f in report["fixes"]] == list(STARLETTE_FIXES) + [
        "sse-dispatch", "sse-tasks", "sse-disconnect", "testclient", "debug-page", "websocket-loop", "debug-page-type",
        "multipart",
        "fastapi-multipart", "fastapi-uploads", "fastapi-json", "jinja2", "gzip", "staticfiles", "request-url",
        "form-limits", "upload-rollover", "fastapi-body-errors", "iscoroutinefunction",
        "fastapi-iscoroutinefunction"]
    for fix in report["fixes"]:
        assert fix["applies"] == applies(fix["name"])
        # installed by the import, or waiting for its module (the report imports neither)
        assert fix["installed"] == (fix["applies"] and fix["name"] in AT_IMPORT)
    with_fix = report["self_test"]["with_fix"]
    without = report["self_test"]["without_fix"]
    leaves = with_fix.pop("client that leaves")
    assert set(with_fix) == {"custom async iterator", "async generator", "sync generator"}
    # the disconnect row: an endless stream whose client goes after five chunks
    stopped = "stopped when the client left"
    if applies("disconnect"):
        assert without["client that leaves"]["outcome"].startswith("keeps streaming after the client left")
    if starlette_at_least("0.12.0b3"):
        assert leaves == {"ok": True, "outcome": stopped}
        assert all(r["ok"] and r["outcome"] == "body b'alpha beta gamma'" for r in with_fix.values()), with_fix
        assert report["ok"] is True and proc.returncode == 0
    else:
        # 0.12.0b2 and older hand sync content to `async for`: not fixed here.
        assert not with_fix["sync generator"]["ok"]
        assert report["ok"] is False and proc.returncode == 1
    if AFFECTED:
        assert not without["custom async iterator"]["ok"]
        assert "TypeError" in without["custom async iterator"]["outcome"]
    else:
        assert without["custom async iterator"]["ok"]


def test_human_report_names_versions_fixes_and_outcomes():
    proc = main()
    out = proc.stdout
    import starlette

    assert "Starlette  {}".format(starlette.__version__) in out
    yes = {True: "yes", False: "no"}
    needed = {"dispatch": applies("dispatch"), "tasks": applies("tasks") and sys.version_info >= (3, 11),
              "disconnect": applies("disconnect")}
    for name in STARLETTE_FIXES:
        assert "  {}: applies {}, installed {}, needed on this Python {}\n".format(
            name, yes[applies(name)], yes[applies(name)], yes[needed[name]]) in out
    assert "Self-test without the fix" in out and "Self-test with the fix" in out
    assert "custom async iterator" in out
    assert proc.stderr == ""


def test_opt_out_is_reported_and_the_state_is_left_as_found():
    code = """
import json, sys, io, contextlib
import starlette_asyncstream as sa
from starlette_asyncstream.__main__ import main
buf = io.StringIO()
with contextlib.redirect_stdout(buf):
    rc = main(["--json"])
report = json.loads(buf.getvalue())
print(json.dumps([rc, report["opted_out"], [f["installed"] for f in report["fixes"]],
                  [f.installed for f in sa.status().values()]]))
"""
    rc, opted_out, reported, after = json.loads(run_python(code, env={"STARLETTE_ASYNCSTREAM_DISABLE": "1"}).stdout)
    assert opted_out is True
    assert not any(reported)
    assert not any(after)  # the self-test installed, then uninstalled again
    assert rc == (0 if starlette_at_least("0.12.0b3") else 1)


@pytest.mark.skipif(not (applies("dispatch") and applies("tasks")), reason="Starlette {} (any Python): needs "
                    "0.13.2-0.13.8, where both dispatch and tasks apply".format(starlette.__version__))
def test_a_partial_opt_out_is_left_as_found_by_the_report_in_process():
    code = """
import json, io, contextlib
import starlette_asyncstream as sa
from starlette_asyncstream.__main__ import main
before = {n: s.installed for n, s in sa.status().items()}
with contextlib.redirect_stdout(io.StringIO()):
    main(["--json"])
print(json.dumps([before, {n: s.installed for n, s in sa.status().items()}]))
"""
    before, after = json.loads(run_python(code, env={"STARLETTE_ASYNCSTREAM_DISABLE": "tasks"}).stdout)
    assert before["dispatch"] is True and before["tasks"] is False
    assert after == before


def test_usage_error_exits_2():
    proc = main("--no-such-option")
    assert proc.returncode == 2
    assert "usage:" in proc.stderr


def report_in(tmp_path, leave_out, *args):
    path, flags = site_view(tmp_path, leave_out=leave_out)
    return run_child(["-m", "starlette_asyncstream"] + list(args), python_path=path, flags=flags)


def test_without_wrapt_the_report_says_why_in_one_sentence(tmp_path):
    # A `pip install --no-deps`: Starlette is there, wrapt is not.
    proc = report_in(tmp_path, ["wrapt"])
    assert "Traceback" not in proc.stdout + proc.stderr
    result = proc.stdout.splitlines()[-1]
    if AFFECTED:
        needed = ", ".join(n for n in STARLETTE_FIXES if applies(n))
        assert proc.returncode == 1
        assert result.startswith("Result: streaming FAILS here: {} not installed: wrapt cannot be "
                                 "imported".format(needed)), result
        assert result.endswith("pip install 'wrapt>=1.14,<3'.")
        assert "now       not installed: wrapt is missing (pip install 'wrapt>=1.14,<3')" in proc.stdout
        # The import itself warned once, as the user's own app would see it.
        assert proc.stderr.count("RuntimeWarning: starlette_asyncstream: ") == 1, proc.stderr
    elif STREAMS_EVERYTHING:
        assert (proc.returncode, proc.stderr) == (0, "")
        assert result == "Result: streaming works in this environment with starlette-asyncstream."
    else:
        assert (proc.returncode, proc.stderr) == (1, "")
        assert "wrapt" not in result


def test_without_wrapt_the_json_report_is_valid_and_carries_the_reason(tmp_path):
    proc = report_in(tmp_path, ["wrapt"], "--json")
    report = json.loads(proc.stdout)
    assert report["wrapt"] is None
    assert report["exit"] == proc.returncode == (0 if STREAMS_EVERYTHING and not AFFECTED else 1)
    assert any("wrapt cannot be imported" in p for p in report["problems"]) == AFFECTED
    for fix in report["fixes"]:
        if fix["applies"] and fix["name"] in STREAMING:  # (without them, starlette.responses is not imported)
            assert fix["installed"] is False
            assert fix["detail"] == "not installed: wrapt is missing (pip install 'wrapt>=1.14,<3')"


@pytest.mark.parametrize("as_json", [False, True], ids=["report", "json"])
def test_without_starlette_nothing_is_checked_and_the_report_says_so(tmp_path, as_json):
    proc = report_in(tmp_path, ["starlette", "fastapi", "sse-starlette"], *(["--json"] if as_json else []))
    assert proc.returncode == 3
    assert proc.stderr == ""
    sentence = "Starlette is not installed in this Python ({}): there is nothing to check".format(sys.executable)
    if as_json:
        report = json.loads(proc.stdout)
        assert (report["ok"], report["exit"], report["problems"]) == (False, 3, [sentence])
        assert report["self_test"] == {}
    else:
        assert proc.stdout.splitlines()[-1] == "Result: nothing was checked: {}.".format(sentence)
        assert "Self-test" not in proc.stdout and "FAILED" not in proc.stdout


def test_help_documents_every_exit_status():
    proc = main("--help")
    assert (proc.returncode, proc.stderr) == (0, "")
    text = " ".join(proc.stdout.split()).replace("- ", "-")  # (argparse may wrap --fail-on-advisory at a hyphen)
    for status in ("0 streaming works here", "1 it fails here", "2 usage error", "3 nothing to check",
                   "4 with --fail-on-advisory"):
        assert status in text


@pytest.mark.parametrize("args", [["-h"], ["--help"], ["--help", "uvicorn", "app:app"]])
def test_run_help_is_printed_whatever_follows_it(args):
    # `run -h` is run's own help, never a command named -h.
    from starlette_asyncstream.__main__ import RUN_HELP

    proc = main("run", *args)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, RUN_HELP, "")
    assert RUN_HELP.startswith("usage: python -m starlette_asyncstream run <command> [args...]\n")


# --- the published advisories (the Security section, `security` in --json) --------


def expected_advisories():
    """{id: closed} for the advisories that reach this leg's releases, read independently of the report."""
    from starlette_asyncstream._pep440 import parse_version
    from starlette_asyncstream._security import ADVISORIES

    from support.releases import installed_version

    expected = {}
    for a in ADVISORIES:
        text = installed_version(a.distribution, a.module)
        if text is None and a.module == "python_multipart" and sys.version_info < (3, 8):
            text = installed_version(a.distribution, "multipart")  # (3.6/3.7 read __version__; 0.0.5 is `multipart`)
        version = parse_version(text or "")
        if version is not None and parse_version(a.releases[0]) <= version < parse_version(a.releases[1]):
            expected[a.ids] = a.fix is not None and applies(a.fix)
    return expected


def test_the_security_section_names_each_advisory_that_reaches_the_installed_releases():
    from starlette_asyncstream._security import CHECKED

    report = json.loads(main("--json").stdout)
    security = report["security"]
    assert security["checked"] == CHECKED == "2026-11-30"
    got = {a["id"]: a["closed"] for a in security["advisories"]}
    assert got == expected_advisories()
    assert security["open"] == sum(not closed for closed in got.values())
    for a in security["advisories"]:
        assert (a["by"] is None) is (not a["closed"]) and (a["remedy"] is None) is a["closed"], a
    text = main().stdout
    assert "Security (published advisories, table checked 2026-11-30)" in text
    for a in security["advisories"]:
        line = "  {} ({} {}): {}".format(a["id"], a["distribution"], a["version"], a["what"])
        following = text.split(line + "\n", 1)[1].splitlines()[0]
        if a["closed"]:
            assert following == "    closed by this import (fix {}), as {} {} answers".format(
                a["by"], a["distribution"], a["fixed_in"])
        else:
            assert following == "    OPEN; fix: " + a["remedy"]


def test_fail_on_advisory_exits_4_while_one_stays_open():
    plain = main("--json")
    report = json.loads(plain.stdout)
    strict = main("--fail-on-advisory")
    if report["exit"] != 0:
        assert strict.returncode == plain.returncode  # (streaming's own failure comes first)
    elif report["security"]["open"]:
        assert strict.returncode == 4
        assert strict.stdout.splitlines()[-1].startswith("Result: streaming works here, but {} published".format(
            report["security"]["open"]))
    else:
        assert strict.returncode == 0
    assert plain.returncode == report["exit"]  # without the flag, advisories never change the exit


@pytest.mark.skipif(not applies("request-url"), reason="Starlette {} on Python {}.{}: outside the request-url "
                    "row, nothing to switch off".format(starlette.__version__, *sys.version_info[:2]))
def test_a_switched_off_fix_leaves_its_advisory_open_and_says_so():
    proc = main("--json", "--fail-on-advisory", env={"STARLETTE_ASYNCSTREAM_DISABLE": "request-url"})
    report = json.loads(proc.stdout)
    (advisory,) = [a for a in report["security"]["advisories"] if a["id"].startswith("CVE-2026-48710")]
    assert advisory["closed"] is False
    assert advisory["remedy"] == ("switched off by STARLETTE_ASYNCSTREAM_DISABLE: remove request-url from it, "
                                  "or Starlette 1.0.1 or later")
    assert proc.returncode == (4 if report["ok"] else 1)


def test_each_advisory_names_its_first_affected_release_and_not_its_fixed_one():
    from starlette_asyncstream._security import ADVISORIES, found

    for a in ADVISORIES:
        first = a.releases[0] if a.releases[0] != "0" else "0.0.1"
        for version, reported in ((first, True), (a.releases[1], False)):
            got = found({a.module: version}.get, {})
            assert (a.ids in [g["id"] for g in got]) is reported, (a.ids, version)
    # A remedy that no release installs on the running Python says so.
    (redos,) = [a for a in ADVISORIES if a.ids.startswith("CVE-2024-24762")]
    (old,) = [f for f in found({"python_multipart": "0.0.5"}.get, {}, python=(3, 6, 15)) if f["id"] == redos.ids]
    assert old["remedy"] == redos.remedy + " (it needs Python 3.7: no release that fixes it installs on Python 3.6)"


# --- the pinned stack's breakages that the package does not fix ---------------


# The rows themselves, each proven with real releases on its Python: tests/stack
# (the releases are installed when that leg is set up, never while tests run).


ISCORO_CALL = "import asyncio\nasyncio.iscoroutinefunction(len)\n"


@pytest.mark.skipif(not sys.version_info >= (3, 14), reason="Python {}.{}: asyncio.iscoroutinefunction warns "
                    "from 3.14".format(*sys.version_info[:2]))
def test_the_warning_filter_the_report_prints_works_when_run():
    from starlette_asyncstream._stack import STACK

    (breakage,) = [b for b in STACK if b.name == "uvicorn-iscoroutinefunction"]
    printed = re.search(r'-W "([^"]+)"', breakage.remedy).group(1)
    strict = run_child(["-W", "error", "-c", ISCORO_CALL])
    assert strict.returncode == 1 and "DeprecationWarning: 'asyncio.iscoroutinefunction'" in strict.stderr
    filtered = run_child(["-W", "error", "-W", printed, "-c", ISCORO_CALL])
    assert (filtered.returncode, filtered.stderr) == (0, "")
    assert re.search(r"filterwarnings = (\S.*?DeprecationWarning)", breakage.remedy).group(1) == printed


def test_each_stack_row_names_its_own_releases_and_not_the_release_that_fixes_it():
    # Each row's first fixed release is not reported (the report would name it
    # as both cause and remedy: aiofiles 0.6.0 on 3.11); its first affected one is.
    from starlette_asyncstream._stack import STACK, found

    for b in STACK:
        python = b.python + (0,)  # its first Python
        for introduced, fixed in b.ranges:
            for version, reported in ((introduced if introduced != "0" else "0.0.1", True), (fixed, False)):
                if version is None:
                    continue
                versions = {b.module: version, "starlette": "0.0.1" if b.starlette_below else "0.13.6"}
                if b.needs:
                    versions[b.needs[0]] = b.needs[1]
                names = [r["name"] for r in found(versions.get, python=python)]
                assert (b.name in names) is reported, (b.name, version, names)
        # Only on its Pythons, and only beside what it needs.
        first = b.ranges[0][0] if b.ranges[0][0] != "0" else "0.0.1"
        versions = {b.module: first, "starlette": "0.0.1" if b.starlette_below else "0.13.6"}
        if b.needs:
            versions[b.needs[0]] = b.needs[1]
            assert b.name not in [r["name"] for r in found(dict(versions, **{b.needs[0]: None}).get, python=python)]
            if b.needs[1] != "0":
                older = dict(versions, **{b.needs[0]: "0.0.1"})
                assert b.name not in [r["name"] for r in found(older.get, python=python)]
        before = b.python[:-1] + (b.python[-1] - 1,)
        assert b.name not in [r["name"] for r in found(versions.get, python=before)]
        if b.starlette_below is not None:  # and only beside a Starlette before the one it names
            for starlette, reported in ((b.starlette_below, False), (None, False), ("0.0.1", True)):
                beside = dict(versions, starlette=starlette)
                assert (b.name in [r["name"] for r in found(beside.get, python=python)]) is reported, starlette
        if b.python_below is not None:
            last = b.python_below[:-1] + (b.python_below[-1] - 1,)
            assert b.name in [r["name"] for r in found(versions.get, python=last)]
            assert b.name not in [r["name"] for r in found(versions.get, python=b.python_below)]


@pytest.mark.parametrize("open_count, words", [(1, "1 published advisory stays open"),
                                               (2, "2 published advisories stay open")])
def test_the_result_line_counts_open_advisories_in_words_that_agree(open_count, words):
    from starlette_asyncstream.__main__ import ADVISORY_OPEN, render

    report = {"package": "0", "python": "3", "starlette": {"version": "0.13.6", "path": "/x"}, "wrapt": "2",
              "switched_off": [], "opted_out": False, "fixes": [], "self_test": {}, "problems": [], "stack": [],
              "security": {"checked": "2026-11-30", "advisories": [], "open": open_count}, "exit": ADVISORY_OPEN}
    assert render(report).splitlines()[-1] == (
        "Result: streaming works here, but {} (--fail-on-advisory; see Security).".format(words))


def _report(**changes):
    """A report as collect() makes it (hand-made: every section filled), with changes."""
    report = {
        "package": "9.9.9", "python": "3.11.7 (/venv/bin/python)",
        "starlette": {"version": "0.13.6", "path": "/venv/site-packages/starlette"}, "wrapt": "2.5.2",
        "opted_out": False, "switched_off": ["tasks", "disconnect"],
        "fixes": [
            {"name": "dispatch", "applies": True, "installed": True, "needed_here": True,
             "affected": "0.12.0b3 <= starlette < 0.14.0", "upstream": "encode/starlette #1041",
             "detail": "StreamingResponse.__init__ replaced"},
            {"name": "tasks", "applies": True, "installed": False, "needed_here": False,
             "affected": "0.13.2 <= starlette < 0.14.0", "upstream": "encode/starlette #1066",
             "detail": "not installed: switched off"},
        ],
        "self_test": {
            "without_fix": {"custom async iterator": {"ok": False, "outcome": "TypeError: not an iterator"},
                            "async generator": {"ok": True, "outcome": "body b'alpha'"}},
            "with_fix": {"custom async iterator": {"ok": True, "outcome": "body b'alpha'"},
                         "async generator": {"ok": True, "outcome": "body b'alpha'"}},
        },
        "problems": ["wrapt cannot be imported", "an odd layout"],
        "stack": [{"what": "aiofiles 0.4.0 on Python 3.11", "remedy": "aiofiles>=0.8.0"}],
        "security": {"checked": "2026-11-30", "open": 1, "advisories": [
            {"id": "CVE-1", "distribution": "starlette", "version": "0.13.6", "what": "a form read whole",
             "closed": True, "by": "form-limits", "fixed_in": "1.3.1"},
            {"id": "CVE-2", "distribution": "starlette", "version": "0.13.6", "what": "a path escape",
             "closed": False, "remedy": "starlette>=0.27.0"}]},
        "ok": False, "exit": 1,
    }
    report.update(changes)
    return report


def test_the_human_report_shows_every_section_of_the_json_one(monkeypatch):
    from starlette_asyncstream.__main__ import render

    monkeypatch.setenv("STARLETTE_ASYNCSTREAM_DISABLE", "tasks,disconnect")
    assert render(_report()).splitlines() == [
        "starlette-asyncstream 9.9.9",
        "  Python     3.11.7 (/venv/bin/python)",
        "  Starlette  0.13.6 (/venv/site-packages/starlette)",
        "  wrapt      2.5.2",
        "  STARLETTE_ASYNCSTREAM_DISABLE=tasks,disconnect: the import left tasks, disconnect off",
        "",
        "Fixes",
        "  dispatch: applies yes, installed yes, needed on this Python yes",
        "    range     0.12.0b3 <= starlette < 0.14.0",
        "    upstream  encode/starlette #1041",
        "    now       StreamingResponse.__init__ replaced",
        "  tasks: applies yes, installed no, needed on this Python no",
        "    range     0.13.2 <= starlette < 0.14.0",
        "    upstream  encode/starlette #1066",
        "    now       not installed: switched off",
        "",
        "Self-test without the fix",
        "  custom async iterator  FAIL  TypeError: not an iterator",
        "  async generator        ok    body b'alpha'",
        "",
        "Self-test with the fix",
        "  custom async iterator  ok    body b'alpha'",
        "  async generator        ok    body b'alpha'",
        "",
        "Not fixed by this package (this stack on this Python)",
        "  aiofiles 0.4.0 on Python 3.11",
        "    fix: aiofiles>=0.8.0",
        "",
        "Security (published advisories, table checked 2026-11-30)",
        "  CVE-1 (starlette 0.13.6): a form read whole",
        "    closed by this import (fix form-limits), as starlette 1.3.1 answers",
        "  CVE-2 (starlette 0.13.6): a path escape",
        "    OPEN; fix: starlette>=0.27.0",
        "",
        "Problems",
        "  wrapt cannot be imported",
        "  an odd layout",
        "",
        "Result: streaming FAILS here: wrapt cannot be imported.",
    ]


@pytest.mark.parametrize("changes, lines", [
    # Nothing switched off, no wrapt, no advisory, no self-test (Starlette missing), no problem.
    ({"switched_off": [], "wrapt": None, "self_test": {}, "stack": [], "problems": [], "exit": 0,
      "security": {"checked": "2026-11-30", "open": 0, "advisories": []}},
     {3: "  wrapt      not installed", 4: "", -4: "Security (published advisories, table checked 2026-11-30)",
      -3: "  none reaches the installed releases", -1: "Result: streaming works in this environment with "
      "starlette-asyncstream."}),
    ({"opted_out": True}, {4: "  STARLETTE_ASYNCSTREAM_DISABLE=tasks,disconnect: the import left every fix off"}),
    ({"starlette": {"version": None, "path": None}, "exit": 3},
     {2: "  Starlette  not installed", -1: "Result: nothing was checked: wrapt cannot be imported."}),
    ({"problems": [], "exit": 1},
     {-1: "Result: streaming FAILS here: the self-test failed with the fix in place (see above)."}),
])
def test_each_part_of_the_human_report_follows_the_json_one(monkeypatch, changes, lines):
    from starlette_asyncstream.__main__ import render

    monkeypatch.setenv("STARLETTE_ASYNCSTREAM_DISABLE", "tasks,disconnect")
    shown = render(_report(**changes)).splitlines()
    assert {at: shown[at] for at in lines} == lines
    if not changes.get("problems", True):
        assert "Problems" not in shown
    if not changes.get("self_test", True):
        assert not any(line.startswith("Self-test") for line in shown)


def test_a_finder_that_raises_is_a_problem_the_report_names_not_a_traceback():
    # A shim's finder on sys.meta_path that raises for one name: the report still runs, and
    # says what it could not read and what could not be installed.
    code = RAISING_FINDER + """
import runpy
sys.argv = ["starlette_asyncstream"]
runpy.run_module("starlette_asyncstream", run_name="__main__")
"""
    proc = run_python(code, check=False)
    # The import's own warning (the package is imported before the report runs), as one line
    # and the source line it names, where the Python shows one.
    warned = proc.stderr.splitlines()
    assert warned[0].endswith(": StarletteLayoutWarning: starlette_asyncstream: install() failed (RuntimeError: "
                              "shim is broken); nothing of it was patched"), proc.stderr
    assert len(warned) <= 2 and all(line.startswith("  ") for line in warned[1:]), proc.stderr
    problems = proc.stdout.split("\nProblems\n", 1)[1].split("\n\n", 1)[0].splitlines()
    reading = "cannot read sse_starlette's version: a finder on sys.meta_path raised RuntimeError: shim is broken"
    assert problems == ["  " + reading, "  install() failed (RuntimeError: shim is broken)"]
    # Nothing was put in place, so no advisory is said to be closed by it.
    assert "closed by this import" not in proc.stdout
    # Where a fix is needed and could not be installed, the self-test fails: the first problem is
    # why (before 0.12.0b3 it fails with or without the package).
    if AFFECTED or not STREAMS_EVERYTHING:
        assert (proc.returncode, proc.stdout.splitlines()[-1]) == (1, "Result: streaming FAILS here: {}.".format(
            reading))
    else:
        assert (proc.returncode, proc.stdout.splitlines()[-1]) == (
            0, "Result: streaming works in this environment with starlette-asyncstream.")


@pytest.mark.skipif(not responses_import_aiofiles(), reason="Starlette {}'s starlette.responses does not import "
                    "aiofiles (from 0.15.0): it cannot fail this way".format(starlette.__version__))
@pytest.mark.parametrize("as_json", [False, True], ids=["report", "json"])
def test_a_starlette_responses_that_cannot_be_imported_is_a_problem_not_a_traceback(tmp_path, as_json):
    # aiofiles < 0.6 on 3.11+ without its metadata beside it (vendored, zipped): no row of the
    # stack table names it, and starlette.responses cannot be imported. The report says so and
    # exits 1; it used to end in the self-test's traceback.
    proc = run_child(["-m", "starlette_asyncstream"] + (["--json"] if as_json else []),
                     python_path=[failing_aiofiles(tmp_path)])
    problem = RESPONSES_FAIL + ": the self-test cannot run"
    assert proc.returncode == 1 and "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    if as_json:
        report = json.loads(proc.stdout)
        assert (report["exit"], report["ok"], report["problems"], report["self_test"]) == (1, False, [problem], {})
    else:
        assert proc.stdout.splitlines()[-1] == "Result: streaming FAILS here: {}.".format(problem)
        assert "\nProblems\n  {}\n\n".format(problem) in proc.stdout, proc.stdout
    assert_responses_fail_warned(proc.stderr)
