"""sse-starlette's EventSourceResponse, as released, with the one-line import.

Legs (tox factor sse*): 0.4.0 with Starlette 0.12.13 on 3.11 (the releases
before 0.5.0 never listen for http.disconnect), 0.6.2 with Starlette 0.13.6 on Python 3.6 and 3.8,
0.10.3 with 0.13.6 on 3.11, 1.1.6 with the newest Starlette, and 1.2.1 (the
upstream fix), where nothing may be patched. The expected event stream is
what 1.2.1 sends for the same iterator: the 1.2.1 leg runs these assertions
unpatched, which is how they are checked against it. Pings are counted, not
compared byte for byte: their format is sse-starlette's own and changed
between releases (an "event: ping" in 0.x, a ": ping" comment in 1.x).
"""

import asyncio
import gc
import json
import os
import sys
import warnings

import httpx
import pytest
import starlette

import starlette_asyncstream as sa
from support.releases import (applies, assert_outside_details, installed_version, replacements_as_read, run,
                              run_python, starlette_at_least)
from support.installs import run_child, site_view, vendored_copy
from programs import feeds
from support.servers import PROGRAMS, free_port, get, serving

pytestmark = pytest.mark.usefixtures("patched")

SSE_PROBE = os.path.join(PROGRAMS, "sse_probe.py")
EVENTS = [{"data": "hello"}, {"event": "tick", "id": 1, "data": "multi\nline"}, "plain"]
# What sse-starlette 1.2.1 sends for EVENTS (separator \r\n).
STREAM = ["data: hello", "id: 1\r\nevent: tick\r\ndata: multi\r\ndata: line", "data: plain"]


class Feed(feeds.Feed):
    """A queue-like event source (the shared custom async iterator) that can
    wait before its last event, so that pings have time to flow."""

    def __init__(self, items=EVENTS, pause_before_last=0.0):
        super().__init__(items)
        self.pause = pause_before_last

    async def __anext__(self):
        if self.pause and self.i == len(self.items) - 1:
            await asyncio.sleep(self.pause)
        return await super().__anext__()


async def agen():
    for item in EVENTS:
        yield item


def sgen():
    for item in EVENTS:
        yield item


def split(body):
    """(data events, ping count) of an event stream."""
    events, pings = [], 0
    for block in body.decode().split("\r\n\r\n"):
        if not block:
            continue
        if block.startswith(":") or "event: ping" in block:
            pings += 1
        else:
            events.append(block)
    return events, pings


async def fetch(make):
    async def app(scope, receive, send):
        await make()(scope, receive, send)

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        return await client.get("/")


def response_class():
    from sse_starlette.sse import EventSourceResponse

    return EventSourceResponse


@pytest.mark.parametrize("kind", ["custom async iterator", "async generator", "sync generator"])
def test_event_stream_is_what_121_sends(kind):
    make = {"custom async iterator": Feed, "async generator": agen, "sync generator": sgen}[kind]
    r = run(fetch(lambda: response_class()(make())))
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    assert r.headers["cache-control"] == "no-cache"
    events, pings = split(r.content)
    assert events == STREAM
    assert r.content.endswith(b"\r\n\r\n")  # the stream ended after the last event


def test_pings_keep_flowing_while_the_iterator_waits():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DeprecationWarning)
        r = run(fetch(lambda: response_class()(Feed(pause_before_last=2.2), ping=1)))
    events, pings = split(r.content)
    assert events == STREAM
    assert pings >= 1
    # The only warning is sse-starlette's own, where its ping reads datetime.utcnow() (1.x)
    # and Python deprecates it (3.12): a remedy of sse-starlette's, not of this package.
    import inspect
    from sse_starlette import sse

    utcnow = "datetime.utcnow()" in inspect.getsource(sse) and sys.version_info >= (3, 12)
    assert {(os.path.basename(w.filename), str(w.message).split(" is ")[0])
            for w in caught if w.category is DeprecationWarning} == (
        {("sse.py", "datetime.datetime.utcnow()")} if utcnow else set())


def test_a_background_task_runs_once_the_stream_has_ended():
    # As every release's own __call__ does (and the fixed one, where a fix replaces it).
    from starlette.background import BackgroundTask

    ran = []
    r = run(fetch(lambda: response_class()(agen(), background=BackgroundTask(ran.append, "after"))))
    assert (split(r.content)[0], ran) == (STREAM, ["after"])


def test_the_content_object_is_the_body_iterator():
    async def construct(content):  # 0.x releases ask for the running loop in __init__
        return response_class()(content).body_iterator

    content = Feed()
    assert run(construct(content)) is content


def test_a_fix_that_does_not_apply_names_the_release_outside_its_range():
    assert_outside_details(sa.status())


