"""The conformance corpus: content objects and responses built from JSON specs.

A spec is plain data, so the same case can be sent to a reference
environment (unpatched 0.14.2) and to a patched legacy one, each running
runner.py in its own interpreter, and the outcomes compared. Hypothesis
generates specs in the same format (test_conformance.py).

    {"content": {"kind": ..., "chunks": [[type, text], ...], "fail_at": k|None,
                 "error": "ValueError", "yield": bool},
     "response": {"cls": "plain"|"subclass"|"subclass-init", "keyword": bool,
                  "status": int|None, "headers": {...}|None, "media_type": str|None,
                  "background": bool},
     "client": {"disconnect_after": n|None}}
"""

import asyncio
import threading

ASYNC_KINDS = ["async-self", "async-separate", "async-gen", "both"]
SYNC_KINDS = ["sync-gen", "sync-iter", "aiter-none", "list-iter"]
OTHER_KINDS = ["list", "tuple"]
THIRD_PARTY_KINDS = ["anyio-stream", "aiofiles"]
BAD_KINDS = ["none", "int", "bytes", "dict", "object", "coroutine", "asyncgen-function", "gen-function"]
CHUNK_TYPES = ["bytes", "str", "bytearray", "memoryview", "int"]
# Content that 0.14.x iterates through the thread pool (aiofiles reads in threads too).
THREADED_KINDS = SYNC_KINDS + OTHER_KINDS + BAD_KINDS + ["aiofiles"]
ERRORS = {"ValueError": ValueError, "RuntimeError": RuntimeError, "KeyError": KeyError}


def make_chunk(kind, text):
    return {
        "bytes": lambda: text.encode("utf-8"),
        "str": lambda: text,
        "bytearray": lambda: bytearray(text.encode("utf-8")),
        "memoryview": lambda: memoryview(text.encode("utf-8")),
        "int": lambda: len(text),
    }[kind]()


class Log:
    """What happened to a content object, in order."""

    def __init__(self, loop_thread):
        self.loop_thread = loop_thread
        self.events = []

    def where(self):
        return "loop" if threading.get_ident() == self.loop_thread else "worker"

    def add(self, event):
        self.events.append(event)


def build_content(spec, log):
    kind = spec["kind"]
    chunks = [make_chunk(t, text) for t, text in spec.get("chunks", [])]
    fail_at = spec.get("fail_at")
    error = ERRORS[spec.get("error") or "ValueError"]
    yield_to_loop = spec.get("yield", False)

    def step(i, side):
        log.add("{}:{}:{}".format(side, i, log.where()))
        if fail_at is not None and i == fail_at:
            log.add("raise:{}".format(i))
            raise error("failed at step {}".format(i))

    class SelfIterator:
        def __init__(self):
            self.i = 0

        def __aiter__(self):
            return self

        async def __anext__(self):
            try:
                if yield_to_loop:
                    await asyncio.sleep(0)
            except asyncio.CancelledError:
                log.add("cancelled:{}".format(self.i))
                raise
            step(self.i, "anext")
            if self.i >= len(chunks):
                raise StopAsyncIteration
            self.i += 1
            return chunks[self.i - 1]

        async def aclose(self):  # never called by Starlette 0.14.x; recorded if it were
            log.add("aclose")

    class SeparateIterable:
        def __aiter__(self):
            log.add("aiter")
            return SelfIterator()

    async def agen():
        try:
            for i in range(len(chunks) + 1):
                if yield_to_loop:
                    await asyncio.sleep(0)
                step(i, "agen")
                if i == len(chunks):
                    return
                yield chunks[i]
        except asyncio.CancelledError:
            log.add("cancelled")
            raise
        except GeneratorExit:
            log.add("generator-exit")
            raise
        finally:
            log.add("finally")

    class SyncIterator:
        def __init__(self):
            self.i = 0

        def __iter__(self):
            return self

        def __next__(self):
            step(self.i, "next")
            if self.i >= len(chunks):
                raise StopIteration
            self.i += 1
            return chunks[self.i - 1]

    def sgen():
        for i in range(len(chunks) + 1):
            step(i, "gen")
            if i == len(chunks):
                return
            yield chunks[i]

    class Both(SelfIterator):
        def __iter__(self):
            log.add("sync-side-used")
            return iter([b"SYNC"])

    class AiterNone(SyncIterator):
        __aiter__ = None

    async def coroutine():
        return b"never"

    builders = {
        "async-self": SelfIterator,
        "async-separate": SeparateIterable,
        "async-gen": agen,
        "both": Both,
        "sync-gen": sgen,
        "sync-iter": SyncIterator,
        "aiter-none": AiterNone,
        "list-iter": lambda: iter(chunks),
        "list": lambda: list(chunks),
        "tuple": lambda: tuple(chunks),
        "none": lambda: None,
        "int": lambda: 42,
        "bytes": lambda: b"raw",
        "dict": lambda: {"k": b"v"},
        "object": object,
        "coroutine": coroutine,
        "asyncgen-function": lambda: agen,
        "gen-function": lambda: sgen,
    }
    return builders[kind]()


