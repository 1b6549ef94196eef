"""The release sweep: does the range table match what every release really does?

Starlette: every release on the package index from 0.11.4 to the newest
0.14.x, plus the newest release overall (pre-releases included), on a Python
that release supports. sse-starlette: every release up to 1.2.1, beside a
Starlette it supports. Each is probed twice in fresh interpreters, without
the package's fixes (STARLETTE_ASYNCSTREAM_DISABLE=1) and with them (the
plain import): a custom async iterator, an async generator and a sync
generator streamed through a real StreamingResponse (or EventSourceResponse).
Then the range table is checked:

- outside every range: nothing is installed, wrapt is not imported, the
  custom iterator and the async generator stream unpatched, and the patched
  outcomes are the unpatched ones;
- inside a range: the bug really is there unpatched (the custom iterator
  fails for a dispatch fix; for a tasks fix, run_until_first_complete called
  directly fails on Python 3.11+ and warns on 3.9/3.10; for a disconnect
  fix, an endless stream goes on after its client left), exactly the fixes
  of the table are installed, and every probe works with them.

A release where reality and the table disagree makes the sweep exit 1.

    python scripts/sweep.py                       # everything (tox -e sweep)
    python scripts/sweep.py --boundaries          # the reduced CI leg
    python scripts/sweep.py --pythons 3.14,3.15 [--boundaries] [--merge docs/sweep.json]
                                                  # the newest Pythons (tox -e sweep-newest, in the sid root)
    python scripts/sweep.py --write docs/sweep.json   # keep the results (README table)
    python scripts/sweep.py --merge docs/sweep.json   # ... replacing only the rows of the Pythons it ran

It needs the Pythons it uses on PATH (scripts/tox puts pyenv's there) and the
package index. Work files go to .tox/envs/ (see envs.py).
"""

import argparse
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from envs import WORK, base_venv, env_with, index_releases, package_dir, sh  # noqa: E402
from starlette_asyncstream._ranges import FIXES  # noqa: E402
from starlette_asyncstream._pep440 import parse_version  # noqa: E402
from starlette_asyncstream._selftest import CHECKS, LEAVES  # noqa: E402

OLDEST = "0.11.4"
SUPPORTED_FROM = "0.12.0b3"  # the strict-suite probes run from the package's oldest supported release
# The release on each side of every boundary of the table.
BOUNDARIES = ["0.12.0b2", "0.12.0b3", "0.12.0", "0.12.1", "0.13.1", "0.13.2", "0.13.3", "0.13.8", "0.14.0",
              "0.14.1", "0.14.2", "0.15.0"]
# ... and of the rows for what strict suites meet, past 0.15 (the full sweep runs them too).
CLEAN_BOUNDARIES = ["0.13.4", "0.13.5", "0.26.1", "0.27.0", "0.38.2", "0.38.3", "0.41.0", "0.41.1"]
SSE_BOUNDARIES = ["0.4.0", "0.5.0", "0.9.0", "0.10.0", "1.1.6", "1.2.1"]
SSE_NEWEST = "1.2.1"  # the first fixed sse-starlette release closes its sweep
LEGACY_PYTHON = "3.8"  # runs every release from 0.11.4 to 0.14.x
NEWEST_PYTHON = "3.13"
# Where the tasks bug changes with the Python: silent, warning, TypeError.
TASKS_PYTHONS = ["3.9", "3.10", "3.11", "3.13"]
# The self-test's streamed kinds (sse rows stream these through EventSourceResponse);
# Starlette rows also have LEAVES, the disconnect check.
KINDS = tuple(name for name, _ in CHECKS if name != LEAVES)
# sse-starlette 0.5-0.9 import uvicorn's logger, 0.10+ need anyio; the
# TestClient needs requests (httpx from Starlette 0.21 on); the strict-suite
# probes (tests/programs/clean_app.py) need Jinja2, python-multipart and
# aiofiles (FileResponse before 0.15), the newest each Python takes.
PACKAGES = ("wrapt", "anyio", "typing_extensions", "uvicorn", "requests", "httpx", "jinja2", "python-multipart",
            "aiofiles")
# The strict-suite probes: probe -> the rows whose bug it shows.
CLEAN_PROBES = {"templates": ("jinja2",), "form": ("multipart",), "gzip": ("gzip",), "static": ("staticfiles",),
                "page": ("debug-page", "debug-page-type"), "routes": ("iscoroutinefunction",)}
