"""Writes of the graph app: interface-change events, spec snapshots, policies — each audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from productize.audit.models import Action
from productize.audit.services import CATALOG_WRITE, Actor, record_change
from productize.graph.models import (
    ChangeKind,
    InterfaceChange,
    InterfaceChangeConsumer,
    InterfaceSnapshot,
    PolicySetting,
)


@dataclass(frozen=True, slots=True)
class ConsumerAtChange:
    """A consuming product and its owners, as they were when the change happened."""

    slug: str
    name: str = ""
    owners: tuple[str, ...] = ()


@dataclass(slots=True)
class ChangeSpec:
    """An interface-change event to record."""

    interface_ref: str
    kind: ChangeKind
    run_id: int | None = None
    commit: str = ""
    spec_path: str = ""
    changes: list[dict[str, Any]] = field(default_factory=list)
    consumers: Sequence[ConsumerAtChange] = ()


def _require(actor: Actor) -> None:
    if not actor.can(CATALOG_WRITE):
        raise PermissionDenied(f"{actor.label} may not record interface changes")


def interface_change_record(*, actor: Actor, spec: ChangeSpec) -> InterfaceChange:
    """Record a breaking change or a deprecation with its consumers, and audit it."""
    _require(actor)
    with transaction.atomic():
        event = InterfaceChange.objects.create(
            interface_ref=spec.interface_ref,
            provider_slug=spec.interface_ref.split("/", 1)[0],
            kind=spec.kind,
            at=timezone.now(),
            run_id=spec.run_id,
            commit=spec.commit[:64],
            spec_path=spec.spec_path[:500],
            changes=list(spec.changes),
            consumer_count=len(spec.consumers),
        )
        InterfaceChangeConsumer.objects.bulk_create(
            [
                InterfaceChangeConsumer(
                    change=event, consumer_slug=c.slug, consumer_name=c.name, owners=list(c.owners)
                )
                for c in spec.consumers
            ],
            batch_size=1000,
        )
        record_change(
            actor=actor,
            action=Action.CREATE,
            object_type="interface-change",
            object_id=str(event.pk),
            before=None,
            after={
                "interface": spec.interface_ref,
                "kind": str(spec.kind),
                "changes": len(spec.changes),
                "consumers": [c.slug for c in spec.consumers],
            },
            object_repr=f"{spec.kind} {spec.interface_ref}",
        )
    return event


def snapshot_save(
    *,
    actor: Actor,
    interface_ref: str,
    stability: str,
    spec_path: str,
    spec_text: str | None,
    spec_sha256: str,
    commit: str = "",
) -> InterfaceSnapshot:
    """Store an interface's last seen stability and spec (`spec_text=None`: keep the old text)."""
    _require(actor)
    with transaction.atomic():
        row = InterfaceSnapshot.objects.filter(interface_ref=interface_ref).first()
        before = {"stability": row.stability, "spec_sha256": row.spec_sha256} if row else None
        if row is None:
            row = InterfaceSnapshot(interface_ref=interface_ref)
        row.stability = stability
        row.spec_path = spec_path[:500]
        if spec_text is not None:
            row.spec_text = spec_text
            row.spec_sha256 = spec_sha256
        row.commit = commit[:64]
        row.save()
        record_change(
            actor=actor,
            action=Action.UPDATE if before else Action.CREATE,
            object_type="interface-snapshot",
            object_id=interface_ref,
            before=before,
            after={"stability": row.stability, "spec_sha256": row.spec_sha256},
            object_repr=interface_ref,
        )
    return row


def policies_set(
    *, actor: Actor, organization: str, policies: dict[str, Any], source_path: str = ""
) -> PolicySetting | None:
    """Store the graph policies an organisation switched on; no write when nothing changed."""
    _require(actor)
    with transaction.atomic():
        row = PolicySetting.objects.filter(organization_slug=organization).first()
        if row is not None and row.policies == policies:
            return row
        before = row.policies if row else None
        if row is None:
            row = PolicySetting(organization_slug=organization)
        row.policies = policies
        row.source_path = source_path[:1000]
        row.save()
        record_change(
            actor=actor,
            action=Action.UPDATE if before is not None else Action.CREATE,
            object_type="graph-policies",
            object_id=organization,
            before=before,
            after=policies,
            object_repr=f"graph policies of {organization}",
        )
    return row
