"""The closing line of scripts/tox: every leg's JUnit report added up.

    python scripts/junit_summary.py JUNIT_DIR LEG [LEG ...]
    tox config -e ... -k commands | python scripts/junit_summary.py JUNIT_DIR -

LEGs are the tox environments of this run that run pytest; with "-" they are
read from `tox config` output (the environments whose commands write a
--junitxml report). A leg that wrote
no report (it crashed, called os._exit, or was killed while hanging) is not
left out of the count: it is counted as one failure and named, so the line
can never read "0 failed" for a run that lost a leg. Exit status 1 when
anything failed or is missing, else 0.
"""

import os
import sys
import xml.etree.ElementTree as ET


def summarize(junit_dir, legs, environments=None):
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    missing, unreadable = [], []
    for leg in legs:
        path = os.path.join(junit_dir, leg + ".xml")
        if not os.path.exists(path):
            missing.append(leg)
            continue
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError:  # cut off mid-write
            unreadable.append(leg)
            continue
        for suite in root.iter("testsuite"):
            for key in counts:
                counts[key] += int(suite.get(key, 0))
    failed = counts["failures"] + counts["errors"] + len(missing) + len(unreadable)
    passed = counts["tests"] - counts["failures"] - counts["errors"] - counts["skipped"]
    lines = ["tox legs: {}".format(len(legs))]
    if environments and environments > len(legs):
        # lint, packaging and the sweeps ran too, and say OK or FAIL in tox's own lines
        lines[0] += " with test reports, of {} environments run".format(environments)
    lines += ["leg {} wrote no test report: counted as failed".format(leg) for leg in missing]
    lines += ["leg {} wrote an unreadable test report: counted as failed".format(leg) for leg in unreadable]
    lines.append("{} passed, {} failed, {} skipped".format(passed, failed, counts["skipped"]))
    return lines, failed


def environments_in_tox_config(text):
    """(every environment in `tox config -k commands` output, those whose commands write a JUnit report)."""
    environments, legs, current = [], [], None
    for line in text.splitlines():
        if line.startswith("[testenv:") and line.rstrip().endswith("]"):
            current = line.strip()[len("[testenv:"):-1]
            environments.append(current)
        elif current and "--junitxml" in line and current not in legs:
            legs.append(current)
    return environments, legs


def main(argv):
    if len(argv) < 2:
        sys.stderr.write("usage: junit_summary.py JUNIT_DIR LEG [LEG ...] | JUNIT_DIR -\n")
        return 2
    environments, legs = environments_in_tox_config(sys.stdin.read()) if argv[1:] == ["-"] else ([], argv[1:])
    if not legs:
        return 0  # nothing in this run writes a report (diagnose, bench, sweep)
    lines, failed = summarize(argv[0], legs, len(environments))
    print("\n".join(lines))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
