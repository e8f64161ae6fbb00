"""Shared fixtures of the catalog selector and service tests."""

from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Counts, pages and answers are cached per catalog version; rolled-back tests reuse
    # version numbers, so each test starts and ends with an empty cache.
    cache.clear()
    yield
    cache.clear()
