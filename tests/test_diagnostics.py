"""python -m starlette_asyncstream: the report, --json, exit codes."""

import json
import sys


from conftest import applies, run_python, starlette_at_least

AFFECTED = applies("dispatch") or applies("tasks")
MAIN = (
    "import sys, runpy; sys.argv = ['starlette_asyncstream'] + {args!r}; "
    "runpy.run_module('starlette_asyncstream', run_name='__main__')"
)


def main(*args, env=None):
    return run_python(MAIN.format(args=list(args)), env=env, check=False)


def test_json_report_schema_and_exit_code():
    proc = main("--json")
    report = json.loads(proc.stdout)
    assert set(report) == {"package", "python", "starlette", "wrapt", "opted_out", "fixes", "self_test", "ok"}
    assert report["python"].startswith("{}.{}.".format(*sys.version_info[:2]))
    import starlette

    assert report["starlette"]["version"] == starlette.__version__
    assert [f["name"] for f in report["fixes"]] == ["dispatch", "tasks"]
    for fix in report["fixes"]:
        assert fix["applies"] == applies(fix["name"])
        assert fix["installed"] == fix["applies"]  # installed by the import
    with_fix = report["self_test"]["with_fix"]
    without = report["self_test"]["without_fix"]
    assert set(with_fix) == {"custom async iterator", "async generator", "sync generator"}
    if starlette_at_least("0.12.0b3"):
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
    assert "dispatch: applies {}".format("yes" if applies("dispatch") else "no") in out
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
    assert reported == [False, False]
    assert after == [False, False]  # the self-test installed, then uninstalled again
    assert rc == (0 if starlette_at_least("0.12.0b3") else 1)


def test_usage_error_exits_2():
    proc = main("--no-such-option")
    assert proc.returncode == 2
    assert "usage:" in proc.stderr
