"""The relations a product or loop document declares: owners, interfaces, consumption, tags.

Rows are written with their foreign keys already resolved where the target exists, which
spares a large load the cost of updating every row a second time; what cannot be resolved
yet (a target declared later, or elsewhere) is left to `resolve_references`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from productize.catalog.models import (
    Consumption,
    Interface,
    Loop,
    Ownership,
    Person,
    ProductTag,
    Team,
)
from productize.catalog.services.bulk import insert_rows
from productize.catalog.services.resolve import PERSON_PREFIX, TEAM_PREFIX
from productize.catalog.services.rows import (
    INTERFACE_FIELDS,
    consumption_specs,
    interface_specs,
    owner_refs,
)
from productize.domain.descriptors import AnyDoc, ProductDoc

CHUNK = 500
LOAD_ALL_ABOVE = 5_000
UPDATE_BATCH = 500


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    """Consecutive slices of at most `size` items."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(slots=True)
class Resolver:
    """The ids that written references name, as the catalog holds them right now."""

    people: dict[str, int]
    teams: dict[str, int]
    loops: dict[str, int]

    @classmethod
    def load(cls) -> Resolver:
        """Read every person, team and loop id (they are few beside the products)."""
        return cls(
            people=dict(Person.objects.values_list("slug", "id")),
            teams=dict(Team.objects.values_list("slug", "id")),
            loops=dict(Loop.objects.values_list("slug", "id")),
        )

    def owner(self, ref: str) -> tuple[int | None, int | None]:
        """(person id, team id) for an owner reference, by the rules of `resolve_references`."""
        if ref.startswith(PERSON_PREFIX):
            return self.people.get(ref[len(PERSON_PREFIX) :]), None
        if ref.startswith(TEAM_PREFIX):
            return None, self.teams.get(ref[len(TEAM_PREFIX) :])
        person = self.people.get(ref)
        return (person, None) if person is not None else (None, self.teams.get(ref))


def interface_ids(refs: Collection[str]) -> dict[str, int]:
    """Ids of the interfaces with these references (`product/name`), read fresh."""
    if not refs:
        return {}
    if len(refs) > LOAD_ALL_ABOVE:
        wanted = set(refs)
        rows = Interface.objects.values_list("ref", "id").iterator(chunk_size=10_000)
        return {ref: pk for ref, pk in rows if ref in wanted}
    found: dict[str, int] = {}
    for part in chunks(sorted(refs)):
        found.update(Interface.objects.filter(ref__in=part).values_list("ref", "id"))
    return found


def clear_relations(kind: str, ids: Sequence[int]) -> None:
    """Delete the owners (and for products consumption and tags) of rows being rewritten."""
    owner_column = "product_id" if kind == "product" else "loop_id"
    for part in chunks(ids):
        Ownership.objects.filter(**{f"{owner_column}__in": part}).delete()
        if kind == "product":
            Consumption.objects.filter(consumer_id__in=part).delete()
            ProductTag.objects.filter(product_id__in=part).delete()


def write_owners(kind: str, items: Sequence[tuple[int, AnyDoc]], resolver: Resolver) -> None:
    """Ownership rows for products or loops, resolved where the person or team exists."""
    rows = []
    for pk, doc in items:
        for position, ref in enumerate(owner_refs(doc)):
            person, team = resolver.owner(ref)
            product, loop = (pk, None) if kind == "product" else (None, pk)
            rows.append((product, loop, ref, person, team, position))
    insert_rows(Ownership, ("product", "loop", "ref", "person", "team", "position"), rows)


def consumed_refs(products: Sequence[tuple[int, ProductDoc]]) -> set[str]:
    """Every interface reference the products consume."""
    return {spec[0] for _, doc in products for spec in consumption_specs(doc)}


def write_consumption_and_tags(
    products: Sequence[tuple[int, ProductDoc]], found: dict[str, int] | None = None
) -> None:
    """Consumption rows (resolved where the interface exists) and tag rows.

    `found` maps interface references to ids when the caller already read them.
    """
    if found is None:
        found = interface_ids(consumed_refs(products))
    insert_rows(
        Consumption,
        ("consumer", "interface_ref", "interface", "why", "position"),
        (
            (pk, ref, found.get(ref), why, position)
            for pk, doc in products
            for ref, why, position in consumption_specs(doc)
        ),
    )
    insert_rows(
        ProductTag,
        ("product", "tag"),
        ((pk, tag) for pk, doc in products for tag in doc.tags),
    )


def insert_interfaces(products: Sequence[tuple[int, ProductDoc]]) -> None:
    """Interface rows for products that have none yet."""
    insert_rows(
        Interface,
        ("product", "ref", *INTERFACE_FIELDS),
        (
            (pk, f"{doc.id}/{spec[0]}", *spec)
            for pk, doc in products
            for spec in interface_specs(doc)
        ),
    )


def replace_interfaces(products: Sequence[tuple[int, ProductDoc]]) -> None:
    """Make updated products' interface rows match their documents.

    An interface whose name stays keeps its row (and so its consumers' keys); only the ones
    that disappeared are deleted, which clears their consumers' keys.
    """
    existing: dict[tuple[int, str], tuple[int, tuple[Any, ...]]] = {}
    for part in chunks([pk for pk, _ in products]):
        rows = Interface.objects.filter(product_id__in=part).values_list(
            "id", "product_id", *INTERFACE_FIELDS
        )
        for pk, product_id, *values in rows:
            existing[(product_id, values[0])] = (pk, tuple(values))
    new: list[tuple[Any, ...]] = []
    changed: list[Interface] = []
    wanted: set[tuple[int, str]] = set()
    for product_id, doc in products:
        for spec in interface_specs(doc):
            key = (product_id, spec[0])
            wanted.add(key)
            old = existing.get(key)
            if old is None:
                new.append((product_id, f"{doc.id}/{spec[0]}", *spec))
            elif old[1] != spec:
                changed.append(
                    Interface(id=old[0], **dict(zip(INTERFACE_FIELDS, spec, strict=True)))
                )
    gone = [pk for key, (pk, _) in existing.items() if key not in wanted]
    for part in chunks(gone):
        Interface.objects.filter(id__in=part).delete()
    if changed:
        Interface.objects.bulk_update(changed, list(INTERFACE_FIELDS), batch_size=UPDATE_BATCH)
    insert_rows(Interface, ("product", "ref", *INTERFACE_FIELDS), new)
