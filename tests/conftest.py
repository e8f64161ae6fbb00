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


@pytest.fixture(scope="session", autouse=True)
def _connections_closed_after_each_request() -> None:
    # The live server answers each browser keep-alive connection in a thread of its own that
    # outlives the test; with persistent connections (CONN_MAX_AGE) that thread would still
    # hold a database connection when the test database is dropped ("database is being
    # accessed by other users" on PostgreSQL). Closed after each request, it holds none.
    from django.db import connections

    for alias in connections:
        connections.settings[alias]["CONN_MAX_AGE"] = 0


@pytest.fixture(autouse=True)
def _anonymous_read(settings: Any) -> None:
    # The web, API and browser suites predate sign-in and use anonymous clients; reading
    # anonymously is what they test. tests/accounts turns it off again to test access rules.
    settings.ANONYMOUS_READ = True
