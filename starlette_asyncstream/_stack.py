"""Breakages of a pinned legacy stack that this package does not fix.

The diagnostics report names each one that applies to the installed versions
and this Python, with the release that fixes it while keeping the pins. Data,
like the range table; read by ``__main__`` only (never at import). Versions
are read from metadata, nothing here is imported.
"""

from typing import Any, Callable, Dict, List, Optional, Tuple

from ._pep440 import parse_version
from ._ranges import _running, _within

__all__ = ["STACK", "found"]


class Breakage:
    __slots__ = ("name", "distribution", "module", "ranges", "python", "python_below", "starlette_below", "needs",
                 "streaming", "what", "remedy")

    def __init__(self, name: str, distribution: str, module: str, releases: "Tuple[Tuple[str, Optional[str]], ...]",
                 python: "Tuple[int, ...]", what: str, remedy: str, starlette_below: "Optional[str]" = None,
                 streaming: bool = False, python_below: "Optional[Tuple[int, ...]]" = None,
                 needs: "Optional[Tuple[str, str]]" = None) -> None:
        self.name = name
        self.distribution = distribution
        self.module = module  # its top-level module, to find its metadata
        # each (introduced, fixed): introduced <= version < fixed (None: no release fixes it)
        self.ranges = releases
        self.python = python  # the first Python it breaks on
        self.python_below = python_below  # and the first it no longer breaks on
        self.starlette_below = starlette_below  # only with a Starlette older than this
        self.needs = needs  # only beside this module at this release or later: (module, release)
        self.streaming = streaming  # StreamingResponse itself cannot work while it applies
        self.what = what
        self.remedy = remedy

    def concerns(self, python: "Tuple[int, ...]") -> bool:
        """Does it break on this Python (from its first, before python_below)?"""
        return self.python <= python and (self.python_below is None or python < self.python_below)


# Each row is proven on its Python by tests/stack (the broken release installed: the
# breakage seen and named; the remedy's release installed: gone and not named).
# Only uvicorn before 0.12 requires httptools itself; 0.12.0-0.13.2 and 0.14.0
# declare `click>=7.*`, which pip 24.1 and later refuse (invalid metadata), so
# the uvicorn remedies name 0.13.4 or 0.15.0, which every pip installs.
UVICORN_INSTALLS = "uvicorn 0.13.4 or 0.15.0 and later, which every pip installs"
ISCORO_FILTER = "'asyncio.iscoroutinefunction' is deprecated:DeprecationWarning"
UTCNOW_FILTER = "datetime.datetime.utcnow:DeprecationWarning"


def _or_filter(remedy: str, warning_filter: str) -> str:
    """A remedy, or the warning filter that silences the warning, as -W and as pytest take it."""
    return "{}, or filter the warning: -W \"ignore:{}\" (pytest: filterwarnings = ignore:{})".format(
        remedy, warning_filter, warning_filter)


