"""Published advisories that reach the releases of a legacy stack.

Data, like the range table and ``_stack``: read by ``__main__`` only (never at
import), shipped in the package (nothing is fetched at run time). Each entry
names the releases its advisory reaches, as read in the releases' code (an
advisory's own range can be wider than the code it is about: said where so),
and either the row of ``_ranges.FIXES`` that closes it in process or the
release that fixes it while keeping the pins. The report shows every entry
that reaches what is installed; ``--fail-on-advisory`` makes one that stays
open an exit status (see ``__main__``).

Sources: the GitHub advisory database and OSV for starlette, fastapi,
python-multipart, sse-starlette, uvicorn and h11 (sse-starlette has none
published), each range checked against the releases' code on CHECKED.
"""

from typing import Any, Callable, Dict, List, Optional, Tuple

from ._core import DISABLE_ENV
from ._pep440 import parse_version
from ._ranges import _dotted, _running, _within

__all__ = ["ADVISORIES", "CHECKED", "found"]

CHECKED = "2026-11-30"


class Advisory:
    __slots__ = ("ids", "distribution", "module", "releases", "what", "fix", "remedy", "remedy_python")

    def __init__(self, ids: str, distribution: str, module: str, releases: "Tuple[str, str]", what: str,
                 remedy: str, fix: "Optional[str]" = None,
                 remedy_python: "Optional[Tuple[int, ...]]" = None) -> None:
        self.ids = ids
        self.distribution = distribution
        self.module = module  # its top-level module, to find its metadata
        self.releases = releases  # introduced <= version < fixed ("0": every release before)
        self.what = what
        self.fix = fix  # the row of _ranges.FIXES that closes it, where that row applies
        self.remedy = remedy  # what closes it elsewhere, keeping the pins
        self.remedy_python = remedy_python  # the first Python the remedy installs on (None: any)


