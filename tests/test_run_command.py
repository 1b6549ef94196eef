"""`starlette-asyncstream run <command>` as users start it: real child
processes, and everything they print, stderr included."""

import json
import os
import subprocess
import sys

import pytest

from support.releases import AFFECTED, per_python
from support.installs import run_child

HERE = os.path.dirname(os.path.abspath(__file__))
PROBE = os.path.join(HERE, "programs", "stream_probe.py")
RUN = ["-m", "starlette_asyncstream", "run"]


def run(*argv, **kwargs):
    return run_child(RUN + list(argv), **kwargs)


def probe_result(proc):
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stderr == ""
    return json.loads(proc.stdout)


def test_a_plain_python_child_prints_nothing_of_ours():
    # Before: "Error in sitecustomize ... KeyError: 'sitecustomize'" in every process.
    proc = run(sys.executable, "-c", "print('ok')")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "ok\n", "")


def test_the_child_streams_with_the_fix_without_importing_the_package():
    result = probe_result(run(sys.executable, PROBE, "arg"))
    assert result == {"preloaded": True, "outcome": "body c1c2", "argv": ["arg"]}


def test_the_same_child_without_run_is_what_the_fix_is_for():
    proc = run_child([PROBE])
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["preloaded"] is False
    assert result["outcome"] == ("error TypeError" if AFFECTED else "body c1c2")
    if not AFFECTED:
        assert proc.stderr == ""


def test_the_commands_exit_status_is_passed_through():
    proc = run(sys.executable, "-c", "import sys; sys.exit(7)")
    assert (proc.returncode, proc.stderr) == (7, "")


def test_a_users_sitecustomize_still_runs_and_keeps_what_it_did_to_sys_path(tmp_path):
    user = tmp_path / "user"
    user.mkdir()
    (user / "sitecustomize.py").write_text(
        "import os, site, sys\n"
        "os.environ['USER_SITECUSTOMIZE_RAN'] = 'yes'\n"
        "sys.path.append('/user/appended')\n"
    )
    code = (
        "import json, os, sys, sitecustomize; "
        "print(json.dumps([os.environ.get('USER_SITECUSTOMIZE_RAN'), '/user/appended' in sys.path, "
        "'starlette_asyncstream' in sys.modules, os.path.dirname(sitecustomize.__file__)]))"
    )
    proc = run(sys.executable, "-c", code, python_path=[str(user)])
    assert proc.stderr == ""
    assert json.loads(proc.stdout) == ["yes", True, True, str(user)]


def test_without_a_users_sitecustomize_the_module_is_still_importable():
    proc = run(sys.executable, "-c", "import sitecustomize; print(sitecustomize.__name__)")
    assert (proc.stdout, proc.stderr) == ("sitecustomize\n", "")


def test_an_empty_pythonpath_entry_still_means_the_current_directory(tmp_path):
    # `export PYTHONPATH=$PYTHONPATH:/x` with PYTHONPATH unset gives ":/x".
    app = tmp_path / "app"
    app.mkdir()
    (app / "mymodule.py").write_text("VALUE = 'from cwd'\n")
    scripts = tmp_path / "bin"
    scripts.mkdir()
    (scripts / "main.py").write_text("import mymodule\nprint(mymodule.VALUE)\n")
    argv = [sys.executable, str(scripts / "main.py")]
    without = run_child(argv[1:], python_path=["", str(tmp_path)], cwd=str(app))
    assert (without.stdout, without.stderr) == ("from cwd\n", "")
    proc = run(*argv, python_path=["", str(tmp_path)], cwd=str(app))
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "from cwd\n", "")


def test_pythonpath_reaches_any_command_our_directory_first_and_theirs_kept():
    proc = run("sh", "-c", 'printf "%s" "$PYTHONPATH"', python_path=["/a", "", "/b"])
    assert proc.stderr == ""
    entries = proc.stdout.split(os.pathsep)
    assert entries[0].endswith(os.path.join("starlette_asyncstream", "_bootstrap"))
    assert entries[1:] == ["/a", "", "/b"]


