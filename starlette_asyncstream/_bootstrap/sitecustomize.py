"""Put on PYTHONPATH by ``starlette-asyncstream run``: every Python process
started under it (servers, their worker and reloader processes) imports the
package before any application code, then runs the sitecustomize this one
shadows, if there is one."""

import os
import sys


def _bootstrap() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        import starlette_asyncstream  # noqa: F401  (installs the fixes it applies)
    except Exception as exc:
        # Another Python below the command (a shim, a tool's own venv) must
        # still start, and the user must know it runs without the fixes.
        # Not there at all, or there but broken (a copy without one of its modules:
        # `from . import _core` fails with an ImportError that names the package too).
        if isinstance(exc, ModuleNotFoundError) and getattr(exc, "name", None) == "starlette_asyncstream":
            why = "not installed for {}".format(sys.executable)
        else:
            why = "cannot be imported in {} ({}: {})".format(sys.executable, type(exc).__name__, exc)
        sys.stderr.write("starlette-asyncstream run: {}: this process runs without the fixes\n".format(why))

    # This directory has done its job: take it off sys.path for good, so
    # that the user's own sitecustomize (found next) is the one the rest of
    # the process sees, and whatever it does to sys.path (append,
    # site.addsitedir) stays done. Children still get it from PYTHONPATH.
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]

    # Chain to the sitecustomize that would have run without us. site.py
    # reads sys.modules["sitecustomize"] back after this module returns, so
    # that entry must exist when we are done: the user's module if there is
    # one, else this one again.
    import importlib.util

    ours = sys.modules.pop("sitecustomize", None)
    try:
        if importlib.util.find_spec("sitecustomize") is not None:
            __import__("sitecustomize")
    finally:
        if "sitecustomize" not in sys.modules and ours is not None:
            sys.modules["sitecustomize"] = ours


_bootstrap()
