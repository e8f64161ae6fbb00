"""The catalog's counts as the database gives them: the oracle for the catalog index.

These are the per-facet SQL queries (one GROUP BY per facet, each under the other filters)
and the SQL page queries that the catalog used before the catalog index
(`catalog.selectors.catalog_index`) replaced them: plain, slow at 100,000 products, and
obviously right. The tests compare the index's answers with these on varied catalogs.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from productize.assessment.models import AssessmentGap, ProductAssessment
from productize.catalog import search
from productize.catalog.models import Interface, Loop, Ownership, Person, Product, ProductTag, Team
from productize.catalog.selectors.facets import (
    FACET_LABELS,
    Facet,
    _options,
)
from productize.catalog.selectors.filters import (
    ALIGNMENTS,
    FACETS,
    INTERFACE_KINDS,
    LEVEL_VALUES,
    LEVELS,
    NONE,
    STAGES,
    UNASSESSED,
    ProductFilters,
    narrow,
)
from productize.catalog.selectors.products import matching
from productize.domain.assessment import LEVEL_TITLES, Level


def _scope(filters: ProductFilters) -> QuerySet[Product] | None:
    """The products under these filters, or None when nothing narrows the catalog."""
    return matching(filters, counting=True) if filters.active else None


def _within(queryset: QuerySet, scope: QuerySet[Product] | None, field: str) -> QuerySet:
    return queryset if scope is None else queryset.filter(**{f"{field}__in": scope.values("id")})


def _stage_facet(filters: ProductFilters, limit: int) -> Facet:
    scope = _scope(filters.without("stage"))
    rows = (scope if scope is not None else Product.objects.all()).order_by()
    counts = {r["stage"]: r["n"] for r in rows.values("stage").annotate(n=Count("id"))}
    labels = {stage: stage.capitalize() for stage in STAGES}
    options, _ = _options("stage", counts, labels, filters.stage, order=STAGES, limit=limit)
    return Facet("stage", FACET_LABELS["stage"], options)


def _alignment_facet(filters: ProductFilters, limit: int) -> Facet:
    scope = _scope(filters.without("alignment"))
    rows = (scope if scope is not None else Product.objects.all()).order_by()
    counts = {
        (r["alignment"] or NONE): r["n"] for r in rows.values("alignment").annotate(n=Count("id"))
    }
    order = (*ALIGNMENTS, NONE)
    labels = {kind: kind.capitalize() for kind in ALIGNMENTS}
    options, _ = _options("alignment", counts, labels, filters.alignment, order=order, limit=limit)
    return Facet("alignment", FACET_LABELS["alignment"], options)


def _loop_facet(filters: ProductFilters, limit: int) -> Facet:
    scope = _scope(filters.without("loop"))
    rows = (scope if scope is not None else Product.objects.all()).order_by()
    grouped = rows.values("loop_id").annotate(n=Count("id"))
    by_id: dict[int | None, int] = {r["loop_id"]: r["n"] for r in grouped}
    loops = Loop.objects.filter(Q(id__in=[i for i in by_id if i]) | Q(slug__in=filters.loop))
    counts: dict[str, int] = {NONE: by_id.get(None, 0)}
    labels: dict[str, str] = {}
    # By id: where counts and labels tie, the options keep this order (the index's too).
    for loop_id, slug, name in loops.order_by("id").values_list("id", "slug", "name"):
        counts[slug] = by_id.get(loop_id, 0)
        labels[slug] = name
    options, truncated = _options("loop", counts, labels, filters.loop, limit=limit)
    return Facet("loop", FACET_LABELS["loop"], options, truncated)


def _owner_counts(
    scope: QuerySet[Product] | None, limit: int, chosen: tuple[str, ...]
) -> tuple[dict[str, int], dict[str, str]]:
    """Products per owner for the largest owners and the chosen ones.

    A person's count includes what their teams own, as the owner filter does. Expanding every
    team into its members for the whole catalog is the costly part, so only the candidates are
    expanded: the people who own most directly, and the people already chosen.
    """
    owned = Ownership.objects.filter(product__isnull=False).order_by()
    if scope is not None:
        owned = owned.filter(product_id__in=scope.values("id"))
    chosen_people = [v.split(":", 1)[1] for v in chosen if v.startswith("person:")]
    chosen_teams = [v.split(":", 1)[1] for v in chosen if v.startswith("team:")]
    team_counts = {
        row["team_id"]: row["n"]
        for row in owned.filter(team__isnull=False)
        .values("team_id")
        .annotate(n=Count("product_id", distinct=True))
        .order_by("-n", "team_id")[: limit + 1]
    }
    team_counts.update(
        {
            row["team_id"]: row["n"]
            for row in owned.filter(team__slug__in=chosen_teams)
            .values("team_id")
            .annotate(n=Count("product_id", distinct=True))
        }
    )
    top_people = list(
        owned.filter(person__isnull=False)
        .values("person_id")
        .annotate(n=Count("product_id", distinct=True))
        .order_by("-n", "person_id")
        .values_list("person_id", flat=True)[: limit + 1]
    )
    candidates = set(top_people) | set(
        Person.objects.filter(slug__in=chosen_people).values_list("id", flat=True)
    )
    person_counts = _person_counts(owned, candidates)
    counts: dict[str, int] = {}
    labels: dict[str, str] = {}
    for team_id, slug, name in (
        Team.objects.filter(Q(id__in=list(team_counts)) | Q(slug__in=chosen_teams))
        .order_by("id")
        .values_list("id", "slug", "name")
    ):
        counts[f"team:{slug}"] = team_counts.get(team_id, 0)
        labels[f"team:{slug}"] = f"{name} (team)"
    people = (
        Person.objects.filter(id__in=candidates).order_by("id").values_list("id", "slug", "name")
    )
    for person_id, slug, name in people:
        counts[f"person:{slug}"] = person_counts.get(person_id, 0)
        labels[f"person:{slug}"] = name
    return counts, labels


def _person_counts(owned: QuerySet[Ownership], people: set[int]) -> dict[int, int]:
    """Distinct products each person owns directly or through a team, in one query."""
    if not people:
        return {}
    ids = sorted(people)
    direct = owned.filter(person_id__in=ids).annotate(pid=F("person_id"))
    via_team = owned.filter(team__membership__person_id__in=ids).annotate(
        pid=F("team__membership__person_id")
    )
    both = direct.values("pid", "product_id").union(via_team.values("pid", "product_id"), all=True)
    counts: dict[int, int] = {}
    seen: set[tuple[int, int]] = set()
    # UNION ALL rows are few (the candidates' products); distinct pairs are counted here
    # because Django cannot GROUP BY over a combined query.
    for row in both:
        pair = (row["pid"], row["product_id"])
        if pair not in seen:
            seen.add(pair)
            counts[pair[0]] = counts.get(pair[0], 0) + 1
    return counts


def _owner_facet(filters: ProductFilters, limit: int) -> Facet:
    scope = _scope(filters.without("owner"))
    counts, labels = _owner_counts(scope, limit, filters.owner)
    resolved = Ownership.objects.filter(product__isnull=False).filter(
        Q(person__isnull=False) | Q(team__isnull=False)
    )
    products = scope if scope is not None else Product.objects.all()
    counts[NONE] = products.exclude(id__in=resolved.values("product_id")).count()
    options, truncated = _options("owner", counts, labels, filters.owner, limit=limit)
    return Facet("owner", FACET_LABELS["owner"], options, truncated)


def _interface_kind_facet(filters: ProductFilters, limit: int) -> Facet:
    scope = _scope(filters.without("interface_kind"))
    rows = _within(Interface.objects.all(), scope, "product_id").order_by()
    counts = {
        r["kind"]: r["n"]
        for r in rows.values("kind").annotate(n=Count("product_id", distinct=True))
    }
    products = scope if scope is not None else Product.objects.all()
    counts[NONE] = products.exclude(id__in=Interface.objects.values("product_id")).count()
    labels = {
        kind: kind.upper() if kind in {"api", "ui", "cli"} else kind.capitalize()
        for kind in INTERFACE_KINDS
    }
    options, truncated = _options(
        "interface_kind", counts, labels, filters.interface_kind, limit=limit
    )
    return Facet("interface_kind", FACET_LABELS["interface_kind"], options, truncated)


def _tag_facet(filters: ProductFilters, limit: int) -> Facet:
    scope = _scope(filters.without("tag"))
    rows = _within(ProductTag.objects.all(), scope, "product_id").order_by()
    top = rows.values("tag").annotate(n=Count("id")).order_by("-n", "tag")[: limit + 1]
    counts = {r["tag"]: r["n"] for r in top}
    missing = [t for t in filters.tag if t not in counts]
    if missing:
        extra = rows.filter(tag__in=missing).values("tag").annotate(n=Count("id"))
        counts.update({r["tag"]: r["n"] for r in extra})
    options, truncated = _options("tag", counts, {}, filters.tag, limit=limit)
    return Facet("tag", FACET_LABELS["tag"], options, truncated)


def _level_facet(filters: ProductFilters, limit: int) -> Facet:
    scope = _scope(filters.without("level"))
    if scope is None:
        # The whole catalog: the (level_rank, product) index alone, and products minus results.
        rows = ProductAssessment.objects.order_by().values("level_rank").annotate(n=Count("id"))
        by_rank: dict[int | None, int] = {r["level_rank"]: r["n"] for r in rows}
        by_rank[None] = Product.objects.count() - sum(by_rank.values())
    else:
        # Under filters: one pass over the products in scope, unassessed ones grouped as NULL.
        joined = scope.order_by().values("assessment__level_rank").annotate(n=Count("id"))
        by_rank = {r["assessment__level_rank"]: r["n"] for r in joined}
    counts = {level: by_rank.get(rank, 0) for rank, level in enumerate(LEVELS)}
    counts[UNASSESSED] = by_rank.get(None, 0)
    labels = {level: LEVEL_TITLES[Level(level)] for level in LEVELS}
    labels[UNASSESSED] = "Not assessed yet"
    options, _ = _options("level", counts, labels, filters.level, order=LEVEL_VALUES, limit=limit)
    return Facet("level", FACET_LABELS["level"], options)


def _failing_facet(filters: ProductFilters, limit: int) -> Facet:
    from productize.assessment.characteristics import active_characteristics

    scope = _scope(filters.without("failing"))
    # Every gap row is expected (see the failing filter): a scan of the covering index.
    gaps = _within(AssessmentGap.objects.all(), scope, "product_id").order_by()
    grouped = gaps.values("characteristic").annotate(n=Count("id"))
    counts = {r["characteristic"]: r["n"] for r in grouped}
    labels = {c.key: c.title for c in active_characteristics()[0].characteristics}
    order = tuple(labels)
    options, _ = _options("failing", counts, labels, filters.failing, order=order, limit=limit)
    return Facet("failing", FACET_LABELS["failing"], options)


BUILDERS = {
    "loop": _loop_facet,
    "stage": _stage_facet,
    "owner": _owner_facet,
    "alignment": _alignment_facet,
    "interface_kind": _interface_kind_facet,
    "tag": _tag_facet,
    "level": _level_facet,
    "failing": _failing_facet,
}


def sql_facets(filters: ProductFilters, limit: int = 12) -> list[Facet]:
    """Every facet, counted by the database, one facet at a time."""
    return [BUILDERS[name](filters, limit) for name in FACETS]


def sql_count(filters: ProductFilters) -> int:
    """How many products match, counted by the database."""
    return matching(filters, counting=True).count()


def sql_page_ids(filters: ProductFilters, offset: int, limit: int, sort: str) -> list[int]:
    """One page of ids as the database orders them (best match first, or by name)."""
    query = filters.search
    if query.active and query.terms and sort == "relevance":
        others = replace(filters, q="")
        narrowed = narrow(Product.objects.all(), others) if others.active else None
        return ranked_ids(narrowed, query, limit=limit, offset=offset)
    ordered = matching(filters).order_by("name", "id").values_list("id", flat=True)
    return list(ordered[offset : offset + limit])


def ranked_ids(
    queryset: QuerySet[Product] | None, query: search.SearchQuery, *, limit: int, offset: int
) -> list[int]:
    """Ids of one page of matching products (within `queryset` if given), best match first.

    `queryset` carries the other filters; it becomes a subquery, so the search index picks the
    candidates and the rank orders them in one statement.
    """
    from django.db import connections

    if queryset is None:
        connection = connections[Product.objects.db]
        within, inner_params = "", ()
    else:
        connection = connections[queryset.db]
        inner_sql, inner_params = queryset.order_by().values("id").query.sql_with_params()
        within = f"AND {{id}} IN ({inner_sql}) "
    # Ties are broken by id, not name: ordering by name would read every matching product row,
    # which doubles the time of a common word's search at 100,000 products. The inner SQL is
    # Django's own compilation of the other filters, with its parameters bound.
    if connection.vendor == "postgresql":
        sql = (
            "SELECT p.id FROM catalog_product p, to_tsquery('simple', %s) q "  # noqa: S608
            f"WHERE p.search_vector @@ q {within.format(id='p.id')}"
            "ORDER BY ts_rank(CAST(%s AS real[]), p.search_vector, q) DESC, p.id "
            "LIMIT %s OFFSET %s"
        )
        params: list[Any] = [
            search._tsquery(query),
            *inner_params,
            search.POSTGRES_WEIGHTS,
            limit,
            offset,
        ]
    else:
        sql = (
            "SELECT rowid FROM catalog_product_fts "  # noqa: S608
            # `+rowid`: without the plus SQLite hands the IN list to FTS5 as a rowid
            # constraint, which then runs the whole match once per listed product.
            f"WHERE catalog_product_fts MATCH %s {within.format(id='+rowid')}"
            "ORDER BY bm25(catalog_product_fts, %s, %s, %s, %s), rowid LIMIT %s OFFSET %s"
        )
        params = [search._fts5_match(query), *inner_params, *search.SQLITE_WEIGHTS, limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]
