"""install(), uninstall(), status(): identity, idempotence, threads, others' wrappers."""

import os
import threading
import types
import time
import warnings

import pytest
import starlette
import starlette.concurrency
import starlette.responses
from starlette.responses import StreamingResponse

import starlette_asyncstream as sa
from support.releases import (AFFECTED, LEGACY_COROUTINES, PY, applies, assert_outside_details, ready,
                              replacements_as_read, run, starlette_at_least, unawaited_coroutines)
from starlette_asyncstream._ranges import FIXES
from support.contents import SelfIterator, agen
from support.streaming import fetch



def live_objects():
    """Every object a fix may replace, as it is right now (None where absent)."""
    return {
        "__init__": vars(StreamingResponse).get("__init__"),
        "__call__": vars(StreamingResponse).get("__call__"),
        "concurrency.run_until_first_complete": getattr(starlette.concurrency, "run_until_first_complete", None),
        "responses.run_until_first_complete": getattr(starlette.responses, "run_until_first_complete", None),
    }


def replaced_names():
    names = set()
    if applies("dispatch"):
        names.add("__init__")
    if applies("tasks"):
        names.add("concurrency.run_until_first_complete")
        if starlette_at_least("0.13.3"):  # StreamingResponse uses it from 0.13.3
            names.add("responses.run_until_first_complete")
    if applies("disconnect"):
        names.add("__call__")
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
        assert fix.installed == ready(name), fix
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
        assert all(f.installed == ready(f.name) for f in sa.status().values())


def test_streaming_works_after_install_and_stops_being_patched_after_uninstall():
    sa.install()
    outcome, _ = run(fetch(lambda: StreamingResponse(SelfIterator([b"x"]))))
    assert outcome.body == b"x"
    sa.uninstall()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DeprecationWarning)
        outcome, _ = run(fetch(lambda: StreamingResponse(SelfIterator([b"x"]))))
    legacy_wait = applies("tasks") and starlette_at_least("0.13.3")
    if AFFECTED:
        assert isinstance(outcome.error, TypeError), outcome
        # (0.13.3-0.13.8 on 3.11+: the tasks bug's coroutines, made and refused)
        assert unawaited_coroutines(outcome) == (LEGACY_COROUTINES if legacy_wait and PY >= (3, 11) else [])
    else:
        assert outcome.body == b"x"
    # And on 3.9 and 3.10 the release's own warning for the coroutines it hands asyncio.wait() (#1066).
    assert {str(w.message) for w in caught if w.category is DeprecationWarning} == (
        {"The explicit passing of coroutine objects to asyncio.wait() is deprecated since Python 3.8, and "
         "scheduled for removal in Python 3.11."} if legacy_wait and (3, 9) <= PY < (3, 11) else set())


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
        # Named at the caller's line, as a library's warnings are: this test's call above.
        assert {(w.filename, w.lineno) for w in caught} == {(__file__, _line_of("            sa.uninstall()", 1))}
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


@pytest.mark.skipif(
    not applies("dispatch"),
    reason="Starlette {} is outside 0.12.0b3 <= starlette < 0.14.0 (any Python): "
    "nothing is replaced, so there is nothing to wrap".format(starlette.__version__),
)
def test_under_an_error_filter_an_explicit_call_raises_its_warning():
    # Only the application's import of the package (and of a module a fix waits for) prints a
    # warning that an "error" filter would raise; a call of the application's own raises it,
    # as any library's warning does.
    import wrapt

    original = vars(StreamingResponse)["__init__"]
    sa.install()
    wrapt.wrap_function_wrapper(starlette.responses, "StreamingResponse.__init__", lambda w, i, a, k: w(*a, **k))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(RuntimeWarning, match="wrapped by another patch after ours"):
                sa.uninstall("dispatch")
    finally:
        StreamingResponse.__init__ = original
        sa.uninstall()


def test_a_fix_that_does_not_apply_names_the_release_outside_its_range():
    assert_outside_details(sa.status())


