"""Runners: one long-lived runner.py process per environment, made on demand."""

import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ENVS = os.path.join(ROOT, "scripts", "envs.py")  # throw-away venvs and release dirs, shared with the sweep


def envs(*argv):
    """scripts/envs.py, run as a program (the tests never import scripts/)."""
    proc = subprocess.run([sys.executable, ENVS] + list(argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=900)
    if proc.returncode != 0:
        raise RuntimeError("scripts/envs.py {} failed:\n{}".format(" ".join(argv), proc.stderr[-3000:]))
    return proc.stdout.strip()


PACKAGES = ("wrapt", "anyio", "aiofiles", "typing_extensions")


def pytest_addoption(parser):
    group = parser.getgroup("conformance")
    group.addoption("--examples", type=int, default=200, help="generated examples per legacy environment")
    group.addoption("--seed", default="0", help="hypothesis seed, or 'random' (default 0: the same examples every run)")


class Runner:
    def __init__(self, python, release, patched):
        self.release, self.python_version = release, None
        target = envs("package", "starlette", release, python)
        self.proc = subprocess.Popen(
            [python, os.path.join(HERE, "runner.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            universal_newlines=True,
            env=self.environment(target, patched),
            cwd=HERE,
        )
        self.header = json.loads(self.proc.stdout.readline())

    @staticmethod
    def environment(target, patched):
        """os.environ with that release first on PYTHONPATH, the opt-out set or not."""
        env = dict(os.environ, PYTHONPATH=target)
        env.pop("STARLETTE_ASYNCSTREAM_DISABLE", None)
        if not patched:
            env["STARLETTE_ASYNCSTREAM_DISABLE"] = "1"
        return env

    def ask(self, spec):
        self.proc.stdin.write(json.dumps(spec) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("runner for starlette {} died".format(self.release))
        return json.loads(line)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture(scope="session")
def runner():
    cache = {}
    pythons = {}

    def get(py, release, patched=True):
        key = (py, release, patched)
        if key not in cache:
            if py not in pythons:
                pythons[py] = envs("venv", py, *PACKAGES)
            cache[key] = Runner(pythons[py], release, patched)
        return cache[key]

    yield get
    for r in cache.values():
        r.close()


@pytest.fixture(scope="session")
def newest_release():
    from starlette_asyncstream._pep440 import parse_version

    releases = envs("releases", envs("venv", "3.11", *PACKAGES), "starlette").split()
    return max((r for r in releases if parse_version(r) and parse_version(r)[2] == (2,)), key=parse_version)
