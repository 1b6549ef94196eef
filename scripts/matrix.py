"""The test matrix, one leg a line; tox.ini is generated from it.

    python scripts/matrix.py           # rewrite tox.ini
    python scripts/matrix.py --check   # exit 1 if tox.ini is not what this file makes
    python scripts/matrix.py --json    # the legs, for tests/test_ranges.py
    python scripts/matrix.py --split 3.14,3.15   # scripts/tox: host envs, then sid-root envs

To add a leg, add a line to LEGS and run the first command. A leg is a
Python, a suite (which tests it runs), what it pins and a wrapt major:

    suite     runs                                       with
    unit      the in-process tests (tests/*.py)          a Starlette release
    servers   tests/servers: `run` behind uvicorn/gunicorn
    fastapi   tests/fastapi_pins                         a FastAPI release (it pins Starlette)
    e2e       tests/e2e: load, disconnects, slow clients behind real servers
    sse       tests/sse                                  an sse-starlette release beside a Starlette
    clean     tests/test_clean.py and test_api.py        a Starlette release at a boundary of the rows
              for what strict suites meet (multipart, jinja2, gzip, staticfiles, debug-page-type)
    upstream  tests/upstream: Starlette 1.3.1's and      a legacy Starlette release, or FastAPI
              FastAPI 0.65.3's own tests of the           0.61.2
              security fixes (scripts/upstream_tests.py)
    stack     tests/stack: each row of the stack table    Starlette 0.13.6; the releases each row
              proven on its Python                        names (scripts/stack_pins.py)

Starlette "newest" is whatever the index has. The legs must cross every
boundary of the range table (tests/test_ranges.py checks it) and fit CI
(2 cores, 90 minutes) in the default run.
"""

import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOX_INI = os.path.join(ROOT, "tox.ini")

