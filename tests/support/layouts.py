"""A fork of a release, made in a fresh interpreter before the package is
imported, and what the import then says (tests/test_layouts.py,
tests/fastapi_pins/test_layouts.py, tests/sse/test_layouts.py)."""

import json

import pytest
import starlette

from starlette_asyncstream._ranges import FIXES
from support.releases import PY, applies, installed_version, run_python

HELPERS = """
import json, sys, types, warnings

def forked(*names, coroutine=False, args="self, *args, **kwargs", module="__main__"):
    # A function whose code uses exactly these attribute names (defined as if in module).
    body = "".join("        x.{}\\n".format(n) for n in names) or "        pass\\n"
    scope = {"__name__": module}
    exec(("async " if coroutine else "") + "def f({}):\\n    x = None\\n    if x:\\n{}".format(args, body), scope)
    return scope["f"]
"""

RESULT = """
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import starlette_asyncstream as sa
status = sa.status()
print(json.dumps({
    "warnings": [[w.category.__name__, str(w.message)] for w in caught],
    "installed": status[FIX].installed,
    "untouched": THEN() is BEFORE,
}))
"""


def refused(fix, fork, target):
    """Run the fork, then import the package: {warnings, installed (fix), untouched (target)}.
    target: (the module the fix waits for, an expression reading what it would replace there as `m`)."""
    if not applies(fix):
        package = next(f.package for f in FIXES if f.name == fix)
        pytest.skip("{} {} (Starlette {}) on Python {}.{}: outside the {} row, which reads no code here".format(
            package, installed_version(package, package.replace("-", "_")), starlette.__version__, PY[0], PY[1],
            fix))
    module, read = target
    code = HELPERS + fork + (
        "import {} as m\nTHEN = lambda: {}\nBEFORE = THEN()\nFIX = {!r}\n".format(module, read, fix)) + RESULT
    proc = run_python(code)
    assert proc.stderr == ""  # (what the import warned was caught; nothing else may be printed)
    return json.loads(proc.stdout)


def assert_refused(fix, fork, target, message):
    """The fork gets exactly one StarletteLayoutWarning, with message; the fix is not installed and
    what it would replace is left as the fork has it."""
    result = refused(fix, fork, target)
    layout = [w for w in result["warnings"] if w[0] == "StarletteLayoutWarning"]
    assert layout == [["StarletteLayoutWarning", "starlette_asyncstream: unexpected layout (LayoutError: {}); "
                       "nothing of it was patched".format(message)]], result
    assert result["installed"] is False
    assert result["untouched"] is True
