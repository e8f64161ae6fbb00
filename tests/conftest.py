"""Shared fixtures for the whole suite."""

from __future__ import annotations

import os
from collections.abc import Iterator
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


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the session, shared by every browser test.

    Playwright's sync API runs one event loop per thread: a second `sync_playwright()` in
    the same worker fails while this one is alive, so tests never start their own.
    """
    # Playwright's sync API keeps an event loop on this thread; Django's ORM (the live server
    # and the fixtures) would otherwise refuse to run next to it.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=os.environ.get("PRODUCTIZE_TEST_BROWSER", ""),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()
