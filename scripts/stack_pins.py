"""The releases tests/stack installs to prove each row of the stack table
(starlette_asyncstream/_stack.py): the release that breaks, and the remedy the
report names, on the Python the row concerns.

    python scripts/stack_pins.py fetch DIR    # once, when the leg is set up

`fetch` runs in the leg's environment (tox's commands, before pytest), like
its dependencies: the tests themselves never reach the index. For each row
that applies to the running Python it installs each side's requirements with
`--no-deps` into DIR/<row>/<side> (only those: the leg's own Starlette stays
the one in use, unless a side names another), and downloads the files a side
cannot install (pip refuses them, or they do not build: the tests show it,
offline) into DIR/<row>/<side>-files.
"""

import hashlib
import os
import shutil
import subprocess
import sys
import urllib.request

H11 = "h11==0.16.0"
UVICORN_0_13 = ["uvicorn==0.13.4", "click==7.1.2", H11]
UVICORN_0_15 = ["uvicorn==0.15.0", "click==8.1.7", "asgiref==3.8.1", H11]
ANYIO = ["anyio==4.16.0", "idna==3.10", "typing_extensions==4.16.0"]
UVICORN_0_14_WHEEL = (
    "https://files.pythonhosted.org/packages/bf/fe/a41994c92897b162c0c83e8ef10bec54ebdefbce3f3725b530d2091492ac/"
    "uvicorn-0.14.0-py3-none-any.whl", "2a76bb359171a504b3d1c853409af3adbfa5cef374a4a59e5881945a97a93eae")

# row: {side: requirements}; "<side>-files": what is downloaded, not installed ("sdist:" or
# "wheel:" and a requirement, or (address, sha256) for what pip refuses to download).
PINS = {
    "aiofiles-coroutine": {"broken": ["aiofiles==0.5.0"], "fixed": ["aiofiles==0.6.0"]},
    "uvicorn-httptools": {
        "broken": ["uvicorn==0.11.8", "click==7.1.2", "h11==0.9.0"],
        "broken-files": ["sdist:httptools==0.1.2"],  # what uvicorn 0.11.8 requires, as pip would build it
        "fixed": UVICORN_0_13,
    },
    "uvicorn-metadata": {
        "broken-files": [UVICORN_0_14_WHEEL],
        "fixed-files": ["wheel:uvicorn==0.13.4"],
    },
    "uvicorn-uvloop": {"broken": UVICORN_0_13 + ["uvloop==0.23.0"], "fixed": UVICORN_0_15 + ["uvloop==0.23.0"]},
    "websockets-loop": {"broken": UVICORN_0_13 + ["websockets==8.1", "wsproto==1.2.0"],
                        "fixed": UVICORN_0_13 + ["websockets==10.0"]},
    "websockets-deprecated": {"broken": UVICORN_0_13 + ["websockets==13.1"],
                              "broken-14": UVICORN_0_15 + ["websockets==14.0"],
                              "fixed": UVICORN_0_13 + ["wsproto==1.2.0"]},
    "pydantic-forwardref": {"broken": ["pydantic==1.10.15", "fastapi==0.61.2"],
                            "fixed": ["pydantic==1.10.16", "fastapi==0.61.2"]},
    "pydantic-type-params": {"broken": ["pydantic==1.10.20", "fastapi==0.61.2"],
                             "fixed": ["pydantic==1.10.21", "fastapi==0.61.2"]},
    "pydantic-py314": {"broken": ["pydantic==1.10.24", "fastapi==0.61.2"],
                       "fixed": ["pydantic==1.10.25", "fastapi==0.61.2"]},
    "sse-starlette-loop": {"broken": ["sse-starlette==0.2.1"], "fixed": ["sse-starlette==0.3.0"]},
    "sse-starlette-starlette": {"broken": ["sse-starlette==0.6.2", "starlette==0.12.13"],
                                "fixed": ["sse-starlette==0.4.0", "starlette==0.12.13"]},
    "sse-starlette-utcnow": {"broken": ["sse-starlette==0.6.2"], "fixed": ["sse-starlette==2.1.0"] + ANYIO},
    "uvicorn-iscoroutinefunction": {"broken": ["uvicorn==0.35.0", "click==8.1.7", H11],
                                    "fixed": ["uvicorn==0.36.0", "click==8.1.7", H11]},
}


def rows_here():
    """The stack rows whose Pythons include the running one."""
    from starlette_asyncstream._stack import STACK

    return [b for b in STACK if b.concerns(tuple(sys.version_info[:3]))]


def _pip(*args):
    proc = subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"] + list(args),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=900)
    if proc.returncode != 0:
        raise SystemExit("scripts/stack_pins.py: pip {} failed:\n{}".format(" ".join(args), proc.stdout))


def _download(item, target):
    if isinstance(item, str):
        kind, requirement = item.split(":", 1)
        only = {"sdist": "--no-binary", "wheel": "--only-binary"}[kind]
        _pip("download", "--no-deps", only, ":all:", "--dest", target, requirement)
        return
    url, sha256 = item
    path = os.path.join(target, url.rsplit("/", 1)[1])
    with urllib.request.urlopen(url, timeout=120) as response, open(path + ".part", "wb") as f:
        shutil.copyfileobj(response, f)
    with open(path + ".part", "rb") as f:
        if hashlib.sha256(f.read()).hexdigest() != sha256:
            raise SystemExit("{} does not have the sha256 of its published file".format(url))
    os.replace(path + ".part", path)


def fetch(directory):
    for row in rows_here():
        for side, items in sorted(PINS[row.name].items()):
            target = os.path.join(directory, row.name, side)
            done = target + ".done"
            if os.path.exists(done):
                continue
            shutil.rmtree(target, ignore_errors=True)
            os.makedirs(target)
            if side.endswith("-files"):
                for item in items:
                    _download(item, target)
            else:
                _pip("install", "--no-deps", "--no-compile", "--target", target, *items)
            open(done, "w").close()


def main(argv):
    if len(argv) == 3 and argv[1] == "fetch":
        fetch(argv[2])
        return 0
    print(__doc__.strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
