"""Real server processes on 127.0.0.1: a free port, bounded in time, always stopped."""

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

PROGRAMS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "programs")
BODY = b"chunk1;chunk2;chunk3;"  # what programs/server_app.py streams


def free_port():
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env():
    env = dict(os.environ)
    env.pop("STARLETTE_ASYNCSTREAM_DISABLE", None)
    # the programs' shared module (feeds) importable by every server process
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [PROGRAMS, env.get("PYTHONPATH")]))
    # the venv's console scripts (uvicorn, gunicorn) first on PATH
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    return env


@contextlib.contextmanager
def serving(argv, cwd, port, startup=30.0, env=None):
    """Start argv in its own process group (with server_env() unless env is
    given); yield (process, log) once the port accepts; always stop it."""
    log = tempfile.TemporaryFile("w+")  # never in the tree: parallel legs would share it
    proc = subprocess.Popen(
        argv, cwd=str(cwd), env=server_env() if env is None else env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + startup
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise AssertionError("server exited with {}:\n{}".format(proc.returncode, log.read()))
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    log.seek(0)
                    raise AssertionError("server did not listen within {}s:\n{}".format(startup, log.read())) from None
                time.sleep(0.1)
        yield proc, log
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        log.close()


def get(port, path="/", timeout=10.0):
    """(status, headers, body) of one GET, or the exception a client would see."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def served_by_workers(port, path="/", block_ms=600, want=2, within=30.0):
    """[(status, headers, body)] of requests for `path`, sent while one worker's
    event loop was blocked (by /block/<ms>), until `want` distinct worker pids
    (x-pid) have served or `within` seconds pass. Every response is returned,
    the blocked ones too, for the caller to check."""
    results, pids = [], set()
    deadline = time.monotonic() + within
    while len(pids) < want and time.monotonic() < deadline:
        blocked = []
        blocker = threading.Thread(target=lambda into=blocked: into.append(get(port, "/block/{}".format(block_ms))))
        blocker.start()
        time.sleep(block_ms / 3000.0)
        for _ in range(3):
            results.append(get(port, path))
        blocker.join(30)
        results.extend(blocked)
        pids = {headers["x-pid"] for _, headers, _ in results}
    return results
