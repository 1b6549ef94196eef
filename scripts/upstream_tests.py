"""The fixed Starlette release's own regression tests for the security rows,
run against the leg's legacy Starlette with the package.

    python scripts/upstream_tests.py fetch DIR          # starlette-1.3.1.tar.gz into DIR, once (sha256 checked)
    python scripts/upstream_tests.py run DIR [pytest args...]

`fetch` runs when the leg is set up (tox's commands, before pytest), like
its dependencies: the tests themselves never reach the index. `run` copies
the selected test modules of the sdist into a temporary directory, changes
only what a legacy release cannot import (the names 1.3.1 added: its
`MultiPartException` is the room's class of the same name), gives them a
`test_client_factory` fixture made of the legacy TestClient (requests-based:
it takes httpx's `content=` as `data=`), imports the package first (as a
user's conftest does), and runs the tests named in SELECTED with pytest;
its exit status is pytest's. Nothing of upstream is kept in this tree.
"""

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request

SDIST = "starlette-1.3.1.tar.gz"
URL = ("https://files.pythonhosted.org/packages/eb/e3/7c1dc7381d9f8ab7d854328ebfa884e62cb3f3d8549ddfd37c7814f42afa/"
       + SDIST)
SHA256 = "05d0213193f2fbaae60e2ecb593b4add4262ad4e46536b54abe36f11a71724e0"

# The tests of the fixes the package backports, as 1.3.1 has them. Left out:
# test_max_fields_is_customizable_high (it reads UploadFile.size, added in 0.24:
# not part of the fix), the parser-level tests (FormParser(max_fields=...),
# 1.3.1's constructor: the package bounds request.form(), not parsers made by
# hand) and the rollover test (it patches formparsers.SpooledTemporaryFile,
# which legacy releases do not use; tests/test_security.py checks the thread).
SELECTED = {
    "test_formparsers.py": [
        "test_urlencoded_too_many_fields_raise",
        "test_urlencoded_field_exceeds_max_part_size_raise",
        "test_urlencoded_field_name_exceeds_max_part_size_raise",
        "test_urlencoded_max_fields_is_customizable",
        "test_urlencoded_max_part_size_is_customizable",
        "test_too_many_fields_raise",
        "test_too_many_files_raise",
        "test_too_many_files_single_field_raise",
        "test_too_many_files_and_fields_raise",
        "test_max_fields_is_customizable_low_raises",
        "test_max_files_is_customizable_low_raises",
        "test_max_part_size_exceeds_limit",
        "test_max_part_size_exceeds_custom_limit",
    ],
    "test_datastructures.py": [
        "test_url_from_scope",
        "test_url_from_scope_with_invalid_host",
        "test_url_from_scope_with_authority_in_path",
    ],
}
# What a legacy release cannot import, and what stands in for it.
IMPORTS = {
    "from starlette.formparsers import FormParser, MultiPartException, MultiPartParser, _user_safe_decode\n": (
        "from starlette.formparsers import FormParser, MultiPartParser\n"
        "from starlette_asyncstream.fixes.form_limits import MultiPartException\n"
        "try:\n"
        "    from starlette.formparsers import _user_safe_decode\n"
        "except ImportError:  # (0.12.x: only tests that are not run use it)\n"
        "    _user_safe_decode = None\n"
    ),
}
CONFTEST = '''
import starlette_asyncstream  # noqa: F401  (first, as the README asks)

import pytest
from starlette.testclient import TestClient


class LegacyClient(TestClient):
    """The legacy (requests) client, taking httpx's content= as data=."""

    def request(self, method, url, *args, content=None, **kwargs):
        if content is not None:
            kwargs["data"] = content
        return super().request(method, url, *args, **kwargs)


@pytest.fixture
def test_client_factory():
    return LegacyClient
'''


def fetch(directory):
    target = os.path.join(directory, SDIST)
    if os.path.exists(target) and _sha256(target) == SHA256:
        return target
    os.makedirs(directory, exist_ok=True)
    partial = target + ".part"
    with urllib.request.urlopen(URL, timeout=120) as response, open(partial, "wb") as f:
        shutil.copyfileobj(response, f)
    if _sha256(partial) != SHA256:
        os.remove(partial)
        raise SystemExit("{} does not have the sha256 of Starlette's published sdist".format(URL))
    os.replace(partial, target)
    return target


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def prepare(directory, work):
    """The selected test modules, adapted, under work/tests; returns pytest's node ids."""
    sdist = os.path.join(directory, SDIST)
    if not os.path.exists(sdist):
        raise SystemExit("{} is missing: run `{} fetch {}` first".format(sdist, __file__, directory))
    tests = os.path.join(work, "tests")
    os.makedirs(tests)
    with tarfile.open(sdist) as tar:
        for module in SELECTED:
            member = tar.getmember("starlette-1.3.1/tests/" + module)
            source = tar.extractfile(member).read().decode("utf-8")
            for old, new in IMPORTS.items():
                source = source.replace(old, new)
            with open(os.path.join(tests, module), "w", encoding="utf-8") as f:
                f.write(source)
    for name, text in (("__init__.py", ""), ("types.py", "TestClientFactory = object\n"), ("conftest.py", CONFTEST)):
        with open(os.path.join(tests, name), "w", encoding="utf-8") as f:
            f.write(text)
    return ["tests/{}::{}".format(module, test) for module, names in SELECTED.items() for test in names]


def run(directory, args):
    work = tempfile.mkdtemp(prefix="upstream-tests-")
    try:
        ids = prepare(directory, work)
        command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:starlette_asyncstream",
                   "--rootdir", work] + list(args) + ids
        return subprocess.run(command, cwd=work, timeout=600).returncode
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv):
    if len(argv) < 2 or argv[0] not in ("fetch", "run"):
        print(__doc__.strip().splitlines()[3], file=sys.stderr)
        return 2
    if argv[0] == "fetch":
        print(fetch(argv[1]))
        return 0
    return run(argv[1], argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
