"""Fix ``debug-page-type``: the debug error page on Python 3.13+
(Starlette 0.12.0b3-0.38.2).

``ServerErrorMiddleware.generate_html`` renders
``traceback_obj.exc_type.__name__``; Python 3.13 deprecated
``TracebackException.exc_type``: a DeprecationWarning on every error page,
and under ``-W error`` the page itself raises and the client gets an empty
500. 0.38.3 (#2662) renders ``exc_type_str`` on 3.13+, which names the
exception with its module unless that is ``builtins`` or ``__main__``.

Like ``debug-page`` (and on top of it where both apply), the module's
``traceback`` global becomes a copy of the traceback module; here its
TracebackException answers ``exc_type`` with a stand-in whose ``__name__``
is ``exc_type_str``, the only thing the legacy page reads of it.
"""

import traceback
import types
from typing import Any, List, Tuple

from .._bindings import LayoutError, Switch, code_names, own_attribute, unwrap_ours
from .debug_page import traceback_copy

MODULES = ("starlette.middleware.errors",)


def make(original: types.ModuleType, switch: Switch) -> types.ModuleType:
    class TracebackException(original.TracebackException):  # type: ignore[name-defined,misc]
        @property
        def exc_type(self) -> Any:
            if switch.on:
                return types.SimpleNamespace(__name__=self.exc_type_str)
            return super().exc_type

    return traceback_copy(original, TracebackException)


def targets(errors: Any) -> "List[Tuple[Any, str, Any]]":
    _, generate_html = own_attribute(errors, "ServerErrorMiddleware", "generate_html")
    if "exc_type" not in code_names(generate_html):
        raise LayoutError("ServerErrorMiddleware.generate_html does not read exc_type")
    current = getattr(errors, "traceback", None)
    if unwrap_ours(current) is not traceback:
        raise LayoutError("{}.traceback is not the traceback module".format(errors.__name__))
    return [(errors, "traceback", current)]
