"""Reads over assessment results, for the API and the web UI (server-side paged, bounded).

Each selector makes a fixed number of queries. The organisation summary is cached per catalog
version: assessment writes audit records, so a new result is visible on the next request.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.db import connections
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from productize.assessment.characteristics import active_characteristics, active_file
from productize.assessment.models import (
    AssessmentGap,
    AssessmentHistory,
    CharacteristicsFile,
    ProductAssessment,
)
from productize.catalog.models import Loop, Ownership, Product
from productize.catalog.selectors import Page, PageRequest, catalog_version
from productize.catalog.selectors.caching import version_cached
from productize.catalog.selectors.paging import paginate
from productize.catalog.selectors.rows import concrete_names, instance, select_list
from productize.domain.assessment import LEVEL_ORDER, LEVEL_TITLES, Level
from productize.domain.descriptors import STAGE_ORDER
from productize.domain.overlap import OverlapInput, find_overlaps

LEVELS: tuple[str, ...] = tuple(level.value for level in LEVEL_ORDER)
NO_LOOP = "feedback-loop"  # the characteristic whose `not-met` means no live loop
MAX_LISTED = 50  # products listed per summary section


class AssessmentFilterError(ValueError):
    """A filter value that cannot be used."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class AssessmentFilters:
    """Organisation-wide filters: level (or at least a level), failing characteristic, loop,
    stage, and "not yet a product"."""

    level: tuple[str, ...] = ()
    min_level: str = ""
    below: str = ""
    failing: tuple[str, ...] = ()
    loop: tuple[str, ...] = ()
    stage: tuple[str, ...] = ()
    not_yet: bool | None = None

    def validate(self) -> AssessmentFilters:
        """Raise AssessmentFilterError naming the first value that cannot be used."""
        for name in ("level",):
            for value in getattr(self, name):
                if value not in LEVELS:
                    raise AssessmentFilterError(
                        name, f"`{value}`: expected one of {', '.join(LEVELS)}"
                    )
        for name in ("min_level", "below"):
            value = getattr(self, name)
            if value and value not in LEVELS:
                raise AssessmentFilterError(name, f"`{value}`: expected one of {', '.join(LEVELS)}")
        stages = [s.value for s in STAGE_ORDER]
        for value in self.stage:
            if value not in stages:
                raise AssessmentFilterError(
                    "stage", f"`{value}`: expected one of {', '.join(stages)}"
                )
        keys = {c.key for c in active_characteristics()[0].characteristics}
        for value in self.failing:
            if value not in keys:
                raise AssessmentFilterError(
                    "failing", f"`{value}`: expected a characteristic: {', '.join(sorted(keys))}"
                )
        return self


def _narrow(
    queryset: QuerySet[ProductAssessment], f: AssessmentFilters
) -> QuerySet[ProductAssessment]:
    if f.level:
        queryset = queryset.filter(level__in=f.level)
    if f.min_level:
        queryset = queryset.filter(level_rank__gte=LEVELS.index(f.min_level))
    if f.below:
        queryset = queryset.filter(level_rank__lt=LEVELS.index(f.below))
    for key in f.failing:
        gaps = AssessmentGap.objects.filter(characteristic=key, product_id=OuterRef("product_id"))
        queryset = queryset.filter(Exists(gaps))
    if f.loop:
        condition = Q(product__loop__slug__in=[v for v in f.loop if v != "none"])
        if "none" in f.loop:
            condition |= Q(product__loop__isnull=True)
        queryset = queryset.filter(condition)
    if f.stage:
        queryset = queryset.filter(product__stage__in=f.stage)
    if f.not_yet is not None:
        queryset = queryset.filter(not_yet_a_product=f.not_yet)
    return queryset


def assessment_page(filters: AssessmentFilters, request: PageRequest) -> Page[ProductAssessment]:
    """A page of current results, weakest first (level, then score, then name). Two queries."""
    base = _narrow(ProductAssessment.objects.all(), filters)
    ordered = base.select_related("product", "product__loop").order_by(
        "level_rank", "score", "product__name", "product_id"
    )
    return paginate(ordered, request, counted=base)


