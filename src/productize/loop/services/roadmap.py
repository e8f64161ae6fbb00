"""A product's roadmap: place, move and remove improvements; override the priority (owners)."""

from __future__ import annotations

import math

from django.db import transaction

from productize.accounts.permissions import ROADMAP_EDIT
from productize.audit.models import Action
from productize.audit.services import Actor
from productize.catalog.models import Product
from productize.loop.models import Improvement, RoadmapColumn, RoadmapEntry
from productize.loop.services.common import LoopError, audit, require, roadmap_state, text


def _column(column: str) -> str:
    if column not in RoadmapColumn.values:
        raise LoopError(f"column: `{column}` is not `now`, `next` or `later`", field="column")
    return column


def _insert(entry: RoadmapEntry, column: str, position: int | None) -> None:
    """Put `entry` at `position` in `column` (None: the end) and renumber the column 0..n."""
    others = list(
        RoadmapEntry.objects.select_for_update()
        .filter(product_id=entry.product_id, column=column)
        .exclude(pk=entry.pk)
        .order_by("position", "pk")
    )
    if position is None or position > len(others):
        position = len(others)
    if position < 0:
        raise LoopError("position: 0 or more (0 is the top of the column)", field="position")
    others.insert(position, entry)
    entry.column = column
    for index, row in enumerate(others):
        row.position = index
    RoadmapEntry.objects.bulk_update([r for r in others if r.pk and r is not entry], ["position"])


def _close_gap(product_id: int, column: str) -> None:
    rows = list(
        RoadmapEntry.objects.select_for_update()
        .filter(product_id=product_id, column=column)
        .order_by("position", "pk")
    )
    for index, row in enumerate(rows):
        row.position = index
    RoadmapEntry.objects.bulk_update(rows, ["position"])


def place_on_roadmap(
    actor: Actor,
    product: Product,
    improvement: Improvement,
    column: str = RoadmapColumn.LATER,
    position: int | None = None,
    *,
    rationale: str = "",
    reason: str = "",
) -> RoadmapEntry:
    """Place an improvement on a product's roadmap (the improvement gains the product)."""
    require(actor, ROADMAP_EDIT, product, f"the roadmap of {product.slug}")
    column = _column(column)
    rationale = text(rationale, field="rationale", limit=5_000)
    with transaction.atomic():
        if RoadmapEntry.objects.filter(product=product, improvement=improvement).exists():
            raise LoopError(
                "improvement: already on this roadmap; move it instead",
                field="improvement",
                code="conflict",
            )
        entry = RoadmapEntry(product=product, improvement=improvement, rationale=rationale)
        _insert(entry, column, position)
        entry.save()
        if not improvement.products.filter(pk=product.pk).exists():
            improvement.products.add(product)
        audit(
            actor,
            Action.CREATE,
            entry,
            object_type="roadmap-entry",
            before=None,
            after=roadmap_state(entry),
            reason=reason,
        )
    return entry


def move_on_roadmap(
    actor: Actor,
    entry: RoadmapEntry,
    column: str | None = None,
    position: int | None = None,
    *,
    rationale: str | None = None,
    reason: str = "",
) -> RoadmapEntry:
    """Move an entry to another column and/or position; optionally rewrite the rationale."""
    require(actor, ROADMAP_EDIT, entry.product, f"the roadmap of {entry.product.slug}")
    with transaction.atomic():
        entry = RoadmapEntry.objects.select_for_update().select_related("product").get(pk=entry.pk)
        before = roadmap_state(entry)
        old_column = entry.column
        target = _column(column) if column is not None else entry.column
        if rationale is not None:
            entry.rationale = text(rationale, field="rationale", limit=5_000)
        if column is not None or position is not None:
            _insert(entry, target, position if position is not None else None)
        entry.save()
        if target != old_column:
            _close_gap(entry.product_id, old_column)
        after = roadmap_state(entry)
        if after != before:
            audit(
                actor,
                Action.UPDATE,
                entry,
                object_type="roadmap-entry",
                before=before,
                after=after,
                reason=reason,
            )
    return entry


def remove_from_roadmap(actor: Actor, entry: RoadmapEntry, *, reason: str = "") -> None:
    """Take an improvement off a product's roadmap (the improvement itself stays)."""
    require(actor, ROADMAP_EDIT, entry.product, f"the roadmap of {entry.product.slug}")
    with transaction.atomic():
        entry = RoadmapEntry.objects.select_for_update().select_related("product").get(pk=entry.pk)
        audit(
            actor,
            Action.DELETE,
            entry,
            object_type="roadmap-entry",
            before=roadmap_state(entry),
            after=None,
            reason=reason,
        )
        product_id, column = entry.product_id, entry.column
        entry.delete()
        _close_gap(product_id, column)


def override_priority(
    actor: Actor, entry: RoadmapEntry, value: float | None, *, reason: str = ""
) -> RoadmapEntry:
    """Set (or clear with None) the owner's priority, with the reason shown beside it."""
    require(actor, ROADMAP_EDIT, entry.product, f"the roadmap of {entry.product.slug}")
    if value is not None and (math.isnan(value) or math.isinf(value) or value < 0):
        raise LoopError("value: a non-negative number, or null to clear", field="value")
    reason = text(reason, field="reason", limit=500)
    if value is not None and not reason:
        raise LoopError("reason: say why the computed priority is overridden", field="reason")
    with transaction.atomic():
        entry = RoadmapEntry.objects.select_for_update().select_related("product").get(pk=entry.pk)
        before = roadmap_state(entry)
        entry.priority_override = value
        entry.override_reason = reason if value is not None else ""
        entry.save(update_fields=["priority_override", "override_reason", "updated_at"])
        audit(
            actor,
            Action.UPDATE,
            entry,
            object_type="roadmap-entry",
            before=before,
            after=roadmap_state(entry),
            reason=reason,
        )
    return entry