def test_status_and_identity():
    if "sse_starlette.sse" not in sys.modules:  # (this test run alone: nothing imported it yet)
        for name in ("sse-dispatch", "sse-tasks"):
            st = sa.status()[name]
            assert (st.installed, st.detail.startswith("waiting")) == (False, applies(name)), st
    from sse_starlette import sse

    st = sa.status()
    for name in ("sse-dispatch", "sse-tasks"):
        assert st[name].applies == applies(name)
        assert st[name].installed == applies(name), st[name]

    init = vars(sse.EventSourceResponse)["__init__"]
    assert hasattr(init, "__wrapped__") == applies("sse-dispatch")


@pytest.mark.parametrize("order", ["package-first", "sse-first", "none"])
def test_import_order_and_the_unpatched_release(order):
    proc = run_child([SSE_PROBE, order])
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    if order != "none" or not applies("sse-dispatch"):
        assert result["out"] == "data: e1\r\n\r\ndata: e2\r\n\r\n", result
        assert proc.stderr == ""
    else:
        assert result["out"].startswith("ERROR TypeError"), result
    assert result["sse_imported_by_us"] is False  # patched when imported, never imported to be patched
    if order != "none" and not any(applies(n) for n in ("sse-dispatch", "dispatch", "tasks", "disconnect")):
        assert result["wrapt"] is False  # the no-op promise holds with sse-starlette installed


def test_behind_uvicorn():
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", "sse_app:app", "--host", "127.0.0.1", "--port", str(port),
            "--log-level", "warning"]
    with serving(argv, PROGRAMS, port):
        status, headers, body = get(port)
    assert status == 200
    assert split(body)[0] == ["data: event {}".format(i) for i in range(1, 6)]


# The sse fixes that need wrapt, written a second time: sse-tasks puts the tasks fix's wrapt
# wrapper in sse-starlette's module, and sse-dispatch goes in with it, as one group.
SSE_NEED_WRAPT = ("sse-dispatch", "sse-tasks")
WITHOUT_WRAPT = """
import json, warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import starlette_asyncstream as sa
    import sse_starlette.sse
print(json.dumps({"warned": [str(w.message) for w in caught],
                  "status": {n: [s.installed, s.detail] for n, s in sa.status().items() if n.startswith("sse-")}}))
"""


def test_without_wrapt_the_sse_fixes_that_need_it_say_so_once(tmp_path):
    # A `pip install --no-deps` beside sse-starlette: the import says in one warning which sse
    # fixes it could not install, and status() says why for each of those that need wrapt.
    path, flags = site_view(tmp_path, leave_out=["wrapt"])
    proc = run_child(["-c", WITHOUT_WRAPT], python_path=path, flags=flags)
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stderr
    result = json.loads(proc.stdout)
    sse = [name for name in sa.FIX_NAMES if name.startswith("sse-") and applies(name)]
    said = [w for w in result["warned"] if "sse-" in w]
    if sse:
        assert said == ["starlette_asyncstream: {} not installed: wrapt cannot be imported (No module named "
                        "'wrapt'); pip install 'wrapt>=1.14,<3'".format(", ".join(sse))], result["warned"]
    else:
        assert said == []
    for name in sse:
        assert result["status"][name][0] is False, result["status"]
        if name in SSE_NEED_WRAPT:
            assert result["status"][name][1] == "not installed: wrapt is missing (pip install 'wrapt>=1.14,<3')"


@pytest.mark.parametrize("layout", ["editable", "vendored"])
def test_a_copy_whose_metadata_is_not_beside_it_is_judged_by_what_it_is(tmp_path, layout):
    # editable: the package in a checkout, its .dist-info in site-packages;
    # vendored: a copy with no metadata at all (judged by its code once imported).
    where = {"editable": {"move_away": ["sse_starlette"]}, "vendored": {"strip": ["sse_starlette"]}}[layout]
    path, flags = site_view(tmp_path, **where)
    proc = run_child([SSE_PROBE], python_path=path, flags=flags + ["-W", "error"])
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stderr
    result = json.loads(proc.stdout)
    assert result["out"] == "data: e1\r\n\r\ndata: e2\r\n\r\n", result
    # The same verdict as the version in the range table gives.
    assert result["status"] == {name: [applies(name)] * 2 for name in ("sse-dispatch", "sse-tasks", "sse-disconnect")}
    if layout == "editable" and not any(applies(n) for n in ("dispatch", "tasks", "sse-dispatch")):
        assert result["wrapt"] is False  # the no-op promise holds for an editable install too


def test_a_vendored_copy_is_waited_for_never_imported_by_the_package(tmp_path):
    # With no version to read, the copy is judged by its code once the
    # application imports it; the package's own import must not do that for it.
    path, flags = site_view(tmp_path, strip=["sse_starlette"])
    code = ("import json, sys\nimport starlette_asyncstream as sa\n"
            "print(json.dumps(['sse_starlette' in sys.modules, sa.status()['sse-dispatch'].detail]))\n")
    proc = run_child(["-c", code], python_path=path, flags=flags)
    assert proc.stderr == ""
    imported, detail = json.loads(proc.stdout)
    assert imported is False
    assert detail == "sse-starlette has no version to read: judged by its code when sse_starlette is imported"


