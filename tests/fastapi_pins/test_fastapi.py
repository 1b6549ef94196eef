"""FastAPI as users pin it: the release's own Starlette pin, one import line.

Each case runs tests/programs/fastapi_app.py in a fresh interpreter, with
the package imported before FastAPI, after it (as an existing app would add
it), or not at all.
"""

import json
import os
import sys

import fastapi
import fastapi.applications
import pytest
import starlette

from starlette_asyncstream._ranges import FIXES
from support.installs import run_child
from support.releases import applies, assert_outside_details, replacements_as_read

PROGRAM = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "programs", "fastapi_app.py")


def run_app(where):
    proc = run_child([PROGRAM, where])
    assert proc.returncode == 0, proc.stderr
    if where != "none":  # unpatched, the failing legacy code leaves coroutines un-awaited
        assert proc.stderr == ""
    return json.loads(proc.stdout)


def test_pins_are_what_users_run():
    pins = {"0.52.0": "0.13.2", "0.58.1": "0.13.4", "0.61.2": "0.13.6", "0.65.3": "0.14.2"}
    assert pins[fastapi.__version__] == starlette.__version__


@pytest.mark.parametrize("where", ["after-fastapi", "before-fastapi"])
def test_fastapi_routes_stream_custom_iterators_and_aiofiles(where):
    out = run_app(where)
    assert out["/ticks"] == [200, "text/plain; charset=utf-8", "tick 1\ntick 2\ntick 3\n"], out
    assert out["/file"] == [200, "text/csv; charset=utf-8", "a,b\n1,2\n3,4\n"], out


def test_without_the_import_these_routes_fail():
    if not hasattr(__import__("asyncio"), "iscoroutinefunction"):  # 3.16, or the leg that simulates it
        proc = run_child([PROGRAM, "none"])
        assert proc.returncode == 1  # FastAPI() itself adds routes: the app cannot even be built
        assert proc.stderr.rstrip().endswith("AttributeError: module 'asyncio' has no attribute 'iscoroutinefunction'")
        return
    out = run_app("none")
    if not applies("dispatch"):  # FastAPI 0.65.3's Starlette 0.14.2: the reference, fixed upstream
        assert out == run_app("after-fastapi"), out
        return
    assert out["/ticks"][0] == "error" and out["/ticks"][1] == "TypeError", out
    assert out["/file"][0] == "error" and out["/file"][1] == "TypeError", out
    if sys.version_info >= (3, 11):
        assert "Passing coroutines is forbidden" in out["/ticks"][2]
    else:
        assert "not an iterator" in out["/ticks"][2]


FASTAPI_FIRST = """
import asyncio
import fastapi.concurrency  # before the package, as a conftest or an earlier module has it
import starlette_asyncstream

async def nothing():
    return None

loop = asyncio.new_event_loop()
try:
    loop.run_until_complete(fastapi.concurrency.run_until_first_complete((nothing, {}), (nothing, {})))
    print("ok")
except TypeError as exc:
    print("TypeError: {}".format(exc))
finally:
    loop.close()
"""


@pytest.mark.skipif(not applies("tasks"), reason="FastAPI {} (Starlette {}, any Python): outside 0.13.2 <= "
                    "starlette < 0.14.0, nothing to fix in fastapi.concurrency".format(fastapi.__version__,
                                                                                       starlette.__version__))
def test_fastapi_concurrency_imported_before_the_package_gets_the_tasks_fix():
    # fastapi.concurrency re-exports Starlette's run_until_first_complete by
    # name: a reference of its own, taken before the import.
    with_fix = run_child(["-c", FASTAPI_FIRST])
    assert (with_fix.returncode, with_fix.stdout, with_fix.stderr) == (0, "ok\n", "")
    without = run_child(["-c", FASTAPI_FIRST], env_extra={"STARLETTE_ASYNCSTREAM_DISABLE": "tasks"})
    if sys.version_info >= (3, 11):  # every pinned Starlette here is in the tasks range (0.13.2-0.13.8)
        assert without.stdout == "TypeError: Passing coroutines is forbidden, use tasks explicitly.\n"
        # and the two coroutines it never ran say so, nothing else
        said = [line for line in without.stderr.splitlines() if line.strip()]
        assert said and all("was never awaited" in line or "Enable tracemalloc" in line or line.startswith(" ")
                            for line in said), without.stderr
    else:
        assert (without.stdout, without.stderr) == ("ok\n", "")


@pytest.mark.skipif(not applies("tasks"), reason="FastAPI {} (Starlette {}, any Python): outside 0.13.2 <= "
                    "starlette < 0.14.0, nothing to fix in fastapi.concurrency".format(fastapi.__version__,
                                                                                       starlette.__version__))