STACK = (
    Breakage(
        "aiofiles-coroutine", "aiofiles", "aiofiles", (("0", "0.6.0"),), (3, 11),
        "aiofiles {version} uses @asyncio.coroutine, removed in Python 3.11: `import starlette.responses` "
        "fails with AttributeError (Starlette before 0.15 imports aiofiles when it is installed; FastAPI "
        "0.61-0.64's `all` extra pins aiofiles < 0.6)",
        "aiofiles 0.6.0 (Starlette's and FastAPI's code work with it)",
        starlette_below="0.15.0", streaming=True,
    ),
    Breakage(
        # An installed uvicorn 0.12+ without the `standard` extra serves with h11:
        # nothing is broken there (what is installed, not the release, decides).
        "uvicorn-httptools", "uvicorn", "uvicorn", (("0", "0.12.0"),), (3, 11),
        "uvicorn {version} requires httptools 0.1.x, which does not build on Python 3.11+: this environment "
        "cannot be installed again",
        UVICORN_INSTALLS + ", without the `standard` extra (they serve with h11); or install uvicorn {version} "
        "with --no-deps and serve with --http h11",
    ),
    Breakage(
        # pip 24.1 ignores a release whose metadata is not standard (pypa/pip#12063);
        # Python 3.13 ships pip 24.2.
        "uvicorn-metadata", "uvicorn", "uvicorn", (("0.12.0", "0.13.3"), ("0.14.0", "0.15.0")), (3, 8),
        "uvicorn {version} declares `click>=7.*`, which pip 24.1 and later (this environment's) refuse as "
        "invalid metadata: this environment cannot be installed again",
        UVICORN_INSTALLS + " (neither depends on Starlette)",
        needs=("pip", "24.1"),
    ),
    Breakage(
        # Python 3.14's get_event_loop() no longer makes a loop; uvicorn 0.15 makes its own.
        "uvicorn-uvloop", "uvicorn", "uvicorn", (("0", "0.15.0"),), (3, 14),
        "uvicorn {version} with uvloop installed fails at start on Python 3.14 (RuntimeError: There is no "
        "current event loop)",
        "uvicorn 0.15.0 or later, or serve with --loop asyncio",
        needs=("uvloop", "0"),
    ),
    Breakage(
        "websockets-loop", "websockets", "websockets", (("0", "10.0"),), (3, 10),
        "websockets {version} passes the `loop` argument that Python 3.10 removed: websocket connections fail",
        "websockets 10.0 or later (uvicorn 0.11-0.13 pin websockets 8.*: install them with --no-deps, or "
        "serve with --ws wsproto)",
    ),
    Breakage(
        # uvicorn's `websockets` protocol (what --ws auto picks while websockets is
        # installed) uses the API websockets 10.0 deprecated, on every uvicorn release.
        "websockets-deprecated", "websockets", "websockets", (("10.0", None),), (3, 7),
        "websockets {version} deprecates the API uvicorn's websockets protocol uses: a DeprecationWarning at "
        "every websocket connection (pytest shows it; under -W error the connection fails, and from websockets "
        "14.0 uvicorn does not start)",
        "serve websockets with wsproto: install wsproto and run uvicorn with --ws wsproto (or uninstall "
        "websockets: --ws auto then picks wsproto)",
        needs=("uvicorn", "0"),
    ),
    Breakage(
        "pydantic-forwardref", "pydantic", "pydantic", (("1.0", "1.10.16"),), (3, 12, 4),
        "pydantic {version} calls ForwardRef._evaluate with the arguments Python 3.12.4 changed: models "
        "with forward references fail to build",
        "pydantic 1.10.16 or later (FastAPI's `pydantic < 2` pins accept every 1.10.x)",
    ),
    Breakage(
        # 1.10.20 passes type_params, which ForwardRef._evaluate takes from 3.12.4 on.
        "pydantic-type-params", "pydantic", "pydantic", (("1.10.20", "1.10.21"),), (3, 12),
        "pydantic {version} passes type_params to ForwardRef._evaluate, which Python before 3.12.4 does not "
        "take: `import pydantic` fails with TypeError",
        "pydantic 1.10.21 or later",
        python_below=(3, 12, 4),
    ),
    Breakage(
        # Python 3.14 evaluates annotations lazily (PEP 649); pydantic 1.10.25 reads them so.
        "pydantic-py314", "pydantic", "pydantic", (("1.0", "1.10.25"),), (3, 14),
        "pydantic {version} cannot read class annotations on Python 3.14 (PEP 649): fields declared by "
        "annotation are dropped or fail (ConfigError: unable to infer type), and `import fastapi` fails",
        "pydantic 1.10.25 or later (FastAPI's `pydantic < 2` pins accept it)",
    ),
    Breakage(
        "sse-starlette-loop", "sse-starlette", "sse_starlette", (("0", "0.3.0"),), (3, 10),
        "sse-starlette {version} passes loop= to asyncio.sleep, which Python 3.10 removed: its ping fails",
        "sse-starlette 0.3.0 or later",
    ),
    Breakage(
        # run_until_first_complete appeared in Starlette 0.13.2; sse-starlette 0.5.0-0.9.x
        # import it, and declare no Starlette range that would stop pip.
        "sse-starlette-starlette", "sse-starlette", "sse_starlette", (("0.5.0", "0.10.0"),), (3, 6),
        "sse-starlette {version} imports run_until_first_complete, which Starlette before 0.13.2 does not "
        "have: `import sse_starlette` fails with ImportError",
        "sse-starlette 0.4.0 (this package's sse-disconnect row makes it notice a client that leaves), or "
        "Starlette 0.13.2 or later",
        starlette_below="0.13.2",
    ),
    Breakage(
        "sse-starlette-utcnow", "sse-starlette", "sse_starlette", (("0", "2.1.0"),), (3, 12),
        "sse-starlette {version} calls datetime.utcnow(), deprecated on Python 3.12: a DeprecationWarning at "
        "every ping (an error under -W error, which ends the stream)",
        _or_filter("sse-starlette 2.1.0 or later (it streams beside Starlette 0.13 and 0.14, with anyio)",
                   UTCNOW_FILTER),
    ),
    Breakage(
        "uvicorn-iscoroutinefunction", "uvicorn", "uvicorn", (("0", "0.36.0"),), (3, 14),
        "uvicorn {version} calls asyncio.iscoroutinefunction, deprecated on Python 3.14 and removed in 3.16: "
        "a DeprecationWarning when it starts (an error under -W error; AttributeError on 3.16)",
        # (-W's module field must match the whole module name: "uvicorn" alone would not
        # match uvicorn.config. The message is what matches.)
        _or_filter("uvicorn 0.36.0 or later (it does not depend on Starlette)", ISCORO_FILTER),
    ),
)


def _applies(b: Breakage, version: "Any", running: "Tuple[int, ...]", starlette: "Any",
             installed_version: "Callable[[str], Optional[str]]") -> bool:
    if not b.concerns(running) or not any(_within(version, *bounds) for bounds in b.ranges):
        return False
    if b.starlette_below is not None and (starlette is None or not _within(starlette, "0", b.starlette_below)):
        return False
    if b.needs is not None:
        beside = parse_version(installed_version(b.needs[0]) or "")
        return beside is not None and _within(beside, b.needs[1], None)
    return True


def found(installed_version: "Callable[[str], Optional[str]]",
          python: "Optional[Tuple[int, ...]]" = None) -> "List[Dict[str, Any]]":
    """The breakages that apply here: [{name, distribution, version, what, remedy, breaks_streaming}]."""
    running = _running() if python is None else python
    starlette = parse_version(installed_version("starlette") or "")
    result = []
    for b in STACK:
        text = installed_version(b.module)
        version = parse_version(text or "")
        if version is None or not _applies(b, version, running, starlette, installed_version):
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
