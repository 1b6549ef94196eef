"""Each row of the stack table (starlette_asyncstream/_stack.py), proven on
the Python it concerns: with the release that breaks installed, the breakage
is seen as a user sees it (an exception, a server that does not start, a
build or an install that fails, a warning that ends a stream) and the report
names it; with the remedy the report names installed, the same probe works
and the report is silent. The releases were installed when the leg was set
up (scripts/stack_pins.py, tox's commands): nothing here reaches the index.

Legs (tox suite `stack`): 3.11 (aiofiles, httptools, websockets, sse-starlette's
loop= and its Starlette), 3.12.1 (pydantic 1.10.20), 3.13 (pydantic's
ForwardRef, uvicorn's metadata, sse-starlette's utcnow), 3.14 (pydantic 1 and
PEP 649, uvicorn with uvloop, uvicorn's iscoroutinefunction). The report's
lines for each row are shown in docs/stack.md, which a test checks.
"""

import contextlib
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import zipfile

import pytest

from starlette_asyncstream._ranges import _dotted
from starlette_asyncstream._stack import ISCORO_FILTER, STACK, UTCNOW_FILTER, found
from support.installs import run_child
from support.servers import PROGRAMS, free_port, get, serving

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PINS_DIR = os.path.join(sys.prefix, "stack")  # where the leg's set-up put them
DOCS = os.path.join(ROOT, "docs", "stack.md")
RUNNING = tuple(sys.version_info[:3])
HERE = "Python {}.{}.{}".format(*RUNNING)
ROWS = {b.name: b for b in STACK}
# The rows whose broken release stops `import starlette.responses` itself (the report cannot
# stream and says so first), written a second time: the table's `streaming` flag is what is
# tested, not what the tests read.
STOPS_STREAMING = {"aiofiles-coroutine"}


