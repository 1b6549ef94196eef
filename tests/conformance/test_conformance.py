"""Patched legacy Starlette against unpatched 0.14.2, case by case.

Each environment is a real Starlette release in its own interpreter
(runner.py); the same specs go to both sides and the normalised outcomes
must be equal. A divergence is reported with both outcomes side by side.

    scripts/tox -e conformance                          # CI: 200 examples per environment, seed 0
    scripts/tox -e conformance -- --examples 1000 --seed random   # the long run
"""

import json

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

import cases

REFERENCE = "0.14.2"
# Every row of the range table is crossed: the disconnect range
# (0.12.0b3-0.13.2), the tasks range (0.13.2-0.13.8), both ends of each.
LEGACY = ["0.12.0b3", "0.12.13", "0.13.0", "0.13.2", "0.13.6", "0.13.8"]
PYTHONS = ["3.6", "3.8", "3.11", "3.13"]
ENVIRONMENTS = [(py, release) for py in PYTHONS for release in LEGACY]
# The streaming rows each side has installed (the others, request-url and the like, are in
# place on both sides alike up to 0.14.2 and play no part in a streamed response).
STREAMING = ("disconnect", "dispatch", "tasks")
INSTALLED = {
    "0.12.0b3": ["disconnect", "dispatch"], "0.12.13": ["disconnect", "dispatch"],
    "0.13.0": ["disconnect", "dispatch"], "0.13.2": ["disconnect", "dispatch", "tasks"],
    "0.13.6": ["dispatch", "tasks"], "0.13.8": ["dispatch", "tasks"],
}


def side_by_side(name, spec, legacy, reference, release):
    lines = ["{}: patched {} and unpatched {} disagree".format(name, release, REFERENCE),
             "spec: " + json.dumps(spec, sort_keys=True)]
    for key in sorted(set(legacy) | set(reference)):
        if legacy.get(key) != reference.get(key):
            lines.append("  {:<22} legacy:    {!r}".format(key, legacy.get(key)))
            lines.append("  {:<22} reference: {!r}".format("", reference.get(key)))
    return "\n".join(lines)


@pytest.mark.parametrize("py, release", ENVIRONMENTS, ids=["py{}-{}".format(*e) for e in ENVIRONMENTS])
def test_corpus(runner, py, release):
    legacy, reference = runner(py, release), runner(py, REFERENCE)
    assert [n for n in legacy.header["installed"] if n in STREAMING] == INSTALLED[release]
    assert [n for n in reference.header["installed"] if n in STREAMING] == []
    divergences = []
    for name in sorted(cases.CORPUS):
        spec = cases.CORPUS[name]
        ours, theirs = legacy.ask(spec), reference.ask(spec)
        # 0.14.2 leaves no task pending and nothing for the loop to report:
        # matching it means no leaks either.
        assert (theirs["pending_tasks"], theirs["loop_errors"]) == ([], []), (name, theirs)
        if ours != theirs:
            divergences.append(side_by_side(name, spec, ours, theirs, release))
    assert not divergences, "\n\n".join(divergences)
    # and the runner still serves after every bad input of the corpus
    ok = legacy.ask(cases.CORPUS["async-self"])
    assert ok["chunks"] == ["one,", "tw\u00c3\u00b6,", "three"] and ok["error"] is None


# What Starlette changed after 0.14.x; the contract is 0.14.x, so against the
# newest release these are the only divergences allowed, each named.
UPSTREAM_CHANGES_AFTER_014 = {
    "iterate_in_threadpool calls iter() first (plain iterables stream, errors say 'not iterable')":
        lambda spec: spec["content"]["kind"] in cases.OTHER_KINDS + cases.BAD_KINDS,
    "memoryview chunks are sent as they are":
        lambda spec: any(t == "memoryview" for t, _ in spec["content"]["chunks"]),
    "disconnects handled by an anyio task group":
        lambda spec: spec["client"]["disconnect_after"] is not None,
}