def test_public_surface():
    assert sorted(sa.__all__) == ["DISABLE_ENV", "FIX_NAMES", "FixStatus", "StarletteLayoutWarning",
                                  "install", "status", "uninstall"]
    assert isinstance(sa.__version__, str)
    assert issubclass(sa.StarletteLayoutWarning, UserWarning)
    # FixStatus is made on first use (at once on 3.6, which has no module __getattr__): there either way.
    assert isinstance(next(iter(sa.status().values())), sa.FixStatus)
    # Its fields, in order; made from the seven it had before switched_off (code that builds its
    # own, a test double), it is not switched off.
    assert sa.FixStatus._fields == ("name", "applies", "installed", "needed_here", "affected", "upstream", "detail",
                                    "switched_off")
    assert sa.FixStatus("dispatch", True, True, True, "0.12.0b3 <= starlette < 0.14.0", "#1041",
                        "replaced").switched_off is False
    assert set(sa.__all__) <= set(dir(sa))
    assert sa.FIX_NAMES == tuple(f.name for f in FIXES) == (
        "dispatch", "tasks", "disconnect", "sse-dispatch", "sse-tasks", "sse-disconnect", "testclient", "debug-page",
        "websocket-loop", "debug-page-type", "multipart", "fastapi-multipart", "fastapi-uploads", "fastapi-json",
        "jinja2", "gzip", "staticfiles", "request-url", "form-limits", "upload-rollover",
        "fastapi-body-errors", "iscoroutinefunction", "fastapi-iscoroutinefunction")


@pytest.mark.skipif(
    not (applies("tasks") and starlette_at_least("0.13.3") and PY >= (3, 9)),
    reason="needs Starlette 0.13.3-0.13.8 (here {}) on Python >= 3.9 (here {}.{}): only there does the "
    "original run_until_first_complete show itself (a DeprecationWarning on 3.9/3.10, a TypeError from "
    "3.11)".format(starlette.__version__, *PY),
)
def test_uninstall_leaves_a_wrapper_on_top_of_our_tasks_fix_and_ours_is_really_off():
    import starlette.concurrency as concurrency
    import wrapt

    calls = []

    def theirs(wrapped, instance, args, kwargs):
        calls.append(1)
        return wrapped(*args, **kwargs)

    originals = (concurrency.run_until_first_complete, starlette.responses.run_until_first_complete)
    sa.install()
    ours = (concurrency.run_until_first_complete, starlette.responses.run_until_first_complete)
    # An APM library wraps the function after us, in both modules that hold it.
    wrapt.wrap_function_wrapper(concurrency, "run_until_first_complete", theirs)
    wrapt.wrap_function_wrapper(starlette.responses, "run_until_first_complete", theirs)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sa.uninstall()
        assert [str(w.message) for w in caught if w.category is RuntimeWarning] == [
            "starlette_asyncstream: starlette.concurrency.run_until_first_complete, "
            "starlette.responses.run_until_first_complete wrapped by another patch after ours; "
            "left in place with ours switched off"
        ]
        assert concurrency.run_until_first_complete.__wrapped__ is ours[0]
        assert starlette.responses.run_until_first_complete.__wrapped__ is ours[1]
        assert sa.status()["tasks"].installed is False
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            outcome, _ = run(fetch(lambda: StreamingResponse(agen([b"x"]))))
        assert calls  # their wrapper ran, and ours inside it behaved as the original
        if PY >= (3, 11):
            assert isinstance(outcome.error, TypeError) and "coroutines is forbidden" in str(outcome.error)
            assert unawaited_coroutines(outcome) == LEGACY_COROUTINES
        else:
            assert outcome.body == b"x"
            assert any(issubclass(w.category, DeprecationWarning) and "coroutine" in str(w.message)
                       for w in caught), [str(w.message) for w in caught]
        sa.install()  # switched back on inside their wrapper
        outcome, _ = run(fetch(lambda: StreamingResponse(agen([b"y"]))))
        assert outcome.body == b"y"
    finally:
        concurrency.run_until_first_complete, starlette.responses.run_until_first_complete = originals
        sa.uninstall()


def test_needed_here_and_detail_say_what_this_python_and_release_need():
    sa.install()
    st = sa.status()
    # Written out, not read from the table: dispatch fails on every Python,
    # tasks from Python 3.11 (bpo-34790 turned the deprecation into a TypeError).
    assert st["dispatch"].needed_here is applies("dispatch")
    assert st["tasks"].needed_here is (applies("tasks") and PY >= (3, 11))
    assert st["disconnect"].needed_here is applies("disconnect")
    # A row whose bug only warns (under -W error it fails) is needed wherever it applies.
    for name in ("websocket-loop", "debug-page-type", "multipart", "gzip"):
        assert st[name].needed_here is applies(name), name
    expected_detail = {
        "dispatch": "StreamingResponse.__init__ replaced",
        "tasks": "starlette.concurrency.run_until_first_complete replaced" + (
            "; starlette.responses.run_until_first_complete replaced" if starlette_at_least("0.13.3") else ""),
        "disconnect": "StreamingResponse.__call__ replaced",
    }
    for name in ("dispatch", "tasks", "disconnect"):
        if applies(name):
            assert st[name].detail == expected_detail[name]
        else:
            assert st[name].detail == "starlette {} is outside the affected range".format(starlette.__version__)


