"""End to end, behind a real server: streaming, load, disconnects, slow clients.

The same assertions run on the patched legs (0.13.6 under FastAPI 0.61.2,
bare 0.13.8) and on unpatched 0.14.2, the reference: the numbers and events
asserted here are what 0.14.2 does.
"""

import asyncio
import sys
import time

import httpx
import pytest

from support.e2e import HERE, dechunk, get_json, open_stream, read_until, run
from support.servers import free_port, served_by_workers, serving


def expected(ident, n):
    return "".join("{}:{};".format(ident, i) for i in range(n)).encode()


def test_incremental_delivery_before_the_last_chunk_exists(uvicorn_server):
    port = uvicorn_server.port

    async def scenario():
        reader, writer = await open_stream(port, "/gated/g1/4")
        # chunks 0..2 arrive while the iterator is still blocked before chunk 3
        first = await read_until(reader, b"g1:2;", timeout=5)
        state = await get_json(port, "/stats/g1")
        assert state["pulled"] == 3 and not state["finished"], state
        assert b"g1:3;" not in first
        assert (await get_json(port, "/release/g1")) == "released"
        rest = await read_until(reader, b"0\r\n\r\n", timeout=5)
        writer.close()
        return dechunk(first + rest)

    body = run(scenario())
    assert body == expected("g1", 4)


def test_load_every_byte_in_order_no_mixing_memory_bounded(uvicorn_server):
    port = uvicorn_server.port
    streams, chunks = 200, 1000  # the full size: it fits CI (seconds here)

    async def scenario():
        before = await get_json(port, "/stats")
        limits = httpx.Limits(max_connections=streams + 10, max_keepalive_connections=streams + 10)
        async with httpx.AsyncClient(limits=limits, timeout=120) as client:

            async def one(i):
                ident = "load{}".format(i)
                async with client.stream("GET", "http://127.0.0.1:{}/stream/{}/{}/0".format(port, ident, chunks)) as r:
                    body = b""
                    async for piece in r.aiter_bytes():
                        body += piece
                return ident, r.status_code, body

            results = await asyncio.gather(*(one(i) for i in range(streams)))
        after = await get_json(port, "/stats")
        return before, results, after

    started = time.monotonic()
    before, results, after = run(scenario())
    for ident, status, body in results:
        assert status == 200
        assert body == expected(ident, chunks), "stream {} lost, reordered or mixed bytes".format(ident)
    growth_mib = (after["rss_kib"] - before["rss_kib"]) / 1024.0
    assert growth_mib < 100, "server RSS grew by {:.0f} MiB".format(growth_mib)
    print("load: {} streams x {} chunks in {:.1f}s, server RSS +{:.1f} MiB".format(
        streams, chunks, time.monotonic() - started, growth_mib))


def test_disconnects_stop_the_iterator_and_leak_nothing(uvicorn_server):
    port = uvicorn_server.port

    async def scenario():
        baseline = await get_json(port, "/stats")
        for k in range(100):
            ident = "gone{}".format(k)
            reader, writer = await open_stream(port, "/stream/{}/100000/5".format(ident))
            await read_until(reader, "{}:1;".format(ident).encode(), timeout=5)
            writer.close()  # the client goes away mid-stream
            gone_at = time.monotonic()
            while True:
                state = await get_json(port, "/stats/" + ident)
                if state["cancelled"]:
                    break
                late = time.monotonic() - gone_at
                assert late < 1.0, "iterator still pulled 1s after the disconnect: {}".format(state)
                await asyncio.sleep(0.02)
            pulled = state["pulled"]
            if k % 20 == 0:
                await asyncio.sleep(0.2)
                assert (await get_json(port, "/stats/" + ident))["pulled"] == pulled, "pulled after cancellation"
            assert state["thread_ok"] and not state["finished"]
        # the server keeps serving
        reader, writer = await open_stream(port, "/stream/after/3/0")
        tail = await read_until(reader, b"0\r\n\r\n")
        writer.close()
        await asyncio.sleep(0.3)
        final = await get_json(port, "/stats")
        return baseline, tail, final

    baseline, tail, final = run(scenario())
    assert b"after:2;" in tail
    assert final["tasks"] <= baseline["tasks"], (baseline, final)
    assert final["threads"] <= baseline["threads"], (baseline, final)


