"""Catalog services: the only code that writes catalog rows (ARCHITECTURE rule 1).

Every function here is keyword-only, checks the actor's permission, writes in one transaction
and records the change in the audit log inside that same transaction.
"""

from productize.catalog.services.canonical import (
    descriptor_canonical,
    descriptor_hash,
    product_search_text,
)
from productize.catalog.services.resolve import resolve_references, sync_memberships
from productize.catalog.services.sync import (
    Conflict,
    SyncDocument,
    SyncResult,
    catalog_sync_source,
)

__all__ = [
    "Conflict",
    "SyncDocument",
    "SyncResult",
    "catalog_sync_source",
    "descriptor_canonical",
    "descriptor_hash",
    "product_search_text",
    "resolve_references",
    "sync_memberships",
]
