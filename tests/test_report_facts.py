"""The report's two data tables (the stack's breakages, the advisories) asked at
each edge of the facts they were measured from, written here a second time.

tests/stack proves each breakage with real releases on the Pythons of the
legs; tests/test_diagnostics checks the report's wording. Neither can tell a
boundary written one off (3.12.4 as 3.12.5, 3.10 as 3.11) on a Python no leg
runs: these facts do. Where they come from: ../shared/legacy-facts.md, the
releases' own code and metadata, the advisories (see the comments in
starlette_asyncstream/_stack.py and _security.py). A change to either table
changes a fact: change it here too, with its source."""

import sys

import pytest

from support.releases import VersionInfo
from starlette_asyncstream._security import ADVISORIES
from starlette_asyncstream._security import found as advisories_found
from starlette_asyncstream._stack import STACK
from starlette_asyncstream._stack import found as stack_found

# name: (affected releases [(first, first fixed or None)], first Python it breaks on,
#        first Python it no longer breaks on, only beside a Starlette before, only beside (module, release))
STACK_FACTS = {
    "aiofiles-coroutine": ([("0", "0.6.0")], (3, 11), None, "0.15.0", None),
    "uvicorn-httptools": ([("0", "0.12.0")], (3, 11), None, None, None),
    "uvicorn-metadata": ([("0.12.0", "0.13.3"), ("0.14.0", "0.15.0")], (3, 8), None, None, ("pip", "24.1")),
    "uvicorn-uvloop": ([("0", "0.15.0")], (3, 14), None, None, ("uvloop", "0")),
    "websockets-loop": ([("0", "10.0")], (3, 10), None, None, None),
    "websockets-deprecated": ([("10.0", None)], (3, 7), None, None, ("uvicorn", "0")),
    "pydantic-forwardref": ([("1.0", "1.10.16")], (3, 12, 4), None, None, None),
    "pydantic-type-params": ([("1.10.20", "1.10.21")], (3, 12), (3, 12, 4), None, None),
    "pydantic-py314": ([("1.0", "1.10.25")], (3, 14), None, None, None),
    "sse-starlette-loop": ([("0", "0.3.0")], (3, 10), None, None, None),
    "sse-starlette-starlette": ([("0.5.0", "0.10.0")], (3, 6), None, "0.13.2", None),
    "sse-starlette-utcnow": ([("0", "2.1.0")], (3, 12), None, None, None),
    "uvicorn-iscoroutinefunction": ([("0", "0.36.0")], (3, 14), None, None, None),
}

# id's first words: (affected releases (first, first fixed), the first Python the remedy installs on)
ADVISORY_FACTS = {
    "CVE-2023-29159": (("0.13.5", "0.27.0"), None),
    "CVE-2023-30798": (("0", "0.25.0"), None),
    "CVE-2024-47874": (("0", "0.40.0"), None),
    "CVE-2025-54121": (("0.13.5", "0.47.2"), None),
    "CVE-2025-62727": (("0.39.0", "0.49.1"), None),
    "CVE-2026-48710": (("0", "1.0.1"), None),
    "CVE-2026-54282": (("0", "1.3.0"), None),
    "CVE-2026-54283": (("0.4.1", "1.3.1"), None),
    "CVE-2021-32677": (("0", "0.65.2"), None),
    "CVE-2024-24762": (("0", "0.0.7"), (3, 7)),  # python-multipart 0.0.7 requires Python 3.7
    "CVE-2024-53981": (("0", "0.0.18"), (3, 8)),  # 0.0.18 requires 3.8
    "CVE-2026-24486": (("0", "0.0.22"), (3, 10)),  # 0.0.22 and later require 3.10
    "CVE-2026-40347": (("0", "0.0.26"), (3, 10)),
    "CVE-2026-53538": (("0", "0.0.30"), (3, 10)),
    "CVE-2020-7694": (("0", "0.11.7"), None),
    "CVE-2020-7695": (("0", "0.11.7"), None),
    "CVE-2025-43859": (("0", "0.16.0"), (3, 8)),  # h11 0.16.0 requires 3.8
}


def _before(python):
    """The Python just before: (3, 11) -> (3, 10), (3, 12, 4) -> (3, 12, 3)."""
    return python[:-1] + (python[-1] - 1,)


def _full(python):
    """As the running interpreter's version reads: three parts."""
    return (python + (0, 0, 0))[:3]


def test_every_row_of_both_tables_has_its_facts_here():
    assert sorted(b.name for b in STACK) == sorted(STACK_FACTS)
    assert sorted(a.ids.split()[0] for a in ADVISORIES) == sorted(ADVISORY_FACTS)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", sorted(STACK_FACTS))
