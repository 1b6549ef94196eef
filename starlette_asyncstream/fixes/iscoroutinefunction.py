"""Fix ``iscoroutinefunction``: Starlette's own coroutine checks on Python
3.14+ (Starlette 0.12.0b3-0.45.x).

Starlette before 0.46.0 asks ``asyncio.iscoroutinefunction`` whether an
endpoint, a handler or a background task is async: Python 3.14 deprecated it
(a DeprecationWarning at every route, an error in strict suites) and 3.16
removes it (What's New in 3.16, "Removed"): every route construction then
fails with AttributeError. 0.46.0 (#2855) asks ``inspect.iscoroutinefunction``.

Each module of Starlette that asks gets, as its ``asyncio`` global, a
stand-in for the real module whose ``iscoroutinefunction`` is
``inspect.iscoroutinefunction``; every other name is looked up on asyncio
each time. asyncio itself is not changed: a user's own call still warns on
3.14/3.15, and stays absent on 3.16. The modules are fixed one by one, as the
application imports them (``starlette.testclient`` among them).
"""

import asyncio
import inspect
import types
from typing import Any, Iterator, List, Tuple

from .._bindings import LayoutError, Switch, unwrap_ours

MODULES = (
    "starlette.routing", "starlette.endpoints", "starlette.background", "starlette.exceptions",
    "starlette.middleware.errors", "starlette.authentication", "starlette.testclient",
    "starlette._utils",  # 0.17 on: is_async_callable
)
IMPORTED_ONLY = True


def make(original: "types.ModuleType", switch: Switch) -> "types.ModuleType":
    class Asyncio(types.ModuleType):
        def __getattr__(self, name: str) -> Any:
            if name == "iscoroutinefunction" and switch.on:
                return inspect.iscoroutinefunction  # what 0.46.0 asks
            return getattr(original, name)

    stand_in = Asyncio(original.__name__, original.__doc__)
    stand_in.__wrapped__ = original  # type: ignore[attr-defined]
    return stand_in


def _codes(module: Any) -> "Iterator[types.CodeType]":
    """Every code object defined in the module: functions, methods, and what they nest."""
    def code_of(obj: Any) -> Any:  # a function's, or a classmethod's or staticmethod's function's
        return getattr(obj, "__code__", None) or getattr(getattr(obj, "__func__", None), "__code__", None)

    stack: "List[Any]" = []
    for value in vars(module).values():
        if getattr(value, "__module__", None) != module.__name__:
            continue
        if isinstance(value, type):
            stack.extend(code_of(member) for member in vars(value).values())
        else:
            stack.append(code_of(value))
    while stack:
        code = stack.pop()
        if isinstance(code, types.CodeType):
            yield code
            stack.extend(const for const in code.co_consts if isinstance(const, types.CodeType))


def asks_asyncio(module: Any) -> bool:
    # (`or` would answer the same on every release of the row: each of MODULES that imports
    # asyncio calls its iscoroutinefunction; tests/test_clean.py reads them as source)
    return any("asyncio" in code.co_names and "iscoroutinefunction" in code.co_names  # pragma: no mutate
               for code in _codes(module))


def targets(*modules: Any) -> "List[Tuple[Any, str, Any]]":
    found = []
    for module in modules:
        if not asks_asyncio(module):
            continue  # (routing from 0.17 on: only a comment names it)
        current = vars(module).get("asyncio")
        if unwrap_ours(current) is not asyncio:
            raise LayoutError("{}.asyncio is not the asyncio module".format(module.__name__))
        found.append((module, "asyncio", current))
    return found
