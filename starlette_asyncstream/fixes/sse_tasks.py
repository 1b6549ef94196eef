"""Fix ``sse-tasks``: sse-starlette 0.5.0-0.9.0's own reference to Starlette's
run_until_first_complete gets the ``tasks`` fix.

0.5.0 added ``from starlette.concurrency import run_until_first_complete``, a
reference of its own that fixing ``starlette.concurrency`` does not reach
when sse-starlette was imported first; 0.10.0 moved to anyio task groups.
"""

from typing import Any, List, Tuple

from .._bindings import unwrap_ours
from .tasks import make as _make, targets as _targets

MODULES = ("sse_starlette.sse",)
make = _make  # the same replacement as the tasks fix's


def targets(sse: Any) -> "List[Tuple[Any, str, Any]]":
    return _targets(sse)


def has_legacy_code(sse: Any) -> bool:
    """For a copy with no version to read: does it hold Starlette's own function by name?"""
    import starlette.concurrency

    theirs = getattr(sse, "run_until_first_complete", None)
    return theirs is not None and unwrap_ours(theirs) is unwrap_ours(starlette.concurrency.run_until_first_complete)
