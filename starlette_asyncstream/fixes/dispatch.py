"""Fix ``dispatch``: StreamingResponse streams any async iterable (0.12.0b3-0.13.8).

#462 (0.12.0b3) made ``__init__`` use the content directly only when
``inspect.isasyncgen(content)``; every other async iterable went to
``iterate_in_threadpool``, which calls ``next()`` on it in a worker thread:
``TypeError: 'X' object is not an iterator`` (#793). 0.14.0 (#1041) tests
``isinstance(content, typing.AsyncIterable)`` instead.
"""

import functools
import inspect
from collections.abc import AsyncIterable
from typing import Any, AsyncIterator, Callable, List, Tuple

from .._bindings import LayoutError, Switch, own_attribute, unwrap_ours

# Installed with tasks and disconnect as one group: see _core.
MODULES = ("starlette.responses",)


async def _stand_in_generator() -> AsyncIterator[bytes]:  # pragma: no cover - never iterated
    yield b""


# Handed to the legacy __init__ in place of an async iterable: its
# `inspect.isasyncgen` test passes, it stores this object, and we overwrite it
# with the user's content. Never iterated, so it needs no event loop.
_STAND_IN = _stand_in_generator()


def make(original: Callable[..., None], switch: Switch) -> Callable[..., None]:
    # A plain function, not a wrapt FunctionWrapper: a FunctionWrapper is a
    # descriptor that builds a BoundFunctionWrapper on every construction,
    # measured at ~1.8x the cost of 0.14.x's __init__. Everything the legacy
    # __init__ does besides the dispatch (status, media type, headers,
    # background, and the exceptions they raise) stays the legacy code's.
    def __init__(self: Any, content: Any, *args: Any, **kwargs: Any) -> None:
        # 0.14.0 (#1041) tests isinstance(content, typing.AsyncIterable); the
        # typing alias delegates to collections.abc, which is faster to ask.
        if switch.on and isinstance(content, AsyncIterable):
            original(self, _STAND_IN, *args, **kwargs)
            self.body_iterator = content
        else:
            original(self, content, *args, **kwargs)

    # Name, qualname, docstring and __wrapped__ (for inspect.signature and
    # for uninstall) come from the original.
    functools.update_wrapper(__init__, original)
    return __init__


def init_target(module: Any, class_name: str) -> "List[Tuple[Any, str, Any]]":
    """The class's own __init__, checked to take (self, content, ...)."""
    cls, init = own_attribute(module, class_name, "__init__")
    try:
        params = list(inspect.signature(unwrap_ours(init)).parameters)
    except (TypeError, ValueError):
        params = []
    if params[:2] != ["self", "content"]:
        raise LayoutError("{}.__init__ does not take (self, content, ...): {}".format(class_name, params))
    return [(cls, "__init__", init)]


def targets(responses: Any) -> "List[Tuple[Any, str, Any]]":
    return init_target(responses, "StreamingResponse")
