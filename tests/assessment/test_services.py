"""Stored assessment: results, history only on change with its reason, re-assessment via hook."""

from __future__ import annotations

from pathlib import Path

import pytest

from productize.assessment.models import (
    AssessmentGap,
    AssessmentHistory,
    CharacteristicsFile,
    ProductAssessment,
)
from productize.assessment.reassess import dependants
from productize.assessment.services import (
    AssessmentPermissionError,
    assess_all,
    assess_products,
)
from productize.audit.models import ChangeRecord
from productize.audit.services import Actor
from productize.catalog.models import Product
from productize.ingest.hooks import IngestOutcome, run_after_ingest
from productize.ingest.models import IngestRun

pytestmark = pytest.mark.django_db


def _current(slug: str) -> ProductAssessment:
    return ProductAssessment.objects.get(product__slug=slug)


def _gaps(slug: str) -> set[str]:
    return set(
        AssessmentGap.objects.filter(product__slug=slug).values_list("characteristic", flat=True)
    )


def _rule(slug: str, characteristic: str, rule: str) -> dict:
    chars = {c["key"]: c for c in _current(slug).result["characteristics"]}
    return next(r for r in chars[characteristic]["rules"] if r["key"] == rule)


def test_every_demo_product_is_assessed_with_a_first_history_row(demo: IngestOutcome) -> None:
    products = Product.objects.count()
    assert ProductAssessment.objects.count() == products
    assert AssessmentHistory.objects.count() == products
    assert all(h.why == ["first assessment"] for h in AssessmentHistory.objects.all())
    records = ChangeRecord.objects.filter(object_type="assessment")
    assert records.count() == products
    assert records.filter(object_id="orders", action="create").exists()


def test_shop_app_lacks_a_does_not_list(demo: IngestOutcome) -> None:
    assert "well-defined" in _gaps("shop-app")
    rule = _rule("shop-app", "well-defined", "does-not-listed")
    assert rule["status"] == "not-met"
    assert "does_not" in rule["next_step"]


def test_stock_sheets_has_no_owner(demo: IngestOutcome) -> None:
    assert "owned" in _gaps("stock-sheets")
    assert _current("stock-sheets").level == "idea"


def test_ops_toolkit_is_not_yet_a_product(demo: IngestOutcome) -> None:
    current = _current("ops-toolkit")
    assert current.not_yet_a_product
    assert current.level != "maintained"
    assert any(
        "split" in r.lower() or "job" in r.lower() for r in current.result["not_yet_reasons"]
    )


def test_event_bus_mission_has_jargon(demo: IngestOutcome) -> None:
    assert "well-defined" in _gaps("event-bus")
    rule = _rule("event-bus", "well-defined", "mission-plain")
    assert rule["status"] in ("not-met", "partly-met")
    assert "jargon" in " ".join(rule["evidence"]) or "acronyms" in " ".join(rule["evidence"])


def test_repository_evidence_comes_from_the_working_tree(demo: IngestOutcome) -> None:
    orders = _current("orders")
    assert orders.repository is not None and orders.repository["tests"]
    assert orders.level in ("growing", "maintained")
    assert "testable" in _gaps("accounts")  # no tests folder next to its descriptor


def test_unchanged_inputs_write_nothing(demo: IngestOutcome) -> None:
    history = AssessmentHistory.objects.count()
    audits = ChangeRecord.objects.count()
    summary = assess_all(actor=Actor.system())
    assert summary.assessed == 0 and summary.unchanged == Product.objects.count()
    assert AssessmentHistory.objects.count() == history
    assert ChangeRecord.objects.count() == audits


def test_without_a_tree_the_last_repository_evidence_is_kept(demo: IngestOutcome) -> None:
    before = _current("orders")
    summary = assess_products(slugs=["orders"], actor=Actor.system(), force=True)
    assert summary.assessed == 1 and summary.changed == 0
    after = _current("orders")
    assert after.repository == before.repository
    assert after.level == before.level
    assert AssessmentHistory.objects.filter(product__slug="orders").count() == 1


