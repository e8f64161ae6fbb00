"""The audit log and the actor permission hook."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction

from productize.audit.models import Action, ActorKind, ChangeRecord
from productize.audit.services import (
    CATALOG_WRITE,
    SOURCE_MANAGE,
    SOURCE_REFRESH,
    Actor,
    Change,
    record_change,
    record_changes,
)


@pytest.mark.django_db
def test_what_the_ingest_and_source_services_rely_on() -> None:
    # The full role model lives in accounts.permissions; these are the guarantees the catalog
    # and source services depend on.
    staff = User.objects.create_user("staff", is_staff=True)
    member = User.objects.create_user("member")
    inactive = User.objects.create_user("gone", is_staff=True, is_active=False)

    assert Actor.system().can(CATALOG_WRITE) and Actor.system().can(SOURCE_MANAGE)
    assert Actor.for_ingest(1).can(CATALOG_WRITE)
    assert not Actor.for_ingest(1).can(SOURCE_MANAGE)
    assert Actor.for_user(staff).can(SOURCE_MANAGE) and Actor.for_user(staff).can(SOURCE_REFRESH)
    assert not Actor.for_user(member).can(SOURCE_MANAGE)
    assert not Actor.for_user(member).can(CATALOG_WRITE)
    assert not Actor.for_user(inactive).can(SOURCE_MANAGE)
    assert not Actor.for_user(AnonymousUser()).can(SOURCE_REFRESH)
    assert not Actor.for_token("ci").can(CATALOG_WRITE)


@pytest.mark.django_db
def test_record_change_stores_who_what_and_why() -> None:
    user = User.objects.create_user("ann", is_staff=True)
    actor = Actor.for_user(user, request_id="req-1")

    with transaction.atomic():
        record = record_change(
            actor=actor,
            action=Action.UPDATE,
            object_type="source",
            object_id="catalog",
            before={"enabled": True},
            after={"enabled": False},
            reason="paused for maintenance",
        )

    stored = ChangeRecord.objects.get(pk=record.pk)
    assert stored.actor_kind == ActorKind.USER and stored.actor_label == "ann"
    assert stored.user == user and stored.request_id == "req-1"
    assert (stored.before, stored.after) == ({"enabled": True}, {"enabled": False})
    assert stored.reason == "paused for maintenance"


@pytest.mark.django_db
def test_record_changes_writes_many_in_batches() -> None:
    changes = [Change(Action.CREATE, "product", f"p{i}", None, {"i": i}) for i in range(2500)]
    with transaction.atomic():
        written = record_changes(actor=Actor.for_ingest(3), changes=changes, reason="load")
    assert written == 2500
    assert ChangeRecord.objects.filter(ingest_run_id=3, reason="load").count() == 2500


@pytest.mark.django_db(transaction=True)
def test_audit_records_refuse_to_be_written_outside_a_transaction() -> None:
    with pytest.raises(RuntimeError, match="transaction"):
        record_change(
            actor=Actor.system(),
            action=Action.DELETE,
            object_type="product",
            object_id="x",
            before={},
            after=None,
        )
    assert not ChangeRecord.objects.exists()


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_no_audit_record() -> None:
    with pytest.raises(ValueError), transaction.atomic():
        record_change(
            actor=Actor.system(),
            action=Action.CREATE,
            object_type="product",
            object_id="x",
            before=None,
            after={},
        )
        raise ValueError("the change failed after its record was written")
    assert not ChangeRecord.objects.exists()