async def build_third_party(spec, tmpdir):
    """anyio memory streams and aiofiles files, filled with the spec's chunks."""
    chunks = [make_chunk(t, text) for t, text in spec.get("chunks", [])]
    if spec["kind"] == "anyio-stream":
        import anyio

        send, receive = anyio.create_memory_object_stream(len(chunks) + 1)
        for chunk in chunks:
            await send.send(chunk)
        await send.aclose()
        return receive, receive.aclose
    import os

    import aiofiles

    path = os.path.join(tmpdir, "content.bin")
    with open(path, "wb") as f:
        f.write(b"\n".join(c if isinstance(c, bytes) else str(c).encode() for c in chunks))
    handle = await aiofiles.open(path, "rb")
    return handle, handle.close


# The hand-written corpus: name -> spec.
TEXT = [["bytes", "one,"], ["str", "tw\u00f6,"], ["bytes", "three"]]


def _spec(kind, chunks=TEXT, response=None, client=None, **content):
    return {
        "content": dict({"kind": kind, "chunks": chunks}, **content),
        "response": dict({"cls": "plain", "keyword": False, "status": None, "headers": None,
                          "media_type": None, "background": False}, **(response or {})),
        "client": dict({"disconnect_after": None}, **(client or {})),
    }


CORPUS = {}
for _kind in ASYNC_KINDS + SYNC_KINDS + OTHER_KINDS + THIRD_PARTY_KINDS:
    CORPUS[_kind] = _spec(_kind)
    CORPUS[_kind + "/empty"] = _spec(_kind, chunks=[])
for _kind in ASYNC_KINDS + SYNC_KINDS:
    CORPUS[_kind + "/yielding"] = _spec(_kind, **{"yield": True})
    for _k in (0, 1, 3):
        CORPUS["{}/raise-at-{}".format(_kind, _k)] = _spec(_kind, fail_at=_k, error="RuntimeError")
for _type in CHUNK_TYPES:
    CORPUS["async-self/chunks-" + _type] = _spec("async-self", chunks=[[_type, "x\u00e9"], [_type, "y"]])
    CORPUS["sync-gen/chunks-" + _type] = _spec("sync-gen", chunks=[[_type, "x\u00e9"], [_type, "y"]])
for _kind in BAD_KINDS:
    CORPUS["bad/" + _kind] = _spec(_kind)
for _cls in ("subclass", "subclass-init"):
    CORPUS["async-self/" + _cls] = _spec("async-self", response={"cls": _cls})
    CORPUS["sync-gen/" + _cls] = _spec("sync-gen", response={"cls": _cls})
CORPUS["async-self/keyword-construction"] = _spec(
    "async-self", response={"keyword": True, "status": 203, "headers": {"x-a": "1"}, "media_type": "text/csv"}
)
CORPUS["sync-gen/keyword-construction"] = _spec("sync-gen", response={"keyword": True, "status": 404})
for _kind in ("async-self", "async-gen", "sync-gen", "async-self/raise"):
    _base = _kind.split("/")[0]
    _extra = {"fail_at": 1} if _kind.endswith("raise") else {}
    CORPUS[_kind + "/background"] = _spec(_base, response={"background": True}, **_extra)
for _kind in ("async-self", "async-gen", "async-separate", "anyio-stream"):
    for _n in (0, 1, 2):
        CORPUS["{}/disconnect-after-{}".format(_kind, _n)] = _spec(
            _kind, client={"disconnect_after": _n}, response={"background": True}, **{"yield": True}
        )
