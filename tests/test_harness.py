"""The test harness itself: a hang fails under its own name, and the closing
line of scripts/tox cannot lose a leg."""

import os
import subprocess
import sys
import time

from support.releases import per_python

# scripts/tox, its summary and pytest-timeout: the Python matters, the Starlette release does not.
pytestmark = per_python

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUMMARY = os.path.join(ROOT, "scripts", "junit_summary.py")


def test_this_session_runs_under_a_time_limit(request):
    assert request.config.pluginmanager.hasplugin("timeout")
    assert 0 < float(request.config.getini("timeout")) <= 120


def test_a_hanging_test_fails_under_its_name_and_the_leg_goes_on(tmp_path):
    (tmp_path / "test_hang.py").write_text(
        "import time\n\n"
        "def test_waits_forever():\n    time.sleep(3600)\n\n"
        "def test_after_it():\n    pass\n"
    )
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-c", os.path.join(ROOT, "pyproject.toml"),
         "--rootdir", str(tmp_path), "-o", "timeout=2", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=120,
    )
    assert time.monotonic() - started < 60
    assert proc.returncode == 1, proc.stdout
    assert "Timeout" in proc.stdout and "FAILED" in proc.stdout and "test_waits_forever" in proc.stdout
    assert "1 failed, 1 passed" in proc.stdout


def summary(tmp_path, *legs, stdin=None):
    return subprocess.run(
        [sys.executable, SUMMARY, str(tmp_path)] + list(legs), input=stdin,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=60,
    )


def write_report(tmp_path, leg, tests, failures=0, errors=0, skipped=0):
    (tmp_path / (leg + ".xml")).write_text(
        '<?xml version="1.0"?><testsuites><testsuite name="pytest" tests="{}" failures="{}" errors="{}" '
        'skipped="{}"></testsuite></testsuites>'.format(tests, failures, errors, skipped)
    )


def test_the_closing_line_adds_up_every_report(tmp_path):
    write_report(tmp_path, "py36-a", 10, skipped=2)
    write_report(tmp_path, "py311-b", 5, failures=1, errors=1)
    proc = summary(tmp_path, "py36-a", "py311-b")
    assert proc.stdout.splitlines() == ["tox legs: 2", "11 passed, 2 failed, 2 skipped"]
    assert (proc.returncode, proc.stderr) == (1, "")


def test_a_leg_without_a_report_is_counted_as_failed_and_named(tmp_path):
    write_report(tmp_path, "py36-a", 108)
    (tmp_path / "py38-c.xml").write_text("<testsuites><testsuite tests=")  # killed mid-write
    proc = summary(tmp_path, "py36-a", "py311-hung", "py38-c")
    assert proc.stdout.splitlines() == [
        "tox legs: 3",
        "leg py311-hung wrote no test report: counted as failed",
        "leg py38-c wrote an unreadable test report: counted as failed",
        "108 passed, 2 failed, 0 skipped",
    ]
    assert proc.returncode == 1


def test_the_legs_come_from_tox_config(tmp_path):
    write_report(tmp_path, "py36-a", 3)
    config = (
        "[testenv:py36-a]\ncommands =\n  python -c pass\n  pytest -q --junitxml=/x/py36-a.xml tests\n\n"
        "[testenv:sweep-boundaries]\ncommands = python scripts/sweep.py --boundaries\n\n"
        "[testenv:conformance]\ncommands = pytest --junitxml=/x/conformance.xml tests/conformance\n"
    )
    proc = summary(tmp_path, "-", stdin=config)
    assert proc.stdout.splitlines() == [
        "tox legs: 2 with test reports, of 3 environments run",
        "leg conformance wrote no test report: counted as failed", "3 passed, 1 failed, 0 skipped",
    ]
    assert summary(tmp_path, "-", stdin="[testenv:diagnose]\ncommands = python -m x\n").stdout == ""


TOX_SCRIPT = os.path.join(ROOT, "scripts", "tox")
BOOTSTRAP = os.path.join(ROOT, ".tox-bootstrap", "bin", "python")


def _bootstrap_runs():
    try:
        return subprocess.run([BOOTSTRAP, "-c", ""], timeout=30).returncode == 0
    except OSError:  # not made yet (an unpacked sdist), or a host venv seen from the sid root
        return False


def test_a_listing_of_scripts_tox_ends_without_a_test_count():
    if not (os.path.exists(TOX_SCRIPT) and _bootstrap_runs()):
        import pytest

        pytest.skip("scripts/tox with its bootstrap venv is not runnable here (an unpacked sdist, or the sid root)")
    for args in (["-l"], ["--help"], ["config", "-e", "lint", "-k", "commands"]):
        proc = subprocess.run(["bash", TOX_SCRIPT] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, timeout=120, cwd=ROOT)
        assert proc.returncode == 0, (args, proc.stderr)
        assert " passed, " not in proc.stdout and "tox legs:" not in proc.stdout, (args, proc.stdout[-300:])


def test_the_legs_show_pytest_headers_where_the_plugin_puts_its_line():
    # The README promises the plugin's header line in each leg of a tox
    # matrix; pytest hides every header under -q.
    import configparser
    import shlex

    import pytest

    if not os.path.exists(os.path.join(ROOT, "tox.ini")):  # pragma: no cover - the sdist has it
        pytest.skip("tox.ini is not beside the tests (an installed copy): the checkout's matrix is checked there")
    config = configparser.ConfigParser(interpolation=None)
    config.read(os.path.join(ROOT, "tox.ini"))
    options = shlex.split(config["testenv"]["pytest_options"])
    assert not {"-q", "--quiet", "-qq"} & set(options), options
