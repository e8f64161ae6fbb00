"""Facet counts for the catalog: for each filter, how many products each of its values would give.

Each facet is counted under all the *other* active filters (and the search), so the numbers
answer "what do I get if I also pick this?". Counting is one GROUP BY per facet over indexed
columns; the results are cached per catalog version (the newest audit record), because the
catalog changes only when something is written, and every write leaves an audit record.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from productize.assessment.models import AssessmentGap, ProductAssessment
from productize.catalog.models import Interface, Loop, Ownership, Person, Product, ProductTag, Team
from productize.catalog.selectors.caching import version_cached
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
)
from productize.catalog.selectors.products import matching
from productize.catalog.selectors.stats import catalog_version
from productize.domain.assessment import LEVEL_TITLES, Level

FACET_LABELS = {
    "loop": "Loop",
    "stage": "Stage",
    "owner": "Owner",
    "alignment": "Alignment",
    "interface_kind": "Interface kind",
    "tag": "Tag",
    "level": "Assessed level",
    "failing": "Failing",
}
NONE_LABELS = {
    "loop": "No loop",
    "owner": "No owner",
    "alignment": "Not stated",
    "interface_kind": "No interfaces",
}
DEFAULT_LIMIT = 12


@dataclass(frozen=True, slots=True)
class FacetOption:
    """One value of a facet, with the number of products it would give."""

    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True, slots=True)
class Facet:
    """One filter's values with their counts; `truncated` when only the largest are listed."""

    name: str
    label: str
    options: list[FacetOption]
    truncated: bool = False


def _scope(filters: ProductFilters) -> QuerySet[Product] | None:
    """The products under these filters, or None when nothing narrows the catalog."""
    return matching(filters, counting=True) if filters.active else None


def _within(queryset: QuerySet, scope: QuerySet[Product] | None, field: str) -> QuerySet:
    return queryset if scope is None else queryset.filter(**{f"{field}__in": scope.values("id")})


def _options(
    name: str,
    counts: dict[str, int],
    labels: dict[str, str],
    chosen: tuple[str, ...],
    *,
    order: tuple[str, ...] | None = None,
    limit: int,
) -> tuple[list[FacetOption], bool]:
    """Options by the fixed order (all shown) or by count (the largest `limit`), plus chosen."""
    if order is not None:
        values = list(order)
        truncated = False
    else:
        ranked = sorted(
            (v for v, n in counts.items() if n > 0 and v != NONE),
            key=lambda v: (-counts[v], (labels.get(v) or v).lower()),
        )
        truncated = len(ranked) > limit
        values = ranked[:limit]
        values.extend(v for v in chosen if v not in values and v != NONE)
        if counts.get(NONE) or NONE in chosen:
            values.append(NONE)
    options = [
        FacetOption(
            value=value,
            label=labels.get(value) or NONE_LABELS.get(name, value) if value == NONE
            else labels.get(value, value),
            count=counts.get(value, 0),
            selected=value in chosen,
        )
        for value in values
    ]  # fmt: skip
    return options, truncated


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
    for loop_id, slug, name in loops.values_list("id", "slug", "name"):
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
    for team_id, slug, name in Team.objects.filter(
        Q(id__in=list(team_counts)) | Q(slug__in=chosen_teams)
    ).values_list("id", "slug", "name"):
        counts[f"team:{slug}"] = team_counts.get(team_id, 0)
        labels[f"team:{slug}"] = f"{name} (team)"
    people = Person.objects.filter(id__in=candidates).values_list("id", "slug", "name")
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


def product_facets(
    filters: ProductFilters, *, limit: int = DEFAULT_LIMIT, version: int | None = None
) -> list[Facet]:
    """Every facet of the catalog under these filters, in display order (cached per version)."""
    if version is None:
        version = catalog_version()
    return version_cached(
        "facets",
        version,
        f"{limit}|{filters.cache_key()}",
        lambda: [BUILDERS[name](filters, limit) for name in FACETS],
    )
