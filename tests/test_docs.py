"""The README tells the truth about the data and the commands."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(ROOT, "README.md")

pytestmark = pytest.mark.skipif(not os.path.exists(README), reason="README.md is not shipped in the wheel")


def test_readme_table_is_generated_from_the_range_data():
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, "scripts", "readme_table.py"), "--check"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        universal_newlines=True,
    )
    assert proc.returncode == 0, proc.stdout


@pytest.mark.skipif(not os.path.exists(os.path.join(ROOT, ".ci", "run")),
                    reason=".ci/run is not shipped in the sdist (any Python, any Starlette): checked from the checkout")
def test_ci_runs_the_readme_test_command():
    with open(README, encoding="utf-8") as f:
        readme = f.read()
    with open(os.path.join(ROOT, ".ci", "run"), encoding="utf-8") as f:
        ci = [line.strip() for line in f if line.strip() and not line.startswith("#")]
    assert "scripts/tox" in readme
    assert ci[-1] == "exec scripts/tox"


def test_readme_names_the_opt_out_variable_and_public_api():
    import starlette_asyncstream as sa

    with open(README, encoding="utf-8") as f:
        readme = f.read()
    assert sa.DISABLE_ENV in readme
    for name in ("install()", "uninstall()", "status()", "StarletteLayoutWarning"):
        assert name in readme, name


def test_readme_is_a_users_page_whose_links_resolve():
    import re

    with open(README, encoding="utf-8") as f:
        readme = f.read()
    assert len(readme.splitlines()) <= 230, "README.md is the user's page: move maintainers' detail to docs/"
    links = re.findall(r"\]\(([^)#:]+)\)", readme)
    assert "docs/compatibility.md" in links and "docs/TESTING.md" in links
    for link in links:
        assert os.path.exists(os.path.join(ROOT, link)), link
