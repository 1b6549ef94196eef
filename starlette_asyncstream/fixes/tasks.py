"""Fix ``tasks``: run_until_first_complete hands asyncio.wait tasks, not bare
coroutines (Starlette 0.13.2-0.13.8).

``starlette.concurrency.run_until_first_complete`` appeared in 0.13.2 passing
bare coroutines to ``asyncio.wait``; 0.13.3 (#839) made every
StreamingResponse (and so every response through BaseHTTPMiddleware) go
through it. Python 3.11 turned that deprecation into ``TypeError: Passing
coroutines is forbidden, use tasks explicitly`` (bpo-34790). 0.14.0 (#1066)
wraps each in a task first.
"""

import asyncio
import inspect
import sys
from typing import Any, Callable, Dict, List, Tuple

from .._bindings import LayoutError, Switch, is_ours_elsewhere, unwrap_ours

MODULES = ("starlette.concurrency", "starlette.responses")

# asyncio.create_task is 3.7+; on 3.6 ensure_future is the same for a coroutine.
_create_task = getattr(asyncio, "create_task", asyncio.ensure_future)


async def first_complete(*args: "Tuple[Callable[..., Any], Dict[str, Any]]") -> None:
    # 0.14.0 (#1066): asyncio.wait() is given tasks, never bare coroutines,
    # which Python 3.11 rejects. Same order of events as 0.14.x: start all,
    # wait for the first, cancel the others without awaiting them, then let
    # a finished one re-raise its exception.
    tasks = [_create_task(handler(**kwargs)) for handler, kwargs in args]
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    for task in done:
        task.result()


def make(original: "Callable[..., Any]", switch: Switch) -> Any:
    # Called once per response, so a wrapt FunctionWrapper costs nothing
    # that matters here, and it keeps the original's name and signature.
    import wrapt

    def wrapper(wrapped: "Callable[..., Any]", instance: Any, args: Any, kwargs: Any) -> Any:
        if switch.on:
            return first_complete(*args, **kwargs)
        return wrapped(*args, **kwargs)

    return wrapt.FunctionWrapper(original, wrapper)


# Modules that re-export Starlette's function by name, fixed when they were
# imported before this package (imported after, they take our replacement):
# fastapi.concurrency (every FastAPI that pins a legacy Starlette).
RE_EXPORTS = ("fastapi.concurrency",)


def targets(*modules: Any) -> "List[Tuple[Any, str, Any]]":
    # starlette.responses (and sse-starlette 0.5-0.9) did `from
    # starlette.concurrency import run_until_first_complete`: each module
    # holds its own reference, and each must be replaced.
    found = []
    if modules[0].__name__ == "starlette.concurrency":  # (not for sse-tasks, which has its own module)
        starlettes = unwrap_ours(modules[0].run_until_first_complete)
        for name in RE_EXPORTS:
            module = sys.modules.get(name)
            theirs = getattr(module, "run_until_first_complete", None)
            if theirs is not None and unwrap_ours(theirs) is starlettes and not is_ours_elsewhere(theirs, module):
                found.append((module, "run_until_first_complete", theirs))
    for module in modules:
        current = getattr(module, "run_until_first_complete", None)
        # 0.13.2: only starlette.concurrency has it; responses start using it in 0.13.3 (`or` and
        # `break` read the same: a release whose responses has the function has the listener too,
        # and starlette.responses is the last module of the row)
        if current is None and module.__name__ == "starlette.responses" and not hasattr(  # pragma: no mutate
                getattr(module, "StreamingResponse", None), "listen_for_disconnect"):
            continue  # pragma: no mutate
        if current is None:
            raise LayoutError("{}.run_until_first_complete is missing".format(module.__name__))
        if is_ours_elsewhere(current, module):
            # imported after our fix of starlette.concurrency: already ours (the last module of
            # either row, so `break` would read the same)
            continue  # pragma: no mutate
        if not inspect.iscoroutinefunction(unwrap_ours(current)):
            raise LayoutError(
                "{}.run_until_first_complete is not a coroutine function".format(module.__name__)
            )
        found.append((module, "run_until_first_complete", current))
    return found
