"""Writes of the graph app: interface-change events, spec snapshots, policies — each audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from productize.audit.models import Action
from productize.audit.services import CATALOG_WRITE, Actor, Change, record_change, record_changes
from productize.catalog.services.bulk import insert_rows
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


@dataclass(frozen=True, slots=True)
class SnapshotSpec:
    """An interface's state to store: `spec_text=None` keeps the stored text and digest."""

    interface_ref: str
    stability: str
    spec_path: str
    spec_text: str | None
    spec_sha256: str


SNAPSHOT_COLUMNS = (
    "interface_ref", "stability", "spec_path", "spec_text", "spec_sha256", "commit", "updated_at",
)  # fmt: skip


def snapshots_save(*, actor: Actor, specs: Sequence[SnapshotSpec], commit: str = "") -> int:
    """Store the last seen state of many interfaces; return how many saves were recorded.

    One transaction: a query for the stored states, one bulk insert of the new snapshots, an
    UPDATE per snapshot that existed, and one audit record per save (in bulk), each with the
    state before and after. A first import of thousands of interfaces is a few statements,
    not thousands of transactions.
    """
    _require(actor)
    if not specs:
        return 0
    refs = sorted({s.interface_ref for s in specs})
    now = timezone.now()
    commit = commit[:64]
    changes: list[Change] = []
    # ref -> [stability, spec_path, spec_text, spec_sha256]: the state as the saves leave it.
    state: dict[str, list[Any]] = {}
    stored: set[str] = set()
    with transaction.atomic():
        for start in range(0, len(refs), 500):  # SQLite: at most 999 parameters a query
            rows = InterfaceSnapshot.objects.filter(interface_ref__in=refs[start : start + 500])
            for ref, stability, sha in rows.values_list(
                "interface_ref", "stability", "spec_sha256"
            ):
                state[ref] = [stability, None, None, sha]
                stored.add(ref)
        for spec in specs:
            ref = spec.interface_ref
            row = state.get(ref)
            before = {"stability": row[0], "spec_sha256": row[3]} if row is not None else None
            if row is None:
                row = state[ref] = ["", "", "", ""]
            row[0], row[1] = spec.stability, spec.spec_path[:500]
            if spec.spec_text is not None:
                row[2], row[3] = spec.spec_text, spec.spec_sha256
            changes.append(
                Change(
                    Action.UPDATE if before else Action.CREATE,
                    "interface-snapshot",
                    ref,
                    before,
                    {"stability": row[0], "spec_sha256": row[3]},
                    ref,
                )
            )
        for ref in sorted(stored):  # snapshots that changed: few, one UPDATE each
            stability, spec_path, text, sha = state[ref]
            values: dict[str, Any] = {"stability": stability, "spec_path": spec_path}
            if text is not None:
                values.update(spec_text=text, spec_sha256=sha)
            InterfaceSnapshot.objects.filter(interface_ref=ref).update(
                commit=commit, updated_at=now, **values
            )
        insert_rows(
            InterfaceSnapshot,
            SNAPSHOT_COLUMNS,
            ((ref, *state[ref], commit, now) for ref in refs if ref not in stored),
        )
        record_changes(actor=actor, changes=changes)
    return len(specs)


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
