"""Fix ``sse-dispatch``: sse-starlette's EventSourceResponse streams any async
iterable (sse-starlette 0.1.0-1.1.6).

sse-starlette copied Starlette's ``inspect.isasyncgen`` dispatch
(sysid/sse-starlette #42); 1.2.1 (#43) tests ``isinstance(content,
AsyncIterable)``. The replacement is the ``dispatch`` fix's.
"""

import asyncio
from typing import Any, Callable, List, Tuple

from .._bindings import unwrap_ours
from .dispatch import init_target, make as _make

MODULES = ("sse_starlette.sse",)
make = _make  # the same replacement as the dispatch fix's


def targets(sse: Any) -> "List[Tuple[Any, str, Any]]":
    return init_target(sse, "EventSourceResponse")


class _AsyncIterableProbe:
    def __aiter__(self) -> "_AsyncIterableProbe":
        return self

    async def __anext__(self) -> Any:  # pragma: no cover - never iterated
        raise StopAsyncIteration


def _in_a_loop(call: "Callable[[], Any]") -> Any:
    """call() where asyncio.get_event_loop() answers, as in an endpoint: sse-starlette
    0.2-0.10 ask for it in __init__ (a RuntimeError outside a loop on 3.14+, a
    DeprecationWarning and a loop made up on 3.12/3.13)."""
    if asyncio._get_running_loop() is not None:  # (3.6 has no public get_running_loop)
        return call()

    async def inside() -> Any:
        return call()

    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(inside())
    finally:
        loop.close()


def has_legacy_code(sse: Any) -> bool:
    """For a copy with no version to read: run its original __init__ on a bare
    instance; the legacy dispatch hands a non-generator async iterable to
    iterate_in_threadpool. Its behaviour decides, never its text."""
    cls = sse.EventSourceResponse
    probe = _AsyncIterableProbe()
    response = cls.__new__(cls)
    init = unwrap_ours(vars(cls)["__init__"])
    _in_a_loop(lambda: init(response, probe))
    return response.body_iterator is not probe