@pytest.mark.parametrize("kind", ["shell wrapper", "shim with exec"])
def test_a_command_that_is_not_visibly_python_still_gets_the_fix(tmp_path, kind):
    # pyenv/asdf shims and wrappers end in `exec python "$@"`.
    wrapper = tmp_path / "serve"
    body = {
        "shell wrapper": '#!/bin/sh\n"{}" "$@"\n',
        "shim with exec": '#!/usr/bin/env bash\nset -e\nexec "{}" "$@"\n',
    }[kind]
    wrapper.write_text(body.format(sys.executable))
    wrapper.chmod(0o755)
    result = probe_result(run(str(wrapper), PROBE))
    assert result["preloaded"] is True and result["outcome"] == "body c1c2"


@per_python  # (the fix never loads in these processes: the Starlette release cannot matter)
@pytest.mark.parametrize("flags", [["-I"], ["-E"], ["-S"], ["-u", "-Es"], ["-W", "ignore", "-I"], ["-X", "dev", "-I"]])
def test_a_python_that_will_not_load_the_fix_is_named_on_stderr(flags):
    code = "import sys; print('starlette_asyncstream' in sys.modules)"
    proc = run(sys.executable, *flags, "-c", code)
    assert proc.returncode == 0
    assert proc.stdout == "False\n"
    letter = next(c for f in flags if f.startswith("-") for c in f[1:] if c in "IES")
    reason = "ignores PYTHONPATH" if letter in "IE" else "skips sitecustomize"
    assert proc.stderr == (
        "starlette-asyncstream run: warning: {} (-{} {}): the fixes will not load in that "
        "Python process\n".format(sys.executable, letter, reason)
    )


@pytest.mark.parametrize("shebang", ["#!{} -E", "#!/usr/bin/env -S {} -E"])
def test_a_script_whose_shebang_skips_pythonpath_is_named_too(tmp_path, shebang):
    script = tmp_path / "isolated-tool"
    script.write_text(shebang.format(sys.executable) + "\nimport sys\nprint('starlette_asyncstream' in sys.modules)\n")
    script.chmod(0o755)
    proc = run(str(script))
    assert proc.stdout == "False\n"
    assert proc.stderr.count("\n") == 1 and "(-E ignores PYTHONPATH)" in proc.stderr


def test_an_empty_pythonpath_adds_no_entry_of_its_own():
    # PYTHONPATH="" is no path at all: a trailing ":" would make the current directory importable.
    proc = run("sh", "-c", 'printf "%s" "$PYTHONPATH"', python_path=[""])
    assert proc.stderr == ""
    assert proc.stdout.endswith(os.path.join("starlette_asyncstream", "_bootstrap"))
    assert os.pathsep not in proc.stdout


@pytest.mark.parametrize("options", [["-c", "-I"], ["-m", "-E"], ["-X", "dev", "-c", "pass"]])
def test_options_after_c_or_m_or_values_are_not_taken_for_interpreter_flags(options):
    from starlette_asyncstream._run import skipped_reason

    assert skipped_reason([sys.executable] + options, sys.executable) is None


def test_a_shebang_with_a_relative_interpreter_is_read_as_the_kernel_runs_it(tmp_path):
    # "#!python -E" runs ./python (relative to the current directory): still a Python that skips PYTHONPATH.
    os.symlink(sys.executable, str(tmp_path / "python"))
    script = tmp_path / "tool"
    script.write_text("#!python -E\nimport sys\nprint('starlette_asyncstream' in sys.modules)\n")
    script.chmod(0o755)
    proc = run(str(script), cwd=str(tmp_path))
    assert proc.stdout == "False\n"
    assert proc.stderr.count("\n") == 1 and "(-E ignores PYTHONPATH)" in proc.stderr, proc.stderr


def test_a_shebang_read_as_split_words_and_a_vanished_file_are_judged_without_running_them(tmp_path):
    from starlette_asyncstream._run import skipped_reason

    # macOS splits a shebang's words itself: "#!/usr/bin/env python3 -E" then runs python3 -E.
    script = tmp_path / "tool"
    script.write_text("#!/usr/bin/env python3 -E\n")
    assert skipped_reason([str(script)], str(script)) == "-E ignores PYTHONPATH"
    # A command that is gone by the time it is read (removed after PATH lookup): no reason, no error.
    assert skipped_reason(["gone"], str(tmp_path / "gone")) is None