def test_install_racing_itself_wraps_once_and_uninstall_restores(monkeypatch):
    # Widen both windows of the race: making a replacement takes 50 ms (so
    # every thread would miss the registry and make its own), and putting
    # it in place takes longer the earlier the thread started (so the last
    # one registered is not the last one installed). Without the lock the
    # registry then names a replacement that is not the live one, and
    # uninstall() cannot put the original back.
    from starlette_asyncstream import _bindings, _core

    real_room = _core.room

    def slow_room(fix):
        where = real_room(fix)
        # A stand-in for the room whose make() takes 50 ms.
        return types.SimpleNamespace(
            MODULES=where.MODULES, targets=where.targets, IMPORTED_ONLY=getattr(where, "IMPORTED_ONLY", False),
            make=lambda original, switch: (time.sleep(0.05), where.make(original, switch))[1])

    monkeypatch.setattr(_core, "room", slow_room)
    real_install = _bindings.Patch.install

    def slow_install(self):
        time.sleep(0.01 * (8 - int(threading.current_thread().name.split("-")[1])))
        real_install(self)

    monkeypatch.setattr(_bindings.Patch, "install", slow_install)
    _bindings.BINDINGS.clear()  # nothing made yet: every thread must make (or find) them
    before = live_objects()
    barrier = threading.Barrier(8)
    threads = [threading.Thread(target=lambda: (barrier.wait(), sa.install()), name="installer-{}".format(i))
               for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for name in replaced_names():
        assert live_objects()[name].__wrapped__ is before[name]
    assert all(f.installed == ready(f.name) for f in sa.status().values())
    sa.install()  # once more, now alone: still one layer
    for name in replaced_names():
        assert live_objects()[name].__wrapped__ is before[name]
    sa.uninstall()
    assert all(live_objects()[k] is before[k] for k in before)


def test_every_row_of_the_range_table_has_its_replacement_and_no_other():
    from starlette_asyncstream import _core

    rooms = {name[:-3].replace("_", "-") for name in os.listdir(os.path.join(os.path.dirname(sa.__file__), "fixes"))
             if name.endswith(".py") and name != "__init__.py"}
    assert rooms == set(sa.FIX_NAMES)
    for fix in FIXES:  # each room has what _core asks of it
        where = _core.room(fix)
        assert where.MODULES and callable(where.targets) and callable(where.make)
        # (a vendored sse-starlette, with no version to read, is judged by its code)
        assert callable(getattr(where, "has_legacy_code", None)) is (fix.package == "sse-starlette"), fix.name
    for fix in FIXES:
        assert fix.package == fix.ranges[0][0] and all(low != high for _, low, high in fix.ranges)


def _line_of(text, occurrence):
    """The line number of this file's occurrence-th line that reads text."""
    with open(__file__) as f:
        numbers = [i for i, line in enumerate(f, 1) if line.rstrip("\n") == text]
    return numbers[occurrence - 1]


@pytest.mark.timeout(60)
def test_every_replacement_keeps_the_originals_name_signature_and_wrapped():
    # README: "each original kept as __wrapped__"; and what introspection reads of it
    # (name, qualified name, docstring, module, signature) is the original's.
    result = replacements_as_read()
    assert result["problems"] == []
    assert (result["bindings"] > 0) is any(applies(f.name) for f in FIXES)


@pytest.mark.skipif(not AFFECTED, reason="Starlette {} (any Python): no fix at import, nothing to log".format(
    starlette.__version__))
def test_installing_twice_and_uninstalling_twice_is_logged_not_warned(caplog):
    # (INFO on the "starlette_asyncstream" logger: silent unless an application asks for it)
    caplog.set_level("INFO", logger="starlette_asyncstream")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sa.install("dispatch")
        sa.install("dispatch")
        sa.uninstall("dispatch")
        assert [r.getMessage() for r in caplog.records] == ["fix 'dispatch' is already installed"]
        caplog.clear()
        sa.uninstall("dispatch")
    assert [r.getMessage() for r in caplog.records] == ["fix 'dispatch' is not installed; nothing to uninstall"]
