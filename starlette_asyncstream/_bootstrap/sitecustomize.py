"""Put on PYTHONPATH by ``starlette-asyncstream run``: every Python process
started under it (servers, their worker and reloader processes) imports the
package before any application code, then runs the sitecustomize this one
shadows, if there is one."""

import os
import sys


def _bootstrap():
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        import starlette_asyncstream  # noqa: F401  (installs the fixes it applies)
    except Exception as exc:  # a Python that cannot import us must still start
        sys.stderr.write("starlette-asyncstream run: fixes not installed in {}: {}: {}\n".format(
            sys.executable, type(exc).__name__, exc))

    # Chain to the sitecustomize that would have run without us.
    import importlib.util

    del sys.modules["sitecustomize"]
    saved = sys.path[:]
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    try:
        spec = importlib.util.find_spec("sitecustomize")
        if spec is not None:
            __import__("sitecustomize")
    finally:
        sys.path[:] = saved


_bootstrap()
