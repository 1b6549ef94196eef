"""``python -m starlette_asyncstream``: is this environment affected, is the fix active?

``python -m starlette_asyncstream run <command> [args...]`` starts a command
with the fixes installed in every Python process it starts (see ``_run``).
"""

import argparse
import json
import os
import sys
from typing import Any, Dict, List, Optional

from . import DISABLE_ENV, FIX_NAMES, __version__, install, status, uninstall
from ._core import switched_off as _switched_off
from ._versions import installed_version as _installed_version


# Exit statuses of the report (also in --help and the README).
OK, FAILS, USAGE, NOTHING_TO_CHECK, ADVISORY_OPEN = 0, 1, 2, 3, 4


def collect() -> Dict[str, Any]:
    """Everything the report shows, as plain data (the --json output).

    Never raises for a broken install: what is missing becomes a sentence
    in "problems", and "exit" says how it ended (see the constants above).
    """
    import warnings

    from . import _security, _selftest
    from ._stack import found

    try:
        import starlette

        starlette_info: Dict[str, Optional[str]] = {
            "version": str(getattr(starlette, "__version__", "")),
            "path": os.path.dirname(starlette.__file__),
        }
    except ImportError:
        starlette_info = {"version": None, "path": None}

    at_import = status()
    off = _switched_off()[0]
    problems: List[str] = []

    def version(module_name: str, metadata_name: Optional[str] = None) -> Optional[str]:
        try:
            return _installed_version(module_name, metadata_name)
        except Exception as exc:  # a finder on sys.meta_path that raises (a broken shim): said once, read as absent
            text = "cannot read {}'s version: a finder on sys.meta_path raised {}: {}".format(
                module_name, type(exc).__name__, exc)
            if text not in problems:
                problems.append(text)
            return None

    report: Dict[str, Any] = {
        "package": __version__,
        "python": "{} ({})".format(sys.version.split()[0], sys.executable),
        "starlette": starlette_info,
        "wrapt": version("wrapt"),
        "opted_out": off == frozenset(FIX_NAMES),
        "switched_off": [name for name in FIX_NAMES if name in off],
        "fixes": [dict(s._asdict()) for s in at_import.values()],
        "self_test": {},
        "problems": problems,
        # what breaks in this pinned stack that the package does not fix
        "stack": found(version),
    }
    advisories = _security.found(version, {f["name"]: f for f in report["fixes"]})
    report["security"] = {
        "checked": _security.CHECKED,
        "advisories": advisories,
        "open": sum(not a["closed"] for a in advisories),
    }
    if starlette_info["version"] is None:
        report["problems"].append(
            "Starlette is not installed in this Python ({}): there is nothing to check".format(sys.executable))
        report["ok"], report["exit"] = False, NOTHING_TO_CHECK
        return report

    blocking = [b for b in report["stack"] if b["breaks_streaming"]]
    if blocking:
        # starlette.responses itself cannot be imported: no self-test to run.
        problems.extend("{}; fix: {}".format(b["what"], b["remedy"]) for b in blocking)
        report["ok"], report["exit"] = False, FAILS
        return report
    try:
        import starlette.responses  # noqa: F401  (what every check streams through)
    except Exception as exc:  # not a row of the stack table: an aiofiles without metadata, a broken install
        problems.append("starlette.responses cannot be imported ({}: {}): the self-test cannot run".format(
            type(exc).__name__, exc))
        report["ok"], report["exit"] = False, FAILS
        return report

    # Installed, or waiting for their module (the application imports it later: --app).
    was_installed = [name for name, s in at_import.items() if s.installed or s.detail.startswith("waiting")]

    def quietly(action: Any, *names: str) -> None:
        # What install() warns about (no wrapt, an odd layout) is reported
        # under "problems", once; what the self-test's streams warn is not ours.
        texts = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                action(*names)
            except Exception as exc:  # a finder that raises while versions are read (the import warned it)
                texts.append("{}() failed ({}: {})".format(action.__name__, type(exc).__name__, exc))
        prefix = "starlette_asyncstream: "
        texts[:0] = [str(w.message).replace(prefix, "", 1) for w in caught]  # pragma: no mutate (once)
        for text in texts:
            if text not in problems:
                problems.append(text)

    try:
        quietly(uninstall)
        report["self_test"]["without_fix"] = _selftest.run_all()
        quietly(install)
        report["self_test"]["with_fix"] = _selftest.run_all()
    finally:  # leave every fix as the report found it
        quietly(uninstall)
        if was_installed:
            quietly(install, *was_installed)
    report["ok"] = all(r["ok"] for r in report["self_test"]["with_fix"].values())
    report["exit"] = OK if report["ok"] else FAILS
    return report


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def render(report: Dict[str, Any]) -> str:
    lines: List[str] = []
    add = lines.append
    add("starlette-asyncstream {}".format(report["package"]))
    add("  Python     {}".format(report["python"]))
    st = report["starlette"]
    where = "not installed" if st["version"] is None else "{} ({})".format(st["version"], st["path"])
    add("  Starlette  {}".format(where))
    add("  wrapt      {}".format(report["wrapt"] or "not installed"))
    if report["switched_off"]:
        add("  {}={}: the import left {} off".format(
            DISABLE_ENV, os.environ.get(DISABLE_ENV, ""),
            "every fix" if report["opted_out"] else ", ".join(report["switched_off"])))
    add("")
    add("Fixes")
    for fix in report["fixes"]:
        add("  {name}: applies {a}, installed {i}, needed on this Python {n}".format(
            name=fix["name"], a=_yes(fix["applies"]), i=_yes(fix["installed"]), n=_yes(fix["needed_here"])))
        add("    range     {}".format(fix["affected"]))
        add("    upstream  {}".format(fix["upstream"]))
        add("    now       {}".format(fix["detail"]))
    for phase, title in (("without_fix", "Self-test without the fix"), ("with_fix", "Self-test with the fix")):
        results = report["self_test"].get(phase)
        if results is not None:
            add("")
            add(title)
            for name, result in results.items():
                add("  {:<22} {}  {}".format(name, "ok  " if result["ok"] else "FAIL", result["outcome"]))
    if report.get("stack"):
        add("")
        add("Not fixed by this package (this stack on this Python)")
        for breakage in report["stack"]:
            add("  {}".format(breakage["what"]))
            add("    fix: {}".format(breakage["remedy"]))
    security = report.get("security")
    if security is not None:
        add("")
        add("Security (published advisories, table checked {})".format(security["checked"]))
        if not security["advisories"]:
            add("  none reaches the installed releases")
        for advisory in security["advisories"]:
            add("  {} ({} {}): {}".format(advisory["id"], advisory["distribution"], advisory["version"],
                                          advisory["what"]))
            if advisory["closed"]:
                add("    closed by this import (fix {}), as {} {} answers".format(
                    advisory["by"], advisory["distribution"], advisory["fixed_in"]))
            else:
                add("    OPEN; fix: {}".format(advisory["remedy"]))
    if "app" in report:
        from . import _appcheck

        add("")
        lines.extend(_appcheck.render(report["app"]))
    if report["problems"]:
        add("")
        add("Problems")
        for problem in report["problems"]:
            add("  " + problem)
    add("")
    if report["exit"] == OK:
        add("Result: streaming works in this environment with starlette-asyncstream.")
    elif report["exit"] == ADVISORY_OPEN:
        count = report["security"]["open"]
        add("Result: streaming works here, but {} published {} open (--fail-on-advisory; see Security)."
            .format(count, "advisory stays" if count == 1 else "advisories stay"))
    elif report["exit"] == NOTHING_TO_CHECK:
        add("Result: nothing was checked: {}.".format(report["problems"][0]))
    elif report["exit"] == USAGE:
        # (a usage error has one problem: why the application could not be loaded)
        add("Result: the application was not checked: {}.".format(report["app"]["problems"][0]))  # pragma: no mutate
    elif report.get("app_fails"):
        count = report["app_unreached"]
        add("Result: the application holds {} {} that the import cannot reach (see Application).".format(
            count, "place" if count == 1 else "places"))
    elif report["problems"]:
        add("Result: streaming FAILS here: {}.".format(report["problems"][0]))
    else:
        add("Result: streaming FAILS here: the self-test failed with the fix in place (see above).")
    return "\n".join(lines)


