"""Translate descriptor documents into catalog rows, and catalog rows back into documents.

Both directions live together so that they stay each other's inverse: the export → ingest
round trip, and the audit log's `before` snapshots, depend on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models
from pydantic import ValidationError

from productize.catalog.models import (
    Loop,
    Organization,
    Ownership,
    Person,
    Product,
    Team,
)
from productize.catalog.services.canonical import product_search_text
from productize.domain.descriptors import (
    MODEL_BY_KIND,
    AnyDoc,
    LoopDoc,
    OrganizationDoc,
    PersonDoc,
    ProductDoc,
    TeamDoc,
)

# Order matters: targets before the things that reference them, so counts read naturally.
KIND_ORDER: tuple[str, ...] = ("organization", "loop", "team", "person", "product")

ENTITY_MODELS: dict[str, type[models.Model]] = {
    "organization": Organization,
    "loop": Loop,
    "team": Team,
    "person": Person,
    "product": Product,
}

# The columns each kind's document fills (besides slug, source and hash bookkeeping).
ENTITY_FIELDS: dict[str, tuple[str, ...]] = {
    "organization": ("name", "mission"),
    "loop": ("name", "mission", "customers", "parent_ref"),
    "team": ("name", "parent_ref", "member_refs"),
    "person": ("name", "email", "team_refs"),
    "product": (
        "name",
        "mission",
        "vision",
        "does",
        "does_not",
        "stage",
        "alignment",
        "alignment_why",
        "loop_ref",
        "part_of_ref",
        "audience",
        "links",
        "brand",
        "resourcing",
        "steady_state",
        "tags",
        "annotations",
        "search_text",
    ),
}

# Foreign keys that follow a `*_ref` column; cleared when the ref changes, resolved afterwards.
REF_KEYS: dict[str, tuple[str, ...]] = {
    "organization": (),
    "loop": ("parent",),
    "team": ("parent",),
    "person": (),
    "product": ("loop", "part_of"),
}


def _part(model: Any) -> dict[str, Any]:
    data: dict[str, Any] = model.model_dump(mode="json", exclude_defaults=True)
    return data


def entity_values(doc: AnyDoc) -> dict[str, Any]:
    """The column values a document gives its entity row."""
    if isinstance(doc, OrganizationDoc):
        return {"name": doc.name, "mission": doc.mission}
    if isinstance(doc, LoopDoc):
        return {
            "name": doc.name,
            "mission": doc.mission or "",
            "customers": list(doc.customers),
            "parent_ref": doc.parent or "",
        }
    if isinstance(doc, TeamDoc):
        return {"name": doc.name, "parent_ref": doc.parent or "", "member_refs": list(doc.members)}
    if isinstance(doc, PersonDoc):
        return {"name": doc.name, "email": doc.email or "", "team_refs": list(doc.teams)}
    assert isinstance(doc, ProductDoc)
    return {
        "name": doc.name,
        "mission": doc.mission or "",
        "vision": doc.vision or "",
        "does": list(doc.scope.does),
        "does_not": list(doc.scope.does_not),
        "stage": doc.stage.value,
        "alignment": doc.alignment.kind.value if doc.alignment else "",
        "alignment_why": doc.alignment.why if doc.alignment else "",
        "loop_ref": doc.loop or "",
        "part_of_ref": doc.part_of or "",
        "audience": list(doc.audience),
        "links": _part(doc.links),
        "brand": _part(doc.brand),
        "resourcing": _part(doc.resourcing),
        "steady_state": _part(doc.steady_state),
        "tags": list(doc.tags),
        "annotations": dict(doc.annotations),
        "search_text": product_search_text(doc),
    }


def owner_refs(doc: AnyDoc) -> list[str]:
    """The owners a product or loop document names, as written."""
    if isinstance(doc, ProductDoc | LoopDoc):
        return list(dict.fromkeys(doc.owners))
    return []


# Interface columns a document fills, in the order of `interface_specs` tuples.
INTERFACE_FIELDS: tuple[str, ...] = (
    "name",
    "kind",
    "description",
    "stability",
    "spec_path",
    "docs_url",
    "position",
)


def interface_specs(doc: ProductDoc) -> list[tuple[Any, ...]]:
    """The interfaces a product provides, as tuples in `INTERFACE_FIELDS` order."""
    return [
        (
            item.name,
            item.kind.value,
            item.description or "",
            item.stability.value,
            item.spec or "",
            item.docs or "",
            position,
        )
        for position, item in enumerate(doc.interfaces.provides)
    ]


def consumption_specs(doc: ProductDoc) -> list[tuple[str, str, int]]:
    """(interface_ref, why, position) for each interface a product consumes, first mention
    winning: the table holds one row per (consumer, interface)."""
    rows: dict[str, tuple[str, str, int]] = {}
    for position, item in enumerate(doc.interfaces.consumes):
        rows.setdefault(item.interface, (item.interface, item.why or "", position))
    return list(rows.values())


# --- rows back to documents -------------------------------------------------------------


def _drop_empty(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value not in ("", None, [], {})}


def _owners(ownerships: Iterable[Ownership]) -> list[str]:
    return [row.ref for row in sorted(ownerships, key=lambda row: row.position)]


def document_from_row(kind: str, row: Any) -> dict[str, Any]:
    """A descriptor document (plain data) for a catalog row; products and loops need their
    relations prefetched (`ownerships`, and for products `interfaces`, `consumptions`)."""
    head = {"kind": kind, "id": row.slug, "name": row.name}
    if kind == "organization":
        return {**head, "mission": row.mission}
    if kind == "loop":
        return _drop_empty(
            {
                **head,
                "mission": row.mission,
                "customers": row.customers,
                "parent": row.parent_ref,
                "owners": _owners(row.ownerships.all()),
            }
        )
    if kind == "team":
        return _drop_empty({**head, "members": row.member_refs, "parent": row.parent_ref})
    if kind == "person":
        return _drop_empty({**head, "email": row.email, "teams": row.team_refs})
    provides = [
        _drop_empty(
            {
                "name": item.name,
                "kind": item.kind,
                "description": item.description,
                "stability": item.stability,
                "spec": item.spec_path,
                "docs": item.docs_url,
            }
        )
        for item in sorted(row.interfaces.all(), key=lambda item: item.position)
    ]
    consumes: list[Any] = [
        {"interface": item.interface_ref, "why": item.why} if item.why else item.interface_ref
        for item in sorted(row.consumptions.all(), key=lambda item: item.position)
    ]
    alignment = {"kind": row.alignment, "why": row.alignment_why} if row.alignment else None
    return _drop_empty(
        {
            **head,
            "mission": row.mission,
            "vision": row.vision,
            "scope": _drop_empty({"does": row.does, "does_not": row.does_not}),
            "stage": row.stage,
            "alignment": alignment,
            "loop": row.loop_ref,
            "owners": _owners(row.ownerships.all()),
            "part_of": row.part_of_ref,
            "audience": row.audience,
            "interfaces": _drop_empty({"provides": provides, "consumes": consumes}),
            "links": row.links,
            "brand": row.brand,
            "resourcing": row.resourcing,
            "steady_state": row.steady_state,
            "tags": row.tags,
            "annotations": row.annotations,
        }
    )


def rows_with_relations(kind: str, ids: Iterable[int]) -> models.QuerySet[Any]:
    """The rows of one kind with what `document_from_row` needs, prefetched."""
    queryset = ENTITY_MODELS[kind].objects.filter(id__in=list(ids))  # type: ignore[attr-defined]
    if kind == "product":
        return queryset.prefetch_related("ownerships", "interfaces", "consumptions")
    if kind == "loop":
        return queryset.prefetch_related("ownerships")
    return queryset


def canonical_documents(kind: str, ids: Iterable[int]) -> Mapping[int, dict[str, Any]]:
    """Canonical JSON of the current rows (by id): the audit log's `before`."""
    model = MODEL_BY_KIND[kind]
    result: dict[int, dict[str, Any]] = {}
    id_list = list(ids)
    for start in range(0, len(id_list), 500):
        for row in rows_with_relations(kind, id_list[start : start + 500]):
            data = document_from_row(kind, row)
            try:
                result[row.id] = model.model_validate(data).model_dump(
                    mode="json", exclude_defaults=True
                )
            except ValidationError:
                # A row edited outside descriptors may not form a valid document; the audit
                # log still gets what the row holds.
                result[row.id] = data
    return result
