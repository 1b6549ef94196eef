"""starlette-asyncstream run <server>: the fix reaches every server process."""

import http.client
import sys

import pytest

from conftest import applies
from servers.conftest import BODY, free_port, get, serving

RUN = [sys.executable, "-m", "starlette_asyncstream", "run"]
AFFECTED = applies("dispatch") or applies("tasks")


def server_commands(port):
    uvicorn = ["uvicorn", "app:app", "--host", "127.0.0.1", "--port", str(port)]
    gunicorn = [
        "gunicorn", "-k", "uvicorn.workers.UvicornWorker", "--bind", "127.0.0.1:{}".format(port),
        "--workers", "2", "app:app",
    ]
    return {
        "uvicorn": uvicorn,
        "uvicorn-workers-2": uvicorn + ["--workers", "2"],
        "uvicorn-reload": uvicorn + ["--reload"],
        "gunicorn-uvicorn-worker": gunicorn,
        "gunicorn-uvicorn-worker-preload": gunicorn + ["--preload"],
    }


@pytest.mark.parametrize("name", sorted(server_commands(0)))
def test_run_fixes_streaming_in_every_server_process(name, app_dir):
    port = free_port()
    with serving(RUN + server_commands(port)[name], app_dir, port):
        pids = set()
        for _ in range(6):
            status, headers, body = get(port)
            assert (status, body) == (200, BODY), (status, body)
            pids.add(headers["x-pid"])
    assert pids  # served by the server's worker process(es)


@pytest.mark.skipif(
    not AFFECTED,
    reason="this Starlette is outside 0.12.0b3 <= starlette < 0.14.0 (any Python): it streams without the package",
)
def test_the_same_server_without_run_fails(app_dir):
    port = free_port()
    with serving(server_commands(port)["uvicorn"], app_dir, port):
        try:
            status, _, body = get(port)
        except (http.client.HTTPException, ConnectionError) as exc:
            status, body = type(exc).__name__, b""
    assert (status, body) != (200, BODY)
