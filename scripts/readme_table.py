"""Rewrite the generated tables in README.md and docs/.

- README.md: the fixes table, from the range table (starlette_asyncstream/_ranges.py);
- docs/compatibility.md: the per-release tables, from the range table and the
  last sweep's results (docs/sweep.json, written by `scripts/tox -e sweep`);
- docs/TESTING.md: the benchmark table, from the last benchmark
  (docs/bench.json, written by `scripts/tox -e bench`).

    python scripts/readme_table.py          # rewrite them in place
    python scripts/readme_table.py --check  # exit 1 if one is stale
"""

import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from starlette_asyncstream._ranges import FIXES, markdown_table  # noqa: E402
from starlette_asyncstream._pep440 import parse_version  # noqa: E402
from starlette_asyncstream._selftest import CHECKS, STOPPED  # noqa: E402

SWEEP = os.path.join(ROOT, "docs", "sweep.json")
# the self-test's checks, in its order, then the sweep's TestClient and debug-page probes
KINDS = tuple(name for name, _ in CHECKS) + ("testclient lifespan", "debug page")


def short(outcome):
    """A probe outcome as a table cell."""
    if outcome == STOPPED:
        return "stops"
    if outcome.startswith("keeps streaming"):
        return "keeps streaming"
    if outcome == "absent":
        return "-"
    if outcome == "page with the error":
        return "ok"
    if outcome.endswith("bytes without it"):
        return "empty page"
    if outcome == "ok" or outcome.startswith("body "):
        return "ok" if outcome in ("ok", "body b'alpha beta gamma'") else outcome
    kind, _, message = outcome.partition(": ")
    if "is not an iterator" in message:
        message = "not an iterator"
    elif "Passing coroutines is forbidden" in message:
        message = "passing coroutines is forbidden"
    elif "'async for' requires" in message:
        message = "'async for' on a sync generator"
    elif "There is no current event loop" in message:
        message = "no current event loop"
    return "{}: {}".format(kind, message[:48])


def strict(probes):
    """The strict-suite probes (-W error) as one cell: those that are not clean, or "clean"."""
    if probes is None:
        return "-"
    bad = ["{} ({})".format(name, short_strict(outcome)) for name, outcome in sorted(probes.items()) if outcome != "ok"]
    return ", ".join(bad) or "clean"


def short_strict(outcome):
    for needle, said in (("contextfunction", "contextfunction"), ("python_multipart", "import multipart"),
                         ("I/O operation on closed file", "GzipFile finalizer"), ("GzipFiles open", "GzipFile open"),
                         ("unclosed GzipFile", "unclosed GzipFile"), ("exc_type", "exc_type"),
                         ("exc_traceback", "exc_traceback"), ("sibling", "CVE-2023-29159"),
                         ("its own file answers", "its own files fail"),
                         ("iscoroutinefunction", "asyncio.iscoroutinefunction")):
        if needle in outcome:
            return said
    return outcome[:40]


def outcomes(results, warnings=()):
    cells = [short(results[k]) for k in KINDS if k in results]  # sse rows have no disconnect check
    if warnings:
        cells[1] += " + DeprecationWarning"
    return " / ".join(cells)


