"""Fixtures for the page tests: a small catalog and a fresh cache per test."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from tests.web import factories


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Counts are cached per catalog version; rolled-back tests reuse version numbers.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def demo(db) -> dict[str, Any]:
    """The small shared catalog of `factories.demo_catalog`."""
    return factories.demo_catalog()
