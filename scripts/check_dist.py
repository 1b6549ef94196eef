"""Build the sdist and the wheel, check what they hold, and run the unit tests
from the unpacked sdist against the installed wheel (scripts/tox -e packaging).

    python scripts/check_dist.py OUTDIR [pytest arguments...]

Checks: `twine check` on both (metadata, README rendering); the wheel holds
the package with py.typed, the run bootstrap, the console script, the pytest
plugin module and its entry point, and no tests; the sdist holds everything its tests read (tests/, docs/, scripts/,
tox.ini, README.md) and nothing that a run writes (logs, caches). Exit 1 on
the first failure, with one line saying which.
"""

import configparser
import glob
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

WHEEL_MUST = ("starlette_asyncstream/__init__.py", "starlette_asyncstream/py.typed",
              "starlette_asyncstream/_bootstrap/sitecustomize.py", "starlette_asyncstream_pytest.py")
SDIST_MUST = ("pyproject.toml", "README.md", "LICENSE", "tox.ini", "tests/conftest.py", "tests/programs/feeds.py",
              "docs/compatibility.md", "docs/TESTING.md", "docs/sweep.json", "scripts/readme_table.py",
              "starlette_asyncstream/py.typed")
NEVER = (".log", ".pyc", "__pycache__", ".pytest_cache", ".tox")


def fail(message):
    print("check_dist: " + message, flush=True)
    sys.exit(1)


def run(argv, **kwargs):
    print("check_dist: " + " ".join(argv), flush=True)
    if subprocess.call(argv, **kwargs) != 0:
        fail("failed: " + " ".join(argv))


def main(argv):
    out = os.path.abspath(argv[0])
    shutil.rmtree(out, ignore_errors=True)
    run([sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", out, ROOT])
    (sdist,), (wheel,) = glob.glob(os.path.join(out, "*.tar.gz")), glob.glob(os.path.join(out, "*.whl"))
    run([sys.executable, "-m", "twine", "check", "--strict", sdist, wheel])

    names = zipfile.ZipFile(wheel).namelist()
    for must in WHEEL_MUST:
        if must not in names:
            fail("the wheel lacks " + must)
    if any(n.startswith("tests/") for n in names):
        fail("the wheel ships the tests")
    entry_points = configparser.ConfigParser()
    entry_points.read_string(zipfile.ZipFile(wheel).read(
        next(n for n in names if n.endswith(".dist-info/entry_points.txt"))).decode())
    script = entry_points.get("console_scripts", "starlette-asyncstream", fallback="")
    if script != "starlette_asyncstream.__main__:main":
        fail("the wheel has no starlette-asyncstream console script")
    if entry_points.get("pytest11", "starlette_asyncstream", fallback="") != "starlette_asyncstream_pytest":
        fail("the wheel has no pytest11 entry point for its plugin module")

    with tarfile.open(sdist) as archive:
        members = archive.getnames()
        top = members[0].split("/")[0]
        inside = {m[len(top) + 1:] for m in members}
        for must in SDIST_MUST:
            if must not in inside:
                fail("the sdist lacks " + must)
        written = sorted(m for m in inside if any(part in m for part in NEVER))
        if written:
            fail("the sdist ships files a run writes: " + ", ".join(written))
        archive.extractall(out)
    unpacked = os.path.join(out, top)

    # The wheel, as users get it, and the tests as the sdist has them. pytest
    # (not python -m pytest) so that the unpacked tree is not on sys.path:
    # the package under test is the installed one.
    run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall", wheel])
    pytest = os.path.join(os.path.dirname(sys.executable), "pytest")
    run([pytest, "-p", "no:cacheprovider", "-q", "tests", "--ignore=tests/servers", "--ignore=tests/fastapi_pins",
         "--ignore=tests/conformance", "--ignore=tests/e2e", "--ignore=tests/sse", "--ignore=tests/upstream",
         "--ignore=tests/stack"]
        + argv[1:], cwd=unpacked)
    print("check_dist: the sdist and the wheel are whole, and the unit tests pass from the sdist", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
