"""install(), uninstall(), status(): identity, idempotence, threads, others' wrappers."""

import threading
import warnings

import pytest
import starlette
import starlette.concurrency
import starlette.responses
from starlette.responses import StreamingResponse

import starlette_asyncstream as sa
from conftest import applies, run
from starlette_asyncstream._ranges import FIXES
from contents import SelfIterator
from streaming import fetch

AFFECTED = applies("dispatch") or applies("tasks")


def live_objects():
    """Every object a fix may replace, as it is right now (None where absent)."""
    return {
        "__init__": vars(StreamingResponse).get("__init__"),
        "concurrency.run_until_first_complete": getattr(starlette.concurrency, "run_until_first_complete", None),
        "responses.run_until_first_complete": getattr(starlette.responses, "run_until_first_complete", None),
    }


def replaced_names():
    names = set()
    if applies("dispatch"):
        names.add("__init__")
    if applies("tasks"):
        names |= {"concurrency.run_until_first_complete", "responses.run_until_first_complete"}
    return names


@pytest.fixture(autouse=True)
def always_uninstalled():
    sa.uninstall()
    yield
    sa.uninstall()


def test_install_replaces_exactly_the_fixes_in_range_and_uninstall_restores_identity():
    before = live_objects()
    sa.install()
    during = live_objects()
    for name in before:
        if name in replaced_names():
            assert during[name] is not before[name], name
            assert during[name].__wrapped__ is before[name], name
        else:
            assert during[name] is before[name], name
    sa.uninstall()
    after = live_objects()
    for name in before:
        assert after[name] is before[name], name


def test_status_is_read_off_the_objects():
    st = sa.status()
    assert list(st) == [f.name for f in FIXES]
    for name, fix in st.items():
        assert fix.applies == applies(name)
        assert fix.installed is False
    sa.install()
    for name, fix in sa.status().items():
        assert fix.installed == applies(name), fix
    # Someone puts the original back behind our back: status must see it.
    if applies("dispatch"):
        init = vars(StreamingResponse)["__init__"]
        StreamingResponse.__init__ = init.__wrapped__
        try:
            assert sa.status()["dispatch"].installed is False
        finally:
            StreamingResponse.__init__ = init
        assert sa.status()["dispatch"].installed is True


def test_double_install_is_a_noop_and_one_uninstall_restores():
    before = live_objects()
    sa.install()
    once = live_objects()
    sa.install()
    assert all(live_objects()[k] is once[k] for k in once)
    for name in replaced_names():
        # not wrapped twice
        assert live_objects()[name].__wrapped__ is before[name]
    sa.uninstall()
    assert all(live_objects()[k] is before[k] for k in before)
    sa.uninstall()  # second uninstall: nothing happens, nothing raised
    assert all(live_objects()[k] is before[k] for k in before)


def test_install_uninstall_cycles_reuse_the_same_replacements():
    sa.install()
    first = live_objects()
    sa.uninstall()
    sa.install()
    assert all(live_objects()[k] is first[k] for k in first)


@pytest.mark.parametrize("action", ["install", "uninstall"])
def test_concurrent_calls_from_threads(action):
    before = live_objects()
    if action == "uninstall":
        sa.install()
    barrier = threading.Barrier(16)
    errors = []

    def worker():
        try:
            barrier.wait()
            getattr(sa, action)()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    now = live_objects()
    for name in before:
        if action == "install" and name in replaced_names():
            assert now[name].__wrapped__ is before[name]  # wrapped once, not 16 times
        else:
            assert now[name] is before[name]
    if action == "install":
        assert all(f.installed == f.applies for f in sa.status().values())


def test_streaming_works_after_install_and_stops_being_patched_after_uninstall():
    sa.install()
    outcome, _ = run(fetch(lambda: StreamingResponse(SelfIterator([b"x"]))))
    assert outcome.body == b"x"
    sa.uninstall()
    outcome, _ = run(fetch(lambda: StreamingResponse(SelfIterator([b"x"]))))
    if AFFECTED:
        assert isinstance(outcome.error, TypeError), outcome
    else:
        assert outcome.body == b"x"


@pytest.mark.skipif(
    not applies("dispatch"),
    reason="Starlette {} is outside 0.12.0b3 <= starlette < 0.14.0 (any Python): "
    "nothing is replaced, so there is nothing to wrap".format(starlette.__version__),
)
def test_uninstall_leaves_a_wrapper_put_on_top_of_ours():
    import wrapt

    calls = []

    def theirs(wrapped, instance, args, kwargs):
        calls.append(1)
        return wrapped(*args, **kwargs)

    original = vars(StreamingResponse)["__init__"]
    sa.install()
    ours = vars(StreamingResponse)["__init__"]
    wrapt.wrap_function_wrapper(starlette.responses, "StreamingResponse.__init__", theirs)
    try:
        assert sa.status()["dispatch"].installed is True
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sa.uninstall()
        assert any("wrapped by another patch" in str(w.message) for w in caught), caught
        live = vars(StreamingResponse)["__init__"]
        assert isinstance(live, wrapt.FunctionWrapper) and live.__wrapped__ is ours
        assert sa.status()["dispatch"].installed is False
        content = SelfIterator([b"x"])
        response = StreamingResponse(content)
        assert calls and response.body_iterator is not content  # ours is off
        sa.install()  # switched back on, inside their wrapper
        assert StreamingResponse(content).body_iterator is content
        assert vars(StreamingResponse)["__init__"] is live
    finally:
        StreamingResponse.__init__ = original
        sa.uninstall()


def test_public_surface():
    assert set(sa.__all__) == {
        "DISABLE_ENV",
        "FixStatus",
        "StarletteLayoutWarning",
        "install",
        "status",
        "uninstall",
    }
    assert isinstance(sa.__version__, str)
    assert issubclass(sa.StarletteLayoutWarning, UserWarning)