# python, suite, starlette (None: FastAPI pins it), wrapt major, {other pins}
LEGS = [
    ("3.6", "unit", "0.12.0b2", 1, {}),
    ("3.6", "unit", "0.12.0b3", 1, {}),
    ("3.6", "unit", "0.13.6", 1, {}),
    ("3.6", "unit", "0.14.2", 1, {}),
    ("3.7", "unit", "0.13.6", 1, {}),  # the first Python with module __getattr__ (FixStatus made on first use)
    ("3.8", "unit", "0.12.13", 1, {}),
    ("3.8", "unit", "0.13.2", 1, {}),
    ("3.8", "unit", "0.13.3", 1, {}),
    ("3.8", "unit", "0.13.6", 2, {}),  # what pip gives 3.8: wrapt 2.0.1
    ("3.8", "unit", "0.13.8", 1, {}),
    ("3.8", "unit", "0.14.0", 1, {}),
    ("3.8", "unit", "0.12.0", 1, {}),  # the debug-page boundary (3.8.18 is past 3.8.7)
    ("3.8", "unit", "0.12.1", 1, {}),
    ("3.9", "unit", "0.13.8", 2, {}),  # the tasks bug as a DeprecationWarning, its first Python
    ("3.10", "unit", "0.13.8", 2, {}),  # the tasks bug as a DeprecationWarning
    ("3.11", "unit", "0.12.0b3", 2, {}),
    ("3.11", "unit", "0.13.1", 2, {}),  # just before the tasks range
    ("3.11", "unit", "0.13.2", 2, {}),
    ("3.11", "unit", "0.13.3", 2, {}),
    ("3.11", "unit", "0.13.6", 2, {}),
    ("3.11", "unit", "0.13.6", 1, {}),
    ("3.11", "unit", "0.13.8", 2, {}),
    ("3.11", "unit", "0.14.0", 2, {}),
    ("3.11", "unit", "0.14.1", 2, {}),
    ("3.11", "unit", "0.14.2", 2, {}),
    ("3.12", "unit", "0.13.6", 2, {}),  # testclient: a DeprecationWarning from 3.12
    ("3.12", "unit", "0.14.2", 2, {}),
    ("3.13", "unit", "0.12.13", 2, {}),
    ("3.13", "unit", "0.13.6", 2, {}),
    ("3.13", "unit", "0.13.8", 1, {}),
    ("3.13", "unit", "0.13.8", 2, {}),
    ("3.13", "unit", "0.14.2", 2, {}),
    ("3.13", "unit", "0.15.0", 2, {}),
    ("3.11", "clean", "0.13.4", 2, {}),  # staticfiles: before the commonprefix check
    ("3.11", "clean", "0.13.5", 2, {}),
    ("3.11", "clean", "0.26.1", 2, {}),
    ("3.11", "clean", "0.27.0", 2, {}),
    ("3.13", "clean", "0.38.2", 2, {}),  # gzip, debug-page-type
    ("3.13", "clean", "0.38.3", 2, {}),
    ("3.12", "clean", "0.41.0", 2, {}),  # multipart
    ("3.12", "clean", "0.41.1", 2, {}),
    ("3.13", "unit", "newest", 2, {}),
    ("3.6", "servers", "0.13.6", 1, {}),
    ("3.11", "servers", "0.13.6", 2, {}),
    ("3.13", "servers", "0.13.8", 2, {}),
    ("3.6", "fastapi", None, 1, {"fastapi": "0.52.0"}),
    ("3.8", "fastapi", None, 1, {"fastapi": "0.58.1"}),
    ("3.11", "fastapi", None, 2, {"fastapi": "0.61.2"}),
    # with 3.8, 3.11, 3.14, 3.15 and 3.16 simulated: the strict app suite on every Python (tests/strictapp)
    ("3.12", "fastapi", None, 2, {"fastapi": "0.61.2"}),
    ("3.13", "fastapi", None, 2, {"fastapi": "0.61.2"}),
    ("3.11", "fastapi", None, 2, {"fastapi": "0.65.3"}),  # the reference: CVE-2021-32677 fixed, Starlette 0.14.2
    ("3.8", "e2e", "0.13.8", 1, {}),
    ("3.11", "e2e", "0.13.8", 2, {}),
    ("3.8", "e2e", None, 1, {"fastapi": "0.55.1"}),  # Starlette 0.13.2: the disconnect fix
    ("3.8", "e2e", None, 1, {"fastapi": "0.61.2"}),
    ("3.11", "e2e", None, 2, {"fastapi": "0.61.2"}),
    ("3.8", "e2e", "0.14.2", 1, {}),  # the reference: unpatched 0.14.2
    ("3.11", "e2e", "0.14.2", 2, {}),
    # Starlette 1.3.1's own tests of the security fixes, on the first, a middle and the last legacy release.
    ("3.11", "upstream", "0.12.0b3", 2, {}),
    ("3.11", "upstream", "0.13.6", 2, {}),
    ("3.13", "upstream", "0.14.2", 2, {}),
    ("3.11", "upstream", None, 2, {"fastapi": "0.61.2"}),  # FastAPI 0.65.3's own tests of fastapi-json
    # The stack table's rows, each on the Pythons it concerns (3.12 is 3.12.1 here: before 3.12.4).
    ("3.11", "stack", "0.13.6", 2, {}),
    ("3.12", "stack", "0.13.6", 2, {}),
    ("3.13", "stack", "0.13.6", 2, {}),
    ("3.11", "sse", "0.12.13", 2, {"sse-starlette": "0.4.0"}),  # sse-disconnect: 0.1.0-0.4.0 never listen
    ("3.6", "sse", "0.13.6", 1, {"sse-starlette": "0.6.2"}),
    ("3.8", "sse", "0.13.6", 1, {"sse-starlette": "0.6.2"}),
    ("3.11", "sse", "0.13.2", 2, {"sse-starlette": "0.6.2"}),  # only sse-starlette's own binding needs tasks
    ("3.11", "sse", "0.13.6", 2, {"sse-starlette": "0.10.3"}),
    ("3.13", "sse", "newest", 2, {"sse-starlette": "1.1.6"}),
    ("3.13", "sse", "newest", 2, {"sse-starlette": "1.2.1"}),
    # The newest Pythons (from PATH, else a Debian sid root: scripts/sid).
    ("3.14", "unit", "0.12.13", 2, {}),
    ("3.14", "unit", "0.13.6", 2, {}),
    ("3.14", "unit", "0.13.8", 2, {}),
    ("3.14", "unit", "0.14.2", 2, {}),
    ("3.14", "unit", "newest", 2, {}),
    ("3.14", "clean", "0.45.3", 2, {}),  # iscoroutinefunction
    ("3.14", "clean", "0.46.0", 2, {}),
    ("3.14", "servers", "0.13.6", 2, {}),
    ("3.14", "fastapi", None, 2, {"fastapi": "0.61.2"}),
    ("3.14", "sse", "0.13.6", 2, {"sse-starlette": "0.6.2"}),
    ("3.14", "stack", "0.13.6", 2, {}),
    ("3.15", "unit", "0.12.0b3", 2, {}),
    ("3.15", "unit", "0.13.6", 2, {}),
    ("3.15", "unit", "0.13.8", 2, {}),
    ("3.15", "unit", "0.14.2", 2, {}),
    ("3.15", "unit", "newest", 2, {}),
    ("3.15", "servers", "0.13.8", 2, {}),
    ("3.15", "fastapi", None, 2, {"fastapi": "0.61.2"}),
    ("3.15", "sse", "0.13.6", 2, {"sse-starlette": "0.10.3"}),
    # CPython 3.16 simulated on 3.15 (asyncio.iscoroutinefunction deleted before anything imports:
    # tests/py316), until a real 3.16 exists.
    ("3.15", "clean", "0.13.6", 2, {"simulate": "3.16"}),
    ("3.15", "fastapi", None, 2, {"fastapi": "0.61.2", "simulate": "3.16"}),
]
# Pythons that scripts/tox runs in a Debian sid root when they are not on PATH.
SID_PYTHONS = ("3.14", "3.15")
# FastAPI's own Starlette pin, read from its published metadata.
FASTAPI_PINS = {"0.52.0": "0.13.2", "0.55.1": "0.13.2", "0.58.1": "0.13.4", "0.61.2": "0.13.6", "0.65.3": "0.14.2"}
# The other environments of the default run (defined in STATIC below).
DEFAULT_EXTRAS = ["sweep-boundaries", "conformance", "lint", "packaging", "sweep-newest-boundaries"]
# Static environments on the sid Pythons (they need every Python named).
SID_STATIC = {"sweep-newest-boundaries": ("3.14", "3.15"), "sweep-newest": ("3.14", "3.15"),
              "bench-newest": ("3.14", "3.15")}