ADVISORIES = (
    Advisory(
        "CVE-2023-29159 / GHSA-v5gw-mw7f-84px", "starlette", "starlette", ("0.13.5", "0.27.0"),
        "StaticFiles serves a sibling of its directory whose name starts the same "
        "(/static/../static_private/key.txt)",
        "Starlette 0.27.0 or later", fix="staticfiles",
    ),
    Advisory(
        "CVE-2023-30798 / GHSA-74m5-2c7w-9w3x", "starlette", "starlette", ("0", "0.25.0"),
        "a multipart form of any number of fields or files is parsed whole (memory, CPU)",
        "Starlette 0.25.0 or later", fix="form-limits",
    ),
    Advisory(
        "CVE-2024-47874 / GHSA-f96h-pmfr-66vw", "starlette", "starlette", ("0", "0.40.0"),
        "a multipart field without a filename of any size is held in memory",
        "Starlette 0.40.0 or later", fix="form-limits",
    ),
    Advisory(
        # The advisory lists every release before 0.47.2; the write in the event loop
        # that it is about appeared in 0.13.5 (earlier releases always use the thread pool).
        "CVE-2025-54121 / GHSA-2c2j-9gv5-cj73", "starlette", "starlette", ("0.13.5", "0.47.2"),
        "an upload's rollover from memory to disk blocks the event loop",
        "Starlette 0.47.2 or later", fix="upload-rollover",
    ),
    Advisory(
        # FileResponse's Range support appeared in 0.39.0: no legacy release has it.
        "CVE-2025-62727 / GHSA-7f5h-v6xp-fcq8", "starlette", "starlette", ("0.39.0", "0.49.1"),
        "FileResponse parses a crafted Range header in quadratic time",
        "Starlette 0.49.1 or later",
    ),
    Advisory(
        "CVE-2026-48710 / GHSA-86qp-5c8j-p5mr", "starlette", "starlette", ("0", "1.0.1"),
        "a malformed Host header rewrites request.url.path (path checks in middleware bypassed)",
        "Starlette 1.0.1 or later", fix="request-url",
    ),
    Advisory(
        "CVE-2026-54282 / GHSA-jp82-jpqv-5vv3", "starlette", "starlette", ("0", "1.3.0"),
        "a request path without a leading / sets request.url.hostname",
        "Starlette 1.3.0 or later", fix="request-url",
    ),
    Advisory(
        "CVE-2026-54283 / GHSA-82w8-qh3p-5jfq", "starlette", "starlette", ("0.4.1", "1.3.1"),
        "an urlencoded form of any number or size of fields is parsed whole",
        "Starlette 1.3.1 or later", fix="form-limits",
    ),
    Advisory(
        "CVE-2021-32677 / GHSA-8h2j-cgx8-6xv7", "fastapi", "fastapi", ("0", "0.65.2"),
        "a JSON route parses a text/plain or form-encoded body as JSON (cross-site requests without a "
        "CORS preflight)",
        "FastAPI 0.65.2 or later", fix="fastapi-json",
    ),
    Advisory(
        # Also GHSA-qf9m-vfgh-m389 (FastAPI <= 0.109.0) and GHSA-93gm-qmq6-w238
        # (Starlette < 0.36.2): both only require python-multipart 0.0.7, which
        # every legacy Starlette runs with (the form tests pass on it).
        "CVE-2024-24762 / GHSA-2jv5-9r88-3w3p", "python-multipart", "python_multipart", ("0", "0.0.7"),
        "a crafted Content-Type option takes the form parser's regular expression minutes (ReDoS)",
        "python-multipart 0.0.7 or later (every legacy Starlette parses forms with it)",
        remedy_python=(3, 7),
    ),
    Advisory(
        "CVE-2024-53981 / GHSA-59g5-xgcq-4qw3", "python-multipart", "python_multipart", ("0", "0.0.18"),
        "bytes before the first boundary are logged one by one (CPU)",
        "python-multipart 0.0.18 or later (0.0.20 is the newest for Python 3.8 and 3.9)",
        remedy_python=(3, 8),
    ),
    Advisory(
        # The path is python-multipart's own File with UPLOAD_KEEP_FILENAME; Starlette
        # never uses it (it writes uploads itself): named because scanners flag it.
        "CVE-2026-24486 / GHSA-wp53-j4wj-2cfg", "python-multipart", "python_multipart", ("0", "0.0.22"),
        "a file name can leave the upload directory (python-multipart's own File with UPLOAD_KEEP_FILENAME; "
        "not a path Starlette takes)",
        "python-multipart 0.0.22 or later", remedy_python=(3, 10),
    ),
    Advisory(
        "CVE-2026-40347 / GHSA-mj87-hwqh-73pj", "python-multipart", "python_multipart", ("0", "0.0.26"),
        "a large preamble or epilogue around a multipart body is parsed byte by byte (CPU)",
        "python-multipart 0.0.26 or later", remedy_python=(3, 10),
    ),
    Advisory(
        "CVE-2026-53538 / GHSA-6jv3-5f52-599m", "python-multipart", "python_multipart", ("0", "0.0.30"),
        "an urlencoded body splits fields at ; as well as & (fields smuggled past a proxy that reads only &)",
        "python-multipart 0.0.30 or later", remedy_python=(3, 10),
    ),
    Advisory(
        "CVE-2020-7694", "uvicorn", "uvicorn", ("0", "0.11.7"),
        "the access log prints a request's escape sequences as they came (log injection)",
        "uvicorn 0.11.7 or later",
    ),
    Advisory(
        "CVE-2020-7695", "uvicorn", "uvicorn", ("0", "0.11.7"),
        "a header value with CR LF is sent as it is (response splitting)",
        "uvicorn 0.11.7 or later",
    ),
    Advisory(
        "CVE-2025-43859 / GHSA-vqfr-h8mv-ghfj", "h11", "h11", ("0", "0.16.0"),
        "a malformed chunked-encoding trailer is accepted (request smuggling behind some proxies)",
        "h11 0.16.0 or later (uvicorn 0.12 and later accept it; uvicorn 0.11.x pins h11 < 0.10)",
        remedy_python=(3, 8),
    ),
)


def found(installed_version: "Callable[..., Optional[str]]", fixes: "Dict[str, Dict[str, Any]]",
          python: "Optional[Tuple[int, ...]]" = None) -> "List[Dict[str, Any]]":
    """The advisories that reach what is installed: [{id, distribution, version, what, fixed_in,
    closed, by, remedy}]. `fixes` is the report's fix status by name (applies, installed, detail,
    switched_off)."""
    running = _running() if python is None else python
    result = []
    for a in ADVISORIES:
        text = installed_version(a.module)
        if text is None and a.module == "python_multipart":  # (before 0.0.13: only `multipart`)
            text = installed_version("multipart", "python_multipart")
        version = parse_version(text or "")
        if version is None or not _within(version, *a.releases):
            continue
        row = fixes.get(a.fix or "", {})
        # Closed where its fix is in place, or waits for its module (the application imports
        # it later): not where it applies but install() could not put it anywhere.
        closed = bool(row.get("installed")) or str(row.get("detail", "")).startswith("waiting")
        remedy = a.remedy
        if a.remedy_python is not None and running[:len(a.remedy_python)] < a.remedy_python:
            remedy += " (it needs Python {}: no release that fixes it installs on Python {})".format(
                _dotted(a.remedy_python), _dotted(running[:2]))
        if row.get("applies") and row.get("switched_off"):  # (row is {} for an advisory no fix closes)
            remedy = "switched off by {}: remove {} from it, or {}".format(DISABLE_ENV, a.fix, remedy)
        result.append({
            "id": a.ids,
            "distribution": a.distribution,
            "version": text,
            "what": a.what,
            "fixed_in": a.releases[1],
            "closed": closed,
            "by": a.fix if closed else None,
            "remedy": None if closed else remedy,
        })
    return result