def _stack_pins():
    spec = importlib.util.spec_from_file_location("stack_pins", os.path.join(ROOT, "scripts", "stack_pins.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


stack_pins = _stack_pins()


def pinned(name, which):
    """The release of the row's own distribution that a side holds."""
    b = ROWS[name]
    for item in stack_pins.PINS[name].get(which, []) + stack_pins.PINS[name].get(which + "-files", []):
        text = item.split(":", 1)[-1] if isinstance(item, str) else item[0].rsplit("/", 1)[1]
        if text.startswith(b.distribution + "=="):
            return text.split("==")[1]
        if text.startswith(b.module + "-"):  # a wheel's file name
            return text.split("-")[1]
    return None  # the remedy is to do without it (websockets-deprecated)


def side(name, which):
    path = os.path.join(PINS_DIR, name, which)
    assert os.path.exists(path + ".done"), "{} was not set up: scripts/stack_pins.py fetch {}".format(path, PINS_DIR)
    return path


def probe(path, *args, flags=(), timeout=120):
    return run_child(list(args), python_path=[path, PROGRAMS], flags=flags, timeout=timeout)


def pip(*args):
    return subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-cache-dir"] + list(args),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=600)


@contextlib.contextmanager
def uvicorn(path, *options, flags=()):
    """The side's uvicorn serving programs/stack_app.py on 127.0.0.1."""
    port = free_port()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([path, PROGRAMS]))
    env.pop("STARLETTE_ASYNCSTREAM_DISABLE", None)
    argv = [sys.executable] + list(flags) + ["-m", "uvicorn", "stack_app:app", "--port", str(port)] + list(options)
    with serving(argv, PROGRAMS, port, env=env) as (process, log):
        yield port, log


def start_fails(path, *options, flags=()):
    """The output of a uvicorn that exits at start (it must, within 60 s)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([path, PROGRAMS]))
    env.pop("STARLETTE_ASYNCSTREAM_DISABLE", None)
    proc = subprocess.run([sys.executable] + list(flags) + ["-m", "uvicorn", "stack_app:app", "--port",
                                                            str(free_port())] + list(options),
                          cwd=PROGRAMS, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=60)
    assert proc.returncode != 0, proc.stdout
    return proc.stdout


def websocket_exchange(port):
    """(status line, first text frame or None) of a websocket client at /ws."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        status = data.split(b"\r\n", 1)[0].decode("latin-1")
        rest = data.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in data else b""
        if not status.startswith("HTTP/1.1 101"):
            return status, None
        while len(rest) < 2 or len(rest) < 2 + (rest[1] & 0x7F):
            chunk = s.recv(4096)
            if not chunk:
                return status, None
            rest += chunk
        return status, rest[2:2 + (rest[1] & 0x7F)].decode()


def log_text(log, waiting_for=None):
    """What the server printed so far (up to 3 s more while `waiting_for` is not in it)."""
    deadline = time.monotonic() + 3
    while True:
        log.seek(0)
        text = log.read()
        if waiting_for is None or waiting_for in text or time.monotonic() > deadline:
            return text
        time.sleep(0.1)


def serves(path, *options, flags=()):
    with uvicorn(path, *options, flags=flags) as (port, log):
        status, _, body = get(port)
        text = log_text(log)
    assert (status, body) == (200, b"hi"), text
    assert "Traceback" not in text and "Warning" not in text, text


SSE_EVENTS = ("data: 0", "data: 1", "data: 2")


def streams_events(proc):
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert all(e in proc.stdout for e in SSE_EVENTS) and "ERROR" not in proc.stdout, proc.stdout


# --- one proof a row: the broken release (the breakage seen), then the remedy (gone) ---

def aiofiles_coroutine():
    broken = probe(side("aiofiles-coroutine", "broken"), "-c", "import starlette.responses")
    assert broken.returncode == 1
    assert "AttributeError: module 'asyncio' has no attribute 'coroutine'" in broken.stderr
    # The package's import does not crash: it says once what it cannot fix, and where to look.
    package = probe(side("aiofiles-coroutine", "broken"), "-c",
                    "import starlette_asyncstream as sa; print(sa.status()['dispatch'].detail)")
    assert (package.returncode, package.stdout) == (0, "not installed (install() was not called, or it warned "
                                                       "why)\n"), package.stderr
    assert [line for line in package.stderr.splitlines() if "Warning" in line] == [
        "<string>:1: RuntimeWarning: starlette_asyncstream: starlette.responses cannot be imported (AttributeError: "
        "module 'asyncio' has no attribute 'coroutine'); not installed: dispatch, tasks (python -m "
        "starlette_asyncstream tells why)"]
    fixed = probe(side("aiofiles-coroutine", "fixed"), "-c", "import starlette.responses")
    assert (fixed.returncode, fixed.stderr) == (0, "")


def uvicorn_httptools(tmp_path):
    # What `pip install uvicorn==0.11.8` builds on Linux: httptools 0.1.2, offline, here.
    (sdist,) = os.listdir(side("uvicorn-httptools", "broken-files"))
    build = pip("wheel", "--no-index", "--no-deps", "--no-build-isolation", "--wheel-dir", str(tmp_path),
                os.path.join(side("uvicorn-httptools", "broken-files"), sdist))
    assert build.returncode != 0 and "fatal error: longintrepr.h: No such file or directory" in build.stdout, \
        build.stdout
    serves(side("uvicorn-httptools", "fixed"))
    serves(side("uvicorn-httptools", "broken"), "--http", "h11")  # 0.11.8 installed with --no-deps


def uvicorn_metadata(tmp_path):
    def offline(which, requirement):
        return pip("install", "--no-index", "--no-deps", "--find-links", side("uvicorn-metadata", which),
                   "--target", str(tmp_path / which), requirement)

    broken = offline("broken-files", "uvicorn==0.14.0")
    assert broken.returncode != 0
    assert "Ignoring version 0.14.0 of uvicorn since it has invalid metadata" in broken.stdout, broken.stdout
    fixed = offline("fixed-files", "uvicorn==0.13.4")
    assert fixed.returncode == 0, fixed.stdout
    # The environments the report looks at: 0.14.0 as an older pip installed it, 0.13.4 as this one did.
    (wheel,) = os.listdir(side("uvicorn-metadata", "broken-files"))
    with zipfile.ZipFile(os.path.join(side("uvicorn-metadata", "broken-files"), wheel)) as z:
        z.extractall(str(tmp_path / "broken"))
    return str(tmp_path / "broken"), str(tmp_path / "fixed-files")


def uvicorn_uvloop():
    out = start_fails(side("uvicorn-uvloop", "broken"))
    assert "RuntimeError: There is no current event loop" in out, out
    serves(side("uvicorn-uvloop", "broken"), "--loop", "asyncio")  # the remedy's other half
    serves(side("uvicorn-uvloop", "fixed"))


def websockets_loop():
    for which, expected in (("broken", None), ("fixed", "yo")):
        with uvicorn(side("websockets-loop", which), "--ws", "websockets") as (port, log):
            status, text = websocket_exchange(port)
            output = log_text(log, waiting_for="TypeError" if which == "broken" else None)
        assert text == expected, (which, status, output)
        if which == "broken":
            assert "TypeError" in output and "loop" in output, output
        else:
            assert status.startswith("HTTP/1.1 101") and "Traceback" not in output, output
    # The remedy's other half: the pinned uvicorn serving websockets with wsproto.
    with uvicorn(side("websockets-loop", "broken"), "--ws", "wsproto") as (port, log):
        status, text = websocket_exchange(port)
        output = log_text(log)
    assert (status.split(" ", 2)[:2], text) == (["HTTP/1.1", "101"], "yo") and "Traceback" not in output, output


def websockets_deprecated():
    strict = ("-W", "error::DeprecationWarning")  # as a strict test suite runs
    if sys.version_info >= (3, 14):  # with the filter uvicorn-iscoroutinefunction prints
        strict += ("-W", "ignore:" + ISCORO_FILTER)
    with uvicorn(side("websockets-deprecated", "broken"), flags=strict) as (port, log):
        status, text = websocket_exchange(port)
        output = log_text(log, waiting_for="DeprecationWarning")
    assert text is None and "DeprecationWarning: remove second argument of ws_handler" in output, (status, output)
    out = start_fails(side("websockets-deprecated", "broken-14"), flags=strict)
    assert "DeprecationWarning: websockets.WebSocketServerProtocol is deprecated" in out, out
    # The remedy: without websockets installed, --ws auto picks wsproto; no warning, even under -W error.
    with uvicorn(side("websockets-deprecated", "fixed"), flags=strict) as (port, log):
        status, text = websocket_exchange(port)
        output = log_text(log)
    assert (status.split(" ", 2)[:2], text) == (["HTTP/1.1", "101"], "yo") and "Warning" not in output, output


PYDANTIC_FAILS = {
    "pydantic-forwardref": "TypeError: ForwardRef._evaluate() missing 1 required keyword-only argument: "
                           "'recursive_guard'",
    "pydantic-type-params": "TypeError: ForwardRef._evaluate() got an unexpected keyword argument 'type_params'",
    "pydantic-py314": "pydantic.errors.ConfigError: unable to infer type for attribute \"child\"",
}


def pydantic_row(name):
    def proof():
        broken = probe(side(name, "broken"), os.path.join(PROGRAMS, "stack_probe.py"), "pydantic")
        assert broken.returncode == 1 and PYDANTIC_FAILS[name] in broken.stderr, broken.stdout + broken.stderr
        fixed = probe(side(name, "fixed"), os.path.join(PROGRAMS, "stack_probe.py"), "pydantic")
        assert (fixed.returncode, fixed.stderr) == (0, ""), fixed.stderr
        assert fixed.stdout == "fields: ['name', 'child'] b\nfastapi imports\n"
    return proof


def sse_probe(path, flags=()):
    return probe(path, os.path.join(PROGRAMS, "stack_probe.py"), "sse", flags=flags)


def sse_starlette_loop():
    broken = sse_probe(side("sse-starlette-loop", "broken"))
    assert broken.stdout.startswith("ERROR TypeError: ") and "loop" in broken.stdout, broken.stdout
    streams_events(sse_probe(side("sse-starlette-loop", "fixed")))


def sse_starlette_starlette():
    broken = probe(side("sse-starlette-starlette", "broken"), "-c", "import sse_starlette.sse")
    assert broken.returncode == 1
    assert "ImportError: cannot import name 'run_until_first_complete'" in broken.stderr, broken.stderr
    streams_events(sse_probe(side("sse-starlette-starlette", "fixed")))


def sse_starlette_utcnow():
    strict = ("-W", "error::DeprecationWarning")
    broken = sse_probe(side("sse-starlette-utcnow", "broken"), flags=strict)
    assert broken.stdout.startswith("ERROR DeprecationWarning: datetime.datetime.utcnow() is deprecated"), \
        broken.stdout + broken.stderr
    # The filter the report prints, run as printed; then the release it names.
    streams_events(sse_probe(side("sse-starlette-utcnow", "broken"), flags=strict + ("-W", "ignore:" + UTCNOW_FILTER)))
    streams_events(sse_probe(side("sse-starlette-utcnow", "fixed"), flags=strict))


def uvicorn_iscoroutinefunction():
    strict = ("-W", "error::DeprecationWarning")
    out = start_fails(side("uvicorn-iscoroutinefunction", "broken"), flags=strict)
    assert "DeprecationWarning: 'asyncio.iscoroutinefunction' is deprecated" in out, out
    serves(side("uvicorn-iscoroutinefunction", "broken"), flags=strict + ("-W", "ignore:" + ISCORO_FILTER))
    serves(side("uvicorn-iscoroutinefunction", "fixed"), flags=strict)


PROOFS = {
    "aiofiles-coroutine": aiofiles_coroutine,
    "uvicorn-httptools": uvicorn_httptools,
    "uvicorn-metadata": uvicorn_metadata,
    "uvicorn-uvloop": uvicorn_uvloop,
    "websockets-loop": websockets_loop,
    "websockets-deprecated": websockets_deprecated,
    "pydantic-forwardref": pydantic_row("pydantic-forwardref"),
    "pydantic-type-params": pydantic_row("pydantic-type-params"),
    "pydantic-py314": pydantic_row("pydantic-py314"),
    "sse-starlette-loop": sse_starlette_loop,
    "sse-starlette-starlette": sse_starlette_starlette,
    "sse-starlette-utcnow": sse_starlette_utcnow,
    "uvicorn-iscoroutinefunction": uvicorn_iscoroutinefunction,
}


def report(path, row, broken):
    """The report's text and its stack rows by name, with a side's releases first on the path."""
    proc = run_child(["-m", "starlette_asyncstream"], python_path=[path])
    data = run_child(["-m", "starlette_asyncstream", "--json"], python_path=[path])
    assert "Traceback" not in proc.stdout + proc.stderr + data.stderr
    named = {b["name"]: b for b in json.loads(data.stdout)["stack"]}
    # Only a row that stops Starlette's own streaming fails the report (exit 1, said in
    # one sentence; the package's import, as the application's, said it in one warning).
    fails = broken and row.name in STOPS_STREAMING
    assert proc.returncode == json.loads(data.stdout)["exit"] == (1 if fails else 0), proc.stdout
    assert json.loads(data.stdout)["ok"] is not fails
    if fails:
        what = named[row.name]
        assert proc.stdout.splitlines()[-1] == "Result: streaming FAILS here: {}; fix: {}.".format(
            what["what"], what["remedy"])
        assert proc.stderr.count("RuntimeWarning: starlette_asyncstream: ") == 1, proc.stderr
    else:
        assert data.stderr == proc.stderr == "", proc.stderr
    return proc.stdout, named


def test_every_row_has_a_proof_pins_and_a_stack_leg():
    legs = json.loads(subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "matrix.py"), "--json"],
                                     stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout)
    pythons = {tuple(int(p) for p in leg["python"].split(".")) for leg in legs if leg["suite"] == "stack"}
    assert set(PROOFS) == set(ROWS) == set(stack_pins.PINS) and STOPS_STREAMING <= set(ROWS)
    for b in STACK:
        assert any(b.python[:2] <= p and (b.python_below is None or p <= b.python_below[:2]) for p in pythons), b.name