RUN_HELP = """usage: python -m starlette_asyncstream run <command> [args...]

Start <command> with the fixes installed before any application code is
imported, in it and in every Python process it starts (uvicorn --workers and
--reload, gunicorn workers, with or without --preload). The application
needs no import of starlette_asyncstream.

  starlette-asyncstream run uvicorn app:app --workers 2
  starlette-asyncstream run gunicorn -k uvicorn.workers.UvicornWorker app:app

<command> can be anything that exists (a Python interpreter, a console
script, a pyenv or asdf shim, a shell wrapper, make): the fixes reach every
Python process started below it through PYTHONPATH, which run extends (your
own entries, empty ones included, are kept, and so is a sitecustomize you
already have). A Python started with -I or -E ignores PYTHONPATH, and one
started with -S skips sitecustomize: there the fixes do not load, and run
says so on stderr when the command line shows it.

Exit status: the command's own; 2 when there is no command, or it is not
found or not executable.
"""


def main(argv: Optional[List[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["run"]:
        if argv[1:2] in (["-h"], ["--help"]):
            print(RUN_HELP, end="")
            return 0
        from ._run import run

        return run(argv[1:])
    parser = argparse.ArgumentParser(
        prog="python -m starlette_asyncstream",
        usage="%(prog)s [--json] [--fail-on-advisory] [--app module:attr] | %(prog)s run <command> [args...]",
        description=(
            "Report the Python, Starlette and wrapt in use, whether each backported "
            "fix applies to this Starlette and is installed, and stream a custom "
            "async iterator, an async generator and a sync generator through a real "
            "StreamingResponse, first without the fix and then with it."
        ),
        epilog=(
            "Exit status: 0 streaming works here (with the fixes where needed); 1 it fails "
            "here even with them (the self-test failed, or a fix could not be installed); "
            "2 usage error; 3 nothing to check (Starlette is not installed); 4 with "
            "--fail-on-advisory, streaming works but a published advisory that reaches the installed "
            "releases stays open (the Security section names its fix). With --app, 1 also when the "
            "application holds something the import cannot reach, 2 when it cannot be imported. "
            "'run <command> [args...]' starts a command with the fixes installed in every "
            "Python process it starts; see 'run --help'."
        ),
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the report")
    parser.add_argument("--fail-on-advisory", action="store_true",
                        help="exit 4 when an advisory that reaches the installed releases is not closed "
                             "here (for CI)")
    parser.add_argument("--app", metavar="module:attr",
                        help="also import your application (after the package, as the README asks), walk its "
                             "routes, mounts, middleware and dependencies, and name each response class and "
                             "module reference in it that the import cannot reach, with file and line")
    args = parser.parse_args(argv)
    report = collect()
    if args.app is not None and report["starlette"]["version"] is not None:
        from . import _appcheck

        report["app"] = _appcheck.check(args.app)
        report["app_unreached"] = len(_appcheck.unreached(report["app"]))
        if report["app"]["problems"]:
            report["exit"] = USAGE
        elif report["app_unreached"] and report["exit"] in (OK, ADVISORY_OPEN):
            report["exit"], report["app_fails"] = FAILS, True
    if args.fail_on_advisory and report["exit"] == OK and report["security"]["open"]:
        report["exit"] = ADVISORY_OPEN
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
    else:
        print(render(report))
    return int(report["exit"])


if __name__ == "__main__":
    sys.exit(main())
