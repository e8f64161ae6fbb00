"""Interface changes recorded after ingest: breaking spec changes and deprecations, audited."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from productize.audit.models import ChangeRecord
from productize.catalog.models import Interface
from productize.graph.models import InterfaceChange, InterfaceSnapshot, PolicySetting
from productize.graph.selectors import graph_policy
from productize.ingest.hooks import IngestOutcome, run_after_ingest
from tests.graph.specs import COMPATIBLE, NEW, OLD
from tests.web import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(db: None) -> dict[str, Any]:
    f.person("alice")
    f.person("bob")
    orders = f.product(
        "orders", owners=["alice"], provides=[("api", "api", "stable")],
        source_path="orders/product.yaml",
    )  # fmt: skip
    Interface.objects.filter(ref="orders/api").update(spec_path="api.yaml")
    f.product("shop", owners=["bob"], consumes=["orders/api"])
    f.product("till", owners=["alice", "team:ops"], consumes=["orders/api"])
    src = f.source()
    return {"orders": orders, "source": src}


def ingest(catalog: dict[str, Any], root: Path, spec: str | None, **extra: Any) -> None:
    if spec is not None:
        (root / "orders").mkdir(exist_ok=True)
        (root / "orders" / "api.yaml").write_text(spec)
    run = f.run(catalog["source"])
    run.commit = "abc123"
    run.save()
    outcome = IngestOutcome(
        catalog["source"], run, root, {"orders"}, set(), {"orders": "orders/product.yaml"}
    )
    assert run_after_ingest(outcome) == []


def test_the_first_ingest_stores_the_spec_and_records_nothing(catalog, tmp_path):
    ingest(catalog, tmp_path, OLD)
    snapshot = InterfaceSnapshot.objects.get(interface_ref="orders/api")
    assert snapshot.spec_text == OLD and snapshot.stability == "stable"
    assert not InterfaceChange.objects.exists()


def test_a_breaking_change_is_recorded_with_consumers_owners_and_an_audit_record(catalog, tmp_path):
    ingest(catalog, tmp_path, OLD)
    ingest(catalog, tmp_path, NEW)
    event = InterfaceChange.objects.get()
    assert event.kind == "breaking" and event.interface_ref == "orders/api"
    assert event.commit == "abc123" and event.run_id is not None
    assert any(c["location"].startswith("/paths/~1orders~1{id}") for c in event.changes)
    assert all(c["breaking"] for c in event.changes)
    consumers = {c.consumer_slug: c.owners for c in event.consumers.all()}
    assert consumers == {"shop": ["bob"], "till": ["alice", "team:ops"]}
    audit = ChangeRecord.objects.get(object_type="interface-change")
    assert audit.actor_kind == "ingest" and audit.after is not None
    assert audit.after["consumers"] == ["shop", "till"]
    assert InterfaceSnapshot.objects.get().spec_text == NEW


def test_compatible_changes_and_unchanged_specs_record_nothing(catalog, tmp_path):
    ingest(catalog, tmp_path, OLD)
    ingest(catalog, tmp_path, COMPATIBLE)
    ingest(catalog, tmp_path, COMPATIBLE)
    assert not InterfaceChange.objects.exists()


def test_breaking_changes_of_an_experimental_interface_are_not_events(catalog, tmp_path):
    Interface.objects.filter(ref="orders/api").update(stability="experimental")
    ingest(catalog, tmp_path, OLD)
    ingest(catalog, tmp_path, NEW)
    assert not InterfaceChange.objects.exists()


def test_deprecating_an_interface_lists_its_consumers(catalog, tmp_path):
    ingest(catalog, tmp_path, OLD)
    Interface.objects.filter(ref="orders/api").update(stability="deprecated")
    ingest(catalog, tmp_path, None)
    event = InterfaceChange.objects.get()
    assert event.kind == "deprecated"
    assert [c.consumer_slug for c in event.consumers.all()] == ["shop", "till"]
    ingest(catalog, tmp_path, None)  # still deprecated: not news again
    assert InterfaceChange.objects.count() == 1


def test_a_spec_outside_the_tree_is_never_read(catalog, tmp_path):
    Interface.objects.filter(ref="orders/api").update(spec_path="../../etc/passwd")
    ingest(catalog, tmp_path, None)
    assert InterfaceSnapshot.objects.get().spec_text == ""


def test_policies_come_from_the_organisation_descriptor(catalog, tmp_path):
    (tmp_path / "organization.yaml").write_text(
        "kind: organization\nid: acme\nname: Acme\nmission: Good things.\n"
        "policies: [no-cycles, {max-fan-out: 4}]\n"
    )
    ingest(catalog, tmp_path, None)
    policy = graph_policy()
    assert policy.no_cycles and policy.max_fan_out == 4
    assert PolicySetting.objects.get().organization_slug == "acme"
    assert ChangeRecord.objects.filter(object_type="graph-policies").count() == 1
    ingest(catalog, tmp_path, None)  # unchanged: no new audit record
    assert ChangeRecord.objects.filter(object_type="graph-policies").count() == 1


def test_a_real_ingest_records_a_breaking_change_between_two_runs(db, tmp_path):
    from productize.ingest.runner import ingest_path

    (tmp_path / "orders").mkdir()
    (tmp_path / "shop").mkdir()
    (tmp_path / "orders" / "openapi.yaml").write_text(OLD)
    (tmp_path / "orders" / "product.yaml").write_text(
        "kind: product\nid: orders\nname: Orders\nstage: growing\n"
        "interfaces:\n  provides:\n    - name: api\n      kind: api\n      stability: stable\n"
        "      spec: openapi.yaml\n"
    )
    (tmp_path / "shop" / "product.yaml").write_text(
        "kind: product\nid: shop\nname: Shop\nstage: growing\n"
        "interfaces:\n  consumes:\n    - interface: orders/api\n"
    )
    ingest_path(location=tmp_path)
    assert InterfaceSnapshot.objects.get(interface_ref="orders/api").spec_text == OLD
    (tmp_path / "orders" / "openapi.yaml").write_text(NEW)
    # Only the spec changes: the descriptor, and so the product row, stay as they were.
    ingest_path(location=tmp_path)
    event = InterfaceChange.objects.get()
    assert event.kind == "breaking"
    assert [c.consumer_slug for c in event.consumers.all()] == ["shop"]
