"""Fix ``fastapi-multipart``: FastAPI's check for python-multipart finds it
by its new name (FastAPI 0.60.2-0.115.3, with python-multipart 0.0.13 or
later).

When a route declares Form or File parameters, ``get_body_field`` calls
``check_file_field`` (fastapi/fastapi #1851, 0.60.2; renamed
``ensure_multipart_is_installed`` by #12106), which runs
``from multipart import __version__``: python-multipart's rename warning at
every such route's construction (an error under ``-W error``), or, with
0.0.14 and 0.0.15, which ship no ``multipart`` module, "Form data requires
python-multipart to be installed" although it is. 0.115.4 (#12627) imports
``python_multipart`` first.

The replacement runs the release's own check with ``multipart`` standing
for python_multipart, as the ``multipart`` fix does for Starlette's imports
(its ``put_aliases``): the check's own messages, for a package that is
missing or is the other ``multipart``, stay the release's.
"""

import functools
from typing import Any, Callable, List, Tuple

from .._bindings import LayoutError, Switch, code_names, unwrap_ours
from .multipart import put_aliases, take_aliases

MODULES = ("fastapi.dependencies.utils",)
# The check's name, by release: #12106 renamed it in 0.114.1.
NAMES = ("check_file_field", "ensure_multipart_is_installed")


def make(original: "Callable[..., Any]", switch: Switch) -> "Callable[..., Any]":
    @functools.wraps(original)
    def check(*args: Any, **kwargs: Any) -> Any:
        if not switch.on:
            return original(*args, **kwargs)
        state = put_aliases()  # (called for every form route: no context manager's cost)
        try:
            return original(*args, **kwargs)
        finally:
            take_aliases(state)

    return check


def targets(utils: Any) -> "List[Tuple[Any, str, Any]]":
    for name in NAMES:
        current = vars(utils).get(name)
        if current is None:
            continue
        if "multipart" not in code_names(unwrap_ours(current)):
            raise LayoutError("fastapi.dependencies.utils.{} does not import `multipart`".format(name))
        return [(utils, name, current)]
    raise LayoutError("fastapi.dependencies.utils has neither {}".format(" nor ".join(NAMES)))
