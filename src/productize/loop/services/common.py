"""What every loop service shares: the permission check, errors, and audit snapshots."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied

from productize.audit.models import Action
from productize.audit.services import Actor, record_change
from productize.domain.loop.states import TransitionError
from productize.loop.models import (
    Feedback,
    FeedbackChannel,
    Improvement,
    Milestone,
    Pattern,
    RoadmapEntry,
)


class LoopError(ValueError):
    """A loop write refused for its input; `field` names the argument at fault."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class StatusMoveError(LoopError):
    """A status move the state machine refuses; `allowed` lists the moves that are allowed."""

    def __init__(self, error: TransitionError) -> None:
        super().__init__(str(error), field="status", code="status_move")
        self.allowed = error.allowed


def require(actor: Actor, permission: str, obj: object | None = None, what: str = "") -> None:
    """Raise PermissionDenied unless `actor` may do `permission` on `obj`."""
    if not actor.can(permission, obj):
        target = f" on {what}" if what else ""
        raise PermissionDenied(f"{actor.label} may not {permission}{target}")


def require_any(actor: Actor, permission: str, objects: Iterable[object], what: str = "") -> None:
    """Raise PermissionDenied unless `actor` may do `permission` on at least one of `objects`."""
    if not any(actor.can(permission, obj) for obj in objects):
        target = f" on {what}" if what else ""
        raise PermissionDenied(f"{actor.label} may not {permission}{target}")


def text(value: str | None, *, field: str, limit: int, required: bool = False) -> str:
    """A trimmed string within `limit` characters (required ones may not be blank)."""
    value = (value or "").strip()
    if required and not value:
        raise LoopError(f"{field}: required; write a few words", field=field)
    if len(value) > limit:
        raise LoopError(f"{field}: at most {limit} characters (got {len(value)})", field=field)
    return value


def audit(
    actor: Actor,
    action: Action,
    obj: Any,
    *,
    object_type: str,
    before: Any,
    after: Any,
    reason: str = "",
) -> None:
    """Record one change to a loop object (inside the caller's transaction)."""
    record_change(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=str(obj.pk),
        before=before,
        after=after,
        reason=reason,
        object_repr=str(obj)[:500],
    )


def _slugs(manager: Any) -> list[str]:
    return sorted(manager.values_list("slug", flat=True))


def channel_state(channel: FeedbackChannel) -> dict[str, Any]:
    """A channel as the audit log keeps it (never its secrets, only whether they are set)."""
    return {
        "name": channel.name,
        "kind": channel.kind,
        "description": channel.description,
        "product": channel.product.slug if channel.product_id else None,  # type: ignore[union-attr]
        "loop": channel.loop.slug if channel.loop_id else None,  # type: ignore[union-attr]
        "url": channel.url,
        "is_active": channel.is_active,
        "routing_rules": channel.routing_rules,
        "default_product": channel.default_product.slug  # type: ignore[union-attr]
        if channel.default_product_id
        else None,
        "inbound_secret_set": bool(channel.inbound_secret),
        "notify_email": channel.notify_email,
        "webhook_url": channel.webhook_url,
        "webhook_secret_set": bool(channel.webhook_secret),
    }


def feedback_state(feedback: Feedback) -> dict[str, Any]:
    """Where a feedback item is routed (its text never changes, so it is not repeated)."""
    return {
        "product": feedback.product.slug if feedback.product_id else None,  # type: ignore[union-attr]
        "interface": feedback.interface.ref if feedback.interface_id else None,  # type: ignore[union-attr]
    }


def pattern_state(pattern: Pattern) -> dict[str, Any]:
    """A pattern as the audit log keeps it."""
    return {
        "title": pattern.title,
        "description": pattern.description,
        "workaround": pattern.workaround,
        "status": pattern.status,
        "owner": pattern.owner.slug if pattern.owner_id else None,  # type: ignore[union-attr]
        "products": _slugs(pattern.products) if pattern.pk else [],
        "interfaces": sorted(pattern.interfaces.values_list("ref", flat=True))
        if pattern.pk
        else [],
        "related": sorted(pattern.related.values_list("pk", flat=True)) if pattern.pk else [],
    }


def improvement_state(improvement: Improvement) -> dict[str, Any]:
    """An improvement as the audit log keeps it."""
    saved = improvement.pk is not None
    return {
        "title": improvement.title,
        "specification": improvement.specification,
        "status": improvement.status,
        "patterns": sorted(improvement.patterns.values_list("pk", flat=True)) if saved else [],
        "products": _slugs(improvement.products) if saved else [],
        "effort_weeks": improvement.effort_weeks,
        "confidence": improvement.confidence,
        "completed_at": improvement.completed_at.isoformat() if improvement.completed_at else None,
    }


def milestone_state(milestone: Milestone) -> dict[str, Any]:
    """A milestone as the audit log keeps it."""
    return {
        "improvement": milestone.improvement_id,
        "position": milestone.position,
        "title": milestone.title,
        "description": milestone.description,
        "kind": milestone.kind,
        "due_date": milestone.due_date.isoformat() if milestone.due_date else None,
        "done_at": milestone.done_at.isoformat() if milestone.done_at else None,
        "depends_on": sorted(milestone.depends_on.values_list("pk", flat=True))
        if milestone.pk
        else [],
    }


def roadmap_state(entry: RoadmapEntry) -> dict[str, Any]:
    """A roadmap placement as the audit log keeps it."""
    return {
        "product": entry.product.slug,
        "improvement": entry.improvement_id,
        "column": entry.column,
        "position": entry.position,
        "rationale": entry.rationale,
        "priority_override": entry.priority_override,
        "override_reason": entry.override_reason,
    }
