"""The pytest plugin: one header line, and nothing installed by it.

Each test runs pytest in a child process on a small test directory, with the
package as installed in this leg (its entry point is what pytest loads).
"""

import sys
import textwrap

import pytest
import starlette

from support.installs import run_child
from starlette_asyncstream._ranges import FIXES
from support.releases import AFFECTED, AT_IMPORT, applies

LEG = "Starlette {} on Python {}.{}".format(starlette.__version__, *sys.version_info[:2])

UNPATCHED = """
    import sys
    def test_the_plugin_patched_nothing():
        from starlette.responses import StreamingResponse
        assert not hasattr(vars(StreamingResponse)["__init__"], "__wrapped__")
        assert "wrapt" not in sys.modules
"""

# The usual layout: the package imported first in conftest.py; the test sees the fixes.
IMPORTED_IN_CONFTEST = {
    "conftest.py": "import starlette_asyncstream\n",
    "test_b.py": """
        def test_patched():
            from starlette.responses import StreamingResponse
            assert hasattr(vars(StreamingResponse)["__init__"], "__wrapped__") is %r
    """ % applies("dispatch"),
}


def pytest_in(tmp_path, files, *args, env_extra=None):
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text))
    return run_child(["-m", "pytest", "-p", "no:cacheprovider"] + list(args), cwd=str(tmp_path), env_extra=env_extra)


def header(proc):
    lines = [line for line in proc.stdout.splitlines() if line.startswith("starlette-asyncstream ")]
    assert len(lines) == 1, proc.stdout
    return lines[0]


def test_the_header_names_the_release_and_the_plugin_installs_nothing(tmp_path):
    proc = pytest_in(tmp_path, {"test_a.py": UNPATCHED})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stderr == ""
    line = header(proc)
    # Nothing imported the package: the header says what its import will install.
    applying = [f.name for f in FIXES if applies(f.name)]
    assert line == "starlette-asyncstream 0.1.0: Starlette {}; not imported yet; its import installs: {}".format(
        starlette.__version__, ", ".join(applying) or "nothing here"), line


def test_the_header_names_what_the_opt_out_switches_off(tmp_path):
    applying = [f.name for f in FIXES if applies(f.name)]
    if not applying:
        pytest.skip("{}: no fix applies here, so there is nothing to switch off".format(LEG))
    files = {"conftest.py": "import starlette_asyncstream\n", "test_a.py": "def test_a():\n    pass\n"}
    proc = pytest_in(tmp_path, files, env_extra={"STARLETTE_ASYNCSTREAM_DISABLE": applying[0]})
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stdout + proc.stderr
    line = header(proc)
    assert line.endswith("; switched off by STARLETTE_ASYNCSTREAM_DISABLE: " + applying[0]), line
    assert "not installed: " + applying[0] not in line


@pytest.mark.skipif(not AFFECTED, reason="Starlette {} on Python {}.{}: no streaming fix applies".format(
    starlette.__version__, *sys.version_info[:2]))
def test_an_import_in_conftest_shows_in_the_header_and_patches(tmp_path):
    proc = pytest_in(tmp_path, IMPORTED_IN_CONFTEST)
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stdout + proc.stderr
    installed = [name for name in AT_IMPORT if applies(name)]
    assert "fixes installed: " + ", ".join(installed) in header(proc)


def test_a_fix_waiting_for_its_module_is_named_as_waiting_not_as_missing(tmp_path):
    if not applies("testclient"):
        pytest.skip("{}: outside the testclient fix's range, nothing waits for starlette.testclient".format(LEG))
    files = {"conftest.py": "import starlette_asyncstream\n", "test_a.py": "def test_a():\n    pass\n"}
    proc = pytest_in(tmp_path, files)
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stdout + proc.stderr
    line = header(proc)
    waiting = line.split("waiting for their module: ", 1)[1].split(";")[0].split(", ")
    assert "testclient" in waiting, line
    assert "not installed" not in line, line
    # Only fixes that apply here wait; one that does not apply is neither waiting nor missing.
    assert [name for name in waiting if not applies(name)] == [], line


