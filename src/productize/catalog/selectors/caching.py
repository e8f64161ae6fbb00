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


READ_SECONDS = 60


def read_version() -> str:
    """What a cached read depends on: the catalog version and the newest ingest run's state.

    The catalog version changes with every audited write; a run that only records problems
    (a file that no longer parses) changes no product, so its id and end are part of it too.
    """
    from django.db import connection

    from productize.audit.models import ChangeRecord
    from productize.ingest.models import IngestRun

    # Table names from the models, no outside input.
    changes = connection.ops.quote_name(ChangeRecord._meta.db_table)
    runs = connection.ops.quote_name(IngestRun._meta.db_table)
    sql = (
        f"SELECT (SELECT MAX(id) FROM {changes}), (SELECT MAX(id) FROM {runs}), "  # noqa: S608
        f"(SELECT MAX(finished_at) FROM {runs})"
    )
    with connection.cursor() as cursor:  # one query: `catalog_version` and the runs
        cursor.execute(sql)
        row = cursor.fetchone()
    return ".".join(str(value or 0).replace(" ", "T") for value in row)


def read_cached(kind: str, key: str, compute: Callable[[], T]) -> T:
    """`compute()` cached for (kind, `read_version()`, key) for up to READ_SECONDS (None is not)."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    full_key = f"productize:{kind}:{read_version()}:{digest}"
    found = cache.get(full_key)
    if found is not None:
        return found
    value = compute()
    if value is not None:
        cache.set(full_key, value, READ_SECONDS)
    return value
