"""The composite reads: a product's loop tab, My loop, and the organisation's view."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from productize.catalog.models import Loop, Membership, Ownership, Person, Product
from productize.catalog.selectors.paging import Page, PageRequest, paginate
from productize.domain.loop.states import (
    ImprovementStatus,
)
from productize.loop.models import (
    Feedback,
    FeedbackChannel,
    Improvement,
    ImprovementPerson,
    Milestone,
    Pattern,
)
from productize.loop.selectors.base import (
    CLOSED,
    DUE_SOON_DAYS,
    ENDED,
    LIVE_STAGES,
    OPEN_PATTERNS,
    QUIET_DAYS,
    RECENT,
    TOP_PATTERNS,
    unpatterned,
)
from productize.loop.selectors.feedback import channels_for, weekly_counts
from productize.loop.selectors.work import RoadmapItem, improvements_by_status, roadmap

# --- the product's loop tab ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoopSummary:
    """Everything a product's loop tab shows, gathered in a handful of queries."""

    product: Product
    channels: list[FeedbackChannel]
    feedback_total: int
    unpatterned_total: int
    last_feedback_at: datetime | None
    recent_feedback: list[Feedback]
    patterns: list[Pattern]
    patterns_open: int
    improvements: dict[str, dict[str, Any]]
    roadmap: dict[str, list[RoadmapItem]]
    weekly: list[dict[str, Any]] = field(default_factory=list)


def loop_summary(product: Product, *, now: datetime | None = None) -> LoopSummary:
    """The loop tab of a product: channels, recent feedback, patterns, improvements, roadmap."""
    items = Feedback.objects.filter(product=product)
    totals = items.aggregate(n=Count("id"), last=Max("created_at"))
    patterns = Pattern.objects.filter(products=product)
    return LoopSummary(
        product=product,
        channels=channels_for(product),
        feedback_total=totals["n"],
        unpatterned_total=unpatterned(items).count() if totals["n"] else 0,
        last_feedback_at=totals["last"],
        recent_feedback=list(
            items.select_related("channel", "interface", "product").order_by("-created_at", "-id")[
                :RECENT
            ]
        ),
        patterns=list(
            patterns.exclude(status__in=CLOSED)
            .select_related("owner")
            .order_by("-weight", "-id")[:TOP_PATTERNS]
        ),
        patterns_open=patterns.exclude(status__in=CLOSED).count(),
        improvements=improvements_by_status(product),
        roadmap=roadmap(product),
        weekly=weekly_counts(product, now=now),
    )


# --- my loop -------------------------------------------------------------------------------


def owned_products(person: Person) -> QuerySet[Product]:
    """The products a person owns: directly, through a team, or through a loop (and below)."""
    teams = Membership.objects.filter(person=person).values_list("team_id", flat=True)
    who = Q(person=person) | Q(team_id__in=list(teams))
    ownerships = Ownership.objects.filter(who)
    direct = set(ownerships.filter(product__isnull=False).values_list("product_id", flat=True))
    loops = set(ownerships.filter(loop__isnull=False).values_list("loop_id", flat=True))
    if loops:
        children: dict[int | None, list[int]] = defaultdict(list)
        for pk, parent in Loop.objects.values_list("pk", "parent_id"):
            children[parent].append(pk)
        stack = list(loops)
        while stack:
            for child in children.get(stack.pop(), []):
                if child not in loops:
                    loops.add(child)
                    stack.append(child)
    return Product.objects.filter(Q(pk__in=direct) | Q(loop_id__in=loops))


@dataclass(frozen=True, slots=True)
class MyLoop:
    """What waits on one person across their products."""

    person: Person
    products: list[Product]
    untriaged: Page[Feedback]
    untriaged_total: int
    heavy_patterns: list[Pattern]
    to_approve: list[Improvement]
    milestones_due: list[Milestone]
    my_improvements: list[Improvement]


