"""``starlette-asyncstream run <command> [args...]``: zero-code install.

Like ddtrace-run and opentelemetry-instrument, it puts a directory holding a
``sitecustomize`` module first on PYTHONPATH and replaces itself with the
command. Every Python process started from then on, including the worker
and reloader processes that uvicorn and gunicorn spawn or fork, imports the
package before the application, so the app module needs no import of it.
The command can be anything that exists (a pyenv/asdf shim, a shell
wrapper, make): PYTHONPATH reaches every Python process below it.
"""

import os
import shutil
import sys
from typing import List, Optional

BOOTSTRAP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_bootstrap")

# Interpreter options that keep our sitecustomize from running: -E and -I
# ignore PYTHONPATH, -S does not import site (so no sitecustomize at all).
_SKIPPING = {"E": "ignores PYTHONPATH", "I": "ignores PYTHONPATH", "S": "skips sitecustomize"}
# Options that take a value, glued on ("-Wignore") or as the next word;
# -c and -m end the interpreter's options.
_WITH_VALUE = "WX"


class UsageError(Exception):
    pass


def resolve(argv: List[str]) -> str:
    if not argv:
        raise UsageError("no command given: usage: starlette-asyncstream run <command> [args...]")
    command = argv[0]
    found = shutil.which(command)
    if found is None:
        if os.sep in command and os.path.exists(command):
            raise UsageError("not executable: {}".format(command))
        raise UsageError("command not found: {}".format(command))
    return found


def _interpreter_options(argv: List[str]) -> str:
    """The single-letter options of a Python command line, up to the script or -c/-m."""
    letters = ""
    words = iter(argv)
    for arg in words:
        if not arg.startswith("-") or arg in ("-", "--") or arg.startswith("--"):
            break
        for position, letter in enumerate(arg[1:], start=2):
            if letter in "cm":
                return letters
            if letter in _WITH_VALUE:
                if position == len(arg):  # "-W ignore": the value is the next word
                    next(words, None)
                break  # "-Wignore": the rest of this word is the value
            letters += letter
    return letters


def _shebang(path: str) -> List[str]:
    try:
        with open(path, "rb") as f:
            first = f.readline(512)  # pragma: no mutate (kernels read at most 256 bytes of a shebang)
    except OSError:
        return []
    if not first.startswith(b"#!"):
        return []
    words = first[2:].decode("utf-8", "replace").split()
    if words and os.path.basename(words[0]) == "env":  # "#!/usr/bin/env [-S] python3 -E"
        words = words[1:]
        while words and words[0].startswith("-"):
            words = words[1:]
    return words


def skipped_reason(argv: List[str], executable: str) -> Optional[str]:
    """Why the command's own Python will not load our sitecustomize, if its command line shows it."""
    for words in (argv, _shebang(executable)):
        if words and os.path.basename(words[0]).lower().startswith(("python", "pypy")):
            for letter in _interpreter_options(words[1:]):
                if letter in _SKIPPING:
                    return "-{} {}".format(letter, _SKIPPING[letter])
    return None


def python_path(current: Optional[str]) -> str:
    """PYTHONPATH with our bootstrap first and every other entry kept as it was.

    Empty entries stay: CPython reads them as the current directory, and
    ``export PYTHONPATH=$PYTHONPATH:/x`` makes one when it was unset. An
    empty or unset PYTHONPATH is the same as none for CPython.
    """
    if not current:
        return BOOTSTRAP
    return os.pathsep.join([BOOTSTRAP] + [p for p in current.split(os.pathsep) if p != BOOTSTRAP])


def run(argv: List[str]) -> int:
    """Replace this process with the command; returns only on a usage error."""
    try:
        executable = resolve(argv)
    except UsageError as exc:
        sys.stderr.write("starlette-asyncstream run: {}\n".format(exc))
        return 2
    reason = skipped_reason(argv, executable)
    if reason:
        sys.stderr.write(
            "starlette-asyncstream run: warning: {} ({}): the fixes will not load in that "
            "Python process\n".format(argv[0], reason)
        )
    env = dict(os.environ)
    env["PYTHONPATH"] = python_path(env.get("PYTHONPATH"))
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execve(executable, [argv[0]] + list(argv[1:]), env)
    except OSError as exc:
        sys.stderr.write("starlette-asyncstream run: cannot start {}: {}\n".format(argv[0], exc.strerror))
        return 2
    return 2  # pragma: no cover, no mutate - execve does not return