CLEAN_PROGRAM = os.path.join(ROOT, "tests", "programs", "clean_app.py")
CLEAN_COPY = os.path.join(WORK, "clean_app.py")  # copied at the start, like the package into the venvs
# (Each probe's unpatched run switches off only its own rows, so no other row's warning shows.)
CLEAN_FLAGS = ["-W", "error"]
# The streaming fixes and those the self-test's other probes show.
SELF_TESTED = ("dispatch", "tasks", "disconnect", "testclient", "debug-page")
# The testclient range on every release: its Python and the releases around it.
TESTCLIENT_PYTHON = "3.13"

PROBE = r"""
import json, sys, warnings
SSE = sys.argv[1] == "sse"


def testclient_lifespan():
    # `with TestClient(app)` in a main thread with no event loop set, the
    # asyncio DeprecationWarning of 3.12/3.13 as an error (-W error suites),
    # after an asyncio.run(), which leaves the thread so on every Python.
    import asyncio
    try:
        from starlette.testclient import TestClient
    except ImportError:  # no requests (httpx from 0.21 on) in this venv
        return {"ok": False, "outcome": "absent"}

    async def app(scope, receive, send):
        while True:
            message = await receive()
            await send({"type": message["type"] + ".complete"})
            if message["type"] == "lifespan.shutdown":
                return

    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        # Starlette < 0.46 on 3.14+: not this fix's business (the report names it)
        warnings.filterwarnings("ignore", "'asyncio.iscoroutinefunction' is deprecated", DeprecationWarning)
        try:
            asyncio.run(asyncio.sleep(0))
            with TestClient(app):
                pass
        except Exception as exc:
            return {"ok": False, "outcome": "%s: %s" % (type(exc).__name__, exc)}
    return {"ok": True, "outcome": "ok"}


def debug_page():
    # Starlette(debug=True)'s error page for an endpoint that raises.
    import asyncio, inspect, os, tempfile
    from starlette.middleware.errors import ServerErrorMiddleware

    if len(inspect.signature(ServerErrorMiddleware.__call__).parameters) < 4:
        return {"ok": False, "outcome": "absent"}  # 0.11.x: ASGI 2, outside what the package supports

    # The endpoint lives in a file, as an application's does (the page shows its source).
    where = tempfile.mkdtemp()
    with open(os.path.join(where, "boom_app.py"), "w") as f:
        f.write("async def boom(scope, receive, send):\n    raise ValueError('boom')\n")
    sys.path.insert(0, where)
    from boom_app import boom

    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/", "root_path": "", "query_string": b"",
             "headers": [(b"accept", b"text/html")], "scheme": "http", "server": ("t", 80), "client": ("c", 1),
             "http_version": "1.1", "asgi": {"version": "3.0"}}
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(ServerErrorMiddleware(boom, debug=True)(scope, receive, send))
    except Exception:
        pass  # the middleware re-raises after answering
    finally:
        loop.close()
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    ok = b"ValueError: boom" in body
    return {"ok": ok, "outcome": "page with the error" if ok else "%d bytes without it" % len(body)}


with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import starlette, starlette_asyncstream as sa
    from starlette_asyncstream import _selftest
    if SSE:
        import asyncio
        from sse_starlette.sse import EventSourceResponse

        def stream(make):
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            async def go():
                return await _selftest._drive(EventSourceResponse(make()))
            try:
                body = loop.run_until_complete(go()).decode()
                ok = all("data: e%d" % i in body for i in range(3))
                return {"ok": ok, "outcome": "ok" if ok else "body %r" % body[:80]}
            except Exception as exc:
                while getattr(exc, "exceptions", None):  # anyio task groups wrap it
                    exc = exc.exceptions[0]
                return {"ok": False, "outcome": "%s: %s" % (type(exc).__name__, exc)}
            finally:
                loop.close()

        class Feed:
            def __init__(self):
                self.i = -1
            def __aiter__(self):
                return self
            async def __anext__(self):
                self.i += 1
                if self.i > 2:
                    raise StopAsyncIteration
                return {"data": "e%d" % self.i}

        async def agen():
            for i in range(3):
                yield {"data": "e%d" % i}

        def sgen():
            for i in range(3):
                yield {"data": "e%d" % i}

        results = {k: stream(m) for k, m in zip(__KINDS__, (Feed, agen, sgen))}
    else:
        first = testclient_lifespan()  # before anything sets an event loop
        results = _selftest.run_all()
        results["testclient lifespan"] = first
        results["debug page"] = debug_page()
        # the tasks bug without a response: Starlette's websocket docs call it directly
        try:
            from starlette.concurrency import run_until_first_complete
        except ImportError:
            direct = "absent"
        else:
            import asyncio

            async def nothing():
                pass

            loop = asyncio.new_event_loop()
            try:
                loop.run_until_complete(run_until_first_complete((nothing, {}), (nothing, {})))
                direct = "ok"
            except Exception as exc:
                direct = "%s: %s" % (type(exc).__name__, exc)
            finally:
                loop.close()
        results["run_until_first_complete"] = {"ok": direct != "absent" and direct == "ok", "outcome": direct}
    # Taken on by the import: installed, or waiting for its module to be imported.
    installed = sorted(n for n, s in sa.status().items() if s.installed or s.detail.startswith("waiting"))
    wrapt_loaded = "wrapt" in sys.modules
def distribution_version(name):
    try:
        from importlib.metadata import version
        return version(name)
    except Exception:
        return None


print(json.dumps({
    "version": starlette.__version__,
    "versions": {name: distribution_version(name) for name in ("jinja2", "python-multipart")},
    "installed": installed,
    "wrapt_loaded": wrapt_loaded,
    "results": {k: v["outcome"] for k, v in results.items()},
    "ok": {k: v["ok"] for k, v in results.items()},
    "warnings": sorted({"%s: %s" % (w.category.__name__, w.message) for w in caught
                        if issubclass(w.category, DeprecationWarning) and "asyncio.wait" in str(w.message)}),
}))
""".replace("__KINDS__", repr(KINDS))


