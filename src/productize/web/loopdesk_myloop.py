"""My loop: everything that waits on one person across the products they own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from productize.catalog.models import Product
from productize.domain.loop.states import ImprovementStatus
from productize.loop.models import (
    Feedback,
    Improvement,
    ImprovementPerson,
    Milestone,
    Pattern,
    Suggestion,
    SuggestionStatus,
)
from productize.web.loopdesk_reads import CLOSED_PATTERNS, Scope, unpatterned

DUE_DAYS = 14
HEAVY_PATTERNS = 8
AWAITING = ImprovementStatus.AWAITING_APPROVAL.value
ENDED = (
    ImprovementStatus.COMPLETED.value,
    ImprovementStatus.DENIED.value,
    ImprovementStatus.FAILED.value,
)


@dataclass(slots=True)
class MyLoop:
    """Everything that waits on one person across the products they own."""

    products: int
    untriaged: int
    untriaged_items: list[Feedback]
    unrouted: int
    patterns: list[Pattern]
    approvals: list[Improvement]
    milestones: list[Milestone]
    suggestions: int
    today: date


def my_loop(scope: Scope, *, now: datetime | None = None) -> MyLoop:
    """What waits on the owner: untriaged feedback, heavy patterns, approvals, due milestones."""
    today = timezone.localdate(now or timezone.now())
    products = Product.objects.filter(scope.owned())
    owned_product_ids = products.values("pk")
    untriaged = Feedback.objects.filter(unpatterned(), product_id__in=owned_product_ids)
    unrouted = Feedback.objects.filter(unpatterned(), Q(product__isnull=True)).filter(
        scope.feedback()
    )
    person = scope.person
    mine = Q(products__in=owned_product_ids)
    if person is not None:
        mine |= Q(owner=person)
    patterns = (
        Pattern.objects.filter(mine)
        .exclude(status__in=CLOSED_PATTERNS)
        .distinct()
        .select_related("owner")
        .order_by("-weight", "-id")[:HEAVY_PATTERNS]
    )
    improving = Q(products__in=owned_product_ids)
    if person is not None:
        roles = ImprovementPerson.objects.filter(person=person, role__in=("owner", "guide"))
        improving |= Q(pk__in=roles.values("improvement_id"))
    approvals = (
        Improvement.objects.filter(improving, status=AWAITING)
        .distinct()
        .order_by("status_changed_at", "id")
    )
    working = Q(improvement__products__in=owned_product_ids)
    if person is not None:
        working |= Q(improvement__people__person=person)
    milestones = (
        Milestone.objects.filter(working, done_at__isnull=True, due_date__isnull=False)
        .filter(due_date__lte=today + timedelta(days=DUE_DAYS))
        .exclude(improvement__status__in=ENDED)
        .distinct()
        .select_related("improvement")
        .order_by("due_date", "position", "id")
    )
    suggestions = Suggestion.objects.filter(
        status=SuggestionStatus.OPEN, product_id__in=owned_product_ids
    )
    return MyLoop(
        products=products.count(),
        untriaged=untriaged.count(),
        untriaged_items=list(
            untriaged.select_related("channel", "product").order_by("-created_at", "-id")[:6]
        ),
        unrouted=unrouted.count(),
        patterns=list(patterns),
        approvals=list(approvals[:20]),
        milestones=list(milestones[:20]),
        suggestions=suggestions.count(),
        today=today,
    )
