"""What a client receives from StreamingResponse, for every kind of content.

On the legacy legs (0.12.0b3-0.13.8) these run with the fixes installed; on
the 0.14.x legs install() is a no-op, so the same assertions are checked
against real, unpatched 0.14.x: that is the reference they encode.
"""

import asyncio
import threading

import pytest
import starlette
from starlette.background import BackgroundTask
from starlette.responses import StreamingResponse

from support.releases import run, starlette_at_least
from support.contents import BODY, CASES, CHUNKS, Recorder, SelfIterator, agen, sgen
from support.streaming import fetch

pytestmark = pytest.mark.usefixtures("patched")

# 0.12.0b2 and older never had the dispatch bug because they had no dispatch
# at all: any content goes straight to `async for`, so sync content fails
# there, with or without this package (which leaves those releases alone).
NO_DISPATCH = not starlette_at_least("0.12.0b3")
# Releases after 0.14.x changed some cases upstream (iterate_in_threadpool
# accepts plain iterables, memoryview chunks are sent as they are, errors
# travel through anyio task groups); the contract is 0.14.x.
AFTER_014 = starlette_at_least("0.15.0")
ITERATES_FIRST = starlette_at_least("0.35.0")  # iterate_in_threadpool calls iter() on the content
after_014_differs = pytest.mark.skipif(
    AFTER_014,
    reason="Starlette {} (>= 0.15.0, any Python) changed this case upstream; the contract "
    "is 0.14.x, checked on the 0.14.0 and 0.14.2 legs".format(starlette.__version__),
)


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_content_kind_streams_like_014(name):
    make, body, is_async = CASES[name]
    outcome, _ = run(fetch(lambda: StreamingResponse(make(), media_type="text/plain")))
    if NO_DISPATCH and not is_async:
        assert isinstance(outcome.error, TypeError), outcome
        return
    assert outcome.error is None, outcome
    assert outcome.status == 200
    assert outcome.body == body
    assert outcome.headers["content-type"] == "text/plain; charset=utf-8"


@pytest.mark.parametrize("name", sorted(CASES))
def test_body_iterator_is_the_content_itself_when_async_iterable(name):
    make, _, is_async = CASES[name]
    content = make()
    response = StreamingResponse(content)
    if is_async or NO_DISPATCH:
        assert response.body_iterator is content
    else:
        assert response.body_iterator is not content
        assert type(response.body_iterator).__name__ == "async_generator"


def test_anext_runs_on_the_event_loop_thread():
    recorder = Recorder()
    outcome, seen = run(fetch(lambda: StreamingResponse(SelfIterator(CHUNKS, recorder))))
    assert outcome.body == BODY
    assert recorder.threads and set(recorder.threads) == {seen["loop_thread"]}


def test_sync_iterator_still_runs_in_the_threadpool():
    threads = []

    def gen():
        for c in CHUNKS:
            threads.append(threading.get_ident())
            yield c

    outcome, seen = run(fetch(lambda: StreamingResponse(gen())))
    if NO_DISPATCH:
        assert isinstance(outcome.error, TypeError)
        return
    assert outcome.body == BODY
    assert threads and seen["loop_thread"] not in threads


def test_status_headers_media_type_and_keywords():
    def make():
        return StreamingResponse(
            content=SelfIterator([b"a,b\n"]),
            status_code=201,
            headers={"x-custom": "yes", "cache-control": "no-store"},
            media_type="text/csv",
        )

    outcome, seen = run(fetch(make))
    assert outcome.error is None, outcome
    assert outcome.status == 201
    assert outcome.body == b"a,b\n"
    assert outcome.headers["x-custom"] == "yes"
    assert outcome.headers["cache-control"] == "no-store"
    assert outcome.headers["content-type"] == "text/csv; charset=utf-8"
    assert "content-length" not in outcome.headers


def test_background_task_runs_after_the_body():
    events = []

    class Logged(SelfIterator):
        async def __anext__(self):
            chunk = await SelfIterator.__anext__(self)
            events.append("chunk")
            return chunk

    def make():
        return StreamingResponse(Logged([b"x", b"y"]), background=BackgroundTask(events.append, "task"))

    outcome, _ = run(fetch(make))
    assert outcome.body == b"xy"
    assert events == ["chunk", "chunk", "task"]


