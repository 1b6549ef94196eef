"""--app on a FastAPI application: its routers, dependencies and response
classes lead the walk to the modules that define them, and a response class
in one of them that repeats the legacy dispatch is named there."""

import json
import textwrap

from support.contents import LEGACY_STREAM_INIT
from support.installs import run_child

FILES = {
    "deps.py": """\
        def common(q: str = ""):
            return q
        """,
    "resp.py": """\
        import inspect

        from starlette.concurrency import iterate_in_threadpool
        from starlette.responses import StreamingResponse


        class Legacy(StreamingResponse):
""" + textwrap.indent(LEGACY_STREAM_INIT, " " * 8),
    "main.py": """\
        import starlette_asyncstream  # noqa: F401
        from fastapi import APIRouter, Depends, FastAPI
        from starlette.middleware.gzip import GZipMiddleware

        router = APIRouter()


        @router.get("/x")
        def x(q=Depends(__import__("deps").common)):
            return {"q": q}


        app = FastAPI()
        app.include_router(router, prefix="/r")
        app.add_middleware(GZipMiddleware)
        app.add_api_route("/s", lambda: None, response_class=__import__("resp").Legacy)
        """,
}


def test_dependencies_routers_and_response_classes_lead_to_their_modules(tmp_path):
    for name, text in FILES.items():
        (tmp_path / name).write_text(textwrap.dedent(text))
    proc = run_child(["-m", "starlette_asyncstream", "--json", "--app", "main:app"], python_path=[str(tmp_path)],
                     cwd=str(tmp_path))
    app = json.loads(proc.stdout)["app"]
    # deps only through Depends(), resp only through response_class (neither is a global of
    # main): the walk found both.
    assert app["modules"] == ["deps", "main", "resp"] and app["problems"] == [], app
    assert [(r["name"], r["file"], r["line"], r["reached"]) for r in app["responses"]] == [
        ("resp.Legacy", str(tmp_path / "resp.py"), 7, False)]
    assert proc.returncode == 1 and proc.stderr == "", proc.stderr