def current_for(product: Product) -> ProductAssessment | None:
    """The current result of one product. One query.

    Written in SQL because every first view of a product page reads it: compiling the
    queryset cost more CPU than running it (see catalog.selectors.rows).
    """
    using = ProductAssessment.objects.db
    with connections[using].cursor() as cursor:
        cursor.execute(_current_sql(using), [product.pk])
        row = cursor.fetchone()
    return None if row is None else instance(ProductAssessment, _CURRENT_FIELDS, row, using)


_CURRENT_FIELDS = concrete_names(ProductAssessment)
_HISTORY_FIELDS = concrete_names(AssessmentHistory)


@cache
def _current_sql(using: str) -> str:
    # Column names from the model; the product id is a parameter.
    columns = select_list(ProductAssessment, _CURRENT_FIELDS, "a", using)
    table = ProductAssessment._meta.db_table
    return f"SELECT {columns} FROM {table} a WHERE a.product_id = %s"  # noqa: S608


@cache
def _history_sql(using: str) -> str:
    columns = select_list(AssessmentHistory, _HISTORY_FIELDS, "h", using)
    table = AssessmentHistory._meta.db_table
    return (
        f"SELECT {columns} FROM {table} h WHERE h.product_id = %s "  # noqa: S608
        "ORDER BY h.at DESC, h.id DESC LIMIT %s"
    )


def history_page(product: Product, request: PageRequest) -> Page[AssessmentHistory]:
    """A page of one product's result changes, newest first. Up to two queries."""
    rows = AssessmentHistory.objects.filter(product=product).order_by("-at", "-id")
    return paginate(rows, request)


def recent_history(product: Product, limit: int = 20) -> list[AssessmentHistory]:
    """The newest result changes of a product, oldest first (for a chart). One query."""
    using = AssessmentHistory.objects.db
    with connections[using].cursor() as cursor:
        cursor.execute(_history_sql(using), [product.pk, limit])
        rows = cursor.fetchall()
    return [instance(AssessmentHistory, _HISTORY_FIELDS, row, using) for row in rows[::-1]]


@dataclass(slots=True)
class Summary:
    """Where the organisation is weakest, at a glance."""

    assessed: int = 0
    products: int = 0
    by_level: dict[str, int] = field(default_factory=dict)
    by_loop: list[tuple[str, str, dict[str, int]]] = field(default_factory=list)  # slug, name
    by_stage: list[tuple[str, dict[str, int]]] = field(default_factory=list)
    worst_gaps: list[tuple[str, str, int]] = field(default_factory=list)  # key, title, count
    no_owner: list[tuple[str, str]] = field(default_factory=list)
    no_owner_count: int = 0
    no_live_loop: list[tuple[str, str]] = field(default_factory=list)
    no_live_loop_count: int = 0
    not_yet: list[tuple[str, str, list[str]]] = field(default_factory=list)
    alignment_gaps: list[tuple[str, str, str]] = field(default_factory=list)  # slug, name, what
    overlaps: list[dict[str, Any]] = field(default_factory=list)
    characteristics_files: list[dict[str, Any]] = field(default_factory=list)


def organisation_summary() -> Summary:
    """Counts by loop and level, stage and level, worst gaps, owners, loops, overlaps."""
    return version_cached("assessment-summary", catalog_version(), "", _summary)


