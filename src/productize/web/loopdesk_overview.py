"""The organisation's loop at a glance: where feedback piles up, what nobody claims, who went quiet.

Everything here is an aggregate over the loop tables (a few grouped queries), so the page
costs the same with ten products or a hundred thousand; lists are capped and say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone

from productize.catalog.models import Loop, Product
from productize.loop.models import Feedback, FeedbackChannel, Improvement, Pattern
from productize.web.loopdesk_myloop import ENDED
from productize.web.loopdesk_reads import CLOSED_PATTERNS, unpatterned

WINDOW_DAYS = (30, 90, 365)
QUIET_WEEKS = 8
QUIET_CHOICES = (4, 8, 12, 26)
LIST_LIMIT = 25
# Chart geometry (viewBox units): drawn 1:1 on a laptop; a narrower drawing for phones keeps
# the text readable when the picture shrinks to the screen.
BAR_HEIGHT = 22
GAP = 12
WIDE = (760, 235, 105, 27)  # width, label width, count width, label characters
COMPACT = (360, 128, 78, 14)


@dataclass(frozen=True, slots=True)
class PileBar:
    """One bar: a loop (or product), its feedback in the window split into two segments."""

    label: str
    url: str
    total: int
    untriaged: int
    y: int
    text_y: int
    patterned_width: float
    untriaged_x: float
    untriaged_width: float

    @property
    def patterned(self) -> int:
        """Items already linked to a pattern."""
        return self.total - self.untriaged


@dataclass(frozen=True, slots=True)
class PileChart:
    """A horizontal stacked bar chart of where feedback piles up."""

    bars: list[PileBar]
    width: int
    height: int
    bar_x: int
    track_width: int
    count_x: int


@dataclass(frozen=True, slots=True)
class Pile:
    """Feedback counts for one loop or product in the window."""

    label: str
    url: str
    total: int
    untriaged: int
    open_patterns: int = 0
    loop: str = ""


def pile_chart(piles: list[Pile], *, compact: bool = False) -> PileChart:
    """Bars scaled to the largest pile, the untriaged part drawn after the rest."""
    width, label_width, count_width, characters = COMPACT if compact else WIDE
    largest = max((p.total for p in piles), default=0) or 1
    room = width - label_width - count_width
    bars = []
    for index, pile in enumerate(piles):
        y = index * (BAR_HEIGHT + GAP)
        done = room * (pile.total - pile.untriaged) / largest
        waiting = room * pile.untriaged / largest
        label = pile.label if len(pile.label) <= characters else pile.label[: characters - 1] + "…"
        bars.append(
            PileBar(
                label=label,
                url=pile.url,
                total=pile.total,
                untriaged=pile.untriaged,
                y=y,
                text_y=y + BAR_HEIGHT // 2 + 5,
                patterned_width=round(done, 1),
                untriaged_x=round(label_width + done, 1),
                untriaged_width=round(max(waiting, 2.0) if pile.untriaged else 0.0, 1),
            )
        )
    height = max(len(piles) * (BAR_HEIGHT + GAP) - GAP, BAR_HEIGHT)
    return PileChart(bars, width, height, label_width, room, width - count_width + 10)


def _triage_url(**params: str) -> str:
    return reverse("web:triage") + ("?" + urlencode(params) if params else "")


@dataclass(slots=True)
class QuietProduct:
    """A product whose loop has gone quiet (or never spoke although it has a channel)."""

    product: Product
    last_activity: datetime | None


@dataclass(slots=True)
class Overview:
    """The organisation loop view."""

    days: int
    since: datetime
    numbers: dict[str, int]
    loops: list[Pile]
    loop_chart: PileChart
    loop_chart_compact: PileChart
    products: list[Pile]
    unclaimed: list[Pattern]
    unclaimed_total: int
    quiet_weeks: int
    quiet: list[QuietProduct]
    quiet_total: int


def _loop_piles(since: datetime) -> list[Pile]:
    waiting = Q(unpatterned())
    rows = (
        Feedback.objects.filter(created_at__gte=since)
        .values("product__loop_id")
        .annotate(total=Count("pk"), untriaged=Count("pk", filter=waiting))
    )
    counts = {r["product__loop_id"]: (r["total"], r["untriaged"]) for r in rows}
    unrouted = Feedback.objects.filter(created_at__gte=since, product__isnull=True).aggregate(
        total=Count("pk"), untriaged=Count("pk", filter=waiting)
    )
    loops = {loop.pk: loop for loop in Loop.objects.all()}
    piles = [
        Pile(loops[pk].name, reverse("web:loop", args=[loops[pk].slug]), total, untriaged)
        for pk, (total, untriaged) in counts.items()
        if pk is not None and pk in loops
    ]
    no_loop = Feedback.objects.filter(
        created_at__gte=since, product__isnull=False, product__loop__isnull=True
    ).aggregate(total=Count("pk"), untriaged=Count("pk", filter=waiting))
    if no_loop["total"]:
        piles.append(
            Pile(
                "Products in no loop",
                reverse("web:catalog"),
                no_loop["total"],
                no_loop["untriaged"],
            )
        )
    piles.sort(key=lambda p: (-p.total, p.label))
    if unrouted["total"]:
        piles.append(
            Pile(
                "Not routed yet",
                _triage_url(state="unrouted"),
                unrouted["total"],
                unrouted["untriaged"],
            )
        )
    return piles


def _product_piles(since: datetime) -> list[Pile]:
    waiting = Q(unpatterned())
    rows = list(
        Feedback.objects.filter(created_at__gte=since, product__isnull=False)
        .values("product_id")
        .annotate(total=Count("pk"), untriaged=Count("pk", filter=waiting))
        .order_by("-untriaged", "-total", "product_id")[:10]
    )
    ids = [r["product_id"] for r in rows]
    products = {p.pk: p for p in Product.objects.filter(pk__in=ids).select_related("loop")}
    patterns = dict(
        Pattern.objects.filter(products__in=ids)
        .exclude(status__in=CLOSED_PATTERNS)
        .values("products")
        .annotate(n=Count("pk"))
        .values_list("products", "n")
    )
    piles = []
    for r in rows:
        product = products.get(r["product_id"])
        if product is None:
            continue
        loop = product.loop
        piles.append(
            Pile(
                product.name,
                _triage_url(product=product.slug),
                r["total"],
                r["untriaged"],
                patterns.get(product.pk, 0),
                loop.name if loop is not None else "",
            )
        )
    return piles


def _quiet(weeks: int, now: datetime) -> tuple[list[QuietProduct], int]:
    last: dict[int, datetime] = dict(
        Feedback.objects.filter(product__isnull=False)
        .values("product_id")
        .annotate(last=Max("created_at"))
        .values_list("product_id", "last")
    )
    touched = (
        Pattern.objects.filter(products__isnull=False)
        .values("products")
        .annotate(last=Max("updated_at"))
        .values_list("products", "last")
    )
    for product_id, at in touched:
        if at is not None and (product_id not in last or at > last[product_id]):
            last[product_id] = at
    with_channel = set(
        FeedbackChannel.objects.filter(product__isnull=False, is_active=True).values_list(
            "product_id", flat=True
        )
    )
    cutoff = now - timedelta(weeks=weeks)
    quiet_ids = {pk for pk, at in last.items() if at < cutoff} | (with_channel - set(last))
    products = Product.objects.filter(pk__in=quiet_ids).exclude(stage="retired")
    total = products.count()
    rows = [QuietProduct(p, last.get(p.pk)) for p in products.select_related("loop")]
    # Never heard from first, then the longest silence.
    rows.sort(key=lambda q: (q.last_activity is not None, q.last_activity or now, q.product.name))
    return rows[:LIST_LIMIT], total


def overview(
    *, days: int = 90, quiet_weeks: int = QUIET_WEEKS, now: datetime | None = None
) -> Overview:
    """The organisation loop view for feedback of the last `days` days."""
    now = now or timezone.now()
    since = now - timedelta(days=days)
    loops = _loop_piles(since)
    unclaimed_qs = (
        Pattern.objects.filter(products__isnull=True)
        .exclude(status__in=CLOSED_PATTERNS)
        .select_related("owner")
        .order_by("-weight", "-id")
    )
    quiet, quiet_total = _quiet(quiet_weeks, now)
    recent = Feedback.objects.filter(created_at__gte=since)
    numbers: dict[str, Any] = {
        "feedback": recent.count(),
        "untriaged": Feedback.objects.filter(unpatterned()).count(),
        "unrouted": Feedback.objects.filter(unpatterned(), product__isnull=True).count(),
        "open_patterns": Pattern.objects.exclude(status__in=CLOSED_PATTERNS).count(),
        "in_flight": Improvement.objects.exclude(status__in=ENDED).count(),
    }
    return Overview(
        days=days,
        since=since,
        numbers=numbers,
        loops=loops,
        loop_chart=pile_chart(loops),
        loop_chart_compact=pile_chart(loops, compact=True),
        products=_product_piles(since),
        unclaimed=list(unclaimed_qs[:LIST_LIMIT]),
        unclaimed_total=unclaimed_qs.count(),
        quiet_weeks=quiet_weeks,
        quiet=quiet,
        quiet_total=quiet_total,
    )