def test_slow_consumer_does_not_make_the_server_buffer_the_iterator(uvicorn_server):
    port = uvicorn_server.port
    total = 2000  # 2,000 x 64 KiB = 125 MiB if it were all read ahead

    async def scenario():
        before = await get_json(port, "/stats")
        reader, writer = await open_stream(port, "/big/slow/{}/64".format(total))
        got = 0
        while got < 1024 * 1024:
            got += len(await asyncio.wait_for(reader.read(65536), 10))
        await asyncio.sleep(1.5)  # the client stops reading
        state = await get_json(port, "/stats/slow")
        during = await get_json(port, "/stats")
        writer.close()
        return before, state, during

    before, state, during = run(scenario())
    assert state["pulled"] < 300, "server read {} of {} chunks ahead of a stalled client".format(state["pulled"], total)
    assert (during["rss_kib"] - before["rss_kib"]) / 1024.0 < 60


def test_sync_iterators_stream_through_the_thread_pool_without_exhausting_it(uvicorn_server):
    port = uvicorn_server.port
    n, requests = 30, 48

    async def scenario():
        before = await get_json(port, "/stats")
        async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=requests)) as client:
            responses = await asyncio.gather(*(
                client.get("http://127.0.0.1:{}/sync/sync{}/{}".format(port, i, n)) for i in range(requests)))
        states = [await get_json(port, "/stats/sync{}".format(i)) for i in range(requests)]
        after = await get_json(port, "/stats")
        return before, responses, states, after

    before, responses, states, after = run(scenario())
    for i, r in enumerate(responses):
        assert r.status_code == 200 and r.content == expected("sync{}".format(i), n)
    assert all(not s["loop_thread_used"] for s in states)
    assert after["threads"] <= before["threads"] + 40


def test_server_sent_events_from_a_custom_iterator(uvicorn_server):
    port = uvicorn_server.port

    async def scenario():
        async with httpx.AsyncClient(timeout=30) as client:
            async with client.stream("GET", "http://127.0.0.1:{}/sse/ev/20".format(port)) as r:
                events, buffer = [], ""
                async for text in r.aiter_text():
                    buffer += text
                    while "\n\n" in buffer:
                        event, buffer = buffer.split("\n\n", 1)
                        events.append(event)
                return r.headers, events

    headers, events = run(scenario())
    assert headers["content-type"].startswith("text/event-stream")
    assert headers["cache-control"] == "no-cache"
    assert events == ["id: {}\ndata: event {}".format(i, i) for i in range(20)]


@pytest.mark.parametrize("preload", [False, True], ids=["fork-then-import", "preload"])
def test_gunicorn_two_uvicorn_workers(preload):
    port = free_port()
    argv = [sys.executable, "-m", "gunicorn", "-k", "uvicorn.workers.UvicornWorker", "--workers", "2",
            "--bind", "127.0.0.1:{}".format(port), "e2e_app:app"] + (["--preload"] if preload else [])

    async def scenario():
        async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=40)) as client:
            rs = await asyncio.gather(*(
                client.get("http://127.0.0.1:{}/stream/w{}/200/0".format(port, i)) for i in range(40)))
        return [(r.status_code, r.content) for r in rs]

    with serving(argv, HERE, port) as (proc, _):
        results = run(scenario())
        served = served_by_workers(port, path="/block/0")
    for i, (status, body) in enumerate(results):
        assert status == 200 and body == expected("w{}".format(i), 200)
    # Both workers streamed a custom iterator, neither of them the master.
    assert all((status, body) == (200, b"who:0;who:1;who:2;") for status, _, body in served), served
    pids = {int(headers["x-pid"]) for _, headers, _ in served}
    assert len(pids) == 2 and proc.pid not in pids, pids
