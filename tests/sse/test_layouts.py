"""A fork of what the sse-starlette rows replace gets one StarletteLayoutWarning
naming what differs, and keeps its own code (see tests/test_layouts.py)."""

import pytest

from support.layouts import assert_refused, refused

CALL = ("sse_starlette.sse", "vars(m.EventSourceResponse).get('__call__')")
STREAMS = ("_ping_task", "_loop", "body_iterator")
ARGS = "self, scope, receive, send"
NOT_A_CALL = "EventSourceResponse.__call__ is not a coroutine of (self, scope, receive, send)"

CASES = {
    "call-not-a-coroutine": ("""
import sse_starlette.sse as s
s.EventSourceResponse.__call__ = forked(*{streams!r}, args={args!r})
""", NOT_A_CALL),
    "call-of-other-parameters": ("""
import sse_starlette.sse as s
s.EventSourceResponse.__call__ = forked(*{streams!r}, coroutine=True, args="self, scope, receive")
""", NOT_A_CALL),
    "call-without-a-ping-task": ("""
import sse_starlette.sse as s
s.EventSourceResponse.__call__ = forked("_loop", "body_iterator", coroutine=True, args={args!r})
""", "EventSourceResponse.__call__ does not stream body_iterator beside its ping task"),
    "already-listens-for-disconnect": ("""
import sse_starlette.sse as s
s.EventSourceResponse.listen_for_disconnect = forked()
""", "EventSourceResponse already listens for http.disconnect"),
    "without-server-sent-event": ("""
import sse_starlette.sse as s
del s.ServerSentEvent
""", "sse_starlette.sse has no ServerSentEvent class"),
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("case", sorted(CASES))
def test_a_fork_of_what_sse_disconnect_replaces_gets_a_warning_and_keeps_its_own_code(case):
    fork, message = CASES[case]
    assert_refused("sse-disconnect", fork.format(streams=STREAMS, args=ARGS), CALL, message)


@pytest.mark.timeout(60)
def test_a_call_that_streams_beside_its_ping_task_is_enough():
    # The check asks for those names (at least): a fork whose code uses just them is patched.
    fork = ("import sse_starlette.sse as s\n"
            "s.EventSourceResponse.__call__ = forked(*{!r}, coroutine=True, args={!r}, module=s.__name__)\n")
    result = refused("sse-disconnect", fork.format(STREAMS, ARGS), CALL)
    assert (result["warnings"], result["installed"], result["untouched"]) == ([], True, False), result
