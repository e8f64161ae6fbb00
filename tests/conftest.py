"""Shared fixtures for the whole suite."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_ORG = REPO_ROOT / "src" / "productize" / "demo" / "org"


@pytest.fixture
def repo_root() -> Path:
    """The repository's root directory."""
    return REPO_ROOT


@pytest.fixture(autouse=True)
def _anonymous_read(settings: Any) -> None:
    # The web, API and browser suites predate sign-in and use anonymous clients; reading
    # anonymously is what they test. tests/accounts turns it off again to test access rules.
    settings.ANONYMOUS_READ = True
