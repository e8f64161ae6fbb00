"""Reads about feedback and channels: pages, counts per week, a product's channels."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from productize.catalog.models import Loop, Product
from productize.catalog.selectors.paging import Page, PageRequest, paginate
from productize.loop.models import (
    Feedback,
    FeedbackChannel,
    Pattern,
    PatternFeedback,
)
from productize.loop.selectors.base import (
    RECENT_DAYS,
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


def _week_starts(now: datetime, weeks: int) -> list[datetime]:
    """The starts (local Monday midnight) of the last `weeks` weeks, oldest first, and the
    start of the week after the current one."""
    today = timezone.localdate(now)
    this_week = today - timedelta(days=today.weekday())
    days = [this_week - timedelta(weeks=n) for n in range(weeks - 1, -2, -1)]
    zone = timezone.get_current_timezone()
    return [datetime.combine(day, time.min, tzinfo=zone) for day in days]


def _week_index_sql(created: str) -> str:
    """SQL for the number of whole weeks between a `%s` start and `created` (per database)."""
    if connection.vendor == "postgresql":
        return f"FLOOR(EXTRACT(EPOCH FROM ({created} - %s)) / 604800)"
    return f"CAST((julianday({created}) - julianday(%s)) / 7 AS INTEGER)"


def _names() -> tuple[str, str, str]:
    """The quoted feedback table, its `created_at` column and its product filter."""
    ops = connection.ops
    table = ops.quote_name(Feedback._meta.db_table)
    return (
        table,
        f"{table}.{ops.quote_name('created_at')}",
        f"{table}.{ops.quote_name('product_id')}",
    )


def weeks_of(
    product: Product | None, now: datetime | None = None, *, weeks: int = TREND_WEEKS
) -> list[tuple[date, int]]:
    """Feedback per calendar week (Monday first) for the last `weeks` weeks, zeros included:
    one product's, or the whole organisation's when `product` is None.

    One `GROUP BY` on a week number computed in SQL: a `GROUP BY` on Django's truncated date
    makes SQLite call a Python function per row, and one filtered aggregate per week costs
    more to compile than to count. Names come from the models; every value is a parameter.
    """
    starts = _week_starts(now or timezone.now(), weeks)
    table, created, product_id = _names()
    first = connection.ops.adapt_datetimefield_value(starts[0])
    where = f"{created} >= %s"
    params: list[Any] = [first, first]
    if product is not None:
        where += f" AND {product_id} = %s"
        params.append(product.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_week_index_sql(created)}, COUNT(*) FROM {table} "  # noqa: S608
            f"WHERE {where} GROUP BY 1",
            params,
        )
        per_week = {int(i): n for i, n in cursor.fetchall() if i is not None}
    return [(starts[i].date(), per_week.get(i, 0)) for i in range(weeks)]


def weekly_counts(
    product: Product | None, *, weeks: int = TREND_WEEKS, now: datetime | None = None
) -> list[dict[str, Any]]:
    """`weeks_of` as the API shows it: `{"week": "2026-11-23", "count": 4}` per week."""
    return [
        {"week": day.isoformat(), "count": count}
        for day, count in weeks_of(product, now, weeks=weeks)
    ]


@dataclass(frozen=True, slots=True)
class FeedbackCounts:
    """Counts over a product's feedback, all from one scan."""

    total: int
    recent: int
    unpatterned: int
    weeks: list[tuple[date, int]]
    channels: dict[int, int]


def feedback_counts(
    product: Product,
    now: datetime,
    *,
    weeks: int = 0,
    channel_ids: Sequence[int] = (),
    recent_days: int = RECENT_DAYS,
) -> FeedbackCounts:
    """Total, recent, unpatterned and per-channel counts in one pass, per-week in another.

    Written as SQL because the ORM spends longer compiling thirty filtered aggregates than the
    database spends counting 10,000 rows (`bench/bench_loop_tab.py`).
    """
    ops = connection.ops
    table, created, product_id = _names()
    links = ops.quote_name(PatternFeedback._meta.db_table)
    channel = f"{table}.{ops.quote_name('channel_id')}"
    of_product = f"{product_id} = %s"
    feedback_id = f"{links}.{ops.quote_name('feedback_id')}"
    linked = f"SELECT 1 FROM {links} WHERE {feedback_id} = {table}.{ops.quote_name('id')}"  # noqa: S608
    # PostgreSQL runs NOT EXISTS inside a CASE as a subplan per row, but plans it as an anti
    # join in a WHERE clause (twice as fast at 10,000 rows); SQLite is fastest with the CASE.
    separate = connection.vendor == "postgresql"
    columns = [
        "COUNT(*)",
        f"SUM(CASE WHEN {created} >= %s THEN 1 ELSE 0 END)",
        "0" if separate else f"SUM(CASE WHEN NOT EXISTS ({linked}) THEN 1 ELSE 0 END)",
        *(f"SUM(CASE WHEN {channel} = %s THEN 1 ELSE 0 END)" for _ in channel_ids),
    ]
    params = [
        ops.adapt_datetimefield_value(now - timedelta(days=recent_days)),
        *(int(c) for c in channel_ids),
        product.pk,
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE {of_product}", params)  # noqa: S608
        row = [int(value or 0) for value in cursor.fetchone()]
        if separate:
            cursor.execute(
                f"SELECT COUNT(*) FROM {table} WHERE {of_product} AND NOT EXISTS ({linked})",  # noqa: S608
                [product.pk],
            )
            row[2] = int(cursor.fetchone()[0])
    return FeedbackCounts(
        total=row[0],
        recent=row[1],
        unpatterned=row[2],
        weeks=weeks_of(product, now, weeks=weeks) if weeks else [],
        channels=dict(zip(channel_ids, row[3:], strict=True)),
    )


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
