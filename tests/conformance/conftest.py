"""Runners: one long-lived runner.py process per environment, made on demand."""

import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

import envs  # noqa: E402

PACKAGES = ("wrapt", "anyio", "aiofiles", "typing_extensions")


def pytest_addoption(parser):
    group = parser.getgroup("conformance")
    group.addoption("--examples", type=int, default=200, help="generated examples per legacy environment")
    group.addoption("--seed", default="0", help="hypothesis seed, or 'random' (default 0: the same examples every run)")


class Runner:
    def __init__(self, python, release, patched):
        self.release, self.python_version = release, None
        target = envs.starlette_dir(release, python)
        self.proc = subprocess.Popen(
            [python, os.path.join(HERE, "runner.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            universal_newlines=True,
            env=envs.env_with(target, disabled=not patched),
            cwd=HERE,
        )
        self.header = json.loads(self.proc.stdout.readline())

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
                pythons[py] = envs.base_venv(py, PACKAGES)
            cache[key] = Runner(pythons[py], release, patched)
        return cache[key]

    yield get
    for r in cache.values():
        r.close()


@pytest.fixture(scope="session")
def newest_release():
    from starlette_asyncstream._pep440 import parse_version

    releases = envs.index_releases(envs.base_venv("3.11", PACKAGES), "starlette")
    return max((r for r in releases if parse_version(r) and parse_version(r)[2] == (2,)), key=parse_version)
