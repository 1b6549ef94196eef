"""The release sweep: does the range table match what every release really does?

For every Starlette release on the package index from 0.11.4 to the newest
0.14.x, plus the newest release overall (pre-releases included), on a Python
that release supports, it streams a custom async iterator, an async generator
and a sync generator through a real StreamingResponse twice, in fresh
interpreters: without the package's fixes (STARLETTE_ASYNCSTREAM_DISABLE=1)
and with them (the plain import). Then it checks the range table:

- outside every range: nothing is installed, wrapt is not imported, the
  custom iterator and the async generator stream unpatched, and the patched
  outcomes are the unpatched ones;
- inside a range: the bug really is there unpatched (the custom iterator
  fails for `dispatch`; for `tasks` the async generator fails on Python 3.11+
  and warns on 3.9/3.10), exactly the fixes of the table are installed, and
  every probe streams with them.

A release where reality and the table disagree makes the sweep exit 1.

    python scripts/sweep.py                       # every release (tox -e sweep)
    python scripts/sweep.py --boundaries          # the reduced CI leg
    python scripts/sweep.py --write docs/sweep.json   # keep the results (README table)

It needs the Pythons it uses on PATH (scripts/tox puts pyenv's there) and the
package index. Work files go to .tox/envs/ (see envs.py).
"""

import argparse
import concurrent.futures
import json
import os
import re
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from envs import WORK, base_venv, env_with, sh, starlette_dir  # noqa: E402
from starlette_asyncstream._ranges import FIXES  # noqa: E402
from starlette_asyncstream._version import parse_version  # noqa: E402

OLDEST = "0.11.4"
# The release on each side of every boundary of the table.
BOUNDARIES = ["0.12.0b2", "0.12.0b3", "0.13.2", "0.13.3", "0.13.8", "0.14.0"]
LEGACY_PYTHON = "3.8"  # runs every release from 0.11.4 to 0.14.x
NEWEST_PYTHON = "3.13"
# Where the tasks bug changes with the Python: silent, warning, TypeError.
TASKS_PYTHONS = ["3.9", "3.10", "3.11", "3.13"]

PROBE = r"""
import json, sys, warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import starlette, starlette_asyncstream as sa
    from starlette_asyncstream import _selftest
    installed = sorted(n for n, s in sa.status().items() if s.installed)
    wrapt_loaded = "wrapt" in sys.modules
    results = _selftest.run_all()
print(json.dumps({
    "version": starlette.__version__,
    "file": starlette.__file__,
    "installed": installed,
    "wrapt_loaded": wrapt_loaded,
    "results": {k: v["outcome"] for k, v in results.items()},
    "ok": {k: v["ok"] for k, v in results.items()},
    "warnings": sorted({"%s: %s" % (w.category.__name__, w.message) for w in caught
                        if issubclass(w.category, DeprecationWarning) and "asyncio.wait" in str(w.message)}),
}))
"""


def log(message):
    print(message, flush=True)


def index_releases(python):
    """Every starlette release the index offers, pre-releases included."""
    out = sh([python, "-m", "pip", "index", "versions", "--pre", "starlette", "--disable-pip-version-check"])
    match = re.search(r"Available versions: (.*)", out)
    if not match:
        raise RuntimeError("cannot read the release list:\n" + out)
    return [v.strip() for v in match.group(1).split(",")]


def plan(releases, boundaries_only):
    """[(release, python)] to probe."""
    key = parse_version
    if boundaries_only:
        chosen = BOUNDARIES
    else:
        newest_014 = max((r for r in releases if key(r) < key("0.15")), key=key)
        chosen = [r for r in releases if key(OLDEST) <= key(r) <= key(newest_014)]
        chosen.append(max(releases, key=key))
    chosen = sorted(set(chosen), key=key)
    tasks = next(f for f in FIXES if f.name == "tasks")
    # The releases on either side of the tasks range run on every Python too.
    just_before = max((r for r in releases if key(r) < key(tasks.introduced)), key=key)
    rows = []
    for release in chosen:
        legacy = key(release) < key("0.15")
        rows.append((release, LEGACY_PYTHON if legacy else NEWEST_PYTHON))
        if tasks.contains(key(release)) or release in (just_before, tasks.fixed):
            rows.extend((release, py) for py in TASKS_PYTHONS)
    return rows


def probe(python, target, patched):
    out = sh([python, "-c", PROBE], env=env_with(target, disabled=not patched), timeout=120)
    return json.loads(out.strip().splitlines()[-1])