def test_subclasses_get_the_fix():
    class EventStream(StreamingResponse):
        media_type = "text/event-stream"

    class Wrapping(StreamingResponse):
        def __init__(self, source, **kwargs):
            super().__init__(content=source, **kwargs)

    content = SelfIterator([b"data: 1\n\n"])
    outcome, seen = run(fetch(lambda: EventStream(content)))
    assert outcome.body == b"data: 1\n\n"
    assert outcome.headers["content-type"].startswith("text/event-stream")
    assert seen["response"].body_iterator is content

    outcome, _ = run(fetch(lambda: Wrapping(SelfIterator([b"w"]), status_code=202)))
    assert (outcome.status, outcome.body) == (202, b"w")


def test_aiofiles_file_streams(tmp_path):
    aiofiles = pytest.importorskip("aiofiles")  # a test dependency in every tox leg
    path = tmp_path / "data.txt"
    path.write_bytes(b"line 1\nline 2\nlast")

    async def make():
        handle = await aiofiles.open(str(path), "rb")
        return StreamingResponse(handle, background=BackgroundTask(handle.close))

    outcome, seen = run(fetch(make))
    assert outcome.error is None, outcome
    assert outcome.body == b"line 1\nline 2\nlast"


def test_anyio_memory_stream_streams():
    anyio = pytest.importorskip("anyio")  # installed with httpx in every tox leg

    async def make():
        send, receive = anyio.create_memory_object_stream(10)
        for chunk in (b"m1", b"m2", "m3"):
            await send.send(chunk)
        await send.aclose()
        return StreamingResponse(receive)

    outcome, seen = run(fetch(make))
    assert outcome.error is None, outcome
    assert outcome.body == b"m1m2m3"


@pytest.mark.parametrize("fail_at", [0, 1, 3])
def test_iterator_raising_mid_stream_surfaces_its_exception(fail_at):
    outcome, _ = run(fetch(lambda: StreamingResponse(SelfIterator([b"a", b"b", b"c", b"d"], fail_at=fail_at))))
    if AFTER_014:
        # anyio task groups may wrap it in an ExceptionGroup upstream
        assert "boom at step {}".format(fail_at) in repr(outcome.error)
        return
    assert isinstance(outcome.error, ValueError), outcome
    assert str(outcome.error) == "boom at step {}".format(fail_at)
    # and the next response still works
    assert run(fetch(lambda: StreamingResponse(SelfIterator([b"ok"]))))[0].body == b"ok"


@after_014_differs
def test_plain_list_fails_as_on_014():
    # 0.14.x hands a list to iterate_in_threadpool, which calls next() on it.
    outcome, _ = run(fetch(lambda: StreamingResponse([b"a", b"b"])))
    assert isinstance(outcome.error, TypeError), outcome
    assert "not an iterator" in str(outcome.error) or NO_DISPATCH


@after_014_differs
def test_memoryview_chunks_fail_as_on_014():
    # 0.14.x only sends bytes as they are and calls .encode() on anything else.
    outcome, _ = run(fetch(lambda: StreamingResponse(SelfIterator([memoryview(b"mv")]))))
    assert isinstance(outcome.error, AttributeError), outcome


async def _coroutine():
    return b"never"


BAD_CONTENT = {
    "None": lambda: None,
    "int": lambda: 42,
    "bytes": lambda: b"raw bytes",
    "dict": lambda: {"a": 1},
    "object": lambda: object(),
    "uncalled-async-generator-function": lambda: agen,
    "uncalled-generator-function": lambda: sgen,
}


@pytest.mark.parametrize("name", sorted(BAD_CONTENT))
def test_bad_content_fails_at_first_send_like_014_and_the_next_response_works(name):
    content = BAD_CONTENT[name]()
    response = StreamingResponse(content)  # construction succeeds on 0.14.x
    outcome, _ = run(fetch(lambda: response))
    if ITERATES_FIRST and name == "dict":
        # 0.35.0 and later call iter() first: a dict streams its keys
        assert outcome.body == b"a", outcome
    elif ITERATES_FIRST and name == "bytes":
        # ... and bytes stream ints, which have no .encode()
        assert isinstance(outcome.error, AttributeError), outcome
    else:
        assert isinstance(outcome.error, TypeError), outcome
    ok, _ = run(fetch(lambda: StreamingResponse(SelfIterator([b"fine"]))))
    assert ok.body == b"fine"


