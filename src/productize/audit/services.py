"""Who may change what, and the audit log every service writes in the same transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from productize.audit.models import Action, ActorKind, ChangeRecord

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

# Permissions that services ask `Actor.can` about. The accounts work will map roles onto them.
CATALOG_WRITE = "catalog.write"
SOURCE_MANAGE = "source.manage"
SOURCE_REFRESH = "source.refresh"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is making a change: a user, an API token, an ingest run or the system itself."""

    kind: ActorKind
    label: str
    user: AbstractBaseUser | AnonymousUser | None = None
    ingest_run_id: int | None = None
    request_id: str = ""

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        """The system itself (CLI commands run by an operator, migrations, the worker)."""
        return cls(kind=ActorKind.SYSTEM, label=label)

    @classmethod
    def for_ingest(cls, run_id: int) -> Actor:
        """An ingest run writing the descriptors it read."""
        return cls(kind=ActorKind.INGEST, label=f"ingest run {run_id}", ingest_run_id=run_id)

    @classmethod
    def for_user(cls, user: AbstractBaseUser | AnonymousUser, *, request_id: str = "") -> Actor:
        """A signed-in person, from the web UI or the API with a session."""
        label = str(user.get_username()) if user.is_authenticated else "anonymous"
        return cls(kind=ActorKind.USER, label=label, user=user, request_id=request_id)

    @classmethod
    def for_token(
        cls, name: str, user: AbstractBaseUser | None = None, *, request_id: str = ""
    ) -> Actor:
        """A machine calling the API with a token."""
        return cls(kind=ActorKind.TOKEN, label=name, user=user, request_id=request_id)

    def can(self, permission: str, obj: object | None = None) -> bool:
        """Whether this actor may do `permission` (on `obj`): see accounts.permissions."""
        # Imported here: the permissions module imports this one.
        from productize.accounts.permissions import can

        return can(self, permission, obj)


@dataclass(frozen=True, slots=True)
class Change:
    """One change to record: what happened to which object, from what to what."""

    action: Action
    object_type: str
    object_id: str
    before: Any = None
    after: Any = None
    object_repr: str = ""


def _require_transaction() -> None:
    # An audit record written outside the change's transaction could survive a rolled-back
    # change (or be lost while the change stays): refuse instead of logging something untrue.
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit records must be written inside the change's transaction")


def _record(actor: Actor, change: Change, reason: str, at: datetime) -> ChangeRecord:
    user = actor.user if actor.user is not None and actor.user.is_authenticated else None
    return ChangeRecord(
        at=at,
        actor_kind=actor.kind,
        actor_label=actor.label[:255],
        user=user,  # type: ignore[misc]
        ingest_run_id=actor.ingest_run_id,
        request_id=actor.request_id[:64],
        action=change.action,
        object_type=change.object_type,
        object_id=change.object_id[:127],
        object_repr=change.object_repr[:500],
        before=change.before,
        after=change.after,
        reason=reason,
    )


def record_change(
    *,
    actor: Actor,
    action: Action,
    object_type: str,
    object_id: str,
    before: Any,
    after: Any,
    reason: str = "",
    object_repr: str = "",
) -> ChangeRecord:
    """Write one audit record; must run inside the transaction that made the change."""
    from productize.catalog.services.bulk import RawJSON

    _require_transaction()
    before, after = (json.loads(v) if isinstance(v, RawJSON) else v for v in (before, after))
    change = Change(action, object_type, object_id, before, after, object_repr)
    record = _record(actor, change, reason, timezone.now())
    record.save()
    return record


_RECORD_FIELDS = (
    "at",
    "actor_kind",
    "actor_label",
    "user",
    "ingest_run_id",
    "request_id",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "reason",
)


def record_changes(*, actor: Actor, changes: Iterable[Change], reason: str = "") -> int:
    """Write many audit records in batches (same rules as `record_change`); return the count."""
    # Imported here: the catalog services import this module.
    from productize.catalog.services.bulk import insert_rows

    _require_transaction()
    at = timezone.now()
    user = actor.user if actor.user is not None and actor.user.is_authenticated else None
    user_id = user.pk if user is not None else None
    rows = (
        (
            at,
            actor.kind.value,
            actor.label[:255],
            user_id,
            actor.ingest_run_id,
            actor.request_id[:64],
            change.action.value,
            change.object_type,
            change.object_id[:127],
            change.object_repr[:500],
            change.before,
            change.after,
            reason,
        )
        for change in changes
    )
    return insert_rows(ChangeRecord, _RECORD_FIELDS, rows)
