"""A fork whose code is not the layout a fix was written for gets one
StarletteLayoutWarning naming what differs, and nothing of that fix's
module is patched (the contract's "a clear warning for an unknown layout").

Each case changes one thing in a real release before the package is
imported, in a fresh interpreter: the module a fix waits for is imported
first, so the import applies the fix at once and meets the fork. What a fix
reads of a release's code is the names its functions use, so a fork is a
function whose code uses exactly the names given (`forked(...)`); each
condition of a fix's check has a case where it alone differs.
(tests/test_import.py does the same for the streaming fixes.)"""

import pytest

from support.layouts import assert_refused

# A URL.__init__ using these attribute names and holding these constants (as request-url reads it).
URL_INIT = """
import starlette.datastructures as m
NAMES = ["URL", "_url", "components", "decode", "get", "geturl", "replace"]
def init_using(names, constants):
    body = "    x = None\\n" + "".join("    c{} = {!r}\\n".format(i, c) for i, c in enumerate(constants))
    body += "    if x:\\n" + "".join("        x.{}\\n".format(n) for n in names)
    scope = {"__name__": m.__name__}
    exec("def __init__(self, url='', scope=None, **components):\\n" + body, scope)
    return scope["__init__"]
"""

# case: (fix, the fork: code that imports the module the fix waits for and changes one thing,
#        what the warning says)
CASES = {
    "gzip-init-without-gzip-file": ("gzip", """
import starlette.middleware.gzip as m
m.GZipResponder.__init__ = forked("gzip_buffer")
""", "GZipResponder.__init__ does not make gzip_file and gzip_buffer"),
    "gzip-init-without-gzip-buffer": ("gzip", """
import starlette.middleware.gzip as m
m.GZipResponder.__init__ = forked("gzip_file")
""", "GZipResponder.__init__ does not make gzip_file and gzip_buffer"),
    "gzip-call-not-a-coroutine": ("gzip", """
import starlette.middleware.gzip as m
m.GZipResponder.__call__ = forked()
""", "GZipResponder.__call__ is not a coroutine function"),
    "gzip-call-closes": ("gzip", """
import starlette.middleware.gzip as m
m.GZipResponder.__call__ = forked("close", coroutine=True)
""", "GZipResponder.__call__ already closes what it opens"),
    "websocket-init-without-loop": ("websocket-loop", """
import starlette.testclient as m
m.WebSocketTestSession.__init__ = forked("new_event_loop")
""", "WebSocketTestSession does not run its app in a loop of its own made in __init__"),
    "websocket-init-without-new-loop": ("websocket-loop", """
import starlette.testclient as m
m.WebSocketTestSession.__init__ = forked("_loop")
""", "WebSocketTestSession does not run its app in a loop of its own made in __init__"),
    "websocket-run-without-loop": ("websocket-loop", """
import starlette.testclient as m
m.WebSocketTestSession._run = forked("run_until_complete")
""", "WebSocketTestSession does not run its app in a loop of its own made in __init__"),
    "websocket-run-closes": ("websocket-loop", """
import starlette.testclient as m
m.WebSocketTestSession._run = forked("_loop", "close")
""", "WebSocketTestSession._run already closes its loop"),
    "testclient-enter-without-get-event-loop": ("testclient", """
import starlette.testclient as m
m.TestClient.__enter__ = forked("run_until_complete")
""", "TestClient.__enter__ does not ask asyncio.get_event_loop()"),
    "jinja2-not-named-jinja2": ("jinja2", """
import starlette.templating as m
stand_in = types.ModuleType("jinja2_fork")
stand_in.pass_context = m.jinja2.pass_context
m.jinja2 = stand_in
""", "starlette.templating.jinja2 is not a Jinja2 3.x module"),
    "jinja2-not-a-module": ("jinja2", """
import starlette.templating as m
m.jinja2 = types.SimpleNamespace(__name__="jinja2", pass_context=m.jinja2.pass_context)
""", "starlette.templating.jinja2 is not a Jinja2 3.x module"),
    "jinja2-without-pass-context": ("jinja2", """
import starlette.templating as m
stand_in = types.ModuleType("jinja2")
m.jinja2 = stand_in
""", "starlette.templating.jinja2 is not a Jinja2 3.x module"),
    "jinja2-templates-without-contextfunction": ("jinja2", """
import starlette.templating as m
for name in ("get_env", "_create_env"):  # (where each release makes its Environment)
    if name in vars(m.Jinja2Templates):
        setattr(m.Jinja2Templates, name, forked("pass_context"))
""", "Jinja2Templates does not decorate with jinja2.contextfunction"),
    "upload-write-without-in-memory": ("upload-rollover", """
import starlette.datastructures as m
m.UploadFile.write = forked("run_in_threadpool", coroutine=True)
""", "UploadFile.write does not choose between the event loop and the thread pool"),
    "upload-without-run-in-threadpool": ("upload-rollover", """
import starlette.datastructures as m
del m.run_in_threadpool
""", "UploadFile.write does not choose between the event loop and the thread pool"),
    "upload-write-rolls-already": ("upload-rollover", """
import starlette.datastructures as m
m.UploadFile.write = forked("_in_memory", "_will_roll", coroutine=True)
""", "UploadFile.write already sends the rollover to the thread pool"),
    "form-without-parse-options-header": ("form-limits", """
import starlette.requests as m
m.Request.form = forked("MultiPartParser", "FormParser", coroutine=True)
""", "Request.form does not parse with MultiPartParser and FormParser"),
    "form-takes-max-fields": ("form-limits", """
import starlette.requests as m
m.Request.form = forked("MultiPartParser", "FormParser", "parse_options_header", coroutine=True,
                        args="self, *, max_files=1000, max_fields=1000")
""", "Request.form already takes max_fields"),
    "form-parser-without-callbacks": ("form-limits", """
import starlette.formparsers as f
f.FormParser.parse = forked("stream", coroutine=True)
""", "FormParser.parse does not read its callbacks' messages"),
    "multipart-parse-without-multipart": ("multipart", """
import starlette.formparsers as m
m.MultiPartParser.parse = forked("stream", coroutine=True)
""", "MultiPartParser.parse does not use the `multipart` module"),
    "url-init-of-other-names": ("request-url", URL_INIT + """
m.URL.__init__ = init_using(NAMES + ["quote", "AssertionError"], [b"host"])  # (an assert is no change)
""", "URL.__init__ is not the legacy releases' (names ['quote'], constants [])"),
    "url-init-of-other-constants": ("request-url", URL_INIT + """
m.URL.__init__ = init_using(NAMES, [b"host", "mailto"])
""", "URL.__init__ is not the legacy releases' (names [], constants [\"'mailto'\"])"),
    "url-init-without-host": ("request-url", URL_INIT + """
m.URL.__init__ = init_using(NAMES, ["latin-1"])
""", "URL.__init__ is not the legacy releases' (names [], constants [])"),
    "static-lookup-without-commonprefix": ("staticfiles", """
import starlette.staticfiles as m
m.StaticFiles.lookup_path = forked("commonpath")
""", "StaticFiles.lookup_path does not check with os.path.commonprefix"),
    "static-os-not-os": ("staticfiles", """
import starlette.staticfiles as m
m.os = types.ModuleType("os")
""", "starlette.staticfiles.os is not the os module"),
    "debug-page-without-exc-traceback": ("debug-page", """
import starlette.middleware.errors as m
m.ServerErrorMiddleware.generate_html = forked("exc_type", "format_exc")
""", "ServerErrorMiddleware.generate_html does not read exc_traceback"),
    "debug-page-traceback-not-traceback": ("debug-page", """
import starlette.middleware.errors as m
m.traceback = types.ModuleType("traceback")
""", "starlette.middleware.errors.traceback is not the traceback module"),
}

# What each case's fix replaces (read before and after the import): the fork must be left as it is.
TARGETS = {
    "gzip": ("starlette.middleware.gzip", "vars(m.GZipResponder).get('__call__')"),
    "websocket-loop": ("starlette.testclient", "vars(m.WebSocketTestSession).get('_run')"),
    "testclient": ("starlette.testclient", "vars(m.TestClient).get('__enter__')"),
    "jinja2": ("starlette.templating", "vars(m).get('jinja2')"),
    "upload-rollover": ("starlette.datastructures", "vars(m.UploadFile).get('write')"),
    "form-limits": ("starlette.requests", "vars(m.Request).get('form')"),
    "multipart": ("starlette.formparsers", "vars(m).get('multipart')"),
    "request-url": ("starlette.datastructures", "vars(m.URL).get('__init__')"),
    "staticfiles": ("starlette.staticfiles", "vars(m).get('os')"),
    "debug-page": ("starlette.middleware.errors", "vars(m).get('traceback')"),
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("case", sorted(CASES))
def test_a_fork_of_what_a_fix_replaces_gets_a_warning_and_keeps_its_own_code(case):
    fix, fork, message = CASES[case]
    assert_refused(fix, fork, TARGETS[fix], message)
