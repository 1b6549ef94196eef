"""python -m starlette_asyncstream: the report, --json, exit codes."""

import json
import os
import sys


import pytest

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
    assert [f["name"] for f in report["fixes"]] == ["dispatch", "tasks", "sse-dispatch", "sse-tasks"]
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
    assert not any(reported)
    assert not any(after)  # the self-test installed, then uninstalled again
    assert rc == (0 if starlette_at_least("0.12.0b3") else 1)


def test_usage_error_exits_2():
    proc = main("--no-such-option")
    assert proc.returncode == 2
    assert "usage:" in proc.stderr


@pytest.mark.parametrize(
    "argv, message",
    [
        ([], "no command given"),
        (["no-such-command-xyz"], "command not found: no-such-command-xyz"),
        (["ls", "-l"], "not a Python program: ls"),
    ],
)
def test_run_bad_input_is_one_line_and_exit_2(argv, message):
    proc = main("run", *argv)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr


def test_run_a_file_that_is_not_executable_exits_2(tmp_path):
    data = tmp_path / "data.txt"
    data.write_text("print('hi')\n")
    proc = main("run", str(data))
    assert proc.returncode == 2
    assert proc.stderr.strip() == "starlette-asyncstream run: not executable: {}".format(data)


def test_run_a_shell_script_is_not_a_python_program(tmp_path):
    script = tmp_path / "serve.sh"
    script.write_text("#!/bin/sh\necho hi\n")
    script.chmod(0o755)
    proc = main("run", str(script))
    assert proc.returncode == 2
    assert "not a Python program" in proc.stderr and proc.stdout == ""


def test_run_starts_a_python_command_with_the_fix_installed(tmp_path):
    script = tmp_path / "child.py"
    script.write_text(
        "import json, sys\n"
        "import starlette_asyncstream as sa\n"  # already imported by sitecustomize
        "print(json.dumps([f.installed == f.applies for f in sa.status().values()]))\n"
        "sys.exit(7)\n"
    )
    proc = main("run", sys.executable, str(script))
    assert proc.returncode == 7  # the command's own exit status
    assert all(json.loads(proc.stdout))


def test_run_keeps_an_existing_sitecustomize_working(tmp_path):
    (tmp_path / "sitecustomize.py").write_text("import os\nos.environ['USER_SITECUSTOMIZE_RAN'] = 'yes'\n")
    code = "import os, sys; print(os.environ.get('USER_SITECUSTOMIZE_RAN'), 'starlette_asyncstream' in sys.modules)"
    proc = run_python(
        "import sys, runpy; sys.argv = ['x', 'run', sys.executable, '-c', {!r}]; "
        "runpy.run_module('starlette_asyncstream', run_name='__main__')".format(code),
        env={"PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))},
    )
    assert proc.stdout.split() == ["yes", "True"], proc.stdout + proc.stderr
