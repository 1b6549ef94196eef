"""The replacements themselves. Imported only where a fix applies.

``__init__`` imports this module only once the range table says the running
releases need a fix, so that elsewhere the package stays a true no-op. The
streaming fixes need wrapt (``tasks`` wraps with it; they are installed as a
group); ``testclient`` and ``debug-page`` are plain functions, so where only
they apply (Starlette 0.14.x) wrapt is not imported at all.

Every replaced attribute is a ``_Binding``: where it lives, the original
object, and our replacement, which keeps the original as ``__wrapped__``.
Replacements are made once per original and reused, so install/uninstall
cycles restore the very same objects (gevent keeps such a registry too).
"""

import asyncio
import functools
import importlib
import inspect
import sys
import traceback
import types
from collections.abc import AsyncIterable
from typing import Any, AsyncIterator, Callable, Dict, List, Tuple

from ._ranges import Fix

__all__ = ["CannotImport", "LayoutError", "Patch", "has_legacy_code", "patch_for"]

# asyncio.create_task is 3.7+; on 3.6 ensure_future is the same for a coroutine.
_create_task = getattr(asyncio, "create_task", asyncio.ensure_future)


class LayoutError(Exception):
    """The running Starlette (or sse-starlette) does not look like its release range says."""


class CannotImport(Exception):
    """A module a fix patches fails to import (for example aiofiles < 0.6 on Python 3.11+)."""


class _Switch:
    """Read by the replacements on every call; off means "behave as the original"."""

    __slots__ = ("on",)

    def __init__(self) -> None:
        self.on = False


def _chain(obj: Any) -> List[Any]:
    """obj and everything reachable through ``__wrapped__`` (bounded: no cycles)."""
    seen = [obj]
    for _ in range(64):
        obj = getattr(obj, "__wrapped__", None)
        if obj is None or any(obj is s for s in seen):
            break
        seen.append(obj)
    return seen


class _Binding:
    def __init__(self, owner: Any, attribute: str, original: Any, replacement: Any) -> None:
        self.owner = owner
        self.attribute = attribute
        self.original = original
        self.replacement = replacement

    @property
    def where(self) -> str:
        return "{}.{}".format(getattr(self.owner, "__qualname__", self.owner.__name__), self.attribute)

    def live(self) -> Any:
        # A class attribute is read from the class __dict__ so that a method
        # is not bound and an inherited one does not count as ours.
        if inspect.isclass(self.owner):
            return vars(self.owner).get(self.attribute)
        return getattr(self.owner, self.attribute, None)

    def state(self) -> str:
        """'ours' (our object is the attribute), 'under' (someone wrapped it), or 'absent'."""
        live = self.live()
        if live is self.replacement:
            return "ours"
        if any(obj is self.replacement for obj in _chain(live)):
            return "under"
        return "absent"


# --- fixes "dispatch" and "sse-dispatch": the response classes' __init__ -----


async def _stand_in_generator() -> AsyncIterator[bytes]:  # pragma: no cover - never iterated
    yield b""


# Handed to the legacy __init__ in place of an async iterable: its
# `inspect.isasyncgen` test passes, it stores this object, and we overwrite it
# with the user's content. Never iterated, so it needs no event loop.
_STAND_IN = _stand_in_generator()


def _make_init(original: Callable[..., None], switch: _Switch) -> Callable[..., None]:
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


def _own_attribute(module: Any, class_name: str, attribute: str) -> Tuple[Any, Any]:
    """(the class, its own attribute as it is now): inherited ones do not count."""
    cls = getattr(module, class_name, None)
    if not inspect.isclass(cls):
        raise LayoutError("{}.{} is missing or not a class".format(module.__name__, class_name))
    current = vars(cls).get(attribute)
    if current is None:
        raise LayoutError("{} defines no {} of its own".format(class_name, attribute))
    return cls, current


def _init_target(module: Any, class_name: str) -> List[Tuple[Any, str, Any]]:
    cls, init = _own_attribute(module, class_name, "__init__")
    original = _unwrap_ours(init)
    try:
        params = list(inspect.signature(original).parameters)
    except (TypeError, ValueError):
        params = []
    if params[:2] != ["self", "content"]:
        raise LayoutError("{}.__init__ does not take (self, content, ...): {}".format(class_name, params))
    return [(cls, "__init__", init)]


# --- fixes "tasks" and "sse-tasks": references to run_until_first_complete ----


async def _first_complete(*args: Tuple[Callable[..., Any], Dict[str, Any]]) -> None:
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


