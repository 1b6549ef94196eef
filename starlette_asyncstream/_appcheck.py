"""``python -m starlette_asyncstream --app module:attr``: what in the user's own
application the import cannot reach.

The application is imported after the package (as the README asks), its
routes, mounts, middleware, exception handlers and FastAPI dependencies are
walked, and every module of the application they lead to (not Starlette's,
FastAPI's, sse-starlette's or ours) is looked at for two things no patch can
change:

- a StreamingResponse subclass whose own ``__init__`` repeats the legacy
  dispatch (code copied from an old release tests ``inspect.isasyncgen`` or
  calls ``iterate_in_threadpool`` itself): the fixed ``__init__`` is never
  called, so any other async iterable fails as before (#793);
- a module global that is still the original of a function a fix replaced
  (taken by name before the package's import, by a sitecustomize, an earlier
  import or a conftest): calls through it run unpatched.

Both are looked for in the application's modules and in every other module
loaded by then that is not the standard library's or one of LIBRARIES.

Each is named with its file and line. Read by ``__main__`` only.
"""

import importlib
import inspect
import os
import re
import sys
import sysconfig
from typing import Any, Dict, List, Optional, Set, Tuple

from . import _bindings

# Libraries whose modules are not the application's (their own references are the fixes' business).
LIBRARIES = ("starlette", "fastapi", "sse_starlette", "starlette_asyncstream", "pydantic", "uvicorn", "anyio")
_STDLIB = os.path.realpath(sysconfig.get_paths()["stdlib"])
# What a copy of the legacy StreamingResponse.__init__ calls to choose how to iterate.
LEGACY_DISPATCH = ("isasyncgen", "iterate_in_threadpool")


def _where(obj: Any) -> "Tuple[Optional[str], Optional[int]]":
    """(file, line) of a class or function; a class made by type() or exec() has a file at most."""
    try:
        path = inspect.getsourcefile(obj)
    except TypeError:  # a module whose __file__ is empty (a class held in one without any is never looked at)
        path = None
    try:
        return path, inspect.getsourcelines(obj)[1]
    except (TypeError, OSError):  # no source to find its line in
        return path, None


def _load(target: str) -> "Tuple[Any, Optional[str]]":
    """(the application object, None) or (None, one sentence saying why not)."""
    module_name, _, attribute = target.partition(":")
    if not module_name or not re.match(r"^[\w.]+$", module_name) or (attribute and not re.match(r"^[\w.]+$",
                                                                                                   attribute)):
        return None, "--app takes module:attribute (for example main:app), not {!r}".format(target)
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())  # as uvicorn and gunicorn find the application
    try:
        module = importlib.import_module(module_name)
    except BaseException as exc:  # the application's own import: anything it raises is its own
        if isinstance(exc, KeyboardInterrupt):
            raise
        where = ""
        if isinstance(exc, SyntaxError):
            where = " at {}:{}".format(exc.filename, exc.lineno)
        return None, "the application module {} cannot be imported{} ({}: {})".format(
            module_name, where, type(exc).__name__, exc)
    obj = module
    for part in (attribute or "app").split("."):
        if not hasattr(obj, part):
            return None, "the application module {} has no attribute {}".format(module_name, attribute or "app")
        obj = getattr(obj, part)
    return obj, None


def _children(obj: Any) -> "List[Any]":
    """What a Starlette or FastAPI object leads to: routes, mounted apps, endpoints,
    middleware, exception handlers, response classes, dependencies."""
    if isinstance(obj, type):  # a class is looked at, not walked (its attributes are descriptors)
        return []
    if isinstance(obj, tuple):  # Starlette 0.12's middleware: (cls, options)
        return [item for item in obj if isinstance(item, type)]
    found: List[Any] = []
    for name in ("routes", "user_middleware", "dependencies", "exception_handlers", "app", "endpoint", "router",
                 "cls", "response_class", "default_response_class", "dependant", "call"):
        try:
            value = getattr(obj, name, None)
        except Exception:  # a property that fails is not ours to judge
            continue
        if isinstance(value, dict):
            found.extend(value.values())
        elif isinstance(value, (list, tuple)) and name in ("routes", "user_middleware", "dependencies"):
            found.extend(value)
        elif value is not None:
            found.append(value)
    return found


def _own_module(obj: Any) -> "Optional[str]":
    """The module that defines obj (a class or function), or obj's class."""
    name = getattr(obj, "__module__", None)
    return name if isinstance(name, str) else getattr(type(obj), "__module__", None)


def _walk(app: Any) -> "Tuple[int, Set[str]]":
    """(how many routes, the application's modules) reachable from app."""
    seen: Set[int] = set()
    modules: Set[str] = set()
    routes = 0
    stack = [app]
    while stack and len(seen) < 100000:  # pragma: no mutate (a bound no application's graph reaches)
        obj = stack.pop()
        if id(obj) in seen or obj is None or isinstance(obj, (str, bytes, int, float, bool)):
            continue
        seen.add(id(obj))
        if type(obj).__name__ in ("Route", "APIRoute", "WebSocketRoute", "APIWebSocketRoute"):
            routes += 1
        name = _own_module(obj)
        if isinstance(name, str):
            modules.add(name)  # (which of them are the application's: _imported_by)
        stack.extend(_children(obj))
    return routes, modules


def _is_application_module(name: str) -> bool:
    module = sys.modules.get(name)
    path = getattr(module, "__file__", None)
    if path is None or name.split(".")[0] in LIBRARIES or name == "__main__":  # (__main__: this report)
        return False
    path = os.path.realpath(path)
    # The standard library is not the application's (site-packages may well be: an installed app).
    return not (path.startswith(_STDLIB + os.sep) and "-packages" + os.sep not in path)