@pytest.mark.parametrize(
    "argv, message",
    [
        ([], "no command given: usage: starlette-asyncstream run <command> [args...]"),
        (["no-such-command-xyz"], "command not found: no-such-command-xyz"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv, message):
    proc = run(*argv)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == "starlette-asyncstream run: {}\n".format(message)


def test_a_file_that_is_not_executable_is_one_line_and_exit_2(tmp_path):
    data = tmp_path / "data.txt"
    data.write_text("print('hi')\n")
    proc = run(str(data))
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == "starlette-asyncstream run: not executable: {}\n".format(data)


def test_an_executable_file_the_system_cannot_start_is_one_line_and_exit_2(tmp_path):
    # executable, but no shebang and not a binary: execve fails (ENOEXEC)
    data = tmp_path / "tool"
    data.write_text("print('hi')\n")
    data.chmod(0o755)
    proc = run(str(data), "an-argument")  # the message names the command, not its last argument
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == "starlette-asyncstream run: cannot start {}: Exec format error\n".format(data)


def test_a_file_in_the_current_directory_is_not_a_command_without_a_path(tmp_path):
    # As a shell says: `tool` is looked for on PATH, not in the current directory.
    (tmp_path / "tool").write_text("print('hi')\n")
    proc = run("tool", cwd=str(tmp_path))
    assert (proc.returncode, proc.stderr) == (2, "starlette-asyncstream run: command not found: tool\n")


@per_python  # (how the command line is read; what the import prints on each release: test_import)
@pytest.mark.parametrize("argv", [
    ["runEverything.py"],  # a script name with the letters of -E, -I or -S in it
    ["-", "-I"],  # the program from stdin: what follows is its own arguments
    ["script.py", "-E"],  # the script's own option
    ["-Wignore::SyntaxWarning", "-c", "pass"],  # a value glued to its option
])
def test_words_that_are_not_interpreter_options_give_no_warning(tmp_path, argv):
    (tmp_path / "runEverything.py").write_text("")
    (tmp_path / "script.py").write_text("")
    proc = run(sys.executable, *argv, cwd=str(tmp_path))
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


def test_a_copy_of_the_package_that_fails_to_import_says_why_not_that_it_is_missing(tmp_path):
    # A broken install below the command (a copy without _core.py) is named with its error.
    import shutil

    import starlette_asyncstream

    broken = tmp_path / "broken"
    shutil.copytree(os.path.dirname(starlette_asyncstream.__file__), str(broken / "starlette_asyncstream"))
    (broken / "starlette_asyncstream" / "_core.py").unlink()
    # (-I: the run command itself imports the good copy; its child gets PYTHONPATH with the broken one.)
    proc = run_child(["-I"] + RUN + [sys.executable, "-c", "print('ran')"], python_path=[str(broken)])
    assert (proc.returncode, proc.stdout) == (0, "ran\n")
    # (CPython's wording after the name varies: "", " from 'starlette_asyncstream'", " from partially ...")
    assert proc.stderr.startswith(
        "starlette-asyncstream run: cannot be imported in {} (ImportError: cannot import name '_core'"
        .format(sys.executable)), proc.stderr
    assert proc.stderr.endswith("): this process runs without the fixes\n") and proc.stderr.count("\n") == 1


def test_a_python_without_the_package_below_the_command_says_so_in_one_line(tmp_path):
    # A tool's own venv (or a shim that picks another Python): the package is not there.
    venv = tmp_path / "tool-venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    python = str(venv / "bin" / "python")
    proc = run(python, "-c", "print('ran')")
    assert (proc.returncode, proc.stdout) == (0, "ran\n")
    assert proc.stderr == (
        "starlette-asyncstream run: not installed for {}: this process runs without the fixes\n".format(python)
    )