FORK = """

_released_init = EventSourceResponse.__init__


def _init(self, content, *args, channel, **kwargs):  # a fork: every stream names its channel
    self.channel = channel
    _released_init(self, content, *args, **kwargs)


EventSourceResponse.__init__ = _init
"""


def vendored_fork(tmp_path, code):
    """A vendored copy of the leg's sse-starlette with no version (no metadata, no __version__),
    `code` appended to its sse.py: (its directory, and the PYTHONPATH and flags of a view of
    this venv without the installed sse-starlette)."""
    vendor = vendored_copy(tmp_path, "sse_starlette")
    with open(os.path.join(vendor, "sse_starlette", "sse.py"), "a") as f:
        f.write(code)
    init = os.path.join(vendor, "sse_starlette", "__init__.py")
    with open(init) as f:
        lines = [line for line in f if not line.startswith("__version__")]
    with open(init, "w") as f:
        f.writelines(lines)
    path, flags = site_view(tmp_path, leave_out=["sse-starlette", "sse_starlette"])
    return vendor, path, flags


def test_a_vendored_fork_whose_code_cannot_be_judged_is_left_alone(tmp_path):
    # With no version to read, sse-dispatch runs the copy's own __init__ on a probe; a fork
    # that refuses the probe (here: a required keyword) cannot show the bug, so it is left as
    # it is, without a word, and its streams work as its own code makes them.
    vendor, path, flags = vendored_fork(tmp_path, FORK)
    code = ("import json\nimport starlette_asyncstream as sa\nimport sse_starlette.sse as sse\n"
            "st = sa.status()['sse-dispatch']\n"
            "print(json.dumps([st.applies, st.installed, st.detail, "
            "vars(sse.EventSourceResponse)['__init__'] is sse._init, sse.__file__.startswith({!r})]))\n".format(vendor))
    proc = run_child(["-c", code], python_path=[vendor] + path, flags=flags)
    assert proc.stderr == ""
    assert json.loads(proc.stdout) == [
        False, False, "sse-starlette has no version to read, and its code does not have this bug", True, True]


# A fork's own function of that name, defined in its sse.py (not Starlette's, taken by name).
OWN_FUNCTION = """

async def run_until_first_complete(*args):
    raise NotImplementedError("the fork's own")


_own = run_until_first_complete
"""


@pytest.mark.skipif(not (starlette_at_least("0.13.2") and not starlette_at_least("0.14.0")), reason=(
    "Starlette {} is outside 0.13.2 <= starlette < 0.14.0 (any Python, any sse-starlette): sse-tasks is never "
    "judged by a copy's code here".format(starlette.__version__)))
def test_a_vendored_fork_with_its_own_run_until_first_complete_keeps_it(tmp_path):
    # sse-tasks judges a copy with no version by what its `run_until_first_complete` is: only
    # Starlette's own function, taken by name, is the bug; a fork's own function is left alone.
    vendor, path, flags = vendored_fork(tmp_path, OWN_FUNCTION)
    code = ("import json\nimport starlette_asyncstream as sa\nimport sse_starlette.sse as sse\n"
            "st = sa.status()['sse-tasks']\n"
            "print(json.dumps([st.applies, st.installed, st.detail, sse.run_until_first_complete is sse._own]))\n")
    proc = run_child(["-c", code], python_path=[vendor] + path, flags=flags)
    assert proc.stderr == ""
    assert json.loads(proc.stdout) == [
        False, False, "sse-starlette has no version to read, and its code does not have this bug", True]


@pytest.mark.skipif(
    not (applies("sse-tasks") and applies("tasks")),
    reason="needs sse-starlette 0.5.0-0.9.x on Starlette 0.13.3-0.13.8 (here sse-starlette {}, Starlette {}, "
    "any Python): only there is starlette.concurrency's function already ours when sse-starlette "
    "imports it".format(installed_version("sse-starlette", "sse_starlette"), starlette.__version__),
)
def test_imported_after_the_package_its_reference_is_the_very_object_installed():
    code = """
import json
import starlette_asyncstream as sa
import starlette.concurrency as concurrency
from sse_starlette import sse
ours = concurrency.run_until_first_complete
print(json.dumps([sse.run_until_first_complete is ours, ours.__wrapped__.__module__,
                  sa.status()["sse-tasks"].installed, sa.status()["sse-tasks"].detail]))
"""
    proc = run_python(code)
    assert proc.stderr == ""
    same, wrapped_module, installed, detail = json.loads(proc.stdout)
    assert same is True  # one layer: not a second wrapper around ours
    assert wrapped_module == "starlette.concurrency"
    assert installed is True
    assert detail == "nothing to replace: the reference already is our replacement"


