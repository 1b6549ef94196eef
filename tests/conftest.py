"""Fixtures. The helpers the tests share live in the support package;
support.releases sets the opt-out variable before the package is first imported."""

import support.releases  # noqa: F401,I001  (first: it sets the opt-out before anything imports the package)

import pytest  # noqa: E402
import starlette_asyncstream  # noqa: E402


@pytest.fixture
def patched():
    """The fixes installed for one test, and the originals back afterwards."""
    starlette_asyncstream.install()
    yield
    starlette_asyncstream.uninstall()


# An application's own suite, with its own conftest and pytest.ini: run in a
# fresh interpreter by tests/fastapi_pins/test_strict_app.py, never collected here.
collect_ignore = ["strictapp"]
