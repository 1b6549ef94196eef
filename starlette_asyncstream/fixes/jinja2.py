"""Fix ``jinja2``: Jinja2Templates with Jinja2 3.x (Starlette 0.12.0b3-0.14.2).

Legacy ``Jinja2Templates.get_env`` decorates its ``url_for`` with
``@jinja2.contextfunction``, which Jinja2 3.0 deprecated and 3.1 removed
(pallets/jinja #1544): ``Jinja2Templates(directory=...)`` raises
``AttributeError: module 'jinja2' has no attribute 'contextfunction'``.
0.15.0 (#1183) decorates with ``jinja2.pass_context`` where Jinja2 has it.

``starlette.templating``'s ``jinja2`` global becomes a stand-in for the real
module in which ``contextfunction`` is ``pass_context``; every other name
is looked up on the real module each time. jinja2 itself is not changed.
"""

import types
from typing import Any, List, Tuple

from .._bindings import LayoutError, Switch, code_names, unwrap_ours

MODULES = ("starlette.templating",)


def make(original: "types.ModuleType", switch: Switch) -> "types.ModuleType":
    class Jinja2(types.ModuleType):
        def __getattr__(self, name: str) -> Any:
            if name == "contextfunction" and switch.on:
                return original.pass_context  # what 0.15.0 decorates with
            return getattr(original, name)

    stand_in = Jinja2(original.__name__, original.__doc__)
    stand_in.__wrapped__ = original  # type: ignore[attr-defined]
    return stand_in


def targets(templating: Any) -> "List[Tuple[Any, str, Any]]":
    current = vars(templating).get("jinja2")
    real = unwrap_ours(current)
    if not isinstance(real, types.ModuleType) or real.__name__ != "jinja2" or not hasattr(real, "pass_context"):
        raise LayoutError("starlette.templating.jinja2 is not a Jinja2 3.x module")
    cls = getattr(templating, "Jinja2Templates", None)
    methods = vars(cls).values() if isinstance(cls, type) else ()
    if not any("contextfunction" in code_names(method) for method in methods):
        raise LayoutError("Jinja2Templates does not decorate with jinja2.contextfunction")
    return [(templating, "jinja2", current)]
