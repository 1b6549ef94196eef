"""The uvicorn server the e2e tests share (one per module)."""

import os
import sys

import pytest

from support.e2e import FLAVOUR, HERE, Server
from support.servers import free_port, serving


@pytest.fixture(scope="module")
def uvicorn_server():
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", "e2e_app:app", "--host", "127.0.0.1", "--port", str(port),
            "--log-level", "warning"]
    os.environ.update(FLAVOUR)
    try:
        with serving(argv, HERE, port):
            yield Server(port)
    finally:
        for key in FLAVOUR:
            os.environ.pop(key, None)
