"""Throw-away environments for the sweep and the conformance harness.

One venv per Python (this checkout's package installed without its
dependencies, plus what the caller needs), and one directory per Starlette
release holding that release alone, to put first on PYTHONPATH. Releases
are pure Python, so a directory serves every Python. Work files go to
.tox/envs/. The Pythons must be on PATH: scripts/tox puts pyenv's there.
"""

import os
import shutil
import subprocess
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, ".tox", "envs")
_locks = {}
_locks_lock = threading.Lock()


def sh(argv, **kwargs):
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, **kwargs)
    if proc.returncode != 0:
        raise RuntimeError("{} failed ({}):\n{}".format(" ".join(argv), proc.returncode, proc.stdout[-3000:]))
    return proc.stdout


def _lock(key):
    with _locks_lock:
        return _locks.setdefault(key, threading.Lock())


def base_venv(py, packages=("wrapt", "anyio", "typing_extensions"), purpose=""):
    """A venv for Python `py` with `packages` and this checkout's package (reinstalled every call).
    Callers with other packages name a `purpose`: each gets venvs of its own, so that the sweep
    and the conformance harness, which run side by side, never install into the same one."""
    with _lock(("venv", py, purpose)):
        path = os.path.join(WORK, "venv-" + py + ("-" + purpose if purpose else ""))
        python = os.path.join(path, "bin", "python")
        pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        if not os.path.exists(python):
            interpreter = shutil.which("python" + py)
            if interpreter is None:
                raise RuntimeError("python{} is not on PATH (run through scripts/tox)".format(py))
            sh([interpreter, "-m", "venv", path])
            # 3.6's venv seeds pip 18, which cannot build PEP 517 projects.
            sh(pip + ["--upgrade", "pip" if py != "3.6" else "pip<22"])
        sh(pip + list(packages))
        sh(pip + ["--no-deps", "--force-reinstall", package_wheel()])
        return python


_wheel = []


def package_wheel():
    """This checkout's wheel, built once a run by the running Python (the build backend
    needs 3.8; the pure-Python wheel installs on every Python from 3.6)."""
    import sys
    import tempfile

    with _lock("wheel"):
        if not _wheel:
            os.makedirs(WORK, exist_ok=True)
            target = tempfile.mkdtemp(prefix="wheel-", dir=WORK)
            sh([sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check", "--no-deps",
                "--wheel-dir", target, ROOT])
            _wheel.extend(os.path.join(target, name) for name in os.listdir(target) if name.endswith(".whl"))
        return _wheel[0]


def package_dir(distribution, release, python):
    """distribution==release alone in a directory of its own; `python` must support the release."""
    with _lock((distribution, release)):
        path = os.path.join(WORK, distribution, release)
        done = os.path.join(path, ".installed")
        if not os.path.exists(done):
            shutil.rmtree(path, ignore_errors=True)
            sh([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
                "--target", path, "{}=={}".format(distribution, release)])
            open(done, "w").close()
        return path


def starlette_dir(release, python):
    return package_dir("starlette", release, python)


def index_releases(python, distribution):
    """Every release of distribution the package index offers, pre-releases included."""
    out = sh([python, "-m", "pip", "index", "versions", "--pre", distribution, "--disable-pip-version-check"])
    for line in out.splitlines():
        if line.startswith("Available versions:"):
            return [v.strip() for v in line.split(":", 1)[1].split(",")]
    raise RuntimeError("cannot read the release list of {}:\n{}".format(distribution, out))


def env_with(path, disabled):
    """os.environ with `path` (one directory or several) first on PYTHONPATH, and the opt-out set or not."""
    env = dict(os.environ)
    env["PYTHONPATH"] = path if isinstance(path, str) else os.pathsep.join(path)
    env.pop("STARLETTE_ASYNCSTREAM_DISABLE", None)
    if disabled:
        env["STARLETTE_ASYNCSTREAM_DISABLE"] = "1"
    return env


def main(argv):
    """For callers in another process (the conformance tests):
        envs.py venv PY PACKAGE...           -> the venv's python
        envs.py package DIST RELEASE PYTHON  -> the directory holding that release alone
        envs.py releases PYTHON DIST         -> the index's releases, one a line
    """
    command, args = argv[0], argv[1:]
    if command == "venv":
        print(base_venv(args[0], tuple(args[1:])))
    elif command == "package":
        print(package_dir(args[0], args[1], args[2]))
    elif command == "releases":
        print("\n".join(index_releases(args[0], args[1])))
    else:
        raise SystemExit("usage: envs.py venv|package|releases ...")
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