def sweep_table():
    with open(SWEEP, encoding="utf-8") as f:
        sweep = json.load(f)

    def pykey(py):
        return tuple(map(int, py.split(".")))

    pythons = sorted(sweep["pythons"], key=pykey)
    lines = [
        "Measured by `scripts/tox -e sweep` and `-e sweep-newest` (3.14, 3.15) on {} with CPython {}. "
        "Each cell: custom async iterator / async generator / sync generator; Starlette rows add an "
        "endless stream whose client leaves after five chunks, `with TestClient(app)` with no event "
        "loop set (asyncio's DeprecationWarning as an error; - where requests is missing), and the `debug=True` error "
        "page. The strict-suite column runs tests/programs/clean_app.py's probes under `-W error` and names those "
        "that are not clean (from 0.12.0b3, the oldest release the package supports).".format(
            sweep["date"], ", ".join(sweep["pythons"][p] for p in pythons)),
    ]
    for sse in (False, True):
        rows = [r for r in sweep["rows"] if bool(r["sse"]) == sse]
        rows.sort(key=lambda r: (pykey(r["python"]), parse_version(r["starlette"]), parse_version(r["sse"] or "0")))
        # Consecutive releases with the same Python and the same outcomes share a row.
        groups = []
        for r in rows:
            versions = {"starlette": parse_version(r["starlette"]), "sse-starlette": parse_version(r["sse"] or "")}
            versions.update((name, parse_version(text)) for name, text in r.get("versions", {}).items() if text)
            python = tuple(map(int, sweep["pythons"][r["python"]].split(".")))  # the row's own, e.g. 3.8.18
            fixes = [f.name for f in FIXES if f.applies(versions, python=python)]
            if sorted(fixes) != sorted(r["fixes"]):
                raise SystemExit("docs/sweep.json disagrees with the range table for {}".format(r))
            cells = (
                r["python"],
                r["starlette"] if sse else None,
                ", ".join(fixes) or "none",
                outcomes(r["unpatched"], r["unpatched_warnings"]),
                outcomes(r["patched"]),
                strict(r.get("strict", {}).get("unpatched")) + " / " + strict(r.get("strict", {}).get("patched")),
                "ok" if not r["problems"] else "MISMATCH",
            )
            release = r["sse"] if sse else r["starlette"]
            if groups and groups[-1][1] == cells:
                groups[-1][0].append(release)
            else:
                groups.append(([release], cells))
        lines.append("")
        if sse:
            lines.append("sse-starlette's `EventSourceResponse`:")
            lines.append("")
            lines.append("| sse-starlette | Starlette | Python | fixes installed | without the package "
                         "| with the package | table agrees |")
            lines.append("| --- | --- | --- | --- | --- | --- | --- |")
        else:
            lines.append("| Starlette | Python | fixes installed | without the package | with the package "
                         "| strict suite without / with | table agrees |")
            lines.append("| --- | --- | --- | --- | --- | --- | --- |")
        for releases, (py, starlette, fixes, before, after, probes, verdict) in groups:
            head = ", ".join(releases) + (" | " + starlette if sse else "")
            middle = [before, after] if sse else [before, after, probes]
            lines.append("| {} | {} | {} | {} | {} |".format(head, py, fixes, " | ".join(middle), verdict))
    return "\n".join(lines)


def bench_table():
    with open(os.path.join(ROOT, "docs", "bench.json"), encoding="utf-8") as f:
        bench = json.load(f)
    lines = [
        "Measured by `scripts/tox -e bench` on {} with CPython {} on {}, {} rounds.".format(
            bench["date"], bench["python"], bench["machine"], bench["rounds"]),
        "",
        "| measurement | ratio | target |",
        "| --- | --- | --- |",
    ]
    for row in bench["rows"]:
        lines.append("| {} | {:.3f} | {} {} |".format(row["name"], row["ratio"], row["op"], row["target"]))
    lines.append("| wrapt imported by the package on 0.14.2 (Python 3.11, 3.13) | {} | no |".format(
        "yes" if bench["wrapt_imported_on_fixed"] else "no"))
    newest = bench.get("newest")
    if newest:
        lines += ["", "Measured by `scripts/tox -e bench-newest` on {} with CPython {}, {} rounds.".format(
            newest["date"], " and ".join(newest["pythons"][py] for py in sorted(newest["pythons"])),
            newest["rounds"]), "", "| measurement | ratio | target |", "| --- | --- | --- |"]
        for row in newest["rows"]:
            lines.append("| {} | {:.3f} | {} {} |".format(row["name"], row["ratio"], row["op"], row["target"]))
    return "\n".join(lines)


# block name -> (the file it lives in, what makes it)
BLOCKS = {
    "ranges": ("README.md", markdown_table),
    "sweep": (os.path.join("docs", "compatibility.md"), sweep_table),
    "bench": (os.path.join("docs", "TESTING.md"), bench_table),
}


def rendered(name, text):
    path, make = BLOCKS[name]
    start = "<!-- {}:start (generated by scripts/readme_table.py) -->".format(name)
    end = "<!-- {}:end -->".format(name)
    block = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if not block.search(text):
        raise SystemExit("{} has no {} ... {} block".format(path, start, end))
    made = start + "\n" + make() + "\n" + end
    return block.sub(lambda _: made, text)


def main():
    stale = []
    for name, (path, _) in BLOCKS.items():
        full = os.path.join(ROOT, path)
        with open(full, encoding="utf-8") as f:
            current = f.read()
        wanted = rendered(name, current)
        if wanted == current:
            continue
        if "--check" in sys.argv[1:]:
            stale.append(path)
            continue
        with open(full, "w", encoding="utf-8") as f:
            f.write(wanted)
    if stale:
        print("generated tables are stale in {}: run python scripts/readme_table.py".format(", ".join(stale)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
