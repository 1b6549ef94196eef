"""Broken and unusual installs, made for real: a view of this venv's
site-packages with some distributions left out (a --no-deps install without
wrapt, a Python without Starlette), or with a package moved away from its
metadata (an editable install) or stripped of it (a vendored copy).

The view is a directory of symlinks, run with ``python -S`` so that the real
site-packages is not on sys.path: what is left out is really not importable,
and importlib finds exactly what a user's broken install would have.
"""

import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap


def _site_packages():
    import starlette_asyncstream

    here = os.path.dirname(os.path.dirname(os.path.abspath(starlette_asyncstream.__file__)))
    return here, sysconfig.get_paths()["purelib"]


def site_view(tmp_path, leave_out=(), move_away=(), strip=()):
    """(PYTHONPATH entries, [interpreter flags]) for a child that sees this venv's packages
    except `leave_out`; `move_away` packages live in a directory of their own, with their
    metadata left behind (editable); `strip` packages are there without metadata (vendored)."""
    package_root, purelib = _site_packages()
    view = tmp_path / "site-packages"
    elsewhere = tmp_path / "checkout"
    view.mkdir()
    elsewhere.mkdir()

    def matches(entry, names):
        stem = entry.split("-")[0].split(".")[0].lower()
        return any(stem == name.replace("-", "_") for name in names)

    # The copy of this package under test first: it may live elsewhere (an
    # editable install, a checkout on PYTHONPATH).
    roots = [(package_root, ["starlette_asyncstream"]), (purelib, os.listdir(purelib))]
    for root, entries in roots:
        for entry in entries:
            if entry.endswith(".pth") or entry == "__pycache__" or (view / entry).exists():
                continue
            meta = entry.endswith((".dist-info", ".egg-info"))
            if matches(entry, leave_out) or (meta and matches(entry, strip)):
                continue
            target = elsewhere if (not meta and matches(entry, move_away)) else view
            os.symlink(os.path.join(root, entry), str(target / entry))
    return [str(elsewhere), str(view)], ["-S"]


def vendored_copy(tmp_path, module):
    """A copy of an installed package with no metadata anywhere near it."""
    source = os.path.dirname(__import__(module).__file__)
    target = tmp_path / "vendor"
    shutil.copytree(source, str(target / module))
    return str(target)


def run_child(argv_tail, env_extra=None, python_path=(), flags=(), cwd=None, timeout=120):
    """Run [python, *flags, *argv_tail] with the opt-out unset; returns CompletedProcess."""
    env = dict(os.environ)
    env.pop("STARLETTE_ASYNCSTREAM_DISABLE", None)
    if python_path:
        env["PYTHONPATH"] = os.pathsep.join(python_path)
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable] + list(flags) + list(argv_tail),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        universal_newlines=True,
        env=env,
        cwd=cwd,
        timeout=timeout,
    )


def code(text):
    return textwrap.dedent(text)



# A shim's finder put first on sys.meta_path that raises for one top-level name (code for a
# child to run before it imports the package).
RAISING_FINDER = """
import sys
class Shim:
    def find_spec(self, name, path=None, target=None):
        if name == "sse_starlette":
            raise RuntimeError("shim is broken")
        return None
sys.meta_path.insert(0, Shim())
"""


def failing_aiofiles(directory):
    """An aiofiles that fails to import as aiofiles < 0.6 does on Python 3.11+ (its
    asyncio.coroutine is gone), put in directory with no metadata of its own (vendored,
    zipped: no row of the stack table names it). A starlette.responses that imports aiofiles
    then cannot be imported. Returns the PYTHONPATH entry."""
    package = directory / "aiofiles"
    package.mkdir()
    (package / "__init__.py").write_text("raise AttributeError(\"module 'asyncio' has no attribute 'coroutine'\")\n")
    return str(directory)


def responses_import_aiofiles():
    """Does the installed starlette.responses import aiofiles (0.15.0 and later do not)?"""
    import starlette

    with open(os.path.join(os.path.dirname(starlette.__file__), "responses.py"), encoding="utf-8") as f:
        return "import aiofiles" in f.read()


# What the report and the import say when starlette.responses cannot be imported (failing_aiofiles).
RESPONSES_FAIL = ("starlette.responses cannot be imported (AttributeError: module 'asyncio' has no attribute "
                  "'coroutine')")


def assert_responses_fail_warned(stderr):
    """A child beside failing_aiofiles printed the import's one warning, where a fix that needs
    starlette.responses at once applies, naming the fixes it left out (not "nothing": the
    others are installed on their own); elsewhere nothing."""
    from support.releases import AFFECTED, STREAMING, applies

    warned = [line for line in stderr.splitlines() if line.strip() and not line.startswith(" ")]
    if AFFECTED:
        left_out = ", ".join(n for n in STREAMING if applies(n))
        assert len(warned) == 1 and warned[0].endswith(
            "RuntimeWarning: starlette_asyncstream: {}; not installed: {} (python -m starlette_asyncstream tells "
            "why)".format(RESPONSES_FAIL, left_out)), stderr
    else:
        assert stderr == ""
