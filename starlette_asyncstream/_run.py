"""``starlette-asyncstream run <command> [args...]``: zero-code install.

Like ddtrace-run and opentelemetry-instrument, it puts a directory holding a
``sitecustomize`` module first on PYTHONPATH and replaces itself with the
command. Every Python process started from then on, including the worker
and reloader processes that uvicorn and gunicorn spawn or fork, imports the
package before the application, so the app module needs no import of it.
"""

import os
import shutil
import sys
from typing import List

BOOTSTRAP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_bootstrap")


class UsageError(Exception):
    pass


def _is_python_executable(path: str) -> bool:
    """A Python interpreter, or a script whose interpreter is Python."""
    name = os.path.basename(path).lower()
    if name.startswith(("python", "pypy")):
        return True
    try:
        with open(path, "rb") as f:
            head = f.read(1024)
    except OSError:
        return False
    if not head.startswith(b"#!"):
        return False
    lines = head.splitlines()
    if b"python" in lines[0] or b"pypy" in lines[0]:
        return True
    # pip's launcher for interpreter paths too long for a shebang:
    # #!/bin/sh  /  '''exec' "/long/path/bin/python" "$0" "$@"
    return len(lines) > 1 and lines[1].startswith(b"'''exec'") and b"python" in lines[1]


def resolve(argv: List[str]) -> str:
    if not argv:
        raise UsageError("no command given: usage: starlette-asyncstream run <command> [args...]")
    command = argv[0]
    found = shutil.which(command)
    if found is None:
        if os.sep in command and os.path.exists(command):
            raise UsageError("not executable: {}".format(command))
        raise UsageError("command not found: {}".format(command))
    if not _is_python_executable(found):
        raise UsageError(
            "not a Python program: {} ({}); run starts Python programs such as "
            "uvicorn, gunicorn or python".format(command, found)
        )
    return found


def run(argv: List[str]) -> int:
    """Replace this process with the command; returns only on a usage error."""
    try:
        executable = resolve(argv)
    except UsageError as exc:
        sys.stderr.write("starlette-asyncstream run: {}\n".format(exc))
        return 2
    env = dict(os.environ)
    path = env.get("PYTHONPATH", "")
    parts = [p for p in path.split(os.pathsep) if p and p != BOOTSTRAP]
    env["PYTHONPATH"] = os.pathsep.join([BOOTSTRAP] + parts)
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execve(executable, [argv[0]] + list(argv[1:]), env)
    except OSError as exc:
        sys.stderr.write("starlette-asyncstream run: cannot start {}: {}\n".format(argv[0], exc.strerror))
        return 2
    return 2  # pragma: no cover - execve does not return
