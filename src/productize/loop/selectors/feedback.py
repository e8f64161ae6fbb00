"""Reads about feedback and channels: pages, counts per week, a product's channels."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from productize.catalog.models import Loop, Product
from productize.catalog.selectors.paging import Page, PageRequest, paginate
from productize.loop.models import (
    Feedback,
    FeedbackChannel,
    Pattern,
)
from productize.loop.selectors.base import (
    TREND_WEEKS,
    unpatterned,
)

# --- feedback ------------------------------------------------------------------------------


def feedback_get(feedback_id: int) -> Feedback | None:
    """One feedback item with its channel, product and interface."""
    return (
        Feedback.objects.select_related("channel", "product", "interface", "author_person")
        .filter(pk=feedback_id)
        .first()
    )


def feedback_page(
    request: PageRequest,
    *,
    product: Product | None = None,
    channel: FeedbackChannel | None = None,
    pattern: Pattern | None = None,
    loop: Loop | None = None,
    unrouted: bool = False,
    only_unpatterned: bool = False,
    q: str = "",
    since: datetime | None = None,
) -> Page[Feedback]:
    """A page of feedback, newest first, narrowed by any of the filters."""
    items = Feedback.objects.all()
    if product is not None:
        items = items.filter(product=product)
    if channel is not None:
        items = items.filter(channel=channel)
    if pattern is not None:
        items = items.filter(pattern_links__pattern=pattern)
    if loop is not None:
        items = items.filter(Q(product__loop=loop) | Q(channel__loop=loop))
    if unrouted:
        items = items.filter(product__isnull=True)
    if only_unpatterned:
        items = unpatterned(items)
    if q:
        items = items.filter(Q(text__icontains=q) | Q(title__icontains=q))
    if since is not None:
        items = items.filter(created_at__gte=since)
    ordered = items.select_related("channel", "product", "interface").order_by("-created_at", "-id")
    return paginate(ordered, request, counted=items)


def weekly_counts(
    items: QuerySet[Feedback], *, weeks: int = TREND_WEEKS, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Feedback per calendar week (Monday first) for the last `weeks` weeks, zeros included.

    One aggregate query with a filtered count per week: it walks the time index once, on
    SQLite and PostgreSQL alike (truncating each row's date in SQL is slow on SQLite).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    zone = timezone.get_current_timezone()
    starts = [
        datetime.combine(first + timedelta(weeks=i), datetime.min.time(), tzinfo=zone)
        for i in range(weeks + 1)
    ]
    counts = items.filter(created_at__gte=starts[0], created_at__lt=starts[-1]).aggregate(
        **{
            f"w{i}": Count("id", filter=Q(created_at__gte=starts[i], created_at__lt=starts[i + 1]))
            for i in range(weeks)
        }
    )
    return [
        {"week": (first + timedelta(weeks=i)).isoformat(), "count": counts[f"w{i}"] or 0}
        for i in range(weeks)
    ]


# --- channels ------------------------------------------------------------------------------


def loop_chain(loop: Loop | None) -> list[Loop]:
    """A loop and the loops above it (nearest first)."""
    chain: list[Loop] = []
    while loop is not None and loop not in chain and len(chain) < 16:
        chain.append(loop)
        loop = loop.parent
    return chain


def channels_for(product: Product) -> list[FeedbackChannel]:
    """The product's own channels, then those of its loop and the loops above it."""
    loops = [loop.pk for loop in loop_chain(product.loop)]
    channels: list[FeedbackChannel] = list(
        FeedbackChannel.objects.filter(Q(product=product) | Q(loop_id__in=loops)).select_related(
            "product", "loop", "default_product"
        )
    )
    totals = dict(
        Feedback.objects.filter(channel_id__in=[c.pk for c in channels])
        .values("channel_id")
        .annotate(n=Count("id"))
        .values_list("channel_id", "n")
    )
    for channel in channels:
        channel.feedback_total = totals.get(channel.pk, 0)  # type: ignore[attr-defined]
    # Active first, the product's own before its loops' (nearest loop first), then by name.
    depth = {pk: i for i, pk in enumerate(loops)}
    channels.sort(
        key=lambda c: (
            not c.is_active,
            -1 if c.product_id else depth.get(c.loop_id or 0, 99),
            c.name,
        )
    )
    return channels


def channel_page(
    request: PageRequest, *, product: Product | None = None, loop: Loop | None = None
) -> Page[FeedbackChannel]:
    """A page of channels, by name."""
    channels = FeedbackChannel.objects.all()
    if product is not None:
        channels = channels.filter(product=product)
    if loop is not None:
        channels = channels.filter(loop=loop)
    ordered = channels.select_related("product", "loop", "default_product").order_by("name", "id")
    return paginate(ordered, request, counted=channels)


def feedback_totals(product_ids: Iterable[int]) -> dict[int, int]:
    """Feedback count per product, for lists that show many products."""
    rows = (
        Feedback.objects.filter(product_id__in=list(product_ids))
        .values("product_id")
        .annotate(n=Count("id"))
    )
    return {r["product_id"]: r["n"] for r in rows}