def _summary() -> Summary:
    s = Summary(products=Product.objects.count())
    empty = dict.fromkeys(LEVELS, 0)
    loops: dict[int | None, dict[str, int]] = defaultdict(lambda: dict(empty))
    stages: dict[str, dict[str, int]] = defaultdict(lambda: dict(empty))
    rows = ProductAssessment.objects.values_list("product__loop_id", "product__stage", "level")
    grouped = rows.annotate(n=Count("id")).order_by()
    for loop_id, stage, level, n in grouped:
        loops[loop_id][level] += n
        stages[stage][level] += n
        s.by_level[level] = s.by_level.get(level, 0) + n
        s.assessed += n
    names = {i: (slug, name) for i, slug, name in Loop.objects.values_list("id", "slug", "name")}
    s.by_loop = sorted(
        ((names[k][0], names[k][1], v) if k in names else ("none", "No loop", v))
        for k, v in loops.items()
    )
    s.by_stage = [(st.value, stages[st.value]) for st in STAGE_ORDER if st.value in stages]
    chars = active_characteristics()[0]
    titles = {c.key: c.title for c in chars.characteristics}
    counts = (
        AssessmentGap.objects.filter(expected=True)
        .values_list("characteristic")
        .annotate(n=Count("id"))
        .order_by("-n", "characteristic")
    )
    s.worst_gaps = [(k, titles.get(k, k), n) for k, n in counts]
    resolved = Ownership.objects.filter(product=OuterRef("pk")).filter(
        Q(person__isnull=False) | Q(team__isnull=False)
    )
    no_owner = Product.objects.exclude(stage="retired").filter(~Exists(resolved))
    s.no_owner_count = no_owner.count()
    s.no_owner = list(no_owner.order_by("name").values_list("slug", "name")[:MAX_LISTED])
    no_loop = Product.objects.filter(
        Exists(AssessmentGap.objects.filter(product=OuterRef("pk"), characteristic=NO_LOOP))
    ).exclude(stage="retired")
    s.no_live_loop_count = no_loop.count()
    s.no_live_loop = list(no_loop.order_by("name").values_list("slug", "name")[:MAX_LISTED])
    not_yet = ProductAssessment.objects.filter(not_yet_a_product=True).select_related("product")
    s.not_yet = [
        (a.product.slug, a.product.name, list(a.result.get("not_yet_reasons", [])))
        for a in not_yet.order_by("product__name")[:MAX_LISTED]
    ]
    unexplained = Product.objects.filter(Q(alignment="") | Q(alignment_why="")).exclude(
        stage="retired"
    )
    s.alignment_gaps = [
        (slug, name, "no alignment" if not kind else "alignment without a rationale")
        for slug, name, kind in unexplained.order_by("name").values_list(
            "slug", "name", "alignment"
        )[:MAX_LISTED]
    ]
    s.overlaps = _overlaps()
    s.characteristics_files = [
        {"source": f.source.name, "path": f.path, "valid": f.valid, "findings": f.findings,
         "active": False}
        for f in CharacteristicsFile.objects.select_related("source").order_by("path")
    ]  # fmt: skip
    chosen = active_file()
    for item in s.characteristics_files:
        item["active"] = chosen is not None and item["source"] == chosen.source.name
    return s


def _overlaps() -> list[dict[str, Any]]:
    rows = Product.objects.exclude(stage="retired").values_list("slug", "name", "mission", "does")
    names = {}
    inputs = []
    for slug, name, mission, does in rows.iterator(chunk_size=2000):
        names[slug] = name
        inputs.append(OverlapInput(slug, mission, tuple(does or ())))
    found = find_overlaps(inputs)[:MAX_LISTED]
    return [
        {"a": o.a, "a_name": names[o.a], "b": o.b, "b_name": names[o.b],
         "similarity": round(o.similarity, 2), "shared_words": list(o.shared_words)}
        for o in found
    ]  # fmt: skip


def level_title(level: str) -> str:
    """The level for people."""
    return LEVEL_TITLES[Level(level)]


def characteristic_choices() -> Sequence[tuple[str, str]]:
    """(key, title) of the active characteristics."""
    return [(c.key, c.title) for c in active_characteristics()[0].characteristics]


def gap_counts(keys: Sequence[str]) -> Counter[str]:
    """How many products fail each of these characteristics."""
    rows = AssessmentGap.objects.filter(characteristic__in=keys).values_list("characteristic")
    return Counter(dict(rows.annotate(n=Count("id")).order_by()))
