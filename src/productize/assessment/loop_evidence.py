"""Loop evidence for assessment, in bulk: channels, recent feedback, patterns, roadmap, triage.

Like the other evidence functions, `loop_evidence` answers for a whole batch of products with
a fixed handful of aggregate queries (never one per product), so `assess_all` over 100,000
products stays a few hundred queries.

While the organisation has no feedback channel and no feedback at all, the loop capability is
not in use and there is nothing to judge: the answer is None and the loop rules report "no
data" (as before the loop existed) rather than failing every product at once. From the first
channel or feedback item on, every product is judged on its real loop.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import astuple
from datetime import datetime, timedelta

from django.db.models import Count, Max
from django.utils import timezone

from productize.catalog.models import Loop, Product
from productize.domain.assessment import LoopEvidence
from productize.domain.loop.routing import RoutingRuleError, parse_rules
from productize.domain.loop.states import ImprovementStatus, PatternStatus

RECENT_DAYS = 90
MAX_LOOP_DEPTH = 16
CLOSED = frozenset({PatternStatus.CLOSED_RESOLVED.value, PatternStatus.CLOSED_UNRESOLVED.value})


def loop_in_use() -> bool:
    """Whether the organisation has any feedback channel or feedback (two EXISTS queries)."""
    from productize.loop.models import Feedback, FeedbackChannel

    return FeedbackChannel.objects.exists() or Feedback.objects.exists()


def _chain(loop_id: int | None, parents: dict[int, int | None]) -> list[int]:
    chain: list[int] = []
    while loop_id is not None and loop_id not in chain and len(chain) < MAX_LOOP_DEPTH:
        chain.append(loop_id)
        loop_id = parents.get(loop_id)
    return chain


def _channel_counts(ids: Sequence[int]) -> dict[int, int]:
    """Active channels serving each product: its own, its loop's (or a parent loop's), and
    those whose default product or routing rules send feedback to it."""
    from productize.loop.models import FeedbackChannel

    channels = list(
        FeedbackChannel.objects.filter(is_active=True).values_list(
            "product_id", "default_product_id", "loop_id", "routing_rules"
        )
    )
    if not channels:
        return {}
    rows = Product.objects.filter(id__in=ids).values_list("id", "slug", "loop_id")
    parents: dict[int, int | None] = dict(Loop.objects.values_list("id", "parent_id"))
    id_of = {slug: pid for pid, slug, _ in rows}
    by_loop: dict[int, list[int]] = defaultdict(list)
    for pid, _, loop_id in rows:
        for ancestor in _chain(loop_id, parents):
            by_loop[ancestor].append(pid)
    wanted = set(ids)
    counts: dict[int, int] = defaultdict(int)
    for product_id, default_id, loop_id, rules in channels:
        served: set[int] = {p for p in (product_id, default_id) if p in wanted}
        if loop_id is not None:
            served.update(by_loop.get(loop_id, ()))
        try:
            named = {rule.product for rule in parse_rules(rules)}
        except RoutingRuleError:
            named = set()
        served.update(id_of[slug] for slug in named if slug in id_of)
        for pid in served:
            counts[pid] += 1
    return counts


def loop_evidence(
    ids: Sequence[int], *, now: datetime | None = None
) -> dict[int, LoopEvidence] | None:
    """Each product's loop evidence, or None while the loop is not in use anywhere."""
    from productize.loop.models import (
        Feedback,
        Improvement,
        Pattern,
        PatternFeedback,
        RoadmapEntry,
    )

    if not ids or not loop_in_use():
        return None
    now = now or timezone.now()
    since = now - timedelta(days=RECENT_DAYS)
    channels = _channel_counts(ids)
    recent = dict(
        Feedback.objects.filter(product_id__in=ids, created_at__gte=since)
        .values("product_id")
        .annotate(n=Count("id"))
        .values_list("product_id", "n")
    )
    patterns: dict[int, int] = defaultdict(int)
    open_patterns: dict[int, int] = defaultdict(int)
    for pid, status, n in (
        Pattern.products.through.objects.filter(product_id__in=ids)
        .values_list("product_id", "pattern__status")
        .annotate(Count("id"))
    ):
        patterns[pid] += n
        if status not in CLOSED:
            open_patterns[pid] += n
    completed: dict[int, int] = dict(
        Improvement.products.through.objects.filter(
            product_id__in=ids, improvement__status=ImprovementStatus.COMPLETED.value
        )
        .values_list("product_id")
        .annotate(Count("id"))
    )
    roadmap: dict[int, dict[str, int]] = defaultdict(dict)
    for pid, column, n in (
        RoadmapEntry.objects.filter(product_id__in=ids)
        .values("product_id", "column")
        .annotate(n=Count("id"))
        .values_list("product_id", "column", "n")
    ):
        roadmap[pid][column] = n
    # Triage: the last time one of the product's feedback items was linked to a pattern.
    last_triage = dict(
        PatternFeedback.objects.filter(feedback__product_id__in=ids)
        .values("feedback__product_id")
        .annotate(last=Max("linked_at"))
        .values_list("feedback__product_id", "last")
    )
    out: dict[int, LoopEvidence] = {}
    for pid in ids:
        last = last_triage.get(pid)
        columns = roadmap.get(pid, {})
        out[pid] = LoopEvidence(
            channels=channels.get(pid, 0),
            recent_feedback=recent.get(pid, 0),
            recent_days=RECENT_DAYS,
            patterns=patterns.get(pid, 0),
            open_patterns=open_patterns.get(pid, 0),
            improvements_completed=completed.get(pid, 0),
            roadmap_now=columns.get("now", 0),
            roadmap_next=columns.get("next", 0),
            roadmap_later=columns.get("later", 0),
            days_since_triage=max(0, (now - last).days) if last is not None else None,
        )
    return out


def loop_digest(evidence: LoopEvidence | None) -> str:
    """The stored digest of loop evidence ("" while the loop is not in use, as before)."""
    if evidence is None:
        return ""
    text = ",".join("" if v is None else str(v) for v in astuple(evidence))
    return hashlib.sha256(text.encode("ascii")).hexdigest()
