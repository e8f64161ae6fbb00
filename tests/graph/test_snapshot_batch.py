"""Interface snapshots saved in bulk after ingest: one snapshot and one audit record per save."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from productize.audit.models import ChangeRecord
from productize.audit.services import Actor
from productize.catalog.models import Interface
from productize.graph import services
from productize.graph.models import InterfaceChange, InterfaceSnapshot
from productize.ingest.hooks import IngestOutcome, run_after_ingest
from tests.graph.specs import NEW, OLD
from tests.web import factories as f

pytestmark = pytest.mark.django_db


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.fixture
def catalog(db: None) -> dict[str, Any]:
    """Two providers with three interfaces (two with specs), one consumer."""
    f.person("alice")
    f.product(
        "orders", owners=["alice"], source_path="orders/product.yaml",
        provides=[("api", "api", "stable"), ("events", "event", "beta")],
    )  # fmt: skip
    f.product(
        "billing", owners=["alice"], source_path="billing/product.yaml",
        provides=[("api", "api", "stable")],
    )  # fmt: skip
    Interface.objects.filter(ref="orders/api").update(spec_path="api.yaml")
    Interface.objects.filter(ref="billing/api").update(spec_path="api.yaml")
    f.product("shop", consumes=["orders/api", "billing/api"])
    return {"source": f.source()}


def ingest(catalog: dict[str, Any], root: Path, specs: dict[str, str]) -> list[tuple[str, Any]]:
    """Write the specs, run the after-ingest handlers; return the progress reported."""
    for product, text in specs.items():
        (root / product).mkdir(exist_ok=True)
        (root / product / "api.yaml").write_text(text)
    run = f.run(catalog["source"])
    run.commit = "c0ffee"
    run.save()
    reported: list[tuple[str, Any]] = []
    outcome = IngestOutcome(
        catalog["source"], run, root, {"orders", "billing"}, set(),
        {"orders": "orders/product.yaml", "billing": "billing/product.yaml"},
        progress=lambda phase, done, total: reported.append((phase, (done, total))),
    )  # fmt: skip
    assert run_after_ingest(outcome) == []
    return reported


def audit(**filters: Any) -> list[tuple[str, str, Any, Any, str]]:
    records = ChangeRecord.objects.filter(object_type="interface-snapshot", **filters)
    return sorted(
        (r.action, r.object_id, r.before, r.after, r.object_repr) for r in records.order_by("id")
    )


def test_a_first_import_stores_one_snapshot_and_one_audit_record_per_interface(catalog, tmp_path):
    reported = ingest(catalog, tmp_path, {"orders": OLD, "billing": NEW})
    snapshots = {
        s.interface_ref: (s.stability, s.spec_path, s.spec_text, s.spec_sha256, s.commit)
        for s in InterfaceSnapshot.objects.all()
    }
    assert snapshots == {
        "orders/api": ("stable", "api.yaml", OLD, sha(OLD), "c0ffee"),
        "orders/events": ("beta", "", "", "", "c0ffee"),
        "billing/api": ("stable", "api.yaml", NEW, sha(NEW), "c0ffee"),
    }
    assert audit() == [
        ("create", "billing/api", None, {"stability": "stable", "spec_sha256": sha(NEW)},
         "billing/api"),
        ("create", "orders/api", None, {"stability": "stable", "spec_sha256": sha(OLD)},
         "orders/api"),
        ("create", "orders/events", None, {"stability": "beta", "spec_sha256": ""},
         "orders/events"),
    ]  # fmt: skip
    records = ChangeRecord.objects.filter(object_type="interface-snapshot")
    assert {(r.actor_kind, r.ingest_run_id is not None) for r in records} == {("ingest", True)}
    assert not InterfaceChange.objects.exists()
    # Both handlers show their progress through the ingest's callback.
    assert ("interface history", (2, 2)) in reported
    assert ("assessing", (3, 3)) in reported  # orders, billing and shop, their consumer


def test_a_second_run_records_the_breaking_change_and_updates_only_what_changed(catalog, tmp_path):
    ingest(catalog, tmp_path, {"orders": OLD, "billing": NEW})
    first = ChangeRecord.objects.filter(object_type="interface-snapshot").count()
    untouched = InterfaceSnapshot.objects.get(interface_ref="billing/api").updated_at
    ingest(catalog, tmp_path, {"orders": NEW})  # billing's spec and orders/events unchanged
    assert InterfaceChange.objects.get().interface_ref == "orders/api"
    assert InterfaceSnapshot.objects.get(interface_ref="orders/api").spec_text == NEW
    assert InterfaceSnapshot.objects.get(interface_ref="billing/api").updated_at == untouched
    updates = audit(action="update")
    assert updates == [
        ("update", "orders/api", {"stability": "stable", "spec_sha256": sha(OLD)},
         {"stability": "stable", "spec_sha256": sha(NEW)}, "orders/api"),
    ]  # fmt: skip
    assert ChangeRecord.objects.filter(object_type="interface-snapshot").count() == first + 1


def test_saving_a_state_twice_in_one_batch_audits_both_saves_in_order(db):
    actor = Actor.system("test")
    specs = [
        services.SnapshotSpec("a/api", "beta", "api.yaml", "one", sha("one")),
        services.SnapshotSpec("a/api", "stable", "api.yaml", None, ""),  # keeps the text
    ]
    assert services.snapshots_save(actor=actor, specs=specs, commit="x" * 80) == 2
    row = InterfaceSnapshot.objects.get()
    assert (row.stability, row.spec_text, row.spec_sha256, row.commit) == (
        "stable", "one", sha("one"), "x" * 64,
    )  # fmt: skip
    records = ChangeRecord.objects.filter(object_type="interface-snapshot").order_by("id")
    assert [(r.action, r.before, r.after) for r in records] == [
        ("create", None, {"stability": "beta", "spec_sha256": sha("one")}),
        ("update", {"stability": "beta", "spec_sha256": sha("one")},
         {"stability": "stable", "spec_sha256": sha("one")}),
    ]  # fmt: skip


def test_an_existing_snapshot_keeps_its_text_when_the_spec_cannot_be_read(db):
    actor = Actor.system("test")
    services.snapshots_save(
        actor=actor, specs=[services.SnapshotSpec("a/api", "stable", "api.yaml", "t", sha("t"))]
    )
    services.snapshots_save(
        actor=actor, specs=[services.SnapshotSpec("a/api", "deprecated", "gone.yaml", None, "")]
    )
    row = InterfaceSnapshot.objects.get()
    assert (row.stability, row.spec_path, row.spec_text, row.spec_sha256) == (
        "deprecated", "gone.yaml", "t", sha("t"),
    )  # fmt: skip
    assert ChangeRecord.objects.filter(object_type="interface-snapshot").count() == 2


def test_only_actors_who_may_write_the_catalog_save_snapshots(db):
    from django.contrib.auth.models import AnonymousUser

    spec = services.SnapshotSpec("a/api", "stable", "", None, "")
    with pytest.raises(PermissionDenied):
        services.snapshots_save(actor=Actor.for_user(AnonymousUser()), specs=[spec])
    assert not InterfaceSnapshot.objects.exists()
