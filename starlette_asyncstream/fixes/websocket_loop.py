"""Fix ``websocket-loop``: the legacy test client's websocket sessions close
their event loop (Starlette 0.12.0b3-0.14.1).

``WebSocketTestSession.__init__`` makes ``self._loop = new_event_loop()``
for each session and never closes it: when the session is collected,
"ResourceWarning: unclosed event loop" and its two unclosed sockets, errors
under ``-X dev`` or ``-W error``. 0.14.2 makes the loop inside ``_run``, the
session's thread, and closes it there when the app returns.

``_run`` becomes a plain function that runs the original and then closes the
session's loop (its async generators first), in that thread, as 0.14.2 does.
"""

import functools
from typing import Any, Callable, List, Tuple

from .._bindings import LayoutError, Switch, code_names, own_attribute

MODULES = ("starlette.testclient",)


def make(original: "Callable[..., Any]", switch: Switch) -> "Callable[..., Any]":
    def _run(self: Any) -> None:
        try:
            original(self)
        finally:
            loop = getattr(self, "_loop", None)
            if switch.on and loop is not None and not loop.is_closed() and not loop.is_running():
                try:
                    loop.run_until_complete(loop.shutdown_asyncgens())
                finally:
                    loop.close()

    functools.update_wrapper(_run, original)
    return _run


def targets(testclient: Any) -> "List[Tuple[Any, str, Any]]":
    cls, run = own_attribute(testclient, "WebSocketTestSession", "_run")
    init_names = code_names(vars(cls).get("__init__"))
    run_names = code_names(run)
    if "_loop" not in init_names or "new_event_loop" not in init_names or "_loop" not in run_names:
        raise LayoutError("WebSocketTestSession does not run its app in a loop of its own made in __init__")
    if "close" in run_names:
        raise LayoutError("WebSocketTestSession._run already closes its loop")
    return [(cls, "_run", run)]
