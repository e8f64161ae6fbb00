"""What the loop tab and the product page's loop section show, in a few bounded queries.

The numbers that must match the API (weight, priority) come from the domain and the loop
app's selectors; the counts over a product's feedback are read here in one pass, because that
is what keeps the tab fast at 10,000 items (`bench/bench_loop_tab.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from productize.catalog.models import Product
from productize.loop import selectors
from productize.loop.models import (
    Feedback,
    FeedbackChannel,
    Improvement,
    Pattern,
    RoadmapEntry,
)
from productize.loop.render import markdown_safe  # noqa: F401 - loopdesk_reads imports it here
from productize.loop.selectors.feedback import feedback_counts
from productize.web.loop_charts import ColumnChart, column_chart
from productize.web.loop_rows import (
    CLOSED_PATTERNS,
    COLUMNS,
    ENDED_IMPROVEMENTS,
    MAX_IMPROVEMENTS,
    RECENT_FEEDBACK,
    TOP_PATTERNS,
    TREND_WEEKS,
    FeedbackRow,
    PatternRow,
    StatusGroup,
    feedback_rows,
    group_by_status,
    improvement_rows,
    improvement_url,
    pattern_rows,
    with_progress,
)

# --- the loop tab ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoopNumbers:
    """The headline numbers of a product's loop."""

    total: int
    recent: int
    unpatterned: int
    open_patterns: int
    active_improvements: int


@dataclass(frozen=True, slots=True)
class ChannelRow:
    """A feedback channel and how much of this product's feedback came through it."""

    name: str
    kind: str
    count: int | None


@dataclass(frozen=True, slots=True)
class RoadmapCardRef:
    """A roadmap entry as the loop tab's small roadmap shows it."""

    entry_id: int
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class MiniColumn:
    """One roadmap column in the loop tab's summary."""

    key: str
    label: str
    cards: list[RoadmapCardRef]


@dataclass(frozen=True, slots=True)
class LoopTab:
    """Everything the loop tab shows."""

    numbers: LoopNumbers
    trend: ColumnChart
    channels: list[ChannelRow]
    recent_feedback: list[FeedbackRow]
    patterns: list[PatternRow]
    pattern_count: int
    improvement_groups: list[StatusGroup]
    roadmap: list[MiniColumn]


def loop_tab(product: Product, *, now: datetime | None = None) -> LoopTab:
    """The loop tab of one product in a fixed number of queries (eight)."""
    now = now or timezone.now()
    # Its own channels, those of its loop and the loops above it, and organisation-wide ones.
    loops = [loop.pk for loop in selectors.loop_chain(product.loop)]
    where = Q(product=product) | Q(loop_id__in=loops) | Q(product__isnull=True, loop__isnull=True)
    found_channels = list(FeedbackChannel.objects.filter(where).order_by("name", "id"))
    counts = feedback_counts(
        product, now, weeks=TREND_WEEKS, channel_ids=[c.pk for c in found_channels]
    )
    trend = column_chart(counts.weeks)
    channels = [
        ChannelRow(c.name, c.get_kind_display(), counts.channels.get(c.pk, 0))
        for c in found_channels
        # An inactive or organisation-wide channel is listed only if it brought feedback.
        if (c.is_active and (c.product_id or c.loop_id)) or counts.channels.get(c.pk)
    ]
    product_feedback = Feedback.objects.filter(product=product)

    recent_items = (
        product_feedback.select_related("channel", "interface")
        .prefetch_related("patterns")
        .order_by("-created_at", "-id")[:RECENT_FEEDBACK]
    )

    patterns = Pattern.objects.filter(products=product)
    open_patterns = patterns.exclude(status__in=CLOSED_PATTERNS)
    pattern_count = open_patterns.count()
    top = open_patterns.select_related("owner").order_by("-weight", "-id")[:TOP_PATTERNS]

    improvements = with_progress(
        Improvement.objects.filter(products=product).order_by("-updated_at", "-id")
    )[:MAX_IMPROVEMENTS]
    rows = improvement_rows(improvements)
    active = sum(1 for r in rows if r.status not in ENDED_IMPROVEMENTS)

    entries = (
        RoadmapEntry.objects.filter(product=product)
        .select_related("improvement")
        .order_by("column", "position", "id")
    )
    placed: dict[str, list[RoadmapCardRef]] = {key: [] for key, _, _ in COLUMNS}
    for e in entries:
        placed.setdefault(e.column, []).append(
            RoadmapCardRef(e.pk, e.improvement.title, improvement_url(e.improvement_id))
        )
    roadmap = [MiniColumn(key, label, placed.get(key, [])) for key, label, _ in COLUMNS]

    return LoopTab(
        numbers=LoopNumbers(counts.total, counts.recent, counts.unpatterned, pattern_count, active),
        trend=trend,
        channels=channels,
        recent_feedback=feedback_rows(recent_items),
        patterns=pattern_rows(top),
        pattern_count=pattern_count,
        improvement_groups=group_by_status(rows),
        roadmap=roadmap,
    )


@dataclass(frozen=True, slots=True)
class LoopSummary:
    """The product page's loop section: three numbers, the heaviest patterns, the Now column."""

    numbers: LoopNumbers
    patterns: list[PatternRow]
    now: list[RoadmapCardRef]


def loop_summary(product: Product, *, now: datetime | None = None, top: int = 3) -> LoopSummary:
    """The summary of a product's loop (five queries)."""
    now = now or timezone.now()
    counts = feedback_counts(product, now)
    open_patterns = Pattern.objects.filter(products=product).exclude(status__in=CLOSED_PATTERNS)
    active = (
        Improvement.objects.filter(products=product).exclude(status__in=ENDED_IMPROVEMENTS).count()
    )
    heaviest = list(open_patterns.select_related("owner").order_by("-weight", "-id")[:top])
    count = len(heaviest) if len(heaviest) < top else open_patterns.count()
    cards = [
        RoadmapCardRef(e.pk, e.improvement.title, improvement_url(e.improvement_id))
        for e in RoadmapEntry.objects.filter(product=product, column="now")
        .select_related("improvement")
        .order_by("position", "id")[:5]
    ]
    return LoopSummary(
        numbers=LoopNumbers(counts.total, counts.recent, counts.unpatterned, count, active),
        patterns=pattern_rows(heaviest),
        now=cards,
    )