def test_a_breakage_is_named_exactly_on_its_releases_and_pythons(name):
    ranges, first_python, python_below, starlette_below, needs = STACK_FACTS[name]
    module = next(b.module for b in STACK if b.name == name)

    def named(version, python, starlette="0.0.1" if starlette_below else "0.13.6", beside=needs):
        installed = {module: version, "starlette": starlette}
        if beside is not None:
            installed[beside[0]] = beside[1]
        return name in [r["name"] for r in stack_found(installed.get, python=_full(python))]

    for first, fixed in ranges:
        assert named("0.0.1" if first == "0" else first, first_python), (first, first_python)
        if fixed is not None:
            assert not named(fixed, first_python), fixed
        if first != "0":
            assert not named("0.0.1", first_python), "before " + first
    version = "0.0.1" if ranges[0][0] == "0" else ranges[0][0]
    assert not named(version, _before(first_python))
    assert named(version, _full(first_python)[:2] + (_full(first_python)[2] + 1,))  # the next micro release too
    if python_below is not None:
        assert named(version, _before(python_below))
        assert not named(version, python_below)
    if starlette_below is not None:
        assert not named(version, first_python, starlette=starlette_below)
        assert not named(version, first_python, starlette=None)
    if needs is not None:
        assert not named(version, first_python, beside=None)
        if needs[1] != "0":
            assert not named(version, first_python, beside=(needs[0], "0.0.1"))


@pytest.mark.timeout(60)
@pytest.mark.parametrize("ident", sorted(ADVISORY_FACTS))
def test_an_advisory_is_named_on_its_releases_and_its_remedy_on_the_pythons_it_installs_on(ident):
    (first, fixed), remedy_python = ADVISORY_FACTS[ident]
    advisory = next(a for a in ADVISORIES if a.ids.split()[0] == ident)

    def entry(version, python=(3, 13, 0)):
        got = [r for r in advisories_found({advisory.module: version}.get, {}, python=python)
               if r["id"] == advisory.ids]
        return got[0] if got else None

    assert entry("0.0.1" if first == "0" else first) is not None
    assert entry(fixed) is None
    if first != "0":
        assert entry("0.0.1") is None
    reached = "0.0.1" if first == "0" else first
    assert entry(reached)["fixed_in"] == fixed
    needs = " (it needs Python "
    if remedy_python is None:
        assert needs not in entry(reached, python=(3, 0, 0))["remedy"]
    else:
        assert needs + "{}.{}:".format(*remedy_python) in entry(reached, python=_full(_before(remedy_python)))["remedy"]
        assert needs not in entry(reached, python=_full(remedy_python))["remedy"]
        assert needs not in entry(reached, python=remedy_python)["remedy"]


@pytest.mark.timeout(60)
def test_the_running_pythons_micro_release_decides(monkeypatch):
    # 3.12.4 changed ForwardRef._evaluate: the running interpreter's micro release
    # is read, not only its minor one.
    installed = {"pydantic": "1.10.20", "starlette": "0.13.6"}.get
    for micro, named in ((3, True), (4, False), (5, False)):
        monkeypatch.setattr(sys, "version_info", VersionInfo(3, 12, micro))
        names = [r["name"] for r in stack_found(installed)]
        assert ("pydantic-type-params" in names) is named, micro
    monkeypatch.setattr(sys, "version_info", VersionInfo(3, 9, 18))
    (old,) = [r for r in advisories_found({"python_multipart": "0.0.21"}.get, {}) if r["id"].startswith("CVE-2026-2")]
    assert old["remedy"].endswith("(it needs Python 3.10: no release that fixes it installs on Python 3.9)")


def test_a_fix_switched_off_where_it_does_not_apply_leaves_the_remedy_as_it_is():
    # (Starlette 0.12.0b2: CVE-2023-30798 reaches it, the form-limits row does not; switching
    # the row off there changes nothing, and the remedy does not say it does)
    fixes = {"form-limits": {"applies": False, "switched_off": True}}
    (entry,) = [r for r in advisories_found({"starlette": "0.12.0b2"}.get, fixes, python=(3, 6, 15))
                if r["id"].startswith("CVE-2023-30798")]
    assert (entry["closed"], entry["remedy"]) == (False, "Starlette 0.25.0 or later")
    fixes["form-limits"]["applies"] = True
    (entry,) = [r for r in advisories_found({"starlette": "0.13.6"}.get, fixes, python=(3, 6, 15))
                if r["id"].startswith("CVE-2023-30798")]
    assert (entry["closed"], entry["remedy"]) == (
        False, "switched off by STARLETTE_ASYNCSTREAM_DISABLE: remove form-limits from it, or Starlette 0.25.0 "
        "or later")
