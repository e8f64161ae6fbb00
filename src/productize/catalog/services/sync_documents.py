"""What the sync reads of a document and what it reports: the types of `catalog_sync_source`.

A document is anything with a validated model, a path and a line (`SyncDocument`); an imported
(Backstage) document may also say its kind, id and hash without unpacking its model, and bring
`extras` (what it had no field for).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db import models

from productize.catalog.services.canonical import descriptor_json

# Kinds whose documents have no `annotations` field: what an import (Backstage) says that
# has no home is stored in the entity's `annotations` column instead (products carry their
# own in the document).
EXTRAS_KINDS = frozenset(("loop", "team", "person"))


class SyncDocument(Protocol):
    """What the sync needs of a parsed document (the parser's `ParsedDocument` fits)."""

    @property
    def model(self) -> Any: ...  # a validated descriptor: AnyDoc

    @property
    def path(self) -> str: ...  # file path within the source

    @property
    def line(self) -> int: ...  # 1-based line where the document starts


@dataclass(frozen=True, slots=True)
class Conflict:
    """A document refused because another file or source already declares its id."""

    kind: str
    slug: str
    path: str
    line: int
    other_source_id: int | None
    other_source_name: str
    other_path: str
    other_line: int
    same_source: bool

    def message(self) -> str:
        """What went wrong, for people."""
        where = f"{self.other_path}:{self.other_line}" if self.other_path else "the catalog"
        if self.same_source:
            return f"{self.kind} `{self.slug}` is already declared in {where}"
        owner = f"source `{self.other_source_name}`" if self.other_source_name else "productize"
        return f"{self.kind} `{self.slug}` is already declared by {owner} ({where})"


@dataclass(slots=True)
class SyncResult:
    """What one sync did: entities created, updated, removed, and the documents it refused."""

    created: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    relocated: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    by_kind: Counter[str] = field(default_factory=Counter)  # e.g. "product.created"
    # The slugs behind those counts, e.g. slugs["product.updated"] = {"payments"}.
    slugs: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    @property
    def changed(self) -> bool:
        """True when the catalog's content changed."""
        return bool(self.created or self.updated or self.removed)


@dataclass(slots=True)
class Row:
    """The bookkeeping columns of one stored entity, as the plan compares them."""

    id: int
    slug: str
    source_id: int | None
    origin: str
    source_path: str
    source_line: int
    descriptor_hash: str


@dataclass(slots=True)
class Plan:
    """What a sync will do to the entities of one kind."""

    kind: str
    # (document, hash of its canonical JSON): the text itself is made again when the batch
    # is written, not held for every document of a large sync at once.
    create: list[tuple[SyncDocument, str]] = field(default_factory=list)
    update: list[tuple[Row, SyncDocument, str]] = field(default_factory=list)
    relocate: list[tuple[Row, SyncDocument]] = field(default_factory=list)
    remove: list[Row] = field(default_factory=list)
    unchanged: int = 0

    @property
    def touches_rows(self) -> bool:
        return bool(self.create or self.update or self.remove)


ROW_FIELDS = ("id", "slug", "source_id", "origin", "source_path", "source_line", "descriptor_hash")


def rows_of(queryset: models.QuerySet[Any]) -> Iterator[Row]:
    """The bookkeeping rows of a queryset of entities."""
    for values in queryset.values_list(*ROW_FIELDS):
        yield Row(*values)


def extras_of(doc: SyncDocument) -> dict[str, str]:
    """What an imported document had no field for (Backstage `extras`); {} for the others."""
    extras = getattr(doc, "extras", None)
    return dict(extras) if extras and kind_id(doc)[0] in EXTRAS_KINDS else {}


def kind_id(doc: SyncDocument) -> tuple[str, str]:
    """A document's kind and id; an imported (packed) document says them without unpacking."""
    kind = getattr(doc, "kind", None)
    if isinstance(kind, str):
        return kind, doc.id  # type: ignore[attr-defined]
    model = doc.model
    return model.kind, model.id


def digest_of(doc: SyncDocument) -> str:
    """The hash of the document's canonical JSON (`descriptor_json`), made once.

    An imported document brings it, made while its model was live (it is held packed).
    """
    digest = getattr(doc, "digest", None)
    return digest if isinstance(digest, str) else descriptor_json(doc.model)[1]


def with_extras(doc: SyncDocument, digest: str) -> str:
    """The document's hash, with its extras folded in so that a change to them is seen."""
    extras = extras_of(doc)
    if not extras:
        return digest
    text = json.dumps(extras, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{digest}\n{text}".encode()).hexdigest()


def conflict_fields(conflict: Conflict) -> dict[str, Any]:
    """A conflict's fields, to make a changed copy."""
    return {name: getattr(conflict, name) for name in Conflict.__dataclass_fields__}
