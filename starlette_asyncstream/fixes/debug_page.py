"""Fix ``debug-page``: ``Starlette(debug=True)``'s error page on Python 3.8.7+,
and on 3.7-3.8.6 once exceptiongroup is imported (Starlette 0.12.1-0.14.1).

``ServerErrorMiddleware.generate_html`` reads
``TracebackException.exc_traceback``, which CPython removed in 3.8.7/3.9.1
(bpo-42482) so that the summary would not keep the frames alive: the page
itself raises and the client gets an empty 500 (#1126). 0.14.2 (#1132)
reads ``exc.__traceback__`` instead. exceptiongroup (which pytest 7.2 and
later import on Python < 3.11) gives older Pythons the newer
``TracebackException.__init__``, without the attribute: the same page.
"""

import traceback
import types
from typing import Any, List, Tuple

from .._bindings import LayoutError, Switch, code_names, own_attribute, unwrap_ours

MODULES = ("starlette.middleware.errors",)


def traceback_copy(original: types.ModuleType, cls: type) -> types.ModuleType:
    """A copy of the traceback module (or of our copy of it) whose
    TracebackException is `cls`; nothing else in it changes."""
    cls.__module__ = original.__name__
    copy = types.ModuleType(original.__name__, original.__doc__)
    copy.__dict__.update({k: v for k, v in vars(original).items() if not k.startswith("__")})
    copy.TracebackException = cls  # type: ignore[attr-defined]
    copy.__wrapped__ = original  # type: ignore[attr-defined]
    return copy


def make(original: types.ModuleType, switch: Switch) -> types.ModuleType:
    # The module's `traceback` name becomes this copy of the traceback
    # module, whose TracebackException has exc_traceback again; each release
    # then renders its own page, frames included, as 0.14.2 does from
    # exc.__traceback__.
    class TracebackException(original.TracebackException):  # type: ignore[name-defined,misc]
        @classmethod
        def from_exception(cls, exc: BaseException, *args: Any, **kwargs: Any) -> Any:
            summary = super().from_exception(exc, *args, **kwargs)
            if switch.on:
                summary.exc_traceback = exc.__traceback__
            return summary

    return traceback_copy(original, TracebackException)


def targets(errors: Any) -> "List[Tuple[Any, str, Any]]":
    cls, generate_html = own_attribute(errors, "ServerErrorMiddleware", "generate_html")
    if "exc_traceback" not in code_names(generate_html):
        raise LayoutError("ServerErrorMiddleware.generate_html does not read exc_traceback")
    current = getattr(errors, "traceback", None)
    if unwrap_ours(current) is not traceback:
        raise LayoutError("{}.traceback is not the traceback module".format(errors.__name__))
    return [(errors, "traceback", current)]