def judge(release, py, unpatched, patched):
    """Problems where reality and the table disagree ([] when they agree)."""
    problems = []
    pyv = tuple(int(x) for x in py.split("."))
    expected = sorted(f.name for f in FIXES if f.contains(parse_version(release)))
    for run in (unpatched, patched):
        if parse_version(run["version"]) != parse_version(release):
            problems.append("probed starlette {} instead of {}".format(run["version"], release))
    if unpatched["installed"]:
        problems.append("the opt-out run installed {}".format(unpatched["installed"]))
    if patched["installed"] != expected:
        problems.append("installed {} where the table says {}".format(patched["installed"], expected))
    custom, agen = "custom async iterator", "async generator"
    if not expected:
        if patched["wrapt_loaded"]:
            problems.append("wrapt imported on a release outside every range")
        if patched["results"] != unpatched["results"]:
            problems.append("outcomes changed on a release outside every range")
        for kind in (custom, agen):
            if not unpatched["ok"][kind]:
                problems.append("{} fails unpatched outside every range: {}".format(kind, unpatched["results"][kind]))
    else:
        for kind, ok in patched["ok"].items():
            if not ok:
                problems.append("{} fails with the fixes: {}".format(kind, patched["results"][kind]))
    if "dispatch" in expected and unpatched["ok"][custom]:
        problems.append("the dispatch range includes it, but the custom iterator streams unpatched")
    if "tasks" in expected:
        if pyv >= (3, 11) and "Passing coroutines" not in unpatched["results"][agen]:
            problems.append("the tasks range includes it, but Python {} does not fail unpatched".format(py))
        if (3, 9) <= pyv < (3, 11) and not unpatched["warnings"]:
            problems.append("no asyncio.wait DeprecationWarning unpatched on Python {}".format(py))
        if patched["warnings"]:
            problems.append("the asyncio.wait DeprecationWarning remains with the fixes")
    return expected, problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--boundaries", action="store_true", help="only " + ", ".join(BOUNDARIES))
    parser.add_argument("--write", metavar="JSON", help="write the results there (docs/sweep.json)")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()

    started = time.time()
    os.makedirs(WORK, exist_ok=True)
    newest_python = base_venv(NEWEST_PYTHON)
    releases = index_releases(newest_python)
    rows = plan(releases, args.boundaries)
    pythons = sorted({py for _, py in rows} | {NEWEST_PYTHON}, key=lambda p: tuple(map(int, p.split("."))))
    log("sweep: {} releases, {} probes, Pythons {}".format(len({r for r, _ in rows}), len(rows), ", ".join(pythons)))
    venvs = {NEWEST_PYTHON: newest_python}
    venvs.update((py, base_venv(py)) for py in pythons if py not in venvs)
    # Each release is installed once, by the first Python of its rows.
    installer = {}
    for release, py in rows:
        installer.setdefault(release, venvs[py])
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs) * 2) as pool:
        targets = {r: pool.submit(starlette_dir, r, py) for r, py in installer.items()}
        targets = {r: future.result() for r, future in targets.items()}

    def one(row):
        release, py = row
        python, target = venvs[py], targets[release]
        unpatched, patched = probe(python, target, False), probe(python, target, True)
        expected, problems = judge(release, py, unpatched, patched)
        return {
            "release": release,
            "python": py,
            "fixes": expected,
            "unpatched": unpatched["results"],
            "patched": patched["results"],
            "unpatched_warnings": unpatched["warnings"],
            "problems": problems,
        }

    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        results = list(pool.map(one, rows))

    bad = [r for r in results if r["problems"]]
    for r in results:
        verdict = "ok" if not r["problems"] else "MISMATCH: " + "; ".join(r["problems"])
        log("  {:<9} py{:<5} fixes={:<16} {}".format(r["release"], r["python"], ",".join(r["fixes"]) or "-", verdict))
    log("sweep: {} probes, {} agree with the range table, {} disagree ({:.0f}s)".format(
        len(results), len(results) - len(bad), len(bad), time.time() - started))
    if args.write:
        pythons_full = {
            py: sh([venvs[py], "-c", "import platform; print(platform.python_version())"]).strip() for py in venvs
        }
        with open(args.write, "w", encoding="utf-8") as f:
            json.dump({"date": time.strftime("%Y-%m-%d"), "pythons": pythons_full, "rows": results},
                      f, indent=1, sort_keys=True)
            f.write("\n")
        log("sweep: results written to {}".format(args.write))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
