"""Fix ``testclient``: the requests-based TestClient's event loop
(Starlette 0.12.0b3-0.14.2).

``TestClient.__enter__``/``__exit__`` (lifespan) and ``_ASGIAdapter.send``
(every request) call ``asyncio.get_event_loop()``. CPython 3.12 deprecated
its making a loop when none is set (gh-100160) and 3.14 made that a
RuntimeError (gh-126353): ``with TestClient(app)`` fails. On every Python
it fails once ``asyncio.run()`` has left the main thread without a loop, and
in any other thread. 0.15.0 (#1157) runs the app through an anyio portal
instead.
"""

import asyncio
import atexit
import functools
import sys
import threading
from typing import Any, Callable, List, Tuple

from .._bindings import LayoutError, Switch, code_names, own_attribute

MODULES = ("starlette.testclient",)

_UNKNOWN = object()


def _has_current_loop() -> bool:
    """Is an event loop set for this thread? Asked without letting asyncio
    make one up (3.12/3.13 warn, then do)."""
    if sys.version_info < (3, 14):  # pragma: no mutate (version_info has five parts: < and <= agree)
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


# The loops this fix has made, with the thread each was made for, held until
# they are closed: a later asyncio.run() (or anyone) may unset the thread's
# loop, and a loop dropped unclosed says "ResourceWarning: unclosed event
# loop" when it is collected, an error in strict suites. A loop of this
# thread is closed when the next one is made here (it is no longer set:
# that is why a new one is needed); the others at exit.
_made: "List[Tuple[int, asyncio.AbstractEventLoop]]" = []
_made_lock = threading.Lock()


def _close(loops: "List[Tuple[int, asyncio.AbstractEventLoop]]") -> None:
    with _made_lock:
        for entry in loops:
            loop = entry[1]
            if loop.is_running():
                continue
            if not loop.is_closed():
                loop.close()
            _made.remove(entry)


def _close_all() -> None:
    _close(list(_made))


atexit.register(_close_all)  # (this module is imported only where the row applies)


def _ensure_loop() -> None:
    # What asyncio.get_event_loop() did, silently, up to Python 3.11: the
    # thread's loop if one is set, else a new one, set as the thread's. The
    # legacy TestClient then finds it with get_event_loop(), so its lifespan
    # (__enter__/__exit__) and its requests share one loop, as before.
    if _has_current_loop():
        return
    here = threading.get_ident()
    _close([entry for entry in _made if entry[0] == here])
    loop = asyncio.new_event_loop()
    with _made_lock:
        _made.append((here, loop))
    asyncio.set_event_loop(loop)


def make(original: "Callable[..., Any]", switch: Switch) -> "Callable[..., Any]":
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        if switch.on:
            _ensure_loop()
        return original(self, *args, **kwargs)

    functools.update_wrapper(method, original)
    return method


def targets(testclient: Any) -> "List[Tuple[Any, str, Any]]":
    found = []
    for class_name, attribute in (("TestClient", "__enter__"), ("TestClient", "__exit__"), ("_ASGIAdapter", "send")):
        cls, current = own_attribute(testclient, class_name, attribute)
        if "get_event_loop" not in code_names(current):
            raise LayoutError("{}.{} does not ask asyncio.get_event_loop()".format(class_name, attribute))
        found.append((cls, attribute, current))
    return found