def log(message):
    print(message, flush=True)


def plan(releases, sse_releases, boundaries_only):
    """[{"starlette", "sse", "python"}] to probe."""
    key = parse_version
    if boundaries_only:
        chosen = BOUNDARIES + CLEAN_BOUNDARIES
        sse_chosen = SSE_BOUNDARIES
    else:
        newest_014 = max((r for r in releases if key(r) < key("0.15")), key=key)
        chosen = [r for r in releases if key(OLDEST) <= key(r) <= key(newest_014)]
        chosen.append(max(releases, key=key))
        chosen.append(next(f for f in FIXES if f.name == "testclient").fixed)  # 0.15.0: the first fixed TestClient
        chosen += CLEAN_BOUNDARIES
        sse_chosen = [r for r in sse_releases if key(r) <= key(SSE_NEWEST)]
    tasks = next(f for f in FIXES if f.name == "tasks")
    # The releases on either side of the tasks range run on every Python too.
    just_before = max((r for r in releases if key(r) < key(tasks.introduced)), key=key)
    testclient = next(f for f in FIXES if f.name == "testclient")
    rows = []
    for release in sorted(set(chosen), key=key):
        legacy = key(release) < key("0.15")
        first = LEGACY_PYTHON if legacy else NEWEST_PYTHON
        rows.append({"starlette": release, "sse": None, "python": first})
        pythons = []
        if tasks.contains(key(release)) or release in (just_before, tasks.fixed):
            pythons += TASKS_PYTHONS
        if key(testclient.introduced) <= key(release) <= key(testclient.fixed):
            # its range and the fixed release (before 0.12.0b3 is below what the package supports)
            pythons.append(TESTCLIENT_PYTHON)
        rows.extend({"starlette": release, "sse": None, "python": py} for py in sorted(set(pythons) - {first}))
    sse_tasks = next(f for f in FIXES if f.name == "sse-tasks")
    newest = max(releases, key=key)
    for sse in sorted(set(sse_chosen), key=key):
        rows.append({"starlette": "0.13.6", "sse": sse, "python": LEGACY_PYTHON})
        if key(sse) >= key("1.0.0"):  # the dispatch bug bites on new Starlette too
            rows.append({"starlette": newest, "sse": sse, "python": NEWEST_PYTHON})
        if sse_tasks.contains(key(sse)) or sse in (sse_tasks.fixed, "0.4.0"):
            # where the tasks bug bites: with the Starlette fix (0.13.6) and
            # without it (0.13.2, outside the Starlette tasks range)
            rows.append({"starlette": "0.13.6", "sse": sse, "python": "3.11"})
            rows.append({"starlette": "0.13.2", "sse": sse, "python": "3.11"})
    return rows


