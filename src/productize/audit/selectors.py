"""Reads of the audit log: filtered pages, one object's history, readable diffs, JSON Lines."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from productize.audit.models import ChangeRecord
from productize.catalog.selectors import Page, PageRequest
from productize.catalog.selectors.paging import paginate

SHOWN_VALUE = 300  # characters of one value shown in a diff before it is cut


@dataclass(frozen=True, slots=True)
class AuditFilters:
    """Narrowing the log: by actor label, actor kind, object, and a time window."""

    actor: str = ""
    actor_kind: str = ""
    object_type: str = ""
    object_id: str = ""
    since: datetime | None = None
    until: datetime | None = None


def change_queryset(filters: AuditFilters) -> QuerySet[ChangeRecord]:
    """The change records matching the filters, newest first."""
    qs = ChangeRecord.objects.all()
    if filters.actor:
        qs = qs.filter(actor_label=filters.actor)
    if filters.actor_kind:
        qs = qs.filter(actor_kind=filters.actor_kind)
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.object_id:
        qs = qs.filter(object_id=filters.object_id)
    if filters.since is not None:
        qs = qs.filter(at__gte=filters.since)
    if filters.until is not None:
        qs = qs.filter(at__lt=filters.until)
    return qs.order_by("-at", "-id")


def change_page(filters: AuditFilters, request: PageRequest) -> Page[ChangeRecord]:
    """One page of the log."""
    qs = change_queryset(filters)
    return paginate(qs, request, counted=qs.order_by())


def object_types() -> list[str]:
    """The object types present in the log, for the filter's choices."""
    return list(
        ChangeRecord.objects.order_by("object_type")
        .values_list("object_type", flat=True)
        .distinct()
    )


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field of a change: its value before and after, as short readable text."""

    field: str
    before: str
    after: str
    added: bool
    removed: bool


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= SHOWN_VALUE else text[: SHOWN_VALUE - 1] + "…"


def diff(before: Any, after: Any) -> list[FieldChange]:
    """The fields that differ between two recorded states (whole values when not objects)."""
    if not isinstance(before, dict) or not isinstance(after, dict):
        if before == after:
            return []
        return [FieldChange("(value)", _show(before), _show(after), before is None, after is None)]
    changes = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            changes.append(
                FieldChange(key, _show(old), _show(new), key not in before, key not in after)
            )
    return changes


def record_json(record: ChangeRecord) -> dict[str, Any]:
    """One record as plain JSON-ready data (the API's and the export's shape)."""
    return {
        "id": record.pk,
        "at": record.at.isoformat(),
        "actor_kind": record.actor_kind,
        "actor": record.actor_label,
        "request_id": record.request_id,
        "action": record.action,
        "object_type": record.object_type,
        "object_id": record.object_id,
        "object_repr": record.object_repr,
        "before": record.before,
        "after": record.after,
        "reason": record.reason,
    }


def export_lines(filters: AuditFilters) -> Iterator[str]:
    """The matching records as JSON Lines, streamed in chunks."""
    for record in change_queryset(filters).iterator(chunk_size=500):
        yield json.dumps(record_json(record), ensure_ascii=False, default=str) + "\n"
