"""Shared fixtures for the whole suite."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_ORG = REPO_ROOT / "src" / "productize" / "demo" / "org"


@pytest.fixture
def repo_root() -> Path:
    """The repository's root directory."""
    return REPO_ROOT