def test_bare_coroutine_fails_like_014(recwarn):
    coro = _coroutine()
    try:
        outcome, _ = run(fetch(lambda: StreamingResponse(coro)))
        assert isinstance(outcome.error, TypeError), outcome
    finally:
        coro.close()


def test_missing_content_fails_at_construction():
    with pytest.raises(TypeError) as info:
        StreamingResponse()  # noqa
    assert "content" in str(info.value)
    with pytest.raises(TypeError):
        StreamingResponse(SelfIterator([]), 200, None, None, None, "extra")


def test_async_generators_stream():
    # The 'tasks' fix: on 0.13.3-0.13.8 with Python >= 3.11 this is the
    # TypeError "Passing coroutines is forbidden" without the package.
    outcome, _ = run(fetch(lambda: StreamingResponse(agen([b"g1", b"g2"]))))
    assert outcome.error is None, outcome
    assert outcome.body == b"g1g2"


class Endless:
    """An endless custom async iterator that records how it ended."""

    def __init__(self):
        self.pulled, self.cancelled, self.closed = 0, False, False

    def __aiter__(self):
        return self

    async def __anext__(self):
        try:
            await asyncio.sleep(0)
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        self.pulled += 1
        return b"x"

    async def aclose(self):
        self.closed = True


def test_a_client_that_leaves_stops_the_stream():
    # 0.13.3 and later (#839): the response listens for http.disconnect while
    # it streams; the 'disconnect' fix gives 0.12.0b3-0.13.2 the same.
    content, events = Endless(), []

    async def scenario():
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
            sent.append(message["type"])
            if gone.is_set():
                events.append("sent after disconnect")
            if len(sent) == 6:  # the start and five chunks: the client goes
                gone.set()

        response = StreamingResponse(content, background=BackgroundTask(lambda: events.append("background")))
        try:
            await asyncio.wait_for(response({"type": "http"}, receive, send), timeout=2)
        except asyncio.TimeoutError:
            events.append("still streaming after 2s")
        pulled = content.pulled
        await asyncio.sleep(0.1)
        return pulled

    pulled = run(scenario())
    if NO_DISPATCH:  # 0.12.0b2 and older: outside every range, left as they are
        assert events[-1] == "still streaming after 2s"
        return
    # The response returned, the iterator was cancelled and pulled no more,
    # and the background task ran after the stream, as on 0.14.x.
    assert events[:2] == ["request", "disconnect"], events
    assert events[-1] == "background" and "still streaming after 2s" not in events, events
    assert content.cancelled and content.pulled == pulled
    # Five chunks were sent when the client went; 0.14.x pulls and sends two
    # more before the listener's news cancels the stream (releases after it
    # use anyio task groups, whose timing is their own).
    if AFTER_014:
        assert pulled <= 7 and events.count("sent after disconnect") <= 2
    else:
        assert (pulled, events.count("sent after disconnect")) == (7, 2), events


@pytest.mark.skipif(NO_DISPATCH, reason="Starlette {}: below 0.12.0b3, str chunks of an async generator go out "
                    "unencoded there, with or without the package".format(starlette.__version__))
def test_str_chunks_are_encoded_with_the_responses_own_charset():
    # A subclass that declares latin-1 gets latin-1 bytes under its own
    # charset header, as 0.14.x sends (the disconnect fix's sender too).
    class Latin1Stream(StreamingResponse):
        charset = "latin-1"

    async def words():
        yield "caf\u00e9 "
        yield "cr\u00e8me"

    outcome, _ = run(fetch(lambda: Latin1Stream(words(), media_type="text/plain")))
    assert outcome.error is None, outcome
    assert outcome.headers["content-type"] == "text/plain; charset=latin-1"
    assert outcome.body == "caf\u00e9 cr\u00e8me".encode("latin-1")