def test_a_descriptor_change_writes_history_with_its_reason(
    demo: IngestOutcome, tmp_path: Path
) -> None:
    shop = Product.objects.get(slug="shop-app")
    # Simulate the catalog services' update: the stored document changed (the one write path
    # for catalog rows belongs to ingest; here only the fields assessment reads change).
    Product.objects.filter(pk=shop.pk).update(does_not=["Take payments"], descriptor_hash="x1")
    summary = assess_products(slugs=["shop-app"], actor=Actor.system())
    assert summary.changed == 1
    row = AssessmentHistory.objects.filter(product=shop).order_by("-id").first()
    assert row is not None and row.why == ["descriptor"]
    rule = _rule("shop-app", "well-defined", "does-not-listed")
    assert rule["status"] == "met"
    record = ChangeRecord.objects.filter(object_type="assessment", object_id="shop-app").first()
    assert record is not None and record.action == "update"
    assert record.after is not None and record.after["why"] == ["descriptor"]


def test_dependants_are_providers_consumers_and_parts(demo: IngestOutcome) -> None:
    consumers = set(
        Product.objects.filter(consumptions__interface_ref__startswith="orders/").values_list(
            "slug", flat=True
        )
    )
    assert consumers and consumers <= dependants({"orders"})
    parts = set(Product.objects.filter(part_of_ref="farm-portal").values_list("slug", flat=True))
    assert parts and parts <= dependants({"farm-portal"})
    part = next(iter(parts))
    assert "farm-portal" in dependants({part})


def test_hook_reassesses_a_new_consumer_and_its_provider(demo: IngestOutcome) -> None:
    provider = Product.objects.get(slug="ops-toolkit")
    before = _current("ops-toolkit").catalog_digest
    consumer = Product.objects.get(slug="stock-sheets")
    iface = provider.interfaces.first()
    assert iface is not None
    consumer.consumptions.create(interface_ref=iface.ref, interface=iface)
    Product.objects.filter(pk=consumer.pk).update(descriptor_hash="changed")
    run = IngestRun.objects.latest("id")
    outcome = IngestOutcome(
        source=demo.source, run=run, root=demo.root, changed_products={"stock-sheets"},
        product_paths={"stock-sheets": consumer.source_path},
    )  # fmt: skip
    assert run_after_ingest(outcome) == []
    after = _current("ops-toolkit")
    assert after.catalog_digest != before
    assert "stock-sheets" in str(after.result)
    why = AssessmentHistory.objects.filter(product=provider).order_by("-id").first()
    assert why is not None and "catalog" in why.why


def test_characteristics_file_is_validated_and_applied(demo: IngestOutcome, tmp_path: Path) -> None:
    (tmp_path / "characteristics.yaml").write_text(
        "characteristics:\n  - key: brand\n    retired: true\n", encoding="utf-8"
    )
    run = IngestRun.objects.latest("id")
    outcome = IngestOutcome(source=demo.source, run=run, root=tmp_path)
    assert run_after_ingest(outcome) == []
    stored = CharacteristicsFile.objects.get()
    assert stored.valid and stored.findings == []
    keys = {c["key"] for c in _current("orders").result["characteristics"]}
    assert "brand" not in keys
    row = AssessmentHistory.objects.filter(product__slug="orders").order_by("-id").first()
    assert row is not None and row.why == ["characteristics"]


def test_a_broken_characteristics_file_is_a_finding_and_defaults_apply(
    demo: IngestOutcome, tmp_path: Path
) -> None:
    (tmp_path / "org.characteristics.yaml").write_text(
        "characteristics:\n  - key: brand\n    wieght: 3\n", encoding="utf-8"
    )
    run = IngestRun.objects.latest("id")
    assert run_after_ingest(IngestOutcome(source=demo.source, run=run, root=tmp_path)) == []
    stored = CharacteristicsFile.objects.get()
    assert not stored.valid
    assert stored.findings and stored.findings[0]["line"] == 3
    keys = {c["key"] for c in _current("orders").result["characteristics"]}
    assert "brand" in keys  # defaults still apply


def test_users_may_not_run_assessments(demo: IngestOutcome) -> None:
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(AssessmentPermissionError):
        assess_all(actor=Actor.for_user(AnonymousUser()))
