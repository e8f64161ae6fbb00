"""Caching of catalog-wide aggregates (counts, facets, ranked pages) per catalog version.

At 100,000 products a COUNT(*) or a GROUP BY under filters costs tens of milliseconds, while
the catalog changes only when a service writes to it. Keying entries on the catalog version
(see `catalog_version`) means a change is visible on the very next request; the timeout only
bounds memory. The cache is Django's default one (per process unless configured otherwise).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

T = TypeVar("T")
CACHE_SECONDS = 600


def version_cached(kind: str, version: int, key: str, compute: Callable[[], T]) -> T:
    """The value cached for (kind, catalog version, key), computing and storing it if absent."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    full_key = f"productize:{kind}:{version}:{digest}"
    found = cache.get(full_key)
    if found is not None:
        return found
    value = compute()
    cache.set(full_key, value, CACHE_SECONDS)
    return value