def newest_plan(releases, boundaries_only, pythons):
    """Rows for the newest Pythons: every release of the testclient range and the fixed one
    (or, with boundaries_only, those of BOUNDARIES inside that span), on each Python."""
    key = parse_version
    testclient = next(f for f in FIXES if f.name == "testclient")
    span = [r for r in releases if key(testclient.introduced) <= key(r) <= key(testclient.fixed)]
    if boundaries_only:
        span = [r for r in span if r in BOUNDARIES]
    return [{"starlette": r, "sse": None, "python": py} for py in pythons for r in sorted(span, key=key)]


def probe(python, paths, patched, sse):
    # From WORK, not the checkout: `python -c` puts the current directory first on sys.path, and the
    # package must be the copy installed in the venv, not the working tree as it is being edited.
    out = sh([python, "-c", PROBE, "sse" if sse else "starlette"], env=env_with(paths, disabled=not patched),
             timeout=120, cwd=WORK)
    # (shutdown warnings of failing legacy runs may follow the JSON line)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError("the probe printed no result:\n" + out[-2000:])
    return json.loads(lines[-1])


def clean_probe(python, paths, patched, name):
    """One strict-suite probe (tests/programs/clean_app.py under -W error): "ok", or what went wrong.
    Unpatched, only the rows this probe is about are switched off: every probe imports
    starlette.requests, and the multipart row's bug would otherwise show in all of them."""
    env = env_with(paths, disabled=False)
    if not patched:
        env["STARLETTE_ASYNCSTREAM_DISABLE"] = ",".join(CLEAN_PROBES[name])
    proc = subprocess.run([python] + CLEAN_FLAGS + [CLEAN_COPY, name], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, env=env, timeout=120, cwd=WORK)
    lines = [line.strip() for line in proc.stderr.splitlines() if line.strip() and not line.startswith(" ")]
    last = lines[-1][:90] if lines else ""
    if proc.returncode != 0:
        return "fails: " + last
    data = json.loads(proc.stdout)
    # (the finalizer's message depends on the order of collection: the objects do not)
    if name == "gzip" and data["left_open"] and tuple(data["python"]) >= (3, 12):
        return "leaves GzipFiles open"
    if proc.stderr:
        return "prints: " + last
    if name == "static" and data["/abs/../static_private/key.txt"][0] == 200:
        return "serves a sibling directory's file"
    if name == "static" and data["/abs/a.txt"] != [200, "public a"]:
        return "its own file answers {}".format(data["/abs/a.txt"][0])  # (3.15: commonprefix warns, as an error)
    if name == "page" and not (data["status"] == 500 and "Kaboom" in data["title"]):
        return "page without the error"
    if name == "routes" and [data["/async"], data["/sync"], data["/teapot"]] != [
            [200, "async"], [200, "sync"], [418, "handled teapot"]]:
        return "routes answer {}".format([data["/async"][0], data["/sync"][0], data["/teapot"][0]])
    if name == "templates" and data["body"] != "home is http://testserver/":
        return "body {!r}".format(data["body"][:60])
    return "ok"


def judge_clean(expected, unpatched, patched):
    """Problems of the strict-suite probes: the bug where a row applies, nothing changed where none does
    (each probe's unpatched run has only its own rows switched off)."""
    problems = []
    for name, rows in CLEAN_PROBES.items():
        before, after = unpatched[name], patched[name]
        if after != "ok":
            problems.append("the {} probe with the fixes: {}".format(name, after))
        applying = [row for row in rows if row in expected]
        if applying and before == "ok":
            problems.append("the {} range includes it, but the {} probe is clean unpatched".format(
                "/".join(applying), name))
        if not applying and before != after:
            problems.append("the {} probe changed outside the {} range: {} / {}".format(
                name, "/".join(rows), before, after))
    return problems


