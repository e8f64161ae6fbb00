"""Milestones of an improvement: add, change, reorder, complete (the improvement's owners)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from productize.accounts.permissions import IMPROVEMENT_EDIT
from productize.audit.models import Action
from productize.audit.services import Actor
from productize.loop.models import Improvement, Milestone, MilestoneKind
from productize.loop.services.common import LoopError, audit, milestone_state, require, text

_UNSET: Any = object()


def _kind(kind: str) -> str:
    if kind not in MilestoneKind.values:
        raise LoopError(f"kind: `{kind}` is not `mvp` or `stretch`", field="kind")
    return kind


def _dependencies(milestone: Milestone, values: Sequence[Milestone | int]) -> list[Milestone]:
    """The milestones `milestone` waits for: same improvement, never itself, no cycle."""
    ids = [v.pk if isinstance(v, Milestone) else int(v) for v in values]
    found = {m.pk: m for m in Milestone.objects.filter(pk__in=ids)}
    for pk in ids:
        dep = found.get(pk)
        if dep is None or dep.improvement_id != milestone.improvement_id:
            raise LoopError(
                f"depends_on: no milestone `{pk}` in this improvement", field="depends_on"
            )
    if milestone.pk in found:
        raise LoopError("depends_on: a milestone cannot wait for itself", field="depends_on")
    if milestone.pk is not None:
        # A cycle exists if any dependency already (transitively) waits for this milestone.
        edges: dict[int, set[int]] = {}
        rows = Milestone.depends_on.through.objects.filter(
            from_milestone__improvement_id=milestone.improvement_id
        ).values_list("from_milestone_id", "to_milestone_id")
        for source, target in rows:
            edges.setdefault(source, set()).add(target)
        edges[milestone.pk] = set(ids)
        stack, seen = list(ids), set()
        while stack:
            node = stack.pop()
            if node == milestone.pk:
                raise LoopError(
                    "depends_on: that would make milestones wait for each other in a circle",
                    field="depends_on",
                )
            if node not in seen:
                seen.add(node)
                stack.extend(edges.get(node, ()))
    return [found[pk] for pk in ids]


def add_milestone(
    actor: Actor,
    improvement: Improvement,
    *,
    title: str,
    kind: str = MilestoneKind.MVP,
    description: str = "",
    due_date: date | None = None,
    depends_on: Sequence[Milestone | int] = (),
    reason: str = "",
) -> Milestone:
    """Add a milestone at the end of an improvement's list."""
    require(actor, IMPROVEMENT_EDIT, improvement, "this improvement")
    milestone = Milestone(
        improvement=improvement,
        title=text(title, field="title", limit=300, required=True),
        description=text(description, field="description", limit=20_000),
        kind=_kind(kind),
        due_date=due_date,
    )
    deps = _dependencies(milestone, depends_on)
    with transaction.atomic():
        last = Milestone.objects.filter(improvement=improvement).aggregate(m=Max("position"))["m"]
        milestone.position = 0 if last is None else last + 1
        milestone.save()
        milestone.depends_on.set(deps)
        audit(
            actor,
            Action.CREATE,
            milestone,
            object_type="milestone",
            before=None,
            after=milestone_state(milestone),
            reason=reason,
        )
    return milestone


def update_milestone(
    actor: Actor,
    milestone: Milestone,
    *,
    title: str = _UNSET,
    kind: str = _UNSET,
    description: str = _UNSET,
    due_date: date | None = _UNSET,
    depends_on: Sequence[Milestone | int] = _UNSET,
    reason: str = "",
) -> Milestone:
    """Change a milestone's title, kind, description, due date or dependencies."""
    require(actor, IMPROVEMENT_EDIT, milestone.improvement, "this improvement")
    with transaction.atomic():
        milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
        before = milestone_state(milestone)
        if title is not _UNSET:
            milestone.title = text(title, field="title", limit=300, required=True)
        if kind is not _UNSET:
            milestone.kind = _kind(kind)
        if description is not _UNSET:
            milestone.description = text(description, field="description", limit=20_000)
        if due_date is not _UNSET:
            milestone.due_date = due_date
        if depends_on is not _UNSET:
            milestone.depends_on.set(_dependencies(milestone, depends_on))
        milestone.save()
        after = milestone_state(milestone)
        if after != before:
            audit(
                actor,
                Action.UPDATE,
                milestone,
                object_type="milestone",
                before=before,
                after=after,
                reason=reason,
            )
    return milestone


def reorder_milestones(
    actor: Actor, improvement: Improvement, order: Sequence[Milestone | int], *, reason: str = ""
) -> list[Milestone]:
    """Put an improvement's milestones in the given order (every milestone, once)."""
    require(actor, IMPROVEMENT_EDIT, improvement, "this improvement")
    ids = [v.pk if isinstance(v, Milestone) else int(v) for v in order]
    with transaction.atomic():
        rows = {
            m.pk: m for m in Milestone.objects.select_for_update().filter(improvement=improvement)
        }
        if sorted(ids) != sorted(rows):
            raise LoopError(
                f"order: list every milestone of this improvement once ({sorted(rows)})",
                field="order",
            )
        before = [m.pk for m in sorted(rows.values(), key=lambda m: (m.position, m.pk))]
        for position, pk in enumerate(ids):
            rows[pk].position = position
        Milestone.objects.bulk_update(rows.values(), ["position"])
        if before != ids:
            audit(
                actor,
                Action.UPDATE,
                improvement,
                object_type="improvement",
                before={"milestone_order": before},
                after={"milestone_order": ids},
                reason=reason,
            )
    return [rows[pk] for pk in ids]


def complete_milestone(
    actor: Actor, milestone: Milestone, *, done: bool = True, reason: str = ""
) -> Milestone:
    """Mark a milestone done (or not done again); its dependencies must be done first."""
    require(actor, IMPROVEMENT_EDIT, milestone.improvement, "this improvement")
    with transaction.atomic():
        milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
        if done:
            waiting = list(
                milestone.depends_on.filter(done_at__isnull=True).values_list("title", flat=True)
            )
            if waiting:
                raise LoopError(
                    "done: first finish what this milestone depends on: " + ", ".join(waiting),
                    field="done",
                )
        elif milestone.dependents.filter(done_at__isnull=False).exists():
            raise LoopError(
                "done: a milestone that depends on this one is already done", field="done"
            )
        if (milestone.done_at is not None) == done:
            return milestone
        before = milestone_state(milestone)
        milestone.done_at = timezone.now() if done else None
        milestone.save(update_fields=["done_at"])
        audit(
            actor,
            Action.UPDATE,
            milestone,
            object_type="milestone",
            before={"done_at": before["done_at"]},
            after={"done_at": milestone_state(milestone)["done_at"]},
            reason=reason,
        )
    return milestone


def delete_milestone(actor: Actor, milestone: Milestone, *, reason: str = "") -> None:
    """Remove a milestone (others that depended on it no longer do)."""
    require(actor, IMPROVEMENT_EDIT, milestone.improvement, "this improvement")
    with transaction.atomic():
        audit(
            actor,
            Action.DELETE,
            milestone,
            object_type="milestone",
            before=milestone_state(milestone),
            after=None,
            reason=reason,
        )
        milestone.delete()