SUITES = {
    "unit": "--ignore=tests/servers --ignore=tests/fastapi_pins --ignore=tests/conformance --ignore=tests/e2e "
            "--ignore=tests/sse --ignore=tests/upstream --ignore=tests/stack {posargs:tests}",
    "servers": "{posargs:tests/servers}",
    "fastapi": "{posargs:tests/fastapi_pins}",
    "e2e": "-s {posargs:tests/e2e}",
    "sse": "{posargs:tests/sse}",
    "clean": "{posargs:tests/test_clean.py tests/test_api.py}",
    "upstream": "{posargs:tests/upstream}",
    "stack": "{posargs:tests/stack}",
}
# A command a suite runs before its tests (the upstream suite's sdist is fetched with the leg,
# like its dependencies: the tests never reach the index).
SUITE_PRE = {"upstream": "python scripts/upstream_tests.py fetch {work_dir}/upstream",
             "stack": "python scripts/stack_pins.py fetch {env_dir}/stack"}
# A suite's own dependencies (stack: setuptools builds httptools 0.1.2 offline, as pip would).
SERVERS = {"servers": ["uvicorn", "gunicorn"], "e2e": ["uvicorn", "gunicorn"], "sse": ["uvicorn"],
           "stack": ["setuptools"]}


def name(leg):
    python, suite, starlette, wrapt, pins = leg
    parts = ["py" + python.replace(".", ""), suite]
    if "fastapi" in pins:
        parts[1:] = [suite] if suite != "fastapi" else []
        parts.append("fastapi" + pins["fastapi"])
    if "sse-starlette" in pins:
        parts[1:] = ["sse" + pins["sse-starlette"]]
    if starlette is not None:
        parts.append("starlette" + (starlette if starlette != "newest" else "-newest"))
    if "simulate" in pins:
        parts.insert(1, "as" + pins["simulate"].replace(".", ""))
    return "-".join(parts + ["wrapt{}".format(wrapt)])


def starlette_of(leg):
    """The Starlette release a leg runs ("newest" for the index's newest)."""
    return leg[2] if leg[2] is not None else FASTAPI_PINS[leg[4]["fastapi"]]


# Tests whose outcome depends on the Python and not on the Starlette release (the test harness,
# `--app`'s loading errors, the run command's reading of a command line: marked `per_python` in
# tests/support/releases.py) run in one unit leg of each Python, the first on Starlette 0.13.6
# (the release most pins hold; else the Python's first unit leg); its other unit legs skip them,
# naming that leg. Outside tox (the variable unset) every test runs.
PER_PYTHON_VAR = "STARLETTE_ASYNCSTREAM_TESTS_PER_PYTHON_IN"


def per_python_leg(python):
    """The unit leg that runs the `per_python` tests of a Python (None: it has no unit leg)."""
    units = [leg for leg in LEGS if leg[0] == python and leg[1] == "unit" and "simulate" not in leg[4]]
    return name(next((leg for leg in units if leg[2] == "0.13.6"), units[0])) if units else None