def judge(row, unpatched, patched):
    """Problems where reality and the table disagree ([] when they agree)."""
    problems = []
    py = row["python"]
    pyv = tuple(int(x) for x in py.split("."))
    versions = {"starlette": parse_version(row["starlette"]), "sse-starlette": parse_version(row["sse"] or "")}
    versions.update((name, parse_version(text)) for name, text in patched.get("versions", {}).items() if text)
    expected = sorted(f.name for f in FIXES if f.applies(versions, python=pyv + (99,)))  # "3.8": pyenv's newest
    for run in (unpatched, patched):
        if parse_version(run["version"]) != versions["starlette"]:
            problems.append("probed starlette {} instead of {}".format(run["version"], row["starlette"]))
    if unpatched["installed"]:
        problems.append("the opt-out run installed {}".format(unpatched["installed"]))
    if patched["installed"] != expected:
        problems.append("installed {} where the table says {}".format(patched["installed"], expected))
    custom, agen = KINDS[0], KINDS[1]
    direct = "run_until_first_complete"
    prefix = "sse-" if row["sse"] else ""
    # the fixes on this response's path: sse-starlette has its own dispatch and binding
    probed = [n for n in expected if n.startswith("sse-")] if row["sse"] else [
        n for n in expected if n in SELF_TESTED]
    if not probed:
        if not any(f.needs_wrapt for f in FIXES if f.name in expected) and patched["wrapt_loaded"]:
            problems.append("wrapt imported where no fix that needs it applies")
        if patched["results"] != unpatched["results"]:
            problems.append("outcomes changed where no fix of this response applies")
        for kind in (custom, agen):
            if not unpatched["ok"][kind]:
                problems.append("{} fails unpatched outside every range: {}".format(kind, unpatched["results"][kind]))
    else:
        for kind, ok in patched["ok"].items():
            if not ok and not (kind == direct and patched["results"][kind] == "absent"):
                problems.append("{} fails with the fixes: {}".format(kind, patched["results"][kind]))
    if prefix + "dispatch" in expected and unpatched["ok"][custom]:
        problems.append("the {}dispatch range includes it, but the custom iterator streams unpatched".format(prefix))
    if not row["sse"] and "disconnect" in expected and unpatched["ok"][LEAVES]:
        problems.append("the disconnect range includes it, but the stream stops unpatched when its client leaves")
    if not row["sse"] and "disconnect" not in expected and patched["ok"][LEAVES] != unpatched["ok"][LEAVES] \
            and "Passing coroutines" not in unpatched["results"][LEAVES]:
        problems.append("the disconnect outcome changed outside its range")
    if not row["sse"]:
        for name, kind in (("testclient", "testclient lifespan"), ("debug-page", "debug page")):
            if unpatched["results"][kind] == "absent":
                continue
            if name in expected and unpatched["ok"][kind]:
                problems.append("the {} range includes it, but the {} works unpatched".format(name, kind))
            # (0.15.0 with an anyio 4 fails otherwise: not this range's business; releases
            # before 0.12.0b3 have the same client, below what the package supports)
            if name not in expected and not unpatched["ok"][kind] and (name != "testclient" or (
                    "event loop" in unpatched["results"][kind]
                    and parse_version(row["starlette"]) >= parse_version(SUPPORTED_FROM))):
                problems.append("the {} fails unpatched outside the {} range: {}".format(
                    kind, name, unpatched["results"][kind]))
    tasks_name = prefix + "tasks"
    if tasks_name in expected:
        # sse-starlette's own reference shows through its response; Starlette's through a direct call
        seen = unpatched["results"][agen] if row["sse"] else unpatched["results"][direct]
        if pyv >= (3, 11) and "Passing coroutines" not in seen:
            problems.append("the {} range includes it, but Python {} does not fail unpatched".format(tasks_name, py))
        if (3, 9) <= pyv < (3, 11) and not unpatched["warnings"]:
            problems.append("no asyncio.wait DeprecationWarning unpatched on Python {}".format(py))
        if patched["warnings"]:
            problems.append("the asyncio.wait DeprecationWarning remains with the fixes")
    return expected, problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--boundaries", action="store_true",
                        help="only " + ", ".join(BOUNDARIES) + " and sse-starlette " + ", ".join(SSE_BOUNDARIES))
    parser.add_argument("--write", metavar="JSON", help="write the results there (docs/sweep.json)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--pythons", metavar="3.14,3.15",
                        help="only these Pythons, on every Starlette release of the testclient range and "
                        "the one after it (the newest Pythons: scripts/tox runs it in the sid root)")
    parser.add_argument("--merge", metavar="JSON", help="replace these Pythons' rows in JSON (docs/sweep.json)")
    args = parser.parse_args()

    started = time.time()
    os.makedirs(WORK, exist_ok=True)
    shutil.copyfile(CLEAN_PROGRAM, CLEAN_COPY)
    only = args.pythons.split(",") if args.pythons else None
    index_python = only[0] if only else NEWEST_PYTHON
    venvs = {index_python: base_venv(index_python, PACKAGES, purpose="sweep")}
    releases = index_releases(venvs[index_python], "starlette")
    sse_releases = index_releases(venvs[index_python], "sse-starlette")
    rows = plan(releases, sse_releases, args.boundaries) if only is None else newest_plan(
        releases, args.boundaries, only)
    pythons = sorted({r["python"] for r in rows}, key=lambda p: tuple(map(int, p.split("."))))
    log("sweep: {} Starlette and {} sse-starlette releases, {} probes, Pythons {}".format(
        len({r["starlette"] for r in rows if not r["sse"]}), len({r["sse"] for r in rows if r["sse"]}),
        len(rows), ", ".join(pythons)))
    venvs.update((py, base_venv(py, PACKAGES, purpose="sweep")) for py in pythons if py not in venvs)
    # Each release is installed once, by the first Python of its rows.
    installer = {}
    for r in rows:
        installer.setdefault(("starlette", r["starlette"]), venvs[r["python"]])
        if r["sse"]:
            installer.setdefault(("sse-starlette", r["sse"]), venvs[r["python"]])
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs) * 2) as pool:
        futures = {k: pool.submit(package_dir, k[0], k[1], py) for k, py in installer.items()}
        dirs = {k: f.result() for k, f in futures.items()}

    def one(row):
        python = venvs[row["python"]]
        paths = [dirs[("starlette", row["starlette"])]]
        if row["sse"]:
            paths.insert(0, dirs[("sse-starlette", row["sse"])])
        unpatched = probe(python, paths, False, bool(row["sse"]))  # every fix switched off
        patched = probe(python, paths, True, bool(row["sse"]))
        expected, problems = judge(row, unpatched, patched)
        clean = {}
        if not row["sse"] and parse_version(row["starlette"]) >= parse_version(SUPPORTED_FROM):
            clean = {when: {name: clean_probe(python, paths, when == "patched", name) for name in CLEAN_PROBES}
                     for when in ("unpatched", "patched")}
            problems += judge_clean(expected, clean["unpatched"], clean["patched"])
        return dict(row, fixes=expected, unpatched=unpatched["results"], patched=patched["results"],
                    unpatched_warnings=unpatched["warnings"], problems=problems,
                    versions=patched["versions"], strict=clean)

    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        results = list(pool.map(one, rows))

    bad = [r for r in results if r["problems"]]
    for r in results:
        verdict = "ok" if not r["problems"] else "MISMATCH: " + "; ".join(r["problems"])
        what = "starlette {}".format(r["starlette"]) + (" + sse-starlette {}".format(r["sse"]) if r["sse"] else "")
        log("  {:<38} py{:<5} fixes={:<34} {}".format(what, r["python"], ",".join(r["fixes"]) or "-", verdict))
    log("sweep: {} probes, {} agree with the range table, {} disagree ({:.0f}s)".format(
        len(results), len(results) - len(bad), len(bad), time.time() - started))
    target = args.write or args.merge
    if target:
        pythons_full = {
            py: sh([venvs[py], "-c", "import platform; print(platform.python_version())"]).strip() for py in pythons
        }
        if args.merge:
            with open(args.merge, encoding="utf-8") as f:
                kept = json.load(f)
            pythons_full = dict(kept["pythons"], **pythons_full)
            results = [r for r in kept["rows"] if r["python"] not in pythons] + results
        with open(target, "w", encoding="utf-8") as f:
            json.dump({"date": time.strftime("%Y-%m-%d"), "pythons": pythons_full, "rows": results},
                      f, indent=1, sort_keys=True)
            f.write("\n")
        log("sweep: results written to {}".format(target))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
