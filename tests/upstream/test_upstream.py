"""Starlette 1.3.1's own regression tests for the fixes the package
backports (form limits: CVE-2023-30798, CVE-2024-47874, CVE-2026-54283;
request.url: CVE-2026-48710, CVE-2026-54282), run against the leg's legacy
release by scripts/upstream_tests.py (its docstring says what it adapts and
which tests it leaves out, and why). With the package they pass; with those
fixes switched off, every test of an attack fails: the tests can fail.
"""

import os
import re
import subprocess
import sys

import pytest
import starlette

from support.releases import applies

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "scripts", "upstream_tests.py")
# Fetched with the leg (tox.ini: `upstream_tests.py fetch`), never by the tests.
SDISTS = os.path.join(ROOT, ".tox", "upstream")
LEG = "Starlette {} on Python {}.{}".format(starlette.__version__, *sys.version_info[:2])
ROWS = "request-url,form-limits"
# The cases that pass on a legacy release unpatched: a plain URL, and a path
# that already starts with "//" (the release's own answer is 1.3.1's).
LEGACY_PASSES = {
    "tests/test_datastructures.py::test_url_from_scope",
    "tests/test_datastructures.py::test_url_from_scope_with_authority_in_path[host-header-scheme-relative]",
    "tests/test_datastructures.py::test_url_from_scope_with_authority_in_path[server-fallback-scheme-relative]",
}

pytestmark = pytest.mark.skipif(not applies("form-limits"), reason="{}: not a legacy release the security rows "
                                "fix".format(LEG))


def upstream(disable=""):
    env = dict(os.environ)
    env.pop("STARLETTE_ASYNCSTREAM_DISABLE", None)
    if disable:
        env["STARLETTE_ASYNCSTREAM_DISABLE"] = disable
    proc = subprocess.run([sys.executable, SCRIPT, "run", SDISTS, "-q", "-rA", "-W", "error"], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=600)
    outcomes = dict((node, word) for word, node in re.findall(r"^(PASSED|FAILED|ERROR) (\S+)", proc.stdout, re.M))
    return proc, outcomes


def test_the_fixed_releases_tests_pass_on_the_patched_legacy_release():
    proc, outcomes = upstream()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len(outcomes) == 41 and set(outcomes.values()) == {"PASSED"}, proc.stdout
    assert proc.stderr == ""


def test_without_the_fixes_the_attacks_tests_fail():
    proc, outcomes = upstream(disable=ROWS)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert len(outcomes) == 41, proc.stdout
    assert {node for node, word in outcomes.items() if word == "PASSED"} == LEGACY_PASSES, proc.stdout
