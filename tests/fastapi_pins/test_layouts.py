"""A fork of what the FastAPI rows replace gets one StarletteLayoutWarning
naming what differs, and keeps its own code (see tests/test_layouts.py)."""

import pytest

from support.layouts import assert_refused, refused

ROUTING = ("fastapi.routing", "vars(m).get('get_request_handler')")
UTILS = ("fastapi.dependencies.utils", "vars(m).get('check_file_field')")
NOT_A_HANDLER = "fastapi.routing.get_request_handler does not take (dependant, body_field, ...)"

CASES = {
    # inspect.signature() refuses it: a callable without one (ValueError), not a callable (TypeError)
    "handler-without-signature": ("fastapi-uploads", ROUTING, """
import fastapi.routing as r
r.get_request_handler = min
""", NOT_A_HANDLER),
    "handler-not-callable": ("fastapi-uploads", ROUTING, """
import fastapi.routing as r
r.get_request_handler = 42
""", NOT_A_HANDLER),
    "handler-of-other-parameters": ("fastapi-uploads", ROUTING, """
import fastapi.routing as r
r.get_request_handler = forked("json", args="body_field, dependant")
""", NOT_A_HANDLER),
    "handler-without-json": ("fastapi-json", ROUTING, """
import fastapi.routing as r
r.get_request_handler = forked("body", args="dependant, body_field, **kwargs")
""", "fastapi.routing.get_request_handler's handler does not call request.json()"),
    "handler-reads-the-content-type": ("fastapi-json", ROUTING, """
import fastapi.routing as r
r.get_request_handler = forked("json", "get_content_maintype", args="dependant, body_field, **kwargs")
""", "fastapi.routing.get_request_handler already reads the Content-Type"),
    "check-without-multipart": ("fastapi-multipart", UTILS, """
import fastapi.dependencies.utils as u
u.check_file_field = forked("python_multipart", args="field")
""", "fastapi.dependencies.utils.check_file_field does not import `multipart`"),
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("case", sorted(CASES))
def test_a_fork_of_what_a_fastapi_row_replaces_gets_a_warning_and_keeps_its_own_code(case):
    fix, target, fork, message = CASES[case]
    assert_refused(fix, fork, target, message)


@pytest.mark.timeout(60)
def test_a_fork_that_has_neither_name_of_the_multipart_check_gets_a_warning():
    fork = "import fastapi.dependencies.utils as u\ndel u.check_file_field\n"
    assert_refused("fastapi-multipart", fork, ("fastapi.dependencies.utils", "None"),
                   "fastapi.dependencies.utils has neither check_file_field nor ensure_multipart_is_installed")


@pytest.mark.timeout(60)
def test_the_multipart_check_is_found_under_its_later_name():
    # FastAPI 0.114.1 renamed check_file_field to ensure_multipart_is_installed (#12106).
    fork = ("import fastapi.dependencies.utils as u\n"
            "u.ensure_multipart_is_installed = u.check_file_field\ndel u.check_file_field\n")
    result = refused("fastapi-multipart", fork, ("fastapi.dependencies.utils",
                                                 "vars(m).get('ensure_multipart_is_installed')"))
    assert (result["warnings"], result["installed"], result["untouched"]) == ([], True, False), result
