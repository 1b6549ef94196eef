"""The fixed releases' own regression tests for the fixes the package
backports, run against the leg's legacy release by scripts/upstream_tests.py
(its docstring says what it adapts and which tests it leaves out, and why):

- Starlette 1.3.1's tests of form limits (CVE-2023-30798, CVE-2024-47874,
  CVE-2026-54283) and of request.url (CVE-2026-48710, CVE-2026-54282), on a
  legacy Starlette;
- FastAPI 0.65.3's tests of a JSON route's Content-Type (CVE-2021-32677), on
  FastAPI 0.61.2.

With the package they pass; with those fixes switched off, every test of an
attack fails: the tests can fail.
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

# suite: (the row that must apply, the rows to switch off, how many cases, the ones that pass unpatched)
SUITES = {
    "starlette": ("form-limits", "request-url,form-limits", 41, {
        # a plain URL, and a path that already starts with "//" (the release's own answer is 1.3.1's)
        "tests/test_datastructures.py::test_url_from_scope",
        "tests/test_datastructures.py::test_url_from_scope_with_authority_in_path[host-header-scheme-relative]",
        "tests/test_datastructures.py::test_url_from_scope_with_authority_in_path[server-fallback-scheme-relative]",
    }),
    "fastapi": ("fastapi-json", "fastapi-json", 15, {
        # every test but the two that post JSON under another Content-Type
        "tests/test_tutorial001.py::test_post_body[/items/-body{}-{}-expected_response{}]".format(i, status, i)
        for i, status in enumerate((200, 200, 200, 200, 422, 422, 422))
    } | {"tests/test_tutorial001.py::test_post_body[/items/-None-422-expected_response7]"} | {
        "tests/test_tutorial001.py::" + name for name in (
            "test_post_broken_body", "test_explicit_content_type", "test_geo_json", "test_no_content_type_is_json",
            "test_other_exceptions")
    }),
}


def upstream(suite, disable=""):
    env = dict(os.environ)
    env.pop("STARLETTE_ASYNCSTREAM_DISABLE", None)
    if disable:
        env["STARLETTE_ASYNCSTREAM_DISABLE"] = disable
    proc = subprocess.run([sys.executable, SCRIPT, "run", SDISTS, suite, "-q", "-rA", "-W", "error"], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=600)
    outcomes = dict((node, word) for word, node in re.findall(r"^(PASSED|FAILED|ERROR) (\S+)", proc.stdout, re.M))
    return proc, outcomes


def applying(suite):
    row = SUITES[suite][0]
    if not applies(row):
        pytest.skip("{}: outside the `{}` row, whose fixed release's tests these are".format(LEG, row))


@pytest.mark.parametrize("suite", sorted(SUITES))
def test_the_fixed_releases_tests_pass_on_the_patched_legacy_release(suite):
    applying(suite)
    proc, outcomes = upstream(suite)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len(outcomes) == SUITES[suite][2] and set(outcomes.values()) == {"PASSED"}, proc.stdout
    assert proc.stderr == ""


@pytest.mark.parametrize("suite", sorted(SUITES))
def test_without_the_fixes_the_attacks_tests_fail(suite):
    applying(suite)
    _, rows, cases, legacy_passes = SUITES[suite]
    proc, outcomes = upstream(suite, disable=rows)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert len(outcomes) == cases, proc.stdout
    assert {node for node, word in outcomes.items() if word == "PASSED"} == legacy_passes, proc.stdout
