"""Everything about one product, for its page and its API resource, in six to nine SQL statements.

Both the web page and the API read a product through `product_detail`. It is the hottest read
of the catalog (every first view of a product misses the caches), so it is written in SQL
rather than through querysets: compiling the ORM's eight querysets cost more CPU than running
them. Related rows come back as small frozen records rather than model instances; the
product itself is a model instance (with its loop, parent and source attached), because
template tags and permission checks take a `Product`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from productize.catalog.models import Loop, Product
from productize.catalog.selectors.rows import (
    concrete_names,
    fetch_together,
    instance,
    select_list,
)
from productize.ingest.models import Source

CONSUMERS_SHOWN = 25
PARTS_SHOWN = 50
PROBLEMS_SHOWN = 50

# The search text and the descriptor hash are large or internal: the page never shows them.
_PRODUCT_FIELDS = concrete_names(Product, without=("search_text", "descriptor_hash"))
_BRIEF = ("id", "slug", "name")
_SOURCE_FIELDS = ("id", "name", "kind", "location", "branch", "subpath", "last_commit")


@dataclass(frozen=True, slots=True)
class EntityRef:
    """Another catalog entity, named by its id (slug) and name."""

    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class SourceRef:
    """An ingest source, by number and name."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class OwnerRef:
    """A custodian as the descriptor names it, with the person or team it resolves to."""

    ref: str
    kind: str | None  # "person", "team", or None when it names no one in the catalog
    slug: str | None
    name: str | None

    @property
    def resolved(self) -> bool:
        """True when the named person or team exists in the catalog."""
        return self.kind is not None


@dataclass(frozen=True, slots=True)
class InterfaceRow:
    """An interface the product provides."""

    id: int
    name: str
    ref: str
    kind: str
    stability: str
    description: str
    spec_path: str
    docs_url: str


@dataclass(frozen=True, slots=True)
class ConsumerRow:
    """A product that consumes an interface, and what for."""

    consumer: EntityRef
    stage: str
    why: str


@dataclass(slots=True)
class ProvidedInterface:
    """An interface the product provides, with (the first of) the products that consume it."""

    interface: InterfaceRow
    consumers: list[ConsumerRow]
    consumer_count: int

    @property
    def more_consumers(self) -> int:
        """How many consumers are not listed."""
        return self.consumer_count - len(self.consumers)


@dataclass(frozen=True, slots=True)
class ProviderRow:
    """An interface of another product, as a consumer sees it."""

    ref: str
    name: str
    kind: str
    stability: str
    product: EntityRef


@dataclass(frozen=True, slots=True)
class ConsumedInterface:
    """An interface this product declares it uses; `interface` is None when nobody provides it."""

    interface_ref: str
    why: str
    interface: ProviderRow | None


@dataclass(frozen=True, slots=True)
class PartRow:
    """A sub-product."""

    slug: str
    name: str
    stage: str
    mission: str


@dataclass(frozen=True, slots=True)
class ProblemRow:
    """A current ingest problem of the product's descriptor."""

    path: str
    line: int
    column: int
    severity: str
    code: str
    message: str
    hint: str
    field: str
    product_slug: str
    run_id: int
    current: bool
    source: SourceRef | None
    related_source: SourceRef | None


@dataclass(slots=True)
class ProductDetail:
    """Everything the product page and the product API show about one product."""

    product: Product
    owners: list[OwnerRef]
    provides: list[ProvidedInterface]
    consumes: list[ConsumedInterface]
    parts: list[PartRow]
    part_count: int
    problems: list[ProblemRow]
    problem_count: int
    unresolved: list[str] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        """True when one of its problems is an error (its latest change was not taken)."""
        return any(problem.severity == "error" for problem in self.problems)