@pytest.mark.skipif(
    not applies("sse-dispatch"),
    reason="sse-starlette {} is outside 0.1.0 <= sse-starlette < 1.2.1 (any Starlette, any Python): "
    "nothing is replaced".format(installed_version("sse-starlette", "sse_starlette")),
)
def test_uninstall_puts_the_original_event_source_response_back():
    from sse_starlette import sse

    patched_init = vars(sse.EventSourceResponse)["__init__"]
    original = patched_init.__wrapped__
    sa.uninstall()
    try:
        assert vars(sse.EventSourceResponse)["__init__"] is original
        assert sa.status()["sse-dispatch"].installed is False
        with warnings.catch_warnings(record=True) as left:
            warnings.simplefilter("always")
            with pytest.raises(Exception) as caught:
                run(fetch(lambda: response_class()(Feed())))
            error = caught.value
            while getattr(error, "exceptions", None):  # anyio task groups (0.10+) wrap it
                error = error.exceptions[0]
            message = "{}: {}".format(type(error).__name__, error)
            del caught, error  # (its traceback holds the release's coroutines)
            gc.collect()
        # As the unpatched release fails: its dispatch (the message changed with
        # Starlette's iterate_in_threadpool), or on 3.11+ the tasks bug first.
        assert message.startswith("TypeError: "), message
        assert any(text in message for text in ("is not an iterator", "is not iterable",
                                                "Passing coroutines is forbidden")), message
        # Where asyncio.wait refuses them (3.11+), the release leaves its three handlers'
        # coroutines unawaited: that is its warning, said here rather than in the next test.
        assert all(w.category is RuntimeWarning and "was never awaited" in str(w.message) for w in left), [
            str(w.message) for w in left]
    finally:
        sa.install()
    assert vars(sse.EventSourceResponse)["__init__"] is patched_init
    events, _ = split(run(fetch(lambda: response_class()(Feed()))).content)
    assert events == STREAM


@pytest.mark.parametrize("fixed", [True, False], ids=["with-the-fix", "switched-off"])
def test_a_client_that_leaves_stops_the_event_stream(fixed):
    # 0.5.0 on listen for http.disconnect while they stream (sse-disconnect
    # gives 0.1.0-0.4.0 the same): the generator is cancelled, its finally
    # runs, nothing more is pulled, and the background task runs after.
    events, state = [], {"pulled": 0}
    if not fixed:
        sa.uninstall("sse-disconnect")

    async def endless():
        try:
            while True:
                await asyncio.sleep(0)
                state["pulled"] += 1
                yield {"data": "tick {}".format(state["pulled"])}
        finally:
            events.append("finally")

    async def scenario():
        from starlette.background import BackgroundTask

        gone = asyncio.Event()
        sent = []

        async def receive():
            if not events:
                events.append("request")
                return {"type": "http.request", "body": b"", "more_body": False}
            await gone.wait()
            events.append("disconnect")
            return {"type": "http.disconnect"}

        async def send(message):
            sent.append(message)
            if len(sent) == 4:  # the start and three events: the client goes
                gone.set()

        response = response_class()(endless(), ping=600,
                                    background=BackgroundTask(lambda: events.append("background")))
        try:
            await asyncio.wait_for(response({"type": "http"}, receive, send), timeout=2)
        except asyncio.TimeoutError:
            events.append("still streaming after 2s")
            ping = getattr(response, "_ping_task", None)  # the legacy stream, cut off, leaves it behind
            if ping is not None:
                ping.cancel()
        pulled = state["pulled"]
        await asyncio.sleep(0.1)
        return pulled, sent

    pulled, sent = run(scenario())
    if not fixed and applies("sse-disconnect"):  # the release as it is: pulled for ever
        # receive() is never called; only wait_for's cancellation ends the stream (and its finally)
        assert events == ["finally", "still streaming after 2s"], events
        assert state["pulled"] > 100, state
        return
    assert "still streaming after 2s" not in events, (events, state)
    assert events[:2] == ["request", "disconnect"] and events[-1] == "background", events
    assert "finally" in events and state["pulled"] == pulled  # cancelled, then pulled no more
    assert pulled < 10, pulled
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 200
    assert b"".join(m.get("body", b"") for m in sent[1:4]) == b"".join(
        "data: tick {}\r\n\r\n".format(i).encode() for i in (1, 2, 3))


@pytest.mark.timeout(60)
def test_every_replacement_keeps_the_originals_name_signature_and_wrapped():
    # (as tests/test_api.py checks on the unit legs, here with sse_starlette.sse imported)
    result = replacements_as_read()
    assert result["problems"] == []