def test_the_plugin_can_be_switched_off(tmp_path):
    proc = pytest_in(tmp_path, {"test_a.py": UNPATCHED}, "-p", "no:starlette_asyncstream")
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stdout + proc.stderr
    assert "starlette-asyncstream " not in proc.stdout


def test_the_plugin_loaded_by_name_installs_nothing_either(tmp_path):
    # Autoload off and the plugin named with -p (as CI configurations do): not
    # through pytest's entry points, and still nothing installed by it.
    proc = pytest_in(tmp_path, {"test_a.py": UNPATCHED}, "-p", "starlette_asyncstream_pytest",
                     env_extra={"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"})
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stdout + proc.stderr
    assert header(proc).startswith("starlette-asyncstream 0.1.0: Starlette {}; not imported yet".format(
        starlette.__version__))


@pytest.mark.skipif(not AFFECTED, reason="Starlette {} on Python {}.{}: no streaming fix applies".format(
    starlette.__version__, *sys.version_info[:2]))
def test_without_the_plugin_the_application_s_import_installs_as_always(tmp_path):
    proc = pytest_in(tmp_path, IMPORTED_IN_CONFTEST, env_extra={"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"})
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stdout + proc.stderr
    assert "starlette-asyncstream " not in proc.stdout


@pytest.mark.skipif(not AFFECTED, reason="Starlette {} on Python {}.{}: no streaming fix applies".format(
    starlette.__version__, *sys.version_info[:2]))
def test_a_package_imported_before_pytest_loads_the_plugin_stays_as_it_is(tmp_path):
    # Under `starlette-asyncstream run`, the package is imported (and installs) before pytest
    # starts: the plugin reads it as it is, and leaves it in place.
    (tmp_path / "test_b.py").write_text(textwrap.dedent(IMPORTED_IN_CONFTEST["test_b.py"]))
    proc = run_child(["-m", "starlette_asyncstream", "run", sys.executable, "-m", "pytest", "-p",
                      "no:cacheprovider"], cwd=str(tmp_path))
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stdout + proc.stderr
    installed = [name for name in AT_IMPORT if applies(name)]
    assert "fixes installed: " + ", ".join(installed) in header(proc), header(proc)


def test_a_header_that_cannot_be_read_says_so_and_the_run_goes_on(tmp_path):
    # The plugin's last defence: whatever status() meets that no release foresaw, the header says
    # it in one line and the application's tests run (here status() is made to raise; nothing of
    # Starlette is touched).
    proc = pytest_in(tmp_path, {
        "conftest.py": """
            import starlette_asyncstream_pytest

            def broken():
                raise RuntimeError("a layout nobody foresaw")

            starlette_asyncstream_pytest._status = broken
        """,
        "test_a.py": UNPATCHED,
    })
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stdout + proc.stderr
    lines = [line for line in proc.stdout.splitlines() if line.startswith("starlette-asyncstream")]
    assert lines == ["starlette-asyncstream: status unavailable (RuntimeError: a layout nobody foresaw)"], proc.stdout
    assert "1 passed" in proc.stdout


def test_a_fix_that_applies_and_was_uninstalled_is_named_as_not_installed(tmp_path):
    if not applies("dispatch"):
        pytest.skip("{}: outside the dispatch fix's range, nothing to uninstall".format(LEG))
    files = {"conftest.py": "import starlette_asyncstream\nstarlette_asyncstream.uninstall('dispatch')\n",
             "test_a.py": "def test_a():\n    pass\n"}
    proc = pytest_in(tmp_path, files)
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stdout + proc.stderr
    line = header(proc)
    assert line.endswith("; not installed: dispatch"), line
    assert "dispatch" not in line.split("fixes installed: ", 1)[1].split(";")[0].split(", "), line
