"""Every kind of content a user can hand to StreamingResponse, with what
Starlette 0.14.x does with it (the 0.14.0 and 0.14.2 legs of the matrix run
the same expectations unpatched, so they are checked against 0.14.x itself)."""

import threading


class Recorder:
    """Shared by a content object and the test: which threads __anext__ ran on."""

    def __init__(self):
        self.threads = []
        self.closed = False


class SelfIterator:
    """A class with __aiter__ returning self and __anext__ (issue #793's case)."""

    def __init__(self, chunks, recorder=None, fail_at=None):
        self.chunks = list(chunks)
        self.recorder = recorder or Recorder()
        self.fail_at = fail_at
        self.step = 0

    def __aiter__(self):
        return self

    async def __anext__(self):
        self.recorder.threads.append(threading.get_ident())
        if self.fail_at is not None and self.step == self.fail_at:
            raise ValueError("boom at step {}".format(self.step))
        if self.step >= len(self.chunks):
            raise StopAsyncIteration
        self.step += 1
        return self.chunks[self.step - 1]


class SeparateIterable:
    """__aiter__ returns a fresh iterator object; the iterable has no __anext__."""

    def __init__(self, chunks):
        self.chunks = chunks

    def __aiter__(self):
        return SelfIterator(self.chunks)


class SyncIterator:
    def __init__(self, chunks):
        self._it = iter(chunks)

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._it)


class BothProtocols:
    """Sync and async iterable at once: 0.14.x uses the async side."""

    def __iter__(self):
        return iter([b"sync-side"])

    def __aiter__(self):
        return SelfIterator([b"async-side"])


class AiterNone(SyncIterator):
    """__aiter__ = None opts out of the async protocol: the sync side is used."""

    __aiter__ = None


async def agen(chunks):
    for c in chunks:
        yield c


def sgen(chunks):
    for c in chunks:
        yield c


CHUNKS = ["one,", b"two,", "thr\u00e9e"]
BODY = "one,two,thr\u00e9e".encode("utf-8")

# name -> (factory, expected body, is async-iterable)
# Factories take no argument and build fresh content every time.
CASES = {
    "async-self-iterator": (lambda: SelfIterator(CHUNKS), BODY, True),
    "async-separate-iterable": (lambda: SeparateIterable(CHUNKS), BODY, True),
    "async-generator": (lambda: agen(CHUNKS), BODY, True),
    "async-empty": (lambda: SelfIterator([]), b"", True),
    "both-protocols": (lambda: BothProtocols(), b"async-side", True),
    "sync-generator": (lambda: sgen(CHUNKS), BODY, False),
    "sync-iterator-class": (lambda: SyncIterator(CHUNKS), BODY, False),
    "sync-list-iterator": (lambda: iter(CHUNKS), BODY, False),
    "aiter-none-sync-side": (lambda: AiterNone(CHUNKS), BODY, False),
}


# A StreamingResponse subclass whose __init__ was copied from a legacy release (the
# dispatch of #462), as codebases of that era have it: the fixed __init__ never runs.
# Source text for the applications tests write (module globals: inspect, iterate_in_threadpool).
LEGACY_STREAM_INIT = """\
    def __init__(self, content, status_code=200, headers=None, media_type=None, background=None):
        if inspect.isasyncgen(content):
            self.body_iterator = content
        else:
            self.body_iterator = iterate_in_threadpool(content)
        self.status_code = status_code
        self.media_type = self.media_type if media_type is None else media_type
        self.background = background
        self.init_headers(headers)
"""
