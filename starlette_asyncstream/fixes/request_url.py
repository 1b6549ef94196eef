"""Fix ``request-url``: ``request.url`` is built from a well-formed Host
header and a path that starts with ``/`` (Starlette 0.12.0b3-0.14.2):
CVE-2026-48710 (GHSA-86qp-5c8j-p5mr) and CVE-2026-54282 (GHSA-jp82-jpqv-5vv3).

``URL(scope=...)`` (``request.url``, ``request.base_url``, ``websocket.url``)
glues ``{scheme}://{Host header}{root_path}{path}`` together and parses the
result; the router reads the scope's path, untouched. So:

- a Host header such as ``evil.example/public?x=`` makes ``request.url.path``
  read ``/public`` while the router serves ``/admin``: a middleware that
  guards paths by ``request.url.path`` lets the request through. 1.0.1 uses
  the header only when it is a host (a registered name, an IPv4 address or a
  bracketed IP literal, RFC 3986 3.2.2) with an optional port, and otherwise
  builds the URL as when no Host header was sent: from the server's address,
  or the path alone. (The grammar is the one Starlette settled on: 1.7.0
  widened 1.0.1's to every reg-name character, so that ``my_service:8000``,
  a container's name, stays a host; an IP literal must parse, a port must be
  at most 65535.)
- a request target such as ``@evil.example`` (uvicorn hands it on) gives the
  scope a path without a leading ``/``: the URL reads
  ``http://testserver@evil.example`` and ``request.url.hostname`` is the
  attacker's. 1.3.0 joins the parts with ``urlunsplit``, which puts a ``/``
  before such a path whenever there is an authority.

Both are one fix because upstream fixed both in this one function. The
replacement builds a URL from a scope as the legacy releases do, with those
two checks in it: a Host header already found good (a set of a service's few
hosts) and a path that starts with ``/`` cost two lookups, and nothing else
is added to a request that reads ``request.url``. (A wrapper around the
release's own ``__init__`` cost 7 to 10 % of such a request, in the bench.)
The releases from 0.12.0b3 to 0.14.2 build it in one of three ways that
differ only in their assertion messages and in ``scope["query_string"]``
being required up to 0.12.10: the replacement does what the release's code
does there, and ``targets()`` refuses any other code (a fork's). A URL made
from a string or from components is the release's own.
"""

import functools
from typing import Any, Callable, List, Set, Tuple

from .._bindings import LayoutError, Switch, own_attribute, unwrap_ours

MODULES = ("starlette.datastructures",)

# RFC 3986 3.2.2: host = IP-literal / IPv4address / reg-name; reg-name is
# unreserved, pct-encoded and sub-delims characters (an IPv4 address is one of
# those too); IP-literal is "[" IPv6address / IPvFuture "]". Then ":" port.
# (Compiled at the first Host header checked, not when the room is imported:
# the import is paid by every application on 0.12-0.14, requests or not.)
_UNRESERVED_SUB_DELIMS = r"a-z0-9\-._~!$&'()*+,;="
_HOST_PATTERN = (
    r"(?:(?P<name>[{chars}%]+)"
    r"|\[(?:(?P<ipv6>[0-9a-f:.]+)|v[0-9a-f]+\.[{chars}:]+)\])"
    r"(?::(?P<port>[0-9]*))?".format(chars=_UNRESERVED_SUB_DELIMS)
)


@functools.lru_cache(maxsize=None)  # pragma: no mutate (a cache: compiled for the first Host header, not at import)
def _host() -> Any:
    import re

    return re.compile(_HOST_PATTERN, re.IGNORECASE)


def is_host(raw: bytes) -> bool:
    """Whether a Host header (raw, as ASGI has it) is a host with an optional port."""
    match = _host().fullmatch(raw.decode("latin-1"))
    if match is None:
        return False
    if match.group("ipv6") is not None:
        import ipaddress  # (only for an IP literal)

        try:
            ipaddress.IPv6Address(match.group("ipv6"))
        except ValueError:
            return False
    port = match.group("port")
    return not port or int(port) <= 65535


# The hosts a service answers to, once found good (a handful: past 256 the
# others are checked each time). Only good ones are kept, so what an attacker
# sends cannot fill it.
_GOOD: "Set[bytes]" = set()


def good_host(raw: bytes) -> bool:
    """is_host(), remembered for the good ones."""
    if is_host(raw):
        if len(_GOOD) < 256:
            _GOOD.add(raw)
        return True
    return False


_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def make(original: "Callable[..., Any]", switch: Switch) -> "Callable[..., Any]":
    good = _GOOD
    # Up to 0.12.10, scope["query_string"] is required (a KeyError without it).
    required_query = b"" not in unwrap_ours(original).__code__.co_consts

    def __init__(self: Any, url: str = "", scope: Any = None, **components: Any) -> None:
        if scope is None or not switch.on:
            if components:
                original(self, url, scope, **components)
            else:
                original(self, url, scope)
            return
        # The legacy releases' way, with 1.0.1's and 1.3.0's checks marked.
        assert not url, 'Cannot set both "url" and "scope".'
        assert not components, 'Cannot set both "scope" and "**components".'
        scheme = scope.get("scheme", "http")
        server = scope.get("server", None)
        path = scope.get("root_path", "") + scope["path"]
        query_string = scope["query_string"] if required_query else scope.get("query_string", b"")
        host_header = None
        for key, value in scope["headers"]:
            if key == b"host":
                if value in good or good_host(value):  # 1.0.1: only a host, else as if none was sent
                    host_header = value.decode("latin-1")
                break
        if path and path[0] != "/" and (host_header is not None or server is not None):
            path = "/" + path  # 1.3.0: the path cannot become part of the authority
        if host_header is not None:
            url = f"{scheme}://{host_header}{path}"
        elif server is None:
            url = path
        else:
            host, port = server
            if port == _DEFAULT_PORTS[scheme]:
                url = f"{scheme}://{host}{path}"
            else:
                url = f"{scheme}://{host}:{port}{path}"
        if query_string:
            url += "?" + query_string.decode()
        self._url = url

    functools.update_wrapper(__init__, original)
    return __init__


# What the legacy releases' URL.__init__ is made of (names and constants of its
# code, on every Python): any other code is not one this replacement stands in for.
_NAMES = {"URL", "_url", "components", "decode", "get", "geturl", "replace"}
# (Up to 3.13 the default ports' keys are one constant tuple; 3.14 loads them one by one.)
_CONSTANTS = {None, "", b"", (), "scheme", "http", "server", "root_path", "path", "query_string", "headers", b"host",
              "latin-1", "://", 80, 443, ("http", "https", "ws", "wss"), "https", "ws", "wss", ":", "?",
              'Cannot set both "url" and "scope".', 'Cannot set both "scope" and "**components".',
              'Cannot set both "url" and "**components".'}


def targets(datastructures: Any) -> "List[Tuple[Any, str, Any]]":
    cls, init = own_attribute(datastructures, "URL", "__init__")
    code = unwrap_ours(init).__code__
    constants = {c for c in code.co_consts if not hasattr(c, "co_code")}
    if set(code.co_names) - {"AssertionError"} != _NAMES or not constants <= _CONSTANTS or b"host" not in constants:
        raise LayoutError("URL.__init__ is not the legacy releases' (names {}, constants {})".format(
            sorted(set(code.co_names) - _NAMES - {"AssertionError"}), sorted(map(repr, constants - _CONSTANTS))))
    return [(cls, "__init__", init)]
