"""Registered sources: add, update, remove (all audited), webhook secrets, the worker's schedule."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from productize.audit.models import ChangeRecord
from productize.audit.services import Actor
from productize.catalog.models import Interface, Product
from productize.ingest.models import IngestProblem, IngestRun, RunStatus, Source
from productize.ingest.runner import ingest_path, ingest_source
from productize.ingest.services import (
    hash_secret,
    source_add,
    source_for_location,
    source_refresh_from_webhook,
    source_remove,
    source_request_refresh,
    source_rotate_webhook_secret,
    source_update,
    webhook_secret_matches,
)
from productize.ingest.worker import due_sources, refresh_due, run_worker
from tests.ingest.trees import PAYMENTS, small_catalog, write

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return small_catalog(tmp_path / "catalog")


def test_add_stores_the_secret_hashed_and_audits(tree: Path) -> None:
    source, secret = source_add(actor=SYSTEM, name="catalog", location=str(tree), subpath="")

    assert source.kind == "directory" and source.location == str(tree.resolve())
    assert len(secret) >= 32
    assert source.webhook_secret_hash == hash_secret(secret) != secret
    assert webhook_secret_matches(source, secret)
    assert not webhook_secret_matches(source, secret + "x")
    assert not webhook_secret_matches(source, "")
    record = ChangeRecord.objects.get(object_type="source", action="create")
    assert record.after["name"] == "catalog"
    assert secret not in str(record.after) and source.webhook_secret_hash not in str(record.after)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "Bad Name"}, "name"),
        ({"location": "https://bot:t0ken@git.example.com/r.git"}, "location"),
        ({"location": "/no/such/directory"}, "location"),
        ({"location": "ftp://host/r"}, "location"),
        ({"subpath": "../up"}, "subpath"),
        ({"branch": "main"}, "branch"),  # a directory has no branch
        ({"schedule_minutes": -1}, "schedule_minutes"),
    ],
)
def test_add_validates_each_field(tree: Path, fields: dict[str, object], field: str) -> None:
    arguments: dict[str, object] = {"name": "catalog", "location": str(tree), **fields}
    with pytest.raises(ValidationError) as error:
        source_add(actor=SYSTEM, **arguments)  # type: ignore[arg-type]
    assert field in error.value.message_dict
    assert "t0ken" not in str(error.value)
    assert not Source.objects.exists()


def test_names_are_unique(tree: Path) -> None:
    source_add(actor=SYSTEM, name="catalog", location=str(tree))
    with pytest.raises(ValidationError, match="already exists"):
        source_add(actor=SYSTEM, name="catalog", location=str(tree))


def test_only_admins_manage_sources(tree: Path) -> None:
    member = User.objects.create_user("member")
    staff = User.objects.create_user("staff", is_staff=True)
    with pytest.raises(PermissionDenied):
        source_add(actor=Actor.for_user(member), name="catalog", location=str(tree))
    source, _ = source_add(actor=Actor.for_user(staff), name="catalog", location=str(tree))
    assert ChangeRecord.objects.get().user == staff
    with pytest.raises(PermissionDenied):
        source_remove(actor=Actor.for_ingest(1), source=source)


def test_update_records_before_and_after(tree: Path) -> None:
    source, _ = source_add(actor=SYSTEM, name="catalog", location=str(tree))
    source_update(actor=SYSTEM, source=source, schedule_minutes=5, enabled=False)
    source.refresh_from_db()
    assert (source.schedule_minutes, source.enabled) == (5, False)
    record = ChangeRecord.objects.get(action="update")
    assert record.before["schedule_minutes"] == 60 and record.after["schedule_minutes"] == 5
    with pytest.raises(ValidationError):
        source_update(actor=SYSTEM, source=source, webhook_secret_hash="x")


def test_remove_takes_everything_the_source_declared(tree: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    write(other, "p/product.yaml", PAYMENTS.replace("id: payments", "id: other-pay"))
    source, _ = source_add(actor=SYSTEM, name="catalog", location=str(tree))
    ingest_source(source=source)
    keep = ingest_path(location=other)
    assert Product.objects.count() == 4

    removed = source_remove(actor=SYSTEM, source=source)

    assert removed == 9
    assert list(Product.objects.values_list("slug", flat=True)) == ["other-pay"]
    assert not Interface.objects.filter(product__slug="payments").exists()
    assert not IngestRun.objects.filter(source_id=source.pk).exists()
    assert Source.objects.get() == keep.source
    assert ChangeRecord.objects.filter(action="delete", object_type="product").count() == 3
    assert ChangeRecord.objects.filter(action="delete", object_type="source").count() == 1


def test_removing_a_claimant_ends_the_clash_it_caused(tree: Path, tmp_path: Path) -> None:
    ingest_path(location=tree)
    other = tmp_path / "other"
    write(other, "p/product.yaml", PAYMENTS)
    claimant = ingest_path(location=other).source
    assert claimant is not None
    assert IngestProblem.objects.filter(current=True).count() == 2

    source_remove(actor=SYSTEM, source=claimant)

    assert not IngestProblem.objects.filter(current=True).exists()


def test_rotating_the_secret_stops_the_old_one(tree: Path) -> None:
    source, old = source_add(actor=SYSTEM, name="catalog", location=str(tree))
    new = source_rotate_webhook_secret(actor=SYSTEM, source=source)
    source.refresh_from_db()
    assert new != old
    assert webhook_secret_matches(source, new) and not webhook_secret_matches(source, old)


def test_the_webhook_asks_the_worker_for_a_refresh(tree: Path) -> None:
    source, secret = source_add(
        actor=SYSTEM, name="catalog", location=str(tree), schedule_minutes=0
    )
    assert due_sources() == []
    assert not source_refresh_from_webhook(source=source, secret="wrong")
    assert due_sources() == []

    assert source_refresh_from_webhook(source=source, secret=secret)

    assert due_sources() == [source]
    [run] = refresh_due()
    assert run.status == RunStatus.SUCCEEDED and Product.objects.count() == 3
    source.refresh_from_db()
    assert source.refresh_requested_at is None
    assert due_sources() == []


@override_settings(WEBHOOK_SECRET="shared-secret-for-all")
def test_a_server_wide_webhook_secret_also_works(tree: Path) -> None:
    source, _ = source_add(actor=SYSTEM, name="catalog", location=str(tree), webhook=False)
    assert source.webhook_secret_hash == ""
    assert webhook_secret_matches(source, "shared-secret-for-all")


def test_sources_are_due_on_their_schedule(tree: Path) -> None:
    every, _ = source_add(actor=SYSTEM, name="hourly", location=str(tree), schedule_minutes=60)
    source_add(actor=SYSTEM, name="manual", location=str(tree), schedule_minutes=0)
    off, _ = source_add(actor=SYSTEM, name="off", location=str(tree), enabled=False)
    assert [s.name for s in due_sources()] == ["hourly"]  # never run yet

    ingest_source(source=every)
    now = timezone.now()
    assert due_sources(now) == []
    assert [s.name for s in due_sources(now + timedelta(minutes=61))] == ["hourly"]
    source_request_refresh(actor=SYSTEM, source=off)
    assert "off" not in [s.name for s in due_sources(now)]  # disabled sources never run


def test_the_worker_loop_stops_when_asked(tree: Path) -> None:
    source_add(actor=SYSTEM, name="hourly", location=str(tree))
    stop = threading.Event()
    passes: list[int] = []

    def after_pass(runs: list[IngestRun]) -> None:
        passes.append(len(runs))
        if len(passes) == 2:
            stop.set()

    assert run_worker(interval=0.01, stop=stop, on_pass=after_pass) == 2
    assert passes == [1, 0]  # the second pass finds nothing due
    assert run_worker(interval=60, once=True) == 1


def test_ad_hoc_locations_reuse_their_source(tree: Path) -> None:
    first = source_for_location(actor=SYSTEM, location=str(tree))
    again = source_for_location(actor=SYSTEM, location=str(tree) + "/")
    assert first == again and first.name == "catalog" and first.schedule_minutes == 0
    git = source_for_location(
        actor=SYSTEM, location="https://bot:t0ken@git.example.com/acme/catalog.git"
    )
    assert git.name == "catalog-2" and "t0ken" not in git.location


def test_only_actors_allowed_to_refresh_may_start_a_run(tree: Path) -> None:
    source, _ = source_add(actor=SYSTEM, name="catalog", location=str(tree))
    member = User.objects.create_user("member")
    with pytest.raises(PermissionDenied):
        ingest_source(source=source, actor=Actor.for_user(member))
    assert not IngestRun.objects.exists()
    assert ingest_source(source=source, actor=SYSTEM).status == RunStatus.SUCCEEDED