def _imported_by(modules: "Set[str]") -> "Set[str]":
    """modules, and the application modules whose classes, functions or selves they hold (bounded)."""
    found = {name for name in modules if _is_application_module(name)}
    todo = list(found)
    while todo and len(found) < 500:  # pragma: no mutate (a bound no application's modules reach)
        for value in list(vars(sys.modules[todo.pop()]).values()):
            name = value.__name__ if inspect.ismodule(value) else getattr(value, "__module__", None) if (
                inspect.isclass(value) or inspect.isfunction(value)) else None
            if isinstance(name, str) and name not in found and _is_application_module(name):
                found.add(name)
                todo.append(name)
    return found


def _legacy_dispatch(cls: type) -> bool:
    init = vars(cls).get("__init__")
    if init is None or _bindings.unwrap_ours(init) is not init:
        return False
    names = getattr(getattr(init, "__code__", None), "co_names", ())
    return any(name in names for name in LEGACY_DISPATCH)


def _binding_line(path: "Optional[str]", name: str) -> "Optional[int]":
    """The line of a module's source that binds `name` (an import, or an assignment)."""
    if not path:
        return None
    pattern = re.compile(r"^\s*(from\s+\S+\s+)?import\b.*\b{0}\b|^\s*{0}\s*=".format(re.escape(name)))
    try:
        with open(path, encoding="utf-8") as source:
            for number, line in enumerate(source, 1):
                if pattern.search(line):
                    return number
    except (OSError, UnicodeDecodeError):
        return None
    return None


def check(target: str) -> "Dict[str, Any]":
    """{target, routes, modules, installed, responses, references, problems}: see the module docstring."""
    result: Dict[str, Any] = {"target": target, "routes": 0, "modules": [], "installed": [], "responses": [],
                              "references": [], "problems": []}
    app, problem = _load(target)
    if problem is not None:
        result["problems"].append(problem)
        return result
    from . import _status

    # What the application runs with: the fixes installed now that it is imported
    # (those waiting for a module it imports included).
    result["installed"] = [name for name, s in _status.status().items() if s.installed]
    result["routes"], modules = _walk(app)
    modules.add(target.partition(":")[0])
    result["modules"] = sorted(_imported_by(modules))
    try:
        from starlette.responses import StreamingResponse
    except Exception:  # (aiofiles < 0.6 on 3.11+, a broken install: the report's problems say why)
        StreamingResponse = None
    originals: Dict[int, Tuple[Any, str]] = {}  # one entry per original (several owners may share it)
    for b in _bindings.BINDINGS.values():
        # Functions a fix replaced in a module. Not a module object a fix gives a module
        # in place of another (debug-page's traceback, staticfiles' os): an application
        # holding `os` or `traceback` itself is fine.
        if b.state() != "absent" and not isinstance(b.owner, type) and inspect.isfunction(b.original):
            originals.setdefault(id(b.original), (b.original, b.where))
    # Every module of the process that is neither the standard library nor one of the
    # LIBRARIES is looked at (a helper a sitecustomize imported, a third-party module
    # holding Starlette's function by name), the application's own first.
    loaded = sorted(name for name in list(sys.modules)
                    if name not in result["modules"] and _is_application_module(name))
    for module_name in result["modules"] + loaded:
        module = sys.modules[module_name]
        for name, value in sorted(vars(module).items()):
            if (StreamingResponse is not None and isinstance(value, type) and issubclass(value, StreamingResponse)
                    and value.__module__ == module_name):
                path, line = _where(value)
                legacy = _legacy_dispatch(value)
                result["responses"].append({
                    "name": "{}.{}".format(module_name, value.__qualname__), "file": path, "line": line,
                    "reached": not legacy,
                    "what": ("its own __init__ repeats the legacy dispatch (inspect.isasyncgen or "
                             "iterate_in_threadpool): the fixed StreamingResponse.__init__ never runs, and async "
                             "iterables other than generators fail as before") if legacy else (
                        "inherits StreamingResponse.__init__" if "__init__" not in vars(value) else
                        "its own __init__ leaves the dispatch to StreamingResponse.__init__"),
                    "fix": "remove that __init__, or let it pass the content to super().__init__()" if legacy else "",
                })
            for original, where in originals.values():
                if value is original:
                    path = getattr(module, "__file__", None)
                    result["references"].append({
                        "name": "{}.{}".format(module_name, name), "file": path, "line": _binding_line(path, name),
                        "reached": False,
                        "what": "still {} as it was before the fix (taken by name before starlette_asyncstream "
                                "was imported): calls through it run unpatched".format(where),
                        "fix": "import starlette_asyncstream before it",
                    })
    return result


def render(result: "Dict[str, Any]") -> "List[str]":
    lines = ["Application {} ({} routes; its modules: {})".format(
        result["target"], result["routes"], ", ".join(result["modules"]) or "none")]
    for problem in result["problems"]:
        lines.append("  " + problem)
    if not result["problems"]:
        lines.append("  fixes installed with it: " + (", ".join(result["installed"]) or "none"))
    for finding in result["responses"] + result["references"]:
        # (a class made by type() or exec has no source line to read; a module may have no file)
        where = ":".join(str(part) for part in (finding["file"], finding["line"]) if part is not None)
        lines.append("  {} ({}): {}{}".format(
            finding["name"], where or "no source file", "" if finding["reached"] else "NOT REACHED: ",
            finding["what"]))
        if finding["fix"]:
            lines.append("    fix: " + finding["fix"])
    if not result["problems"] and not unreached(result):
        lines.append("  nothing here that the import cannot reach")
    return lines


def unreached(result: "Dict[str, Any]") -> "List[Dict[str, Any]]":
    return [f for f in result["responses"] + result["references"] if not f["reached"]]