def _make_run_until_first_complete(original: Callable[..., Any], switch: _Switch) -> Any:
    # Called once per response, so a wrapt FunctionWrapper costs nothing
    # that matters here, and it keeps the original's name and signature.
    import wrapt

    def wrapper(wrapped: Callable[..., Any], instance: Any, args: Any, kwargs: Any) -> Any:
        if switch.on:
            return _first_complete(*args, **kwargs)
        return wrapped(*args, **kwargs)

    return wrapt.FunctionWrapper(original, wrapper)


def _tasks_targets(*modules: Any) -> List[Tuple[Any, str, Any]]:
    # starlette.responses (and sse-starlette 0.5-0.9) did `from
    # starlette.concurrency import run_until_first_complete`: each module
    # holds its own reference, and each must be replaced.
    targets = []
    for module in modules:
        current = getattr(module, "run_until_first_complete", None)
        if current is None and module.__name__ == "starlette.responses" and not hasattr(
                getattr(module, "StreamingResponse", None), "listen_for_disconnect"):
            continue  # 0.13.2: only starlette.concurrency has it; responses start using it in 0.13.3
        if current is None:
            raise LayoutError("{}.run_until_first_complete is missing".format(module.__name__))
        if any(current is b.replacement and b.owner is not module for b in _BINDINGS.values()):
            continue  # imported after our fix of starlette.concurrency: already ours
        if not inspect.iscoroutinefunction(_unwrap_ours(current)):
            raise LayoutError(
                "{}.run_until_first_complete is not a coroutine function".format(module.__name__)
            )
        targets.append((module, "run_until_first_complete", current))
    return targets


# --- fix "disconnect": StreamingResponse.__call__ before 0.13.3 -------------


async def _send_all(response: Any, send: Callable[..., Any]) -> None:
    # What the legacy __call__ sends, without its background task: from
    # 0.13.3 (#839) the task runs after the stream, whichever half ended it.
    await send({"type": "http.response.start", "status": response.status_code, "headers": response.raw_headers})
    async for chunk in response.body_iterator:
        await send({
            "type": "http.response.body",
            "body": chunk if isinstance(chunk, bytes) else chunk.encode(response.charset),
            "more_body": True,
        })
    await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _until_disconnect(receive: Callable[..., Any]) -> None:
    message: Dict[str, Any] = {}
    while message.get("type") != "http.disconnect":
        message = await receive()


def _make_call(original: Callable[..., Any], switch: _Switch) -> Callable[..., Any]:
    async def __call__(self: Any, scope: Any, receive: Any, send: Any) -> None:
        if not switch.on:
            await original(self, scope, receive, send)
            return
        # As 0.13.3-0.14.x: stream and listen at once; the first to end
        # cancels the other (a client gone cancels the body iterator), and
        # only then does the background task run.
        await _first_complete((_send_all, {"response": self, "send": send}),
                              (_until_disconnect, {"receive": receive}))
        if self.background is not None:
            await self.background()

    functools.update_wrapper(__call__, original)
    return __call__


def _call_target(module: Any, class_name: str) -> List[Tuple[Any, str, Any]]:
    cls, call = _own_attribute(module, class_name, "__call__")
    if hasattr(cls, "listen_for_disconnect"):
        raise LayoutError("{} already listens for http.disconnect".format(class_name))
    original = _unwrap_ours(call)
    if not inspect.iscoroutinefunction(original):
        raise LayoutError("{}.__call__ is not a coroutine function".format(class_name))
    if list(inspect.signature(original).parameters) != ["self", "scope", "receive", "send"]:
        raise LayoutError("{}.__call__ does not take (self, scope, receive, send)".format(class_name))
    return [(cls, "__call__", call)]


# --- fix "testclient": the requests-based TestClient on Python 3.12+ -----------


def _has_current_loop() -> bool:
    """Is an event loop set for this thread? Asked without letting asyncio
    make one up (3.12/3.13 warn, then do)."""
    if sys.version_info < (3, 14):
        # 3.12/3.13: the default policy (and uvloop's, its subclass) keeps the
        # thread's loop in _local._loop; asking get_event_loop() would warn
        # and then set one. Another policy is asked below, and answers as it does.
        local = getattr(asyncio.get_event_loop_policy(), "_local", None)
        loop = getattr(local, "_loop", _UNKNOWN)
        if loop is not _UNKNOWN:
            return loop is not None
    try:
        asyncio.get_event_loop()  # 3.14+ no longer makes one: RuntimeError instead
    except RuntimeError:
        return False
    return True


