"""Mutation testing of the package with cosmic-ray (opt-in: scripts/tox -e mutation).

    python scripts/mutation.py run [GROUP ...]    # every group by default; prints the score
    python scripts/mutation.py report             # the last run's counts and survivors again
    python scripts/mutation.py test GROUP         # what cosmic-ray runs for one mutant (internal)

Each GROUP is some modules of the package and the legs whose tests reach
them (GROUPS below): a mutant of a module is killed when one of those legs'
selected tests fails. cosmic-ray mutates the files of a copy of this
checkout in place, one mutant at a time; the legs' interpreters (the tox
environments of the default run, made with `tox --notest` when missing) run
the tests with that copy first on sys.path, and so do the child processes
the tests start (fresh interpreters, servers, the report): a .pth file in
each leg puts the directory that MUTANT_ROOT names where the installed
package would be, before site-packages (not PYTHONPATH, which the tests'
own interpreters and venvs would see too).
Two copies run side by side (the machine's two cores), each taking whole
groups. Work files: .tox/mutation-work/ (each group's cosmic-ray session, the
copies, the last run's results in results.json).

Operators: cosmic-ray's core set, with each comparison replaced only by its
boundary or negation (== by !=, < by <=, in by not in, ...) and each binary
operator by one other, instead of by every other operator (a comparison
turned into `is`, or `+` into `<<`, finds nothing the boundary does not, and
would double the run). Only committed code is mutated (the copies are `git
worktree`s of HEAD): commit, then run. Legs on Python 3.14/3.15 (the sid
root) are not among them: what only they reach is listed in docs/TESTING.md.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, ".tox", "mutation-work")
# The main checkout's tox environments, for a copy whose own .tox is empty.
ENVS_VAR = "STARLETTE_ASYNCSTREAM_MUTATION_ENVS"
MUTANT_ROOT = "STARLETTE_ASYNCSTREAM_MUTANT_ROOT"
PTH = "zz_starlette_asyncstream_mutant.pth"
# Where the installed package would be found: before site-packages, after PYTHONPATH (which
# the tests use to put other copies of the package first, as users do).
PTH_LINE = ("import os, sys; r = os.environ.get({!r}); r and sys.path.insert(next((i for i, p in "
            "enumerate(sys.path) if p.endswith('-packages')), len(sys.path)), r)\n").format(MUTANT_ROOT)

UNIT_311 = "py311-unit-starlette0.13.6-wrapt2"
# group: (modules, [(leg, tests), ...]) -- the legs in the order they run; a mutant
# stops at the first that fails.
GROUPS = {
    "core": (["starlette_asyncstream/_core.py", "starlette_asyncstream/__init__.py",
              "starlette_asyncstream/_status.py", "starlette_asyncstream/_versions.py"], [
        (UNIT_311, "tests/test_api.py tests/test_streaming.py tests/test_clean.py tests/test_import.py"),
        ("py313-unit-starlette0.14.2-wrapt2", "tests/test_import.py tests/test_api.py"),
    ]),
    "table": (["starlette_asyncstream/_ranges.py", "starlette_asyncstream/_pep440.py"], [
        (UNIT_311, "tests/test_ranges.py tests/test_api.py tests/test_docs.py tests/test_import.py"),
        ("py38-unit-starlette0.12.13-wrapt1", "tests/test_ranges.py tests/test_import.py"),
    ]),
    "report": (["starlette_asyncstream/__main__.py", "starlette_asyncstream/_selftest.py"], [
        (UNIT_311, "tests/test_diagnostics.py tests/test_appcheck.py tests/test_run_command.py"),
        ("py313-unit-starlette-newest-wrapt2", "tests/test_diagnostics.py"),
    ]),
    "stack": (["starlette_asyncstream/_stack.py", "starlette_asyncstream/_security.py"], [
        (UNIT_311, "tests/test_diagnostics.py"),
    ]),
    "appcheck": (["starlette_asyncstream/_appcheck.py"], [
        (UNIT_311, "tests/test_appcheck.py"),
        ("py311-fastapi0.61.2-wrapt2", "tests/fastapi_pins/test_appcheck.py"),
    ]),
    "plugin": (["starlette_asyncstream_pytest.py"], [
        (UNIT_311, "tests/test_plugin.py"),
    ]),
    "run": (["starlette_asyncstream/_run.py", "starlette_asyncstream/_bootstrap/sitecustomize.py"], [
        (UNIT_311, "tests/test_run_command.py"),
    ]),
    "streaming": (["starlette_asyncstream/fixes/dispatch.py", "starlette_asyncstream/fixes/tasks.py",
                   "starlette_asyncstream/fixes/disconnect.py"], [
        (UNIT_311, "tests/test_streaming.py"),
        ("py38-unit-starlette0.12.13-wrapt1", "tests/test_streaming.py"),
    ]),
    "newpython": (["starlette_asyncstream/fixes/testclient.py", "starlette_asyncstream/fixes/debug_page.py",
                   "starlette_asyncstream/fixes/debug_page_type.py", "starlette_asyncstream/fixes/websocket_loop.py",
                   "starlette_asyncstream/fixes/jinja2.py", "starlette_asyncstream/fixes/multipart.py",
                   "starlette_asyncstream/fixes/gzip.py", "starlette_asyncstream/fixes/staticfiles.py",
                   "starlette_asyncstream/fixes/iscoroutinefunction.py"], [
        (UNIT_311, "tests/test_newpython.py tests/test_clean.py"),
        ("py311-clean-starlette0.13.4-wrapt2", ""),
        ("py313-clean-starlette0.38.2-wrapt2", ""),
        ("py312-clean-starlette0.41.0-wrapt2", ""),
    ]),
    "security": (["starlette_asyncstream/fixes/request_url.py", "starlette_asyncstream/fixes/form_limits.py",
                  "starlette_asyncstream/fixes/upload_rollover.py"], [
        (UNIT_311, "tests/test_security.py"),
        ("py311-unit-starlette0.12.0b3-wrapt2", "tests/test_security.py"),
    ]),
    "sse": (["starlette_asyncstream/fixes/sse_dispatch.py", "starlette_asyncstream/fixes/sse_tasks.py",
             "starlette_asyncstream/fixes/sse_disconnect.py"], [
        ("py311-sse0.6.2-starlette0.13.2-wrapt2", ""),
        ("py311-sse0.4.0-starlette0.12.13-wrapt2", ""),
    ]),
    "fastapi": (["starlette_asyncstream/fixes/fastapi_json.py", "starlette_asyncstream/fixes/fastapi_uploads.py",
                 "starlette_asyncstream/fixes/fastapi_multipart.py",
                 "starlette_asyncstream/fixes/fastapi_body_errors.py",
                 "starlette_asyncstream/fixes/fastapi_iscoroutinefunction.py"], [
        ("py311-fastapi0.61.2-wrapt2", "tests/fastapi_pins/test_fastapi.py tests/fastapi_pins/test_form_limits.py "
                                       "tests/fastapi_pins/test_json_content_type.py "
                                       "tests/fastapi_pins/test_strict_app.py"),
    ]),
}
# How the suites of tox.ini run a leg's tests when the group names none (its suite's own directory).
SUITE_TESTS = {"clean": "tests/test_clean.py tests/test_api.py", "sse": "tests/sse"}

KEEP_COMPARISONS = {"Eq_NotEq", "NotEq_Eq", "Lt_LtE", "LtE_Lt", "Gt_GtE", "GtE_Gt", "Is_IsNot", "IsNot_Is",
                    "In_NotIn", "NotIn_In"}
KEEP_BINARY = {"Add_Sub", "Sub_Add", "Mul_Div", "Div_Mul", "FloorDiv_Mul", "Mod_FloorDiv", "Pow_Mul",
               "BitOr_BitAnd", "BitAnd_BitOr", "BitXor_BitOr", "LShift_RShift", "RShift_LShift"}
TIMEOUT = 240.0  # seconds a mutant's legs may take; more is a hang the mutant caused (counted as killed)


def envs_root():
    return os.environ.get(ENVS_VAR) or os.path.join(ROOT, ".tox")


def leg_tests(leg, tests):
    if tests:
        return tests.split()
    suite = leg.split("-")[1]
    return SUITE_TESTS["sse" if suite.startswith("sse") else suite].split()


def test(group):
    """One mutant: the group's legs in order, each with the copy first on sys.path; exit 1 at the first failure."""
    env = dict(os.environ)
    env.pop("STARLETTE_ASYNCSTREAM_DISABLE", None)
    env[MUTANT_ROOT] = ROOT  # this copy, mutated (read by the legs' PTH)
    for leg, tests in GROUPS[group][1]:
        python = os.path.join(envs_root(), leg, "bin", "python")
        proc = subprocess.run([python, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--timeout", "120"]
                              + leg_tests(leg, tests), cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if proc.returncode != 0:
            return 1
    return 0


def _tool(name):
    return os.path.join(os.path.dirname(sys.executable), name)


def _sh(argv, **kwargs):
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, **kwargs)
    if proc.returncode != 0:
        raise SystemExit("scripts/mutation.py: {} failed:\n{}".format(" ".join(argv), proc.stdout[-4000:]))
    return proc.stdout


def _config(group, path):
    modules, _ = GROUPS[group]
    excluded = ["core/ReplaceComparisonOperator_(?!({})$)".format("|".join(sorted(KEEP_COMPARISONS))),
                "core/ReplaceBinaryOperator_(?!({})$)".format("|".join(sorted(KEEP_BINARY)))]
    with open(path, "w") as f:
        f.write("[cosmic-ray]\n")
        f.write("module-path = {}\n".format(json.dumps(modules)))
        f.write("timeout = {}\n".format(TIMEOUT))
        f.write("excluded-modules = []\n")
        f.write("test-command = {}\n".format(json.dumps("{} scripts/mutation.py test {}".format(sys.executable,
                                                                                                 group))))
        f.write("[cosmic-ray.distributor]\nname = \"local\"\n")
        f.write("[cosmic-ray.filters.operators-filter]\nexclude-operators = {}\n".format(json.dumps(excluded)))


def _copy(index):
    """A worktree of HEAD under .tox/mutation (fresh each run)."""
    path = os.path.join(WORK, "copy-{}".format(index))
    if os.path.exists(path):
        subprocess.run(["git", "worktree", "remove", "--force", path], cwd=ROOT, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        shutil.rmtree(path, ignore_errors=True)
    _sh(["git", "worktree", "add", "--detach", path, "HEAD"], cwd=ROOT)
    return path


def _counts(session):
    """{outcome: count} and the survivors of one session database."""
    db = sqlite3.connect(session)
    counts, survivors = {}, []
    rows = db.execute(
        "SELECT r.worker_outcome, r.test_outcome, r.output, m.module_path, m.operator_name, m.occurrence, "
        "m.start_pos_row, r.diff FROM work_results r JOIN mutation_specs m ON m.job_id = r.job_id").fetchall()
    for worker, outcome, output, module, operator, occurrence, row, diff in rows:
        worker, outcome = (worker or "").lower(), (outcome or "").lower()
        if worker == "skipped":
            key = "skipped"
        elif outcome == "killed" and output == "timeout":
            key = "timeout"
        elif outcome in ("killed", "survived"):
            key = outcome
        else:
            key = "incompetent"
        counts[key] = counts.get(key, 0) + 1
        if key == "survived":
            survivors.append({"module": module, "line": row, "operator": operator, "occurrence": occurrence,
                              "diff": diff})
    total = db.execute("SELECT COUNT(*) FROM mutation_specs").fetchone()[0]
    counts["pending"] = total - len(rows)
    return counts, survivors


def _run_group(group, copy, results):
    session = os.path.join(WORK, group + ".sqlite")
    config = os.path.join(WORK, group + ".toml")
    if os.path.exists(session):
        os.remove(session)
    _config(group, config)
    env = dict(os.environ, **{ENVS_VAR: os.path.join(ROOT, ".tox")})
    started = time.monotonic()
    _sh([_tool("cosmic-ray"), "init", config, session], cwd=copy, env=env)
    _sh([_tool("cr-filter-operators"), session, config], cwd=copy, env=env)
    _sh([_tool("cr-filter-pragma"), session], cwd=copy, env=env)
    baseline = subprocess.run([sys.executable, "scripts/mutation.py", "test", group], cwd=copy,
                              env=dict(env, PYTHONDONTWRITEBYTECODE="1"))
    if baseline.returncode != 0:
        results[group] = {"error": "the unmutated code fails its own tests: fix that first"}
        return
    _sh([_tool("cosmic-ray"), "exec", config, session], cwd=copy, env=env)
    counts, survivors = _counts(session)
    results[group] = {"counts": counts, "survivors": survivors, "seconds": round(time.monotonic() - started)}
    print("scripts/mutation.py: {} done in {} s: {}".format(group, results[group]["seconds"], counts), flush=True)


def _ensure_legs(groups):
    """The groups' legs exist, with this checkout's package (and its plugin entry point) installed."""
    legs = sorted({leg for group in groups for leg, _ in GROUPS[group][1]})
    missing = [leg for leg in legs if not os.path.exists(os.path.join(ROOT, ".tox", leg, "bin", "python"))]
    if missing:
        _sh([os.path.join(ROOT, "scripts", "tox"), "run", "--notest", "-e", ",".join(missing)], cwd=ROOT)
    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    from envs import package_wheel

    wheel = package_wheel()
    for leg in legs:
        python = os.path.join(ROOT, ".tox", leg, "bin", "python")
        _sh([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
             "--force-reinstall", wheel])
        with open(_pth(leg), "w") as f:
            f.write(PTH_LINE)
    return legs


def _remove_pth(legs):
    for leg in legs:
        path = _pth(leg)
        if os.path.exists(path):
            os.remove(path)


def _pth(leg):
    """Where a leg's PTH lives: its site-packages."""
    python = os.path.join(ROOT, ".tox", leg, "bin", "python")
    return os.path.join(_sh([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).strip(), PTH)


def run(groups):
    os.makedirs(WORK, exist_ok=True)
    legs = _ensure_legs(groups)
    # The biggest groups first, shared out over the copies as they free up.
    order = sorted(groups, key=lambda g: -len(GROUPS[g][0]) * len(GROUPS[g][1]))
    results = {}
    queue = list(order)
    lock = threading.Lock()

    def worker(copy):
        while True:
            with lock:
                if not queue:
                    return
                group = queue.pop(0)
            _run_group(group, copy, results)

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(_copy(i),)) for i in range(min(2, len(order)))]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        _remove_pth(legs)
    head = _sh(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT).strip()
    summary = {"date": time.strftime("%Y-%m-%d"), "head": head, "seconds": round(time.monotonic() - started),
               "groups": results}
    with open(os.path.join(WORK, "results.json"), "w") as f:
        json.dump(summary, f, indent=1)
    return report(summary)


def report(summary=None):
    if summary is None:
        # The sessions as they are now (a run stopped part way counts what it did: "pending" says the rest).
        groups = {}
        for group in GROUPS:
            session = os.path.join(WORK, group + ".sqlite")
            if os.path.exists(session):
                counts, survivors = _counts(session)
                groups[group] = {"counts": counts, "survivors": survivors}
        stamp = os.path.getmtime(os.path.join(WORK)) if os.path.isdir(WORK) else time.time()
        summary = {"date": time.strftime("%Y-%m-%d", time.localtime(stamp)), "head": "as run", "seconds": 0,
                   "groups": groups}
    total = {}
    for group, result in sorted(summary["groups"].items()):
        if "error" in result:
            print("{:<10} {}".format(group, result["error"]))
            continue
        for key, value in result["counts"].items():
            total[key] = total.get(key, 0) + value
        print("{:<10} {}".format(group, ", ".join("{} {}".format(k, v) for k, v in sorted(result["counts"].items()))))
        for s in result["survivors"]:
            print("  survived: {}:{} {} #{}".format(s["module"], s["line"], s["operator"], s["occurrence"]))
    tested = sum(total.get(k, 0) for k in ("killed", "survived", "timeout"))
    killed = total.get("killed", 0) + total.get("timeout", 0)
    print("mutation {} (HEAD {}), {} s: killed {}, survived {}, timeout {}, incompetent {}, skipped by filter {}, "
          "pending {}; killed {:.1f} % of {} tested".format(
              summary["date"], summary["head"], summary["seconds"], total.get("killed", 0), total.get("survived", 0),
              total.get("timeout", 0), total.get("incompetent", 0), total.get("skipped", 0), total.get("pending", 0),
              100.0 * killed / tested if tested else 0.0, tested))
    return 0 if not any("error" in r for r in summary["groups"].values()) else 1


def main(argv):
    if argv[:1] == ["test"] and len(argv) == 2 and argv[1] in GROUPS:
        return test(argv[1])
    if argv[:1] == ["run"]:
        unknown = [g for g in argv[1:] if g not in GROUPS]
        if unknown:
            print("scripts/mutation.py: no group {}; groups: {}".format(", ".join(unknown), ", ".join(GROUPS)),
                  file=sys.stderr)
            return 2
        return run(argv[1:] or list(GROUPS))
    if argv == ["report"]:
        return report()
    print(__doc__.strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
