"""What the catalog already holds, in the form the set checks need (`KnownIds`).

An ingest checks only the files that changed, so references to anything declared elsewhere —
another source, or an unchanged file of this one — are checked against the catalog. Entities
of this source declared in the files being re-read (or deleted) are left out: those files'
new content decides whether they still exist.

Loops, teams, people and organisations are few and read whole. Products and interfaces can
number hundreds of thousands, so only the ones the documents name are read, with the
`part_of` chains above them (for cycle checks).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any

from django.db import models

from productize.catalog.models import Interface, Loop, Organization, Person, Product, Team
from productize.domain.checker import DocFacts, KnownIds
from productize.domain.descriptors import ProductDoc
from productize.domain.parse import ParsedDocument
from productize.ingest.models import Source

CHUNK = 500
# Above this many names, one pass over the whole table beats many `IN (...)` queries.
SCAN_ABOVE = 5_000


def _select(
    queryset: models.QuerySet[Any], field: str, names: Collection[str], columns: Sequence[str]
) -> Iterable[tuple[Any, ...]]:
    """Rows (as `columns` tuples) whose `field` is one of `names`."""
    if not names:
        return
    if len(names) > SCAN_ABOVE:
        position = list(columns).index(field)
        for row in queryset.values_list(*columns).iterator(chunk_size=5000):
            if row[position] in names:
                yield row
        return
    ordered = sorted(names)
    for start in range(0, len(ordered), CHUNK):
        part = ordered[start : start + CHUNK]
        yield from queryset.filter(**{f"{field}__in": part}).values_list(*columns)


def _product_refs(doc: ParsedDocument | DocFacts) -> tuple[str | None, list[str]]:
    """A product document's `part_of` and consumed interface references."""
    if isinstance(doc, DocFacts):
        return doc.part_of, list(doc.consumes)
    model = doc.model
    if not isinstance(model, ProductDoc):
        return None, []
    return model.part_of, [item.interface for item in model.interfaces.consumes]


def known_ids(
    source: Source, documents: Sequence[ParsedDocument | DocFacts], scope: Collection[str]
) -> KnownIds:
    """The catalog's ids that `documents` may reference, minus what the re-read files drop.

    `documents` may be parsed documents or their `DocFacts` (all an import keeps at hand).
    """
    scope_set = set(scope)

    def alive(source_id: int | None, path: str) -> bool:
        return not (source_id == source.pk and path in scope_set)

    def parents(model: type[models.Model]) -> dict[str, str | None]:
        rows = model.objects.values_list(  # type: ignore[attr-defined]
            "slug", "parent_ref", "source_id", "source_path"
        )
        return {slug: parent or None for slug, parent, sid, path in rows if alive(sid, path)}

    def slugs(model: type[models.Model]) -> frozenset[str]:
        rows = model.objects.values_list("slug", "source_id", "source_path")  # type: ignore[attr-defined]
        return frozenset(slug for slug, sid, path in rows if alive(sid, path))

    products = [doc for doc in documents if doc.kind == "product"]
    declared = {doc.id for doc in products}
    named: set[str] = set()
    consumed_products: set[str] = set()
    for doc in products:
        part_of, consumes = _product_refs(doc)
        if part_of:
            named.add(part_of)
        consumed_products.update(ref.partition("/")[0] for ref in consumes)
    named |= consumed_products
    known_products = _product_chains(named - declared, declared, alive)
    interfaces: dict[str, str] = {}
    for _, ref, stability in _select(
        Interface.objects.all(),
        "product__slug",
        consumed_products & known_products.keys(),
        ("product__slug", "ref", "stability"),
    ):
        interfaces[ref] = stability
    return KnownIds(
        organizations=slugs(Organization),
        loops=parents(Loop),
        teams=parents(Team),
        people=slugs(Person),
        products=known_products,
        interfaces=interfaces,
    )


def _product_chains(
    names: set[str], declared: set[str], alive: Callable[[int | None, str], bool]
) -> dict[str, str | None]:
    """The named products with the `part_of` chains above them (for the cycle check)."""
    found: dict[str, str | None] = {}
    frontier = set(names)
    while frontier:
        rows = _select(
            Product.objects.all(),
            "slug",
            frontier,
            ("slug", "part_of_ref", "source_id", "source_path"),
        )
        following: set[str] = set()
        for slug, parent, source_id, path in rows:
            if not alive(source_id, path):
                continue
            found[slug] = parent or None
            if parent and parent not in found and parent not in declared:
                following.add(parent)
        frontier = following - found.keys()
    return found