def my_loop(
    person: Person, request: PageRequest | None = None, *, now: datetime | None = None
) -> MyLoop:
    """Untriaged feedback, heavy open patterns, improvements to approve, milestones due."""
    now = now or timezone.now()
    products = owned_products(person)
    product_ids = list(products.values_list("pk", flat=True))
    loops = set(products.exclude(loop__isnull=True).values_list("loop_id", flat=True))
    channel_ids = list(
        FeedbackChannel.objects.filter(
            Q(product_id__in=product_ids) | Q(loop_id__in=loops)
        ).values_list("pk", flat=True)
    )
    # Ids, not joins, so each side of the OR can use its index.
    mine = Feedback.objects.filter(
        Q(product_id__in=product_ids) | Q(product__isnull=True, channel_id__in=channel_ids)
    )
    waiting = unpatterned(mine)
    untriaged = paginate(
        waiting.select_related("channel", "product", "interface").order_by("-created_at", "-id"),
        request or PageRequest(1, 10),
        counted=waiting,
    )
    roles = ImprovementPerson.objects.filter(person=person).values_list("improvement_id", flat=True)
    involved = Improvement.objects.filter(Q(products__in=product_ids) | Q(pk__in=list(roles)))
    due = (
        Milestone.objects.filter(improvement__in=involved.values("pk"), done_at__isnull=True)
        .filter(due_date__lte=(now + timedelta(days=DUE_SOON_DAYS)).date())
        .exclude(improvement__status__in=ENDED)
        .select_related("improvement")
        .order_by("due_date", "position")[:20]
    )
    return MyLoop(
        person=person,
        products=list(products.order_by("name")),
        untriaged=untriaged,
        untriaged_total=untriaged.total,
        heavy_patterns=list(
            Pattern.objects.filter(products__in=product_ids, status__in=OPEN_PATTERNS)
            .select_related("owner")
            .distinct()
            .order_by("-weight", "-id")[:TOP_PATTERNS]
        ),
        to_approve=list(
            Improvement.objects.filter(
                products__in=product_ids, status=ImprovementStatus.AWAITING_APPROVAL
            )
            .distinct()
            .prefetch_related("products")
            .order_by("status_changed_at")[:20]
        ),
        milestones_due=list(due),
        my_improvements=list(
            Improvement.objects.filter(pk__in=list(roles))
            .exclude(status__in=ENDED)
            .prefetch_related("products")
            .order_by("-updated_at")[:20]
        ),
    )


# --- the organisation's view ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrgLoop:
    """Where feedback piles up, patterns no product claims, products whose loop went quiet."""

    unrouted_total: int
    piles: list[dict[str, Any]]  # per product: unpatterned count, total, newest
    loop_piles: list[dict[str, Any]]  # per loop: the same summed
    unclaimed_patterns: Page[Pattern]
    quiet_products: list[dict[str, Any]]
    weekly: list[dict[str, Any]]


def org_loop(
    request: PageRequest | None = None, *, now: datetime | None = None, limit: int = 20
) -> OrgLoop:
    """The organisation's loop at a glance (each list capped at `limit`)."""
    now = now or timezone.now()
    waiting = unpatterned(Feedback.objects.filter(product__isnull=False))
    piles = list(
        waiting.values("product_id", "product__slug", "product__name", "product__loop__slug")
        .annotate(unpatterned=Count("id"), newest=Max("created_at"))
        .order_by("-unpatterned", "product__slug")[:limit]
    )
    loop_piles = list(
        waiting.exclude(product__loop__isnull=True)
        .values("product__loop__slug", "product__loop__name")
        .annotate(unpatterned=Count("id"))
        .order_by("-unpatterned", "product__loop__slug")[:limit]
    )
    unclaimed = Pattern.objects.filter(products__isnull=True).exclude(status__in=CLOSED)
    cutoff = now - timedelta(days=QUIET_DAYS)
    # Subqueries, not joins: joining feedback and channels together would multiply rows.
    last = (
        Feedback.objects.filter(product_id=OuterRef("pk"))
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    channel_count = (
        FeedbackChannel.objects.filter(product_id=OuterRef("pk"))
        .values("product_id")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )
    quiet = (
        Product.objects.filter(stage__in=LIVE_STAGES)
        .annotate(last=Subquery(last), channels=Subquery(channel_count))
        .filter(Q(last__isnull=True) | Q(last__lt=cutoff))
        .order_by(F("last").asc(nulls_first=True), "name")
        .values("slug", "name", "stage", "last", "channels")[:limit]
    )
    return OrgLoop(
        unrouted_total=Feedback.objects.filter(product__isnull=True).count(),
        piles=[
            {
                "product": p["product__slug"],
                "name": p["product__name"],
                "loop": p["product__loop__slug"],
                "unpatterned": p["unpatterned"],
                "newest": p["newest"],
            }
            for p in piles
        ],
        loop_piles=[
            {
                "loop": p["product__loop__slug"],
                "name": p["product__loop__name"],
                "unpatterned": p["unpatterned"],
            }
            for p in loop_piles
        ],
        unclaimed_patterns=paginate(
            unclaimed.select_related("owner").order_by("-weight", "-id"),
            request or PageRequest(1, 10),
            counted=unclaimed,
        ),
        quiet_products=[
            {
                "product": q["slug"],
                "name": q["name"],
                "stage": q["stage"],
                "last_feedback_at": q["last"],
                "channels": q["channels"] or 0,
            }
            for q in quiet
        ],
        weekly=weekly_counts(None, now=now),
    )