def test_a_function_of_the_applications_own_in_fastapi_concurrency_is_left_alone():
    # Only Starlette's own function, held by name, is replaced: not what an application put there.
    code = ("import fastapi.concurrency\n"
            "async def mine(*args):\n    return 'mine'\n"
            "fastapi.concurrency.run_until_first_complete = mine\n"
            "import starlette_asyncstream\n"
            "print(fastapi.concurrency.run_until_first_complete is mine)\n")
    proc = run_child(["-c", code])
    assert (proc.stdout, proc.stderr) == ("True\n", "")


@pytest.mark.timeout(60)
def test_every_replacement_keeps_the_originals_name_signature_and_wrapped():
    # (as tests/test_api.py checks on the unit legs, here with FastAPI's modules imported)
    result = replacements_as_read()
    assert result["problems"] == []
    assert result["bindings"] > 0 or not any(applies(name) for name in ("fastapi-uploads", "fastapi-json"))


UPLOADS = """
import asyncio, json, logging
import starlette_asyncstream as sa
from fastapi import FastAPI, File, UploadFile

app = FastAPI()
seen = []


@app.post("/up")
async def up(upload: UploadFile = File(...)):  # noqa: B008  (FastAPI's own idiom)
    seen.append(upload)
    return {"size": len(await upload.read())}


BODY = (b"--x\\r\\nContent-Disposition: form-data; name=\\"upload\\"; filename=\\"a.txt\\"\\r\\n"
        b"Content-Type: text/plain\\r\\n\\r\\nhello\\r\\n--x--\\r\\n")


async def post():
    sent, messages = [], [{"type": "http.request", "body": BODY, "more_body": False}]

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/up", "root_path": "", "query_string": b"",
             "scheme": "http", "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1), "http_version": "1.1",
             "headers": [(b"content-type", b"multipart/form-data; boundary=x"),
                         (b"content-length", str(len(BODY)).encode())]}
    await app(scope, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:]).decode()


loop = asyncio.new_event_loop()
results = [loop.run_until_complete(post())]
closed = [seen[-1].file.closed]
said = []
handler = logging.Handler()
handler.emit = lambda record: said.append(record.getMessage())
logging.getLogger("starlette_asyncstream").addHandler(handler)
logging.getLogger("starlette_asyncstream").setLevel(logging.INFO)
sa.uninstall("fastapi-uploads")  # the route was made under the fix: its switch says off now
logging.getLogger("starlette_asyncstream").removeHandler(handler)
results.append(loop.run_until_complete(post()))
closed.append(seen[-1].file.closed)
seen[-1].file.close()  # (the release leaves it open: closed here, or it warns at exit)
after = {name: [st.installed, st.detail] for name, st in sa.status().items() if name.startswith("fastapi-")}
sa.install("fastapi-uploads")
results.append(loop.run_until_complete(post()))
closed.append(seen[-1].file.closed)
loop.close()
print(json.dumps([results, closed, after, said]))
"""


@pytest.mark.skipif(not applies("fastapi-uploads"), reason="FastAPI {} (Starlette {}, any Python) is outside {}: "
                    "the release closes its uploads itself".format(
                        fastapi.__version__, starlette.__version__,
                        next(f for f in FIXES if f.name == "fastapi-uploads").describe()))
def test_uploads_are_closed_after_the_response_and_left_as_the_release_leaves_them_once_uninstalled():
    proc = run_child(["-c", UPLOADS])
    assert proc.stderr == ""
    results, closed, after, said = json.loads(proc.stdout)
    assert said == ["fix 'fastapi-uploads' switched off under another fix of this package at "
                    "fastapi.routing.get_request_handler"]
    assert results == [[200, '{"size":5}']] * 3
    if getattr(fastapi.applications, "AsyncExitStack", None) is None:
        # Python 3.6 without the async_exit_stack backport: FastAPI opens no request stack, so
        # nothing closes (0.86.0, 3.7+, has no such case).
        assert closed == [False, False, False]
    else:
        assert closed == [True, False, True]  # as 0.86.0 does; as the pinned release does; installed again
    # fastapi-json (and fastapi-body-errors) wrap the same function over fastapi-uploads: they stay,
    # with no warning (nothing foreign is involved); the status says what is where.
    assert after["fastapi-uploads"] == [False, "fastapi.routing.get_request_handler replaced, and wrapped again "
                                        "by another fix of this package; our replacement is switched off"]
    assert all(installed for name, (installed, _) in after.items() if name != "fastapi-uploads" and applies(name))


def test_a_fix_that_does_not_apply_names_the_release_outside_its_range():
    import starlette_asyncstream as sa

    assert_outside_details(sa.status())