def test_newest_release_differs_only_where_upstream_changed(runner, newest_release):
    legacy, newest = runner("3.11", "0.13.8"), runner("3.11", newest_release, patched=False)
    seen, unexplained = set(), []
    for name in sorted(cases.CORPUS):
        spec = cases.CORPUS[name]
        ours, theirs = legacy.ask(spec), newest.ask(spec)
        if ours == theirs:
            continue
        reasons = [why for why, matches in UPSTREAM_CHANGES_AFTER_014.items() if matches(spec)]
        if reasons:
            seen.update(reasons)
        else:
            unexplained.append(side_by_side(name, spec, ours, theirs, "0.13.8").replace(REFERENCE, newest_release))
    assert not unexplained, "\n\n".join(unexplained)
    print("newest {}: differs from 0.14.x only by: {}".format(newest_release, "; ".join(sorted(seen))))


@pytest.mark.parametrize("release", ["0.13.2", "0.13.6"])
def test_without_the_fixes_legacy_really_diverges(runner, release):
    unpatched, reference = runner("3.8", release, patched=False), runner("3.8", REFERENCE)
    assert unpatched.header["installed"] == []
    spec = cases.CORPUS["async-self"]
    assert unpatched.ask(spec) != reference.ask(spec)
    # and before 0.13.3 a client that leaves is not noticed: the stream goes on
    disconnecting = [name for name in sorted(cases.CORPUS)
                     if cases.CORPUS[name]["client"]["disconnect_after"] is not None]
    assert disconnecting
    differs = [name for name in disconnecting if unpatched.ask(cases.CORPUS[name]) != reference.ask(cases.CORPUS[name])]
    assert differs


# --- generated inputs --------------------------------------------------------

TEXT = st.text(alphabet="ab\u00e9\u20ac\n", min_size=0, max_size=4)


@st.composite
def specs(draw):
    kind = draw(st.sampled_from(cases.ASYNC_KINDS + cases.SYNC_KINDS + cases.OTHER_KINDS
                                + cases.THIRD_PARTY_KINDS + cases.BAD_KINDS))
    chunk_type = st.sampled_from(["bytes", "str"]) if kind == "aiofiles" else st.sampled_from(cases.CHUNK_TYPES)
    chunks = draw(st.lists(st.tuples(chunk_type, TEXT).map(list), max_size=6))
    streamed = kind not in cases.THIRD_PARTY_KINDS
    content = {
        "kind": kind,
        "chunks": chunks,
        "fail_at": draw(st.none() | st.integers(0, len(chunks))) if streamed else None,
        "error": draw(st.sampled_from(sorted(cases.ERRORS))),
        "yield": draw(st.booleans()),
    }
    response = {
        "cls": draw(st.sampled_from(["plain", "subclass", "subclass-init"])),
        "keyword": draw(st.booleans()),
        "status": draw(st.none() | st.sampled_from([200, 201, 206, 404, 500])),
        "headers": draw(st.none() | st.dictionaries(st.sampled_from(["x-a", "x-b", "cache-control"]),
                                                    st.sampled_from(["1", "no-store", "v\u00c3\u00a9"]),
                                                    max_size=2)),
        "media_type": draw(st.none() | st.sampled_from(["text/plain", "text/event-stream", "application/x-ndjson"])),
        "background": draw(st.booleans()),
    }
    client = {"disconnect_after": draw(st.none() | st.integers(0, len(chunks) + 1))}
    return {"content": content, "response": response, "client": client}


@pytest.mark.parametrize("py, release", ENVIRONMENTS, ids=["py{}-{}".format(*e) for e in ENVIRONMENTS])
def test_generated(runner, py, release, request):
    legacy, reference = runner(py, release), runner(py, REFERENCE)
    examples = request.config.getoption("--examples")
    chosen_seed = request.config.getoption("--seed")
    counted = []

    @settings(max_examples=examples, deadline=None, database=None, derandomize=chosen_seed == "0",
              suppress_health_check=list(HealthCheck))
    @given(spec=specs())
    def check(spec):
        ours, theirs = legacy.ask(spec), reference.ask(spec)
        counted.append(1)
        assert ours == theirs, side_by_side("generated", spec, ours, theirs, release)

    if chosen_seed not in ("random", "0"):
        check = seed(int(chosen_seed))(check)
    check()
    assert len(counted) >= examples
