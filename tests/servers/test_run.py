"""starlette-asyncstream run <server>: the fix reaches every server process."""

import http.client
import sys

import pytest

from support.releases import AFFECTED
from support.servers import BODY, free_port, get, served_by_workers, serving

RUN = [sys.executable, "-m", "starlette_asyncstream", "run"]


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


WORKERS = {"uvicorn": 1, "uvicorn-workers-2": 2, "uvicorn-reload": 1, "gunicorn-uvicorn-worker": 2,
           "gunicorn-uvicorn-worker-preload": 2}


@pytest.mark.parametrize("name", sorted(server_commands(0)))
def test_run_fixes_streaming_in_every_server_process(name, app_dir):
    port = free_port()
    with serving(RUN + server_commands(port)[name], app_dir, port) as (proc, _):
        results = served_by_workers(port, want=WORKERS[name])
    for status, _, body in results:
        assert (status, body) == (200, BODY), (status, body)
    pids = {int(headers["x-pid"]) for _, headers, _ in results}
    # Every worker served the custom iterator with the fix: as many pids as
    # workers, none of them the command we started (a master or reloader).
    assert len(pids) == WORKERS[name], pids
    if WORKERS[name] > 1 or name == "uvicorn-reload":
        assert proc.pid not in pids


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
