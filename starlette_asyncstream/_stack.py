"""Breakages of a pinned legacy stack that this package does not fix.

The diagnostics report names each one that applies to the installed versions
and this Python, with the release that fixes it while keeping the pins. Data,
like the range table; read by ``__main__`` only (never at import). Versions
are read from metadata, nothing here is imported.
"""

import sys
from typing import Any, Callable, Dict, List, Optional, Tuple

from ._pep440 import parse_version

__all__ = ["STACK", "found"]


class Breakage:
    __slots__ = ("name", "distribution", "module", "introduced", "fixed", "python", "starlette_below", "streaming",
                 "what", "remedy")

    def __init__(self, name: str, distribution: str, module: str, releases: "Tuple[str, Optional[str]]",
                 python: "Tuple[int, ...]", what: str, remedy: str, starlette_below: "Optional[str]" = None,
                 streaming: bool = False) -> None:
        self.name = name
        self.distribution = distribution
        self.module = module  # its top-level module, to find its metadata
        # introduced <= version < fixed (None: no release fixes it)
        self.introduced, self.fixed = releases
        self.python = python  # the first Python it breaks on
        self.starlette_below = starlette_below  # only with a Starlette older than this
        self.streaming = streaming  # StreamingResponse itself cannot work while it applies
        self.what = what
        self.remedy = remedy


STACK = (
    Breakage(
        "aiofiles-coroutine", "aiofiles", "aiofiles", ("0", "0.6.0"), (3, 11),
        "aiofiles {version} uses @asyncio.coroutine, removed in Python 3.11: `import starlette.responses` "
        "fails with AttributeError (Starlette before 0.15 imports aiofiles when it is installed; FastAPI "
        "0.61-0.64's `all` extra pins aiofiles < 0.6)",
        "aiofiles 0.6.0 (Starlette's and FastAPI's code work with it)",
        starlette_below="0.15.0", streaming=True,
    ),
    Breakage(
        # Only uvicorn before 0.12 requires httptools itself (on Linux and macOS); 0.12.0
        # moved it to the `standard` extra, and an installed uvicorn without it serves
        # with h11: nothing is broken there (what is installed, not the release, decides).
        "uvicorn-httptools", "uvicorn", "uvicorn", ("0", "0.12.0"), (3, 11),
        "uvicorn {version} requires httptools 0.1.x, which does not build on Python 3.11+: this environment "
        "cannot be installed again",
        "uvicorn 0.12.0 or later without the `standard` extra (it serves with h11), or install uvicorn "
        "{version} with --no-deps and serve with --http h11",
    ),
    Breakage(
        "websockets-loop", "websockets", "websockets", ("0", "10.0"), (3, 10),
        "websockets {version} passes the `loop` argument that Python 3.10 removed: websocket connections fail",
        "websockets 10.0 or later (uvicorn 0.11-0.13 pin websockets 8.*: install them with --no-deps, or "
        "serve with --ws wsproto)",
    ),
    Breakage(
        "pydantic-forwardref", "pydantic", "pydantic", ("1.0", "1.10.16"), (3, 12, 4),
        "pydantic {version} calls ForwardRef._evaluate with the arguments Python 3.12.4 changed: models "
        "with forward references fail to build",
        "pydantic 1.10.16 or later (FastAPI's `pydantic < 2` pins accept every 1.10.x)",
    ),
    Breakage(
        "sse-starlette-loop", "sse-starlette", "sse_starlette", ("0", "0.3.0"), (3, 10),
        "sse-starlette {version} passes loop= to asyncio.sleep, which Python 3.10 removed: its ping fails",
        "sse-starlette 0.3.0 or later",
    ),
    Breakage(
        "uvicorn-iscoroutinefunction", "uvicorn", "uvicorn", ("0", "0.36.0"), (3, 14),
        "uvicorn {version} calls asyncio.iscoroutinefunction, deprecated on Python 3.14 and removed in 3.16: "
        "a DeprecationWarning when it starts (an error under -W error; AttributeError on 3.16)",
        # (-W's module field must match the whole module name: "uvicorn" alone would not
        # match uvicorn.config. The message is what matches.)
        "uvicorn 0.36.0 or later (it does not depend on Starlette), or filter the warning: "
        "-W \"ignore:'asyncio.iscoroutinefunction' is deprecated:DeprecationWarning\" (pytest: "
        "filterwarnings = ignore:'asyncio.iscoroutinefunction' is deprecated:DeprecationWarning)",
    ),
)


def found(installed_version: "Callable[[str], Optional[str]]",
          python: "Optional[Tuple[int, ...]]" = None) -> "List[Dict[str, Any]]":
    """The breakages that apply here: [{name, distribution, version, what, remedy, breaks_streaming}]."""
    running = tuple(sys.version_info[:3]) if python is None else python
    starlette = parse_version(installed_version("starlette") or "")
    result = []
    for b in STACK:
        text = installed_version(b.module)
        version = parse_version(text or "")
        if version is None or running < b.python:
            continue
        low, high = parse_version(b.introduced), parse_version(b.fixed or "")
        if low is None or version < low or (high is not None and version >= high):
            continue
        if b.starlette_below is not None:
            below = parse_version(b.starlette_below)
            assert below is not None
            if starlette is None or starlette >= below:
                continue
        result.append({
            "name": b.name,
            "distribution": b.distribution,
            "version": text,
            "what": b.what.format(version=text),
            "remedy": b.remedy.format(version=text),
            "breaks_streaming": b.streaming,
        })
    return result