# The product's own rows, each found through the product's id (slug) rather than its number:
# none depends on another's result, so they are read as one batch.
_OWNERS_SQL = (
    "SELECT o.ref, pe.slug, pe.name, t.slug, t.name FROM catalog_ownership o "
    "LEFT JOIN catalog_person pe ON pe.id = o.person_id "
    "LEFT JOIN catalog_team t ON t.id = o.team_id "
    "WHERE o.product_id = (SELECT id FROM catalog_product WHERE slug = %s) "
    "ORDER BY o.position, o.id"
)
_INTERFACES_SQL = (
    "SELECT i.id, i.name, i.ref, i.kind, i.stability, i.description, i.spec_path, "
    "i.docs_url, (SELECT COUNT(*) FROM catalog_consumption c WHERE c.interface_id = i.id) "
    "FROM catalog_interface i "
    "WHERE i.product_id = (SELECT id FROM catalog_product WHERE slug = %s) "
    "ORDER BY i.position, i.id"
)
_CONSUMES_SQL = (
    "SELECT c.interface_ref, c.why, i.ref, i.name, i.kind, i.stability, p.slug, p.name "
    "FROM catalog_consumption c "
    "LEFT JOIN catalog_interface i ON i.id = c.interface_id "
    "LEFT JOIN catalog_product p ON p.id = i.product_id "
    "WHERE c.consumer_id = (SELECT id FROM catalog_product WHERE slug = %s) "
    "ORDER BY c.position, c.id"
)
_PARTS_SQL = (
    "SELECT slug, name, stage, mission FROM catalog_product "
    "WHERE part_of_id = (SELECT id FROM catalog_product WHERE slug = %s) "
    "ORDER BY name, id LIMIT %s"
)
_PART_COUNT_SQL = (
    "SELECT COUNT(*) FROM catalog_product "
    "WHERE part_of_id = (SELECT id FROM catalog_product WHERE slug = %s)"
)
_PROBLEMS_SQL = (
    'SELECT x.path, x.line, x."column", x.severity, x.code, x.message, x.hint, x.field, '
    "x.product_slug, x.run_id, s.id, s.name, r.id, r.name FROM ingest_ingestproblem x "
    "LEFT JOIN ingest_source s ON s.id = x.source_id "
    "LEFT JOIN ingest_source r ON r.id = x.related_source_id "
    'WHERE x.product_slug = %s AND x."current" ORDER BY x.path, x.line, x."column", x.id '
    "LIMIT %s"
)
_PROBLEM_COUNT_SQL = (
    'SELECT COUNT(*) FROM ingest_ingestproblem WHERE product_slug = %s AND "current"'
)


def product_detail(slug: str) -> ProductDetail | None:
    """A product with owners, interfaces both ways, parts and current problems.

    The first consumers of each interface, the first parts and the first problems are listed
    (CONSUMERS_SHOWN, PARTS_SHOWN, PROBLEMS_SHOWN), with their full counts. Six to nine
    queries, in two batches: the product's own rows, then the first consumers (and the counts
    of lists longer than shown).
    """
    using = Product.objects.db
    product_rows, owner_rows, interface_rows, consumed_rows, part_rows, problem_rows = (
        fetch_together(
            using,
            [
                (_product_sql(using), [slug]),
                (_OWNERS_SQL, [slug]),
                (_INTERFACES_SQL, [slug]),
                (_CONSUMES_SQL, [slug]),
                (_PARTS_SQL, [slug, PARTS_SHOWN + 1]),
                (_PROBLEMS_SQL, [slug, PROBLEMS_SHOWN + 1]),
            ],
        )
    )
    if not product_rows:
        return None
    product = _product(product_rows[0], using)
    counted = [(InterfaceRow(*row[:8]), int(row[8])) for row in interface_rows]
    parts = [PartRow(*row) for row in part_rows]
    problems = [_problem(row) for row in problem_rows]
    # The second batch: what depends on the first (which interfaces have consumers, which
    # lists go past what is shown).
    second: list[tuple[str, list[Any]]] = []
    with_consumers = [i.id for i, count in counted if count]
    if with_consumers:
        second.append(_first_consumers_query(with_consumers))
    if len(parts) > PARTS_SHOWN:
        second.append((_PART_COUNT_SQL, [slug]))
    if len(problems) > PROBLEMS_SHOWN:
        second.append((_PROBLEM_COUNT_SQL, [slug]))
    results = iter(fetch_together(using, second))
    consumers = _first_consumers(next(results)) if with_consumers else {}
    part_count = int(next(results)[0][0]) if len(parts) > PARTS_SHOWN else len(parts)
    problem_count = int(next(results)[0][0]) if len(problems) > PROBLEMS_SHOWN else len(problems)
    owners = [_owner(row) for row in owner_rows]
    consumes = [_consumed(row) for row in consumed_rows]
    return ProductDetail(
        product=product,
        owners=owners,
        provides=[
            ProvidedInterface(interface=i, consumers=consumers.get(i.id, []), consumer_count=n)
            for i, n in counted
        ],
        consumes=consumes,
        parts=parts[:PARTS_SHOWN],
        part_count=part_count,
        problems=problems[:PROBLEMS_SHOWN],
        problem_count=problem_count,
        unresolved=_unresolved(product, owners, consumes),
    )


