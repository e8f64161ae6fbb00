"""Reads about patterns, improvements, milestones and roadmaps (with priorities)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, Sum

from productize.catalog.models import Consumption, Product
from productize.catalog.selectors.paging import Page, PageRequest, paginate
from productize.domain.loop.priority import Priority, compute_priority, with_override
from productize.domain.loop.states import (
    ImprovementStatus,
    PatternStatus,
    allowed_targets,
)
from productize.domain.loop.verification import Verification, verify
from productize.domain.loop.weight import Weight
from productize.loop.models import (
    Feedback,
    Improvement,
    ImprovementPerson,
    Milestone,
    MilestoneKind,
    Pattern,
    RoadmapColumn,
    RoadmapEntry,
)
from productize.loop.selectors.base import (
    CLOSED,
    OPEN_PATTERNS,
)
from productize.loop.selectors.feedback import feedback_page

# --- patterns ------------------------------------------------------------------------------

PATTERN_ORDER = {
    "weight": ("-weight", "-id"),
    "-weight": ("weight", "id"),
    "recent": ("-last_feedback_at", "-id"),
    "new": ("-created_at", "-id"),
    "title": ("title", "id"),
}


def pattern_page(
    request: PageRequest,
    *,
    product: Product | None = None,
    status: str | None = None,
    open_only: bool = False,
    unclaimed: bool = False,
    order: str = "weight",
    q: str = "",
) -> Page[Pattern]:
    """A page of patterns, heaviest first unless another order is asked for."""
    patterns = Pattern.objects.all()
    if product is not None:
        patterns = patterns.filter(products=product)
    if status:
        patterns = patterns.filter(status=status)
    if open_only:
        patterns = patterns.exclude(status__in=CLOSED)
    if unclaimed:
        patterns = patterns.filter(products__isnull=True)
    if q:
        patterns = patterns.filter(title__icontains=q)
    ordered = patterns.select_related("owner").order_by(
        *PATTERN_ORDER.get(order, PATTERN_ORDER["weight"])
    )
    return paginate(ordered, request, counted=patterns)


@dataclass(frozen=True, slots=True)
class PatternDetail:
    """A pattern with what its page shows: weight explained, links, improvements, verification."""

    pattern: Pattern
    products: list[Product]
    interfaces: list[Any]
    related: list[Pattern]
    improvements: list[Improvement]
    weight: Weight
    feedback: Page[Feedback]
    allowed_moves: list[str]
    verification: Verification | None
    shipped_by: Improvement | None


def pattern_detail(
    pattern_id: int, request: PageRequest | None = None, *, now: datetime | None = None
) -> PatternDetail | None:
    """One pattern for its page; verification compares feedback before and after shipping."""
    from productize.loop.services.patterns import weight_of

    pattern = Pattern.objects.select_related("owner").filter(pk=pattern_id).first()
    if pattern is None:
        return None
    improvements = list(pattern.improvements.order_by("-updated_at"))
    shipped = max(
        (i for i in improvements if i.completed_at is not None),
        key=lambda i: i.completed_at,  # type: ignore[arg-type, return-value]
        default=None,
    )
    verification = None
    if shipped is not None and shipped.completed_at is not None:
        times = Feedback.objects.filter(pattern_links__pattern=pattern).values_list(
            "created_at", flat=True
        )
        verification = verify(times.iterator(), shipped_at=shipped.completed_at, now=now)
    return PatternDetail(
        pattern=pattern,
        products=list(pattern.products.all()),
        interfaces=list(pattern.interfaces.select_related("product")),
        related=list(pattern.related.all()),
        improvements=improvements,
        weight=weight_of(pattern, now=now),
        feedback=feedback_page(request or PageRequest(1, 25), pattern=pattern),
        allowed_moves=sorted(allowed_targets(PatternStatus(pattern.status))),
        verification=verification,
        shipped_by=shipped,
    )


# --- improvements and milestones -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Progress:
    """Milestones done out of all, and of the MVP set (progress is derived from milestones)."""

    done: int
    total: int
    mvp_done: int
    mvp_total: int

    @property
    def fraction(self) -> float:
        """Share of all milestones done (0 when there are none)."""
        return self.done / self.total if self.total else 0.0

    @property
    def mvp_fraction(self) -> float:
        """Share of the MVP milestones done."""
        return self.mvp_done / self.mvp_total if self.mvp_total else 0.0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "done": self.done,
            "total": self.total,
            "fraction": round(self.fraction, 4),
            "mvp_done": self.mvp_done,
            "mvp_total": self.mvp_total,
            "mvp_fraction": round(self.mvp_fraction, 4),
        }


def progress_of(improvement_ids: Iterable[int]) -> dict[int, Progress]:
    """Milestone progress of many improvements in one query."""
    ids = list(improvement_ids)
    rows = (
        Milestone.objects.filter(improvement_id__in=ids)
        .values("improvement_id")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=Q(done_at__isnull=False)),
            mvp_total=Count("id", filter=Q(kind=MilestoneKind.MVP)),
            mvp_done=Count("id", filter=Q(kind=MilestoneKind.MVP, done_at__isnull=False)),
        )
    )
    found = {
        r["improvement_id"]: Progress(r["done"], r["total"], r["mvp_done"], r["mvp_total"])
        for r in rows
    }
    return {pk: found.get(pk, Progress(0, 0, 0, 0)) for pk in ids}


@dataclass(frozen=True, slots=True)
class ImprovementDetail:
    """An improvement with its patterns, products, milestones, people, progress and roadmap."""

    improvement: Improvement
    patterns: list[Pattern]
    products: list[Product]
    milestones: list[Milestone]
    depends_on: dict[int, list[int]]
    people: list[ImprovementPerson]
    progress: Progress
    roadmap: list[RoadmapEntry]
    allowed_moves: list[str]


def improvement_get(improvement_id: int) -> Improvement | None:
    """One improvement, or None."""
    return Improvement.objects.filter(pk=improvement_id).first()


def improvement_detail(improvement_id: int) -> ImprovementDetail | None:
    """One improvement for its page."""
    improvement = improvement_get(improvement_id)
    if improvement is None:
        return None
    milestones = list(improvement.milestones.order_by("position", "id"))
    deps: dict[int, list[int]] = defaultdict(list)
    for source, target in Milestone.depends_on.through.objects.filter(
        from_milestone__improvement=improvement
    ).values_list("from_milestone_id", "to_milestone_id"):
        deps[source].append(target)
    return ImprovementDetail(
        improvement=improvement,
        patterns=list(improvement.patterns.select_related("owner").order_by("-weight")),
        products=list(improvement.products.all()),
        milestones=milestones,
        depends_on={m.pk: sorted(deps.get(m.pk, [])) for m in milestones},
        people=list(improvement.people.select_related("person").order_by("role", "person__name")),
        progress=progress_of([improvement.pk])[improvement.pk],
        roadmap=list(improvement.roadmap_entries.select_related("product")),
        allowed_moves=sorted(allowed_targets(ImprovementStatus(improvement.status))),
    )


def improvement_page(
    request: PageRequest, *, product: Product | None = None, status: str | None = None
) -> Page[Improvement]:
    """A page of improvements, most recently changed first."""
    items = Improvement.objects.all()
    if product is not None:
        items = items.filter(products=product)
    if status:
        items = items.filter(status=status)
    ordered = items.prefetch_related("products").order_by("-updated_at", "-id")
    return paginate(ordered, request, counted=items)


def improvements_by_status(product: Product, *, per_status: int = 5) -> dict[str, dict[str, Any]]:
    """For each status: how many improvements the product has, and the latest few."""
    base = Improvement.objects.filter(products=product)
    counts = dict(base.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    out: dict[str, dict[str, Any]] = {}
    for status in ImprovementStatus:
        n = counts.get(str(status), 0)
        latest = list(base.filter(status=status).order_by("-updated_at")[:per_status]) if n else []
        out[str(status)] = {"count": n, "items": latest}
    return out


# --- roadmap and priority ------------------------------------------------------------------


def reach_of(product: Product) -> int:
    """How many other products consume one of this product's interfaces."""
    return (
        Consumption.objects.filter(interface__product=product)
        .exclude(consumer=product)
        .values("consumer_id")
        .distinct()
        .count()
    )


