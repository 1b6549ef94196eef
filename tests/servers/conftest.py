"""The app directory the `run` tests serve from."""

import os

import pytest

from support.servers import PROGRAMS


@pytest.fixture
def app_dir(tmp_path):
    """A directory holding the app module as `app` (programs/server_app.py)."""
    with open(os.path.join(PROGRAMS, "server_app.py"), encoding="utf-8") as f:
        (tmp_path / "app.py").write_text(f.read())
    return tmp_path
