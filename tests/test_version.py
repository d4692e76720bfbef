"""One version, in pyproject.toml: the package reports it, and the changelog describes it."""

import tomllib
from pathlib import Path

import reclamations

ROOT = Path(__file__).parents[1]


def test_the_package_reports_the_projects_version_and_the_changelog_has_it():
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert reclamations.__version__ == version
    assert f"\n## [{version}] - " in (ROOT / "CHANGELOG.md").read_text()
