"""The fixed releases' own regression tests for the security rows, run
against the leg's legacy release with the package.

    python scripts/upstream_tests.py fetch DIR                 # the sdists into DIR, once (sha256 checked)
    python scripts/upstream_tests.py run DIR SUITE [pytest args...]

SUITE is `starlette` (Starlette 1.3.1's tests of form-limits and
request-url) or `fastapi` (FastAPI 0.65.3's tests of fastapi-json,
CVE-2021-32677). `fetch` runs when the leg is set up (tox's commands, before
pytest), like its dependencies: the tests themselves never reach the index.
`run` copies the suite's files out of its sdist into a temporary directory,
changes only what a legacy release cannot import (the names 1.3.1 added: its
`MultiPartException` is the room's class of the same name), gives Starlette's
tests a `test_client_factory` fixture made of the legacy TestClient
(requests-based: it takes httpx's `content=` as `data=`), imports the package
first (as a user's conftest does), and runs the tests the suite names with
pytest; its exit status is pytest's. Nothing of upstream is kept in this tree.
Left out, and why: StaticFiles' traversal tests (1.3.1's call
`get_response()` and expect an HTTPException, which the legacy releases
never raise there: they answer with their own 404 response, which
tests/test_clean.py checks both ways).
"""

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request

FILES = "https://files.pythonhosted.org/packages/"
# suite: (its sdist, the address, the sha256 of the published file)
SDISTS = {
    "starlette": ("starlette-1.3.1.tar.gz",
                  FILES + "eb/e3/7c1dc7381d9f8ab7d854328ebfa884e62cb3f3d8549ddfd37c7814f42afa/starlette-1.3.1.tar.gz",
                  "05d0213193f2fbaae60e2ecb593b4add4262ad4e46536b54abe36f11a71724e0"),
    "fastapi": ("fastapi-0.65.3.tar.gz",
                FILES + "59/27/c7402c3e9ba3db1a6e7de187ad9de5d9c3b5ee6582fac43267e0c67f8937/fastapi-0.65.3.tar.gz",
                "6ea2286e439c4ced7cce2b2862c25859601bf327a515c12dd6e431ef5d49d12f"),
}

# The tests of the fixes the package backports, as 1.3.1 has them. Left out:
# test_max_fields_is_customizable_high (it reads UploadFile.size, added in 0.24:
# not part of the fix), the parser-level tests (FormParser(max_fields=...),
# 1.3.1's constructor: the package bounds request.form(), not parsers made by
# hand) and the rollover test (it patches formparsers.SpooledTemporaryFile,
# which legacy releases do not use; tests/test_security.py checks the thread).
STARLETTE_TESTS = {
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
# FastAPI 0.65.3's tests of the body tutorial's JSON route (0.65.2 fixed CVE-2021-32677,
# 0.65.3 parses a body without a Content-Type as JSON again). Left out: its OpenAPI
# schema test (each release documents the route its own way; not part of the fix).
FASTAPI_TESTS = {
    "test_tutorial001.py": [
        "test_post_body",
        "test_post_broken_body",
        "test_post_form_for_json",
        "test_explicit_content_type",
        "test_geo_json",
        "test_no_content_type_is_json",
        "test_wrong_headers",
        "test_other_exceptions",
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
    for sdist, url, sha256 in SDISTS.values():
        target = os.path.join(directory, sdist)
        if os.path.exists(target) and _sha256(target) == sha256:
            continue
        os.makedirs(directory, exist_ok=True)
        partial = target + ".part"
        with urllib.request.urlopen(url, timeout=120) as response, open(partial, "wb") as f:
            shutil.copyfileobj(response, f)
        if _sha256(partial) != sha256:
            os.remove(partial)
            raise SystemExit("{} does not have the sha256 of its published sdist".format(url))
        os.replace(partial, target)
        print(target)


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def _open_sdist(directory, suite):
    sdist = os.path.join(directory, SDISTS[suite][0])
    if not os.path.exists(sdist):
        raise SystemExit("{} is missing: run `{} fetch {}` first".format(sdist, __file__, directory))
    return tarfile.open(sdist)


def _write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def prepare(directory, suite, work):
    """The suite's files, adapted, under work; returns pytest's node ids."""
    top = SDISTS[suite][0][:-len(".tar.gz")]
    with _open_sdist(directory, suite) as tar:
        def read(name):
            return tar.extractfile(tar.getmember(top + "/" + name)).read().decode("utf-8")

        if suite == "starlette":
            for module in STARLETTE_TESTS:
                source = read("tests/" + module)
                for old, new in IMPORTS.items():
                    source = source.replace(old, new)
                _write(os.path.join(work, "tests", module), source)
            for name, text in (("__init__.py", ""), ("types.py", "TestClientFactory = object\n"),
                               ("conftest.py", CONFTEST)):
                _write(os.path.join(work, "tests", name), text)
            tests = STARLETTE_TESTS
        else:
            _write(os.path.join(work, "tests", "test_tutorial001.py"),
                   read("tests/test_tutorial/test_body/test_tutorial001.py"))
            _write(os.path.join(work, "docs_src", "body", "tutorial001.py"), read("docs_src/body/tutorial001.py"))
            for name in ("tests/__init__.py", "docs_src/__init__.py", "docs_src/body/__init__.py"):
                _write(os.path.join(work, name), "")
            _write(os.path.join(work, "tests", "conftest.py"), "import starlette_asyncstream  # noqa: F401\n")
            tests = FASTAPI_TESTS
    return ["tests/{}::{}".format(module, test) for module, names in tests.items() for test in names]


def run(directory, suite, args):
    work = tempfile.mkdtemp(prefix="upstream-tests-")
    try:
        ids = prepare(directory, suite, work)
        command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:starlette_asyncstream",
                   "--rootdir", work] + list(args) + ids
        return subprocess.run(command, cwd=work, timeout=600).returncode
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv):
    if not (argv[:1] == ["fetch"] and len(argv) == 2 or argv[:1] == ["run"] and len(argv) >= 3
            and argv[2] in SDISTS):
        print("\n".join(__doc__.strip().splitlines()[3:5]), file=sys.stderr)
        return 2
    if argv[0] == "fetch":
        fetch(argv[1])
        return 0
    return run(argv[1], argv[2], argv[3:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
