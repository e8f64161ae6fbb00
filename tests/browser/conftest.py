"""Browser tests: Playwright driving Debian's Chromium against a live server.

They run only when PRODUCTIZE_TEST_BROWSER names a Chromium executable (CI sets it to
/usr/bin/chromium); without it they are skipped, never silently passed.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

BROWSER = os.environ.get("PRODUCTIZE_TEST_BROWSER", "")
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the browser tests when no browser is configured."""
    if BROWSER:
        return
    skip = pytest.mark.skip(reason="PRODUCTIZE_TEST_BROWSER is not set")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


class ConsoleWatch:
    """Collects console errors and uncaught exceptions of a page."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        page.on(
            "console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None
        )
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))


@pytest.fixture
def demo_catalog(transactional_db: None) -> None:
    """The bundled example organisation, ingested through the ingest service."""
    from productize.ingest.runner import ingest_path
    from tests.conftest import DEMO_ORG

    ingest_path(location=DEMO_ORG)
