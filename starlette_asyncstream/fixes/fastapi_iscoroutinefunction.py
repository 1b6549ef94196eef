"""Fix ``fastapi-iscoroutinefunction``: FastAPI's own coroutine checks on
Python 3.14+ (FastAPI 0.1.0-0.116.x).

FastAPI before 0.117.0 (fastapi/fastapi #14022) asks
``asyncio.iscoroutinefunction`` in ``fastapi.routing`` (and, in early
releases, ``fastapi.dependencies.utils``): the same deprecation, and the
same removal in 3.16, as Starlette's. The replacement is the
``iscoroutinefunction`` fix's, module by module.
"""

from .iscoroutinefunction import IMPORTED_ONLY, make, targets  # noqa: F401  (this room's own, as data)

MODULES = ("fastapi.routing", "fastapi.dependencies.utils")