def _product(row: Sequence[Any], using: str) -> Product:
    """The product with its loop, parent and source attached."""
    end = len(_PRODUCT_FIELDS)
    product = instance(Product, _PRODUCT_FIELDS, row[:end], using)
    loop_row, part_of_row = row[end : end + 3], row[end + 3 : end + 6]
    source_row = row[end + 6 :]
    # Assigning through the relation caches the object: no query when the page reads it.
    if loop_row[0] is not None:
        product.loop = instance(Loop, _BRIEF, loop_row, using)
    if part_of_row[0] is not None:
        product.part_of = instance(Product, _BRIEF, part_of_row, using)
    if source_row[0] is not None:
        product.source = instance(Source, _SOURCE_FIELDS, source_row, using)
    return product


@cache
def _product_sql(using: str) -> str:
    # Column names come from the models and the slug is a parameter: no outside input here.
    return (
        f"SELECT {select_list(Product, _PRODUCT_FIELDS, 'p', using)}, "  # noqa: S608
        f"{select_list(Loop, _BRIEF, 'l', using)}, "
        f"{select_list(Product, _BRIEF, 'pp', using)}, "
        f"{select_list(Source, _SOURCE_FIELDS, 's', using)} "
        "FROM catalog_product p "
        "LEFT JOIN catalog_loop l ON l.id = p.loop_id "
        "LEFT JOIN catalog_product pp ON pp.id = p.part_of_id "
        "LEFT JOIN ingest_source s ON s.id = p.source_id "
        "WHERE p.slug = %s"
    )


def _owner(row: Sequence[Any]) -> OwnerRef:
    ref, person_slug, person_name, team_slug, team_name = row
    if person_slug is not None:
        return OwnerRef(ref, "person", person_slug, person_name)
    if team_slug is not None:
        return OwnerRef(ref, "team", team_slug, team_name)
    return OwnerRef(ref, None, None, None)


def _first_consumers_query(interface_ids: list[int]) -> tuple[str, list[Any]]:
    """Up to CONSUMERS_SHOWN consumers of each of these interfaces (one query).

    A hub interface may have thousands of consumers; the page lists some and links to the
    catalog filtered by `consumes` for the rest. One `LIMIT` per interface, glued with
    UNION ALL, reads only those rows from the consumption index; a window function over a
    hub's whole partition would read them all on every page view.
    """
    part = (
        "SELECT * FROM (SELECT c.interface_id, c.id, c.why, p.slug, p.name, p.stage "
        "FROM catalog_consumption c JOIN catalog_product p ON p.id = c.consumer_id "
        "WHERE c.interface_id = %s ORDER BY c.id LIMIT %s) AS first_{n}"
    )
    sql = " UNION ALL ".join(part.format(n=n) for n in range(len(interface_ids)))
    params: list[Any] = []
    for interface_id in interface_ids:
        params += [interface_id, CONSUMERS_SHOWN]
    return sql, params


def _first_consumers(rows: list[tuple[Any, ...]]) -> dict[int, list[ConsumerRow]]:
    """The consumers per interface, by name, case-insensitively, as people read a list."""
    consumers: dict[int, list[ConsumerRow]] = {}
    for interface_id, _id, why, slug, name, stage in sorted(
        rows, key=lambda row: (row[4].lower(), row[1])
    ):
        consumers.setdefault(interface_id, []).append(
            ConsumerRow(EntityRef(slug, name), stage, why)
        )
    return consumers


def _consumed(row: Sequence[Any]) -> ConsumedInterface:
    interface_ref, why, ref, name, kind, stability, slug, product_name = row
    provider = (
        None
        if ref is None
        else ProviderRow(ref, name, kind, stability, EntityRef(slug, product_name))
    )
    return ConsumedInterface(interface_ref=interface_ref, why=why, interface=provider)


def _problem(row: Sequence[Any]) -> ProblemRow:
    path, line, column, severity, code, message, hint, field_name, product, run_id = row[:10]
    source_id, source_name, related_id, related_name = row[10:]
    return ProblemRow(
        path=path,
        line=line,
        column=column,
        severity=severity,
        code=code,
        message=message,
        hint=hint,
        field=field_name,
        product_slug=product,
        run_id=run_id,
        current=True,  # only current ones are read
        source=None if source_id is None else SourceRef(source_id, source_name),
        related_source=None if related_id is None else SourceRef(related_id, related_name),
    )


def _unresolved(
    product: Product, owners: list[OwnerRef], consumes: list[ConsumedInterface]
) -> list[str]:
    """References the descriptor makes that name nothing in the catalog (yet)."""
    found: list[str] = []
    if product.loop_ref and product.loop_id is None:
        found.append(f"loop `{product.loop_ref}`")
    if product.part_of_ref and product.part_of_id is None:
        found.append(f"part_of `{product.part_of_ref}`")
    found.extend(f"owner `{o.ref}`" for o in owners if not o.resolved)
    found.extend(f"interface `{c.interface_ref}`" for c in consumes if c.interface is None)
    return found
