"""Real server processes on 127.0.0.1: a free port, bounded in time, always stopped."""

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time

import pytest

# The app module of these tests: a custom async iterator, no import of the package.
APP = textwrap.dedent(
    '''
    import os
    from starlette.responses import StreamingResponse

    class Feed:
        def __init__(self):
            self.n = 0

        def __aiter__(self):
            return self

        async def __anext__(self):
            self.n += 1
            if self.n > 3:
                raise StopAsyncIteration
            return "chunk%d;" % self.n

    async def app(scope, receive, send):
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        await StreamingResponse(Feed(), headers={"x-pid": str(os.getpid())})(scope, receive, send)
    '''
)
BODY = b"chunk1;chunk2;chunk3;"


@pytest.fixture
def app_dir(tmp_path):
    (tmp_path / "app.py").write_text(APP)
    return tmp_path


def free_port():
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env():
    env = dict(os.environ)
    env.pop("STARLETTE_ASYNCSTREAM_DISABLE", None)
    # the venv's console scripts (uvicorn, gunicorn) first on PATH
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    return env


@contextlib.contextmanager
def serving(argv, cwd, port, startup=30.0):
    """Start argv in its own process group; yield once the port accepts; always stop it."""
    log = open(os.path.join(str(cwd), "server.log"), "w+")
    proc = subprocess.Popen(
        argv, cwd=str(cwd), env=server_env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
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