_UNKNOWN = object()


def _ensure_loop() -> None:
    # What asyncio.get_event_loop() did, silently, up to Python 3.11: the
    # thread's loop if one is set, else a new one, set as the thread's. The
    # legacy TestClient then finds it with get_event_loop(), so its lifespan
    # (__enter__/__exit__) and its requests share one loop, as before.
    if not _has_current_loop():
        asyncio.set_event_loop(asyncio.new_event_loop())


def _make_with_loop(original: Callable[..., Any], switch: _Switch) -> Callable[..., Any]:
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        if switch.on:
            _ensure_loop()
        return original(self, *args, **kwargs)

    functools.update_wrapper(method, original)
    return method


def _testclient_targets(module: Any) -> List[Tuple[Any, str, Any]]:
    # TestClient.__enter__/__exit__ (lifespan) and _ASGIAdapter.send (every
    # request) are where the legacy client asks asyncio.get_event_loop().
    targets = []
    for class_name, attribute in (("TestClient", "__enter__"), ("TestClient", "__exit__"), ("_ASGIAdapter", "send")):
        cls, current = _own_attribute(module, class_name, attribute)
        code = getattr(_unwrap_ours(current), "__code__", None)
        if code is None or "get_event_loop" not in code.co_names:
            raise LayoutError("{}.{} does not ask asyncio.get_event_loop()".format(class_name, attribute))
        targets.append((cls, attribute, current))
    return targets


# --- fix "debug-page": ServerErrorMiddleware's HTML page on Python 3.8.7+ -------


def _make_traceback(original: types.ModuleType, switch: _Switch) -> types.ModuleType:
    # starlette.middleware.errors reads TracebackException.exc_traceback,
    # which CPython removed (bpo-42482) so that the summary would not keep the
    # frames alive. The module's `traceback` name becomes this copy of the
    # traceback module, whose TracebackException has that attribute again;
    # each release then renders its own page, frames included, as 0.14.2
    # (#1132) does from exc.__traceback__. Nothing else in it changes.
    class TracebackException(original.TracebackException):  # type: ignore[name-defined,misc]
        @classmethod
        def from_exception(cls, exc: BaseException, *args: Any, **kwargs: Any) -> Any:
            summary = super().from_exception(exc, *args, **kwargs)
            if switch.on:
                summary.exc_traceback = exc.__traceback__
            return summary

    TracebackException.__module__ = original.__name__
    copy = types.ModuleType(original.__name__, original.__doc__)
    copy.__dict__.update({k: v for k, v in vars(original).items() if not k.startswith("__")})
    copy.TracebackException = TracebackException  # type: ignore[attr-defined]
    copy.__wrapped__ = original  # type: ignore[attr-defined]
    return copy


def _traceback_target(module: Any) -> List[Tuple[Any, str, Any]]:
    cls, generate_html = _own_attribute(module, "ServerErrorMiddleware", "generate_html")
    if "exc_traceback" not in getattr(generate_html, "__code__", types.SimpleNamespace(co_names=())).co_names:
        raise LayoutError("ServerErrorMiddleware.generate_html does not read exc_traceback")
    current = getattr(module, "traceback", None)
    if _unwrap_ours(current) is not traceback:
        raise LayoutError("{}.traceback is not the traceback module".format(module.__name__))
    return [(module, "traceback", current)]


# --- copies with no version to read (vendored sse-starlette) -------------------


class _AsyncIterableProbe:
    def __aiter__(self) -> "_AsyncIterableProbe":
        return self

    async def __anext__(self) -> Any:  # pragma: no cover - never iterated
        raise StopAsyncIteration


def _in_a_loop(call: Callable[[], Any]) -> Any:
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


def has_legacy_code(fix: Fix) -> bool:
    """Does the imported module have the code this fix replaces? For a copy
    whose version cannot be read: its behaviour decides, never its text."""
    module = importlib.import_module(_MAKERS[fix.name][0][0])
    try:
        if fix.name == "sse-dispatch":
            # Run the original __init__ on a bare instance: the legacy dispatch
            # hands a non-generator async iterable to iterate_in_threadpool.
            cls = module.EventSourceResponse
            probe = _AsyncIterableProbe()
            response = cls.__new__(cls)
            init = _unwrap_ours(vars(cls)["__init__"])
            _in_a_loop(lambda: init(response, probe))
            return response.body_iterator is not probe
        if fix.name == "sse-tasks":
            # It holds Starlette's own run_until_first_complete by name.
            import starlette.concurrency

            theirs = getattr(module, "run_until_first_complete", None)
            return theirs is not None and _unwrap_ours(theirs) is _unwrap_ours(
                starlette.concurrency.run_until_first_complete)
    except Exception:  # cannot show the bug: leave the copy alone
        return False
    return False