@dataclass(frozen=True, slots=True)
class RoadmapItem:
    """An improvement on a roadmap, with its priority and progress."""

    entry: RoadmapEntry
    improvement: Improvement
    priority: Priority
    progress: Progress


def priority_of(
    improvement: Improvement,
    *,
    reach: int,
    pattern_weights: Sequence[float],
    entry: RoadmapEntry | None = None,
) -> Priority:
    """The domain priority of an improvement, with the owner's override from `entry`."""
    priority = compute_priority(
        pattern_weights=[max(0.0, w) for w in pattern_weights],
        reach=reach,
        effort=improvement.effort_weeks if improvement.effort_weeks else None,
        confidence=improvement.confidence,
    )
    if entry is not None and entry.priority_override is not None:
        priority = with_override(priority, entry.priority_override, entry.override_reason)
    return priority


def roadmap(product: Product) -> dict[str, list[RoadmapItem]]:
    """A product's roadmap: now / next / later in order, each item with its priority."""
    entries = list(
        RoadmapEntry.objects.filter(product=product)
        .select_related("improvement")
        .prefetch_related("improvement__products")
        .order_by("column", "position", "id")
    )
    ids = [e.improvement_id for e in entries]
    weights: dict[int, list[float]] = defaultdict(list)
    through = Improvement.patterns.through.objects.filter(improvement_id__in=ids)
    for improvement_id, weight in through.values_list("improvement_id", "pattern__weight"):
        weights[improvement_id].append(weight or 0.0)
    progress = progress_of(ids)
    reach = reach_of(product) if entries else 0
    board: dict[str, list[RoadmapItem]] = {str(c): [] for c in RoadmapColumn}
    for entry in entries:
        priority = priority_of(
            entry.improvement,
            reach=reach,
            pattern_weights=weights[entry.improvement_id],
            entry=entry,
        )
        board[entry.column].append(
            RoadmapItem(entry, entry.improvement, priority, progress[entry.improvement_id])
        )
    return board


def roadmap_entry_get(entry_id: int) -> RoadmapEntry | None:
    """One roadmap entry with its product and improvement."""
    return RoadmapEntry.objects.select_related("product", "improvement").filter(pk=entry_id).first()


def pattern_weight_total(product: Product) -> float:
    """The summed weight of a product's open patterns."""
    total = Pattern.objects.filter(products=product, status__in=OPEN_PATTERNS).aggregate(
        w=Sum("weight")
    )["w"]
    return float(total or 0.0)
