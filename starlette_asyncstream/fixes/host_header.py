"""Fix ``host-header``: ``request.url`` trusts only a well-formed Host header
(Starlette 0.12.0b3-0.14.2): CVE-2026-48710, GHSA-86qp-5c8j-p5mr.

``URL(scope=...)`` (``request.url``, ``request.base_url``, ``websocket.url``)
glues ``{scheme}://{host header}{path}`` together and parses the result, so
a Host header such as ``evil.example/public?x=`` makes ``request.url.path``
read ``/public`` while the router dispatched on the real path: a middleware
that guards paths by ``request.url.path`` lets the request through. 1.0.1
uses the header only when it is a host (a registered name, an IPv4 address
or a bracketed IP literal, RFC 3986 section 3.2.2) with an optional port,
and otherwise builds the URL as when no Host header was sent: from the
server's address, or the path alone.

The grammar is the one Starlette's releases settled on (1.7.0 widened
1.0.1's first one to every reg-name character, so that ``my_service:8000``,
a container's name, stays a host; an IP literal must parse, a port must be
at most 65535). The replacement hands the release's own ``__init__`` a copy
of the scope without its Host header when the header is not a host, so each
release keeps its own way of building the URL from the server's address;
a good header costs one look (each header's answer is kept).
"""

import functools
import ipaddress
import re
from typing import Any, Callable, List, Tuple

from .._core import LayoutError, Switch, code_names, own_attribute, unwrap_ours

MODULES = ("starlette.datastructures",)

# RFC 3986 3.2.2: host = IP-literal / IPv4address / reg-name; reg-name is
# unreserved, pct-encoded and sub-delims characters (an IPv4 address is one of
# those too); IP-literal is "[" IPv6address / IPvFuture "]". Then ":" port.
_UNRESERVED_SUB_DELIMS = r"a-z0-9\-._~!$&'()*+,;="
_HOST = re.compile(
    r"(?:(?P<name>[{chars}%]+)"
    r"|\[(?:(?P<ipv6>[0-9a-f:.]+)|v[0-9a-f]+\.[{chars}:]+)\])"
    r"(?::(?P<port>[0-9]*))?".format(chars=_UNRESERVED_SUB_DELIMS),
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=256)  # (a service answers to a handful of hosts)
def is_host(raw: bytes) -> bool:
    """Whether a Host header (raw, as ASGI has it) is a host with an optional port."""
    match = _HOST.fullmatch(raw.decode("latin-1"))
    if match is None:
        return False
    if match.group("ipv6") is not None:
        try:
            ipaddress.IPv6Address(match.group("ipv6"))
        except ValueError:
            return False
    port = match.group("port")
    return not port or int(port) <= 65535


def _first_host(headers: Any) -> Any:
    for key, value in headers:
        if key == b"host":  # (the releases read the first one)
            return value
    return None


def make(original: "Callable[..., Any]", switch: Switch) -> "Callable[..., Any]":
    def __init__(self: Any, url: str = "", scope: Any = None, **components: Any) -> None:
        if scope is not None and switch.on:
            headers = scope["headers"]
            host = _first_host(headers)
            if host is not None and not is_host(host):
                scope = dict(scope, headers=[h for h in headers if h[0] != b"host"])
        original(self, url, scope, **components)

    functools.update_wrapper(__init__, original)
    return __init__


def targets(datastructures: Any) -> "List[Tuple[Any, str, Any]]":
    cls, init = own_attribute(datastructures, "URL", "__init__")
    names = code_names(init)
    code = unwrap_ours(init).__code__
    if b"host" not in code.co_consts or "scope" not in code.co_varnames[:3]:
        raise LayoutError("URL.__init__ does not read the Host header of a scope")
    if "fullmatch" in names or "parse_host_header" in names:
        raise LayoutError("URL.__init__ already checks the Host header")
    return [(cls, "__init__", init)]