# --- registry ----------------------------------------------------------------

# fix name -> (modules it patches, where in them, how to make a replacement)
_Targets = List[Tuple[Any, str, Any]]  # (owner, attribute, the object there now)
_MAKERS: Dict[str, Tuple[Tuple[str, ...], Callable[..., _Targets], Callable[[Any, _Switch], Any]]] = {
    "dispatch": (("starlette.responses",), lambda m: _init_target(m, "StreamingResponse"), _make_init),
    "tasks": (("starlette.concurrency", "starlette.responses"), _tasks_targets, _make_run_until_first_complete),
    "disconnect": (("starlette.responses",), lambda m: _call_target(m, "StreamingResponse"), _make_call),
    "sse-dispatch": (("sse_starlette.sse",), lambda m: _init_target(m, "EventSourceResponse"), _make_init),
    "sse-tasks": (("sse_starlette.sse",), _tasks_targets, _make_run_until_first_complete),
    "testclient": (("starlette.testclient",), _testclient_targets, _make_with_loop),
    "debug-page": (("starlette.middleware.errors",), _traceback_target, _make_traceback),
}

# (id(owner), attribute) -> _Binding; holds the owner, so ids stay unique.
_BINDINGS: Dict[Tuple[int, str], _Binding] = {}
_SWITCHES: Dict[str, _Switch] = {}


def _unwrap_ours(obj: Any) -> Any:
    """The original under our replacement, if obj is one of ours."""
    for binding in _BINDINGS.values():
        if obj is binding.replacement:
            return binding.original
    return obj


class Patch:
    """The bindings of one fix and the switch their replacements read."""

    def __init__(self, fix: Fix, bindings: List[_Binding], switch: _Switch) -> None:
        self.fix = fix
        self.bindings = bindings
        self.switch = switch

    def installed(self) -> bool:
        return self.switch.on and all(b.state() != "absent" for b in self.bindings)

    def describe(self) -> str:
        if not self.bindings:
            return "nothing to replace: the reference already is our replacement"
        parts = []
        for b in self.bindings:
            state = b.state()
            parts.append(
                {
                    "ours": "{} replaced",
                    "under": "{} replaced, and wrapped again by another patch",
                    "absent": "{} not replaced",
                }[state].format(b.where)
            )
        if not self.switch.on and any(b.state() != "absent" for b in self.bindings):
            parts.append("our replacement is switched off")
        return "; ".join(parts)

    def install(self) -> None:
        for b in self.bindings:
            if b.state() == "absent":
                setattr(b.owner, b.attribute, b.replacement)
        self.switch.on = True

    def uninstall(self) -> Tuple[List[str], List[str]]:
        """Restore the originals: (places restored, places left wrapped by others)."""
        self.switch.on = False
        restored, left = [], []
        for b in self.bindings:
            state = b.state()
            if state == "ours":
                setattr(b.owner, b.attribute, b.original)
                restored.append(b.where)
            elif state == "under":
                left.append(b.where)
        return restored, left


def patch_for(fix: Fix) -> Patch:
    """The Patch for this fix against the modules as they are now.

    Imports Starlette's modules if needed (install() only asks on an affected
    release); sse-starlette's is only asked for once it is imported. Raises
    LayoutError, before anything is changed, when a target is missing.
    """
    module_names, find_targets, make = _MAKERS[fix.name]
    modules = []
    for name in module_names:
        try:
            modules.append(importlib.import_module(name))
        except Exception as exc:
            raise CannotImport("{} cannot be imported ({}: {})".format(name, type(exc).__name__, exc)) from exc
    switch = _SWITCHES.setdefault(fix.name, _Switch())
    bindings = []
    for owner, attribute, current in find_targets(*modules):
        key = (id(owner), attribute)
        binding = _BINDINGS.get(key)
        if binding is None or binding.owner is not owner or (
            binding.state() == "absent" and current is not binding.original
        ):
            # First time, or someone replaced the original since: wrap what is there now.
            binding = _Binding(owner, attribute, current, make(current, switch))
            _BINDINGS[key] = binding
        bindings.append(binding)
    return Patch(fix, bindings, switch)
