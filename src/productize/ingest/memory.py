"""Keeping a large ingest's peak memory down (issue 8: 50,000 Backstage entities < 300 MB).

Two things the process holds that are not Python objects: heap pages Python has freed but
the C allocator keeps, and SQLite's page cache, which during one large transaction fills
with dirty pages up to its limit (64 MB in `settings`, for serving). Measured on the
50,000-entity catalog (bench/RESULTS.md, "Backstage import"): trimming the heap after the
read gives back ~20 MiB; the page cache added ~60 MiB to the writing phase.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError, connection

# SQLite's page cache while an ingest writes (KiB). Dirty pages beyond it go to the WAL
# early, inside the same transaction; at 16 MB the 50,000-entity write was no slower.
INGEST_SQLITE_CACHE_KIB = 16000


def give_back_freed_memory() -> bool:
    """Return the heap's free pages to the system (glibc `malloc_trim`); False elsewhere.

    Freed Python objects of the read phase stay in the C heap otherwise, and the writing
    phase's memory then comes on top of them.
    """
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return False
    trim(0)
    return True


@contextmanager
def sqlite_cache_limited(kib: int = INGEST_SQLITE_CACHE_KIB) -> Iterator[None]:
    """Cap SQLite's page cache of this connection while an ingest writes (no-op elsewhere)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size=-{int(kib)}")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size={int(before)}")
        except DatabaseError:  # the connection broke: the error that did it is raised
            pass