def section(leg):
    python, suite, starlette, wrapt, pins = leg
    deps = ["starlette" if starlette == "newest" else "starlette=={}".format(starlette)] if starlette else []
    deps.append("wrapt>=1.14,<2" if wrapt == 1 else "wrapt>=2,<3")
    deps += SERVERS.get(suite, [])
    if "fastapi" in pins:
        deps += ["fastapi=={}".format(pins["fastapi"]), "pydantic<2"]  # the pydantic these releases take
    if "sse-starlette" in pins:
        deps.append("sse-starlette=={}".format(pins["sse-starlette"]))
    pinned = "FastAPI {} (Starlette {})".format(pins["fastapi"], starlette_of(leg)) if "fastapi" in pins else (
        "Starlette {}".format(starlette) + (", sse-starlette {}".format(pins["sse-starlette"])
                                             if "sse-starlette" in pins else ""))
    # A tox inside the sid root builds the package with its own Python:
    # give it its own packaging environment, not the host's .pkg.
    package = ["wheel_build_env = .pkg-sid"] if python in SID_PYTHONS else []
    if "simulate" in pins:
        package.append("set_env = PYTHONPATH = {toxinidir}/tests/py" + pins["simulate"].replace(".", ""))
        pinned += ", simulating Python " + pins["simulate"]
    elif suite == "unit" and per_python_leg(python) != name(leg):
        package.append("set_env = {} = {}".format(PER_PYTHON_VAR, per_python_leg(python)))
    return "\n".join([
        "[testenv:{}]".format(name(leg)),
        "description = {} tests, Python {}, {}, wrapt {}".format(suite, python, pinned, wrapt),
    ] + package + [
        "deps =",
        "    {[testenv]deps}",
    ] + ["    " + d for d in deps] + [
        "commands =",
        "    {[testenv]commands}",
    ] + (["    " + SUITE_PRE[suite]] if suite in SUITE_PRE else []) + [
        "    pytest {{[testenv]pytest_options}} {}".format(SUITES[suite]),
        "",
    ])


HEADER = """# Generated by scripts/matrix.py from its LEGS table: edit that, then run
# `python scripts/matrix.py` (a test fails while the two disagree).
# Run it with scripts/tox (it puts the pyenv Pythons on PATH first).
[tox]
requires = tox>=4.11
env_list =
{env_list}

[testenv]
description = one Starlette release, one wrapt major, one Python
# virtualenv's bundled pip does not import on 3.7; let it fetch one that fits.
download = true
# The package's wheel is built once (hatchling needs 3.8) and installed on every Python.
package = wheel
wheel_build_env = .pkg
deps =
    pytest
    pytest-timeout
    httpx
    aiofiles
    requests
    jinja2
    python-multipart
pass_env = PYTHONHASHSEED
pytest_options = -p no:cacheprovider --junitxml={{work_dir}}/junit/{{env_name}}.xml
commands =
    python -c "import sys, starlette, wrapt; print(sys.version.split()[0], starlette.__version__, wrapt.__version__)"

"""


def render():
    with open(TOX_INI, encoding="utf-8") as f:
        current = f.read()
    marker = "[testenv:conformance]"
    if marker not in current:
        raise SystemExit("tox.ini has no {} section to keep".format(marker))
    static = current[current.index(marker):]
    env_list = "\n".join("    " + n for n in [name(leg) for leg in LEGS] + DEFAULT_EXTRAS)
    return HEADER.format(env_list=env_list) + "\n".join(section(leg) for leg in LEGS) + "\n" + static


def main(argv):
    names = [name(leg) for leg in LEGS]
    if len(set(names)) != len(names):
        raise SystemExit("two legs have the same name")
    if argv[:1] == ["--split"]:
        # scripts/tox: three comma-joined lines: the default run's
        # environments that the host runs; those that need a Python named in
        # argv[1] (missing on the host: the sid root runs them); and every
        # environment, opt-in ones included, that needs one of them.
        missing = set(argv[1].split(",")) if len(argv) > 1 else set()

        def in_sid(env, python=None):
            return python in missing if python else bool(missing.intersection(SID_STATIC.get(env, ())))

        default = [(name(leg), leg[0]) for leg in LEGS] + [(env, None) for env in DEFAULT_EXTRAS]
        print(",".join(env for env, python in default if not in_sid(env, python)))
        print(",".join(env for env, python in default if in_sid(env, python)))
        print(",".join([env for env, python in default if in_sid(env, python)]
                       + [env for env in SID_STATIC if env not in DEFAULT_EXTRAS and in_sid(env)]))
        return 0
    if "--json" in argv:
        print(json.dumps([{"env": name(leg), "python": leg[4].get("simulate", leg[0]), "suite": leg[1],
                           "starlette": starlette_of(leg),
                           "wrapt": leg[3], "pins": leg[4],
                           "per_python_in": per_python_leg(leg[0]) if leg[1] == "unit" else None}
                          for leg in LEGS]))
        return 0
    wanted = render()
    with open(TOX_INI, encoding="utf-8") as f:
        current = f.read()
    if "--check" in argv:
        if wanted != current:
            print("tox.ini is not what scripts/matrix.py makes: run python scripts/matrix.py")
            return 1
        return 0
    with open(TOX_INI, "w", encoding="utf-8") as f:
        f.write(wanted)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