@pytest.mark.parametrize("name", sorted(ROWS))
def test_the_release_that_breaks_is_named_and_the_remedy_works(name, tmp_path):
    b = ROWS[name]
    if not b.concerns(RUNNING):
        pytest.skip("{}: {} concerns Python {}{} (its stack leg runs it)".format(
            HERE, name, _dotted(b.python), " before " + _dotted(b.python_below) if b.python_below else " and later"))
    remedy = pinned(name, "fixed")
    beside = {b.module: remedy, "starlette": "0.12.13" if b.starlette_below else "0.13.6"}
    if b.needs:
        beside[b.needs[0]] = b.needs[1]
    overtaken = [r["name"] for r in found(beside.get) if r["name"] != name] if remedy else []
    if overtaken:
        pytest.skip("{}: {} {}, the remedy {} names, is itself broken here ({}); the row is proven on the "
                    "Pythons before".format(HERE, b.distribution, remedy, name, ", ".join(overtaken)))
    if name == "uvicorn-httptools" and not (sysconfig.get_config_var("CC") and shutil.which(
            sysconfig.get_config_var("CC").split()[0]) and os.path.exists(
            os.path.join(sysconfig.get_paths()["include"], "Python.h"))):
        pytest.skip("{}: no C compiler or no Python headers here (the sid root), so httptools 0.1.2's build "
                    "cannot show its own failure; the row is proven on the host's Pythons".format(HERE))
    if name == "uvicorn-metadata":
        from starlette_asyncstream._versions import installed_version

        if tuple(int(p) for p in installed_version("pip").split(".")[:2]) < (24, 1):
            pytest.skip("{}: pip {} installs uvicorn 0.14.0; the row concerns pip 24.1 and later".format(
                HERE, installed_version("pip")))
        broken, fixed = uvicorn_metadata(tmp_path)
    else:
        proof = PROOFS[name]
        proof(tmp_path) if proof.__code__.co_argcount else proof()
        broken, fixed = side(name, "broken"), side(name, "fixed")

    text, named = report(broken, b, True)
    assert name in named, sorted(named)
    lines = "  {}\n    fix: {}\n".format(named[name]["what"], named[name]["remedy"])
    assert lines in text
    with open(DOCS) as f:
        assert lines in f.read(), "docs/stack.md lacks what the report prints for {} on {}:\n{}".format(
            name, HERE, lines)
    _, named = report(fixed, b, False)
    assert name not in named, named[name] if name in named else None
