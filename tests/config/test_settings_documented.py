"""ARCHITECTURE rule 8: every setting read from the environment is documented in the README."""

from __future__ import annotations

import re

from tests.conftest import REPO_ROOT

SETTINGS = REPO_ROOT / "src" / "productize" / "settings.py"
README = REPO_ROOT / "README.md"


def _variables_read_by_settings() -> set[str]:
    text = SETTINGS.read_text(encoding="utf-8")
    return set(re.findall(r'env_\w+\(\s*"([A-Z][A-Z0-9_]+)"', text))


def test_settings_reads_variables() -> None:
    names = _variables_read_by_settings()
    assert "PRODUCTIZE_DATA_DIR" in names
    assert "DATABASE_URL" in names


def test_every_setting_is_in_the_readme_configuration_table() -> None:
    readme = README.read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)
    assert len(section) == 2, "README has a `## Configuration` section"
    table = section[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\|\s*`([A-Z][A-Z0-9_]+)`", table, flags=re.MULTILINE))
    missing = _variables_read_by_settings() - documented
    assert not missing, f"document these in README ## Configuration: {sorted(missing)}"
