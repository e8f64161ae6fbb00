"""`catalog_sync_source`: upserts, removals, references across sources, clashes, the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from productize.audit.models import ChangeRecord
from productize.audit.services import Actor
from productize.catalog.models import (
    Consumption,
    Interface,
    Loop,
    Organization,
    Origin,
    Ownership,
    Product,
    ProductTag,
)
from productize.catalog.services import catalog_sync_source, product_search_text
from productize.catalog.services import sync as sync_module
from productize.domain.descriptors import MODEL_BY_KIND, AnyDoc, ProductDoc
from productize.ingest.models import Source

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("test")


@dataclass
class Doc:
    """Stands in for the parser's ParsedDocument."""

    model: AnyDoc
    path: str
    line: int = 1
    index: int = 0


def doc(kind: str, id: str, path: str | None = None, **fields: Any) -> Doc:
    data = {"kind": kind, "id": id, "name": fields.pop("name", id.title()), **fields}
    model = MODEL_BY_KIND[kind].model_validate(data)
    return Doc(model, path or f"{id}/{kind}.yaml")  # type: ignore[arg-type]


def product(id: str, path: str | None = None, **fields: Any) -> Doc:
    return doc("product", id, path or f"products/{id}/product.yaml", **fields)


def source(name: str) -> Source:
    return Source.objects.create(name=name, kind="directory", location=f"/srv/{name}")


def sync(src: Source, docs: list[Doc], **kwargs: Any) -> sync_module.SyncResult:
    return catalog_sync_source(source=src, documents=docs, actor=SYSTEM, **kwargs)


def test_creates_entities_relations_and_audit_records() -> None:
    src = source("a")
    docs = [
        doc("organization", "acme", mission="Build."),
        doc("loop", "core", owners=["team:builders"]),
        doc("team", "builders", members=["ann"]),
        doc("person", "ann"),
        product(
            "shop",
            loop="core",
            owners=["ann"],
            tags=["retail"],
            interfaces={"provides": [{"name": "web", "kind": "ui"}], "consumes": ["pay/api"]},
        ),
    ]

    result = sync(src, docs, reason="first load")

    assert (result.created, result.updated, result.removed) == (5, 0, 0)
    assert result.by_kind["product.created"] == 1
    shop = Product.objects.get(slug="shop")
    assert shop.loop == Loop.objects.get(slug="core")
    assert shop.source == src and shop.origin == Origin.DESCRIPTOR
    assert Interface.objects.get(product=shop).ref == "shop/web"
    assert Ownership.objects.get(product=shop).person is not None
    assert Ownership.objects.get(loop__slug="core").team is not None
    consumption = Consumption.objects.get(consumer=shop)
    assert consumption.interface_ref == "pay/api" and consumption.interface is None
    assert list(ProductTag.objects.values_list("tag", flat=True)) == ["retail"]
    records = ChangeRecord.objects.filter(action="create")
    assert {(r.object_type, r.object_id) for r in records} == {
        ("organization", "acme"),
        ("loop", "core"),
        ("team", "builders"),
        ("person", "ann"),
        ("product", "shop"),
    }
    record = records.get(object_id="shop")
    assert record.before is None and record.after["loop"] == "core"
    assert record.reason == "first load" and record.actor_kind == "system"


def test_unchanged_documents_write_nothing() -> None:
    src = source("a")
    docs = [product("shop", mission="Sell."), product("pay", mission="Charge.")]
    sync(src, docs)
    count = ChangeRecord.objects.count()

    with CaptureQueriesContext(connection) as queries:
        result = sync(src, docs)

    assert result.unchanged == 2 and not result.changed
    assert ChangeRecord.objects.count() == count
    writes = [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []


def test_update_changes_fields_and_relations_and_records_before() -> None:
    src = source("a")
    sync(
        src,
        [
            product(
                "pay",
                interfaces={
                    "provides": [{"name": "api", "kind": "api"}, {"name": "old", "kind": "cli"}]
                },
                tags=["a", "b"],
            ),
            product("shop", interfaces={"consumes": ["pay/api", "pay/old"]}),
        ],
    )
    api_id = Interface.objects.get(ref="pay/api").pk

    result = sync(
        src,
        [
            product(
                "pay",
                mission="Charge.",
                interfaces={"provides": [{"name": "api", "kind": "event"}]},
                tags=["b"],
            )
        ],
        removal_scope=["products/pay/product.yaml"],
    )

    assert (result.updated, result.created, result.removed) == (1, 0, 0)
    api = Interface.objects.get(ref="pay/api")
    assert api.pk == api_id and api.kind == "event"
    assert not Interface.objects.filter(ref="pay/old").exists()
    old = Consumption.objects.get(interface_ref="pay/old")
    assert old.interface is None  # cleared, the written ref kept
    assert Consumption.objects.get(interface_ref="pay/api").interface_id == api_id
    assert list(ProductTag.objects.filter(product__slug="pay").values_list("tag", flat=True)) == [
        "b"
    ]
    record = ChangeRecord.objects.get(action="update", object_id="pay")
    assert record.before["tags"] == ["a", "b"] and record.after["tags"] == ["b"]
    assert "mission" not in record.before and record.after["mission"] == "Charge."


def test_removal_is_limited_to_the_scope_and_takes_relations_along() -> None:
    src = source("a")
    sync(
        src,
        [
            product(
                "pay",
                owners=["ann"],
                tags=["x"],
                interfaces={"provides": [{"name": "api", "kind": "api"}]},
            ),
            product("shop", part_of="pay", interfaces={"consumes": ["pay/api"]}),
            doc("person", "ann"),
        ],
    )

    result = sync(src, [], removal_scope=["products/pay/product.yaml"])

    assert result.removed == 1
    assert list(Product.objects.values_list("slug", flat=True)) == ["shop"]
    assert not Interface.objects.exists() and not ProductTag.objects.exists()
    assert not Ownership.objects.exists()
    shop = Product.objects.get()
    assert shop.part_of is None and shop.part_of_ref == "pay"
    assert Consumption.objects.get().interface is None
    assert ChangeRecord.objects.get(action="delete").before["owners"] == ["ann"]


def test_full_sync_removes_what_the_source_no_longer_declares() -> None:
    src = source("a")
    sync(src, [product("pay"), product("shop")])
    result = sync(src, [product("shop")])
    assert result.removed == 1 and list(Product.objects.values_list("slug", flat=True)) == ["shop"]


def test_references_resolve_across_sources_in_both_directions() -> None:
    a, b = source("a"), source("b")
    sync(
        a,
        [
            product(
                "shop",
                loop="core",
                part_of="suite",
                owners=["ann"],
                interfaces={"consumes": ["pay/api"]},
            )
        ],
    )
    consumption = Consumption.objects.get()
    assert consumption.interface is None

    sync(
        b,
        [
            product(
                "pay",
                interfaces={"provides": [{"name": "api", "kind": "api"}], "consumes": ["shop/web"]},
            ),
            product("suite"),
            doc("loop", "core"),
            doc("person", "ann"),
        ],
    )

    shop = Product.objects.get(slug="shop")
    consumption.refresh_from_db()
    assert consumption.interface == Interface.objects.get(ref="pay/api")  # older consumer resolved
    assert shop.loop is not None and shop.part_of is not None
    assert Ownership.objects.get(product=shop).person is not None

    sync(
        a,
        [
            product(
                "shop",
                loop="core",
                part_of="suite",
                owners=["ann"],
                interfaces={"provides": [{"name": "web", "kind": "ui"}], "consumes": ["pay/api"]},
            )
        ],
    )
    assert Consumption.objects.get(interface_ref="shop/web").interface is not None  # new target


def test_a_product_of_another_source_is_refused_not_overwritten() -> None:
    a, b = source("a"), source("b")
    sync(a, [product("pay", mission="Original.")])

    result = sync(b, [product("pay", path="x/product.yaml", mission="Hijack."), product("other")])

    assert result.created == 1
    [conflict] = result.conflicts
    assert conflict.slug == "pay" and conflict.other_source_name == "a"
    assert conflict.path == "x/product.yaml"
    assert conflict.other_path == "products/pay/product.yaml"
    assert not conflict.same_source
    assert "source `a`" in conflict.message()
    pay = Product.objects.get(slug="pay")
    assert pay.mission == "Original." and pay.source == a
    assert not ChangeRecord.objects.filter(object_id="pay", action="update").exists()


def test_the_same_id_twice_in_one_source_keeps_the_first() -> None:
    src = source("a")
    result = sync(src, [product("pay", path="one.yaml"), product("pay", path="two.yaml")])
    assert result.created == 1
    [conflict] = result.conflicts
    assert (
        conflict.same_source and conflict.path == "two.yaml" and conflict.other_path == "one.yaml"
    )
    assert Product.objects.get().source_path == "one.yaml"


def test_an_id_declared_in_a_file_outside_the_scope_is_a_duplicate() -> None:
    src = source("a")
    sync(src, [product("pay", path="one.yaml")])
    result = sync(src, [product("pay", path="two.yaml")], removal_scope=["two.yaml"])
    assert result.conflicts[0].same_source and result.conflicts[0].other_path == "one.yaml"
    assert Product.objects.get().source_path == "one.yaml"


def test_products_made_in_productize_and_orphans_are_adopted_by_their_file() -> None:
    # An idea's exported file moving into a repository (tests/ingest/test_idea_adoption.py).
    src = source("a")
    made = Product.objects.create(slug="made-here", name="Made here", origin=Origin.UI)
    Product.objects.create(slug="orphan", name="Orphan", origin=Origin.DESCRIPTOR, source=None)

    result = sync(src, [product("made-here"), product("orphan", mission="Adopted.")])

    assert result.conflicts == []
    adopted = Product.objects.get(slug="made-here")
    assert (adopted.pk, adopted.origin, adopted.source) == (made.pk, Origin.DESCRIPTOR, src)
    orphan = Product.objects.get(slug="orphan")
    assert orphan.source == src and orphan.mission == "Adopted."


def test_a_second_organization_is_refused() -> None:
    a, b = source("a"), source("b")
    sync(a, [doc("organization", "acme", mission="One.")])
    result = sync(b, [doc("organization", "other", mission="Two.")])
    assert [c.slug for c in result.conflicts] == ["other"]
    assert list(Organization.objects.values_list("slug", flat=True)) == ["acme"]


def test_a_failure_after_the_writes_rolls_back_catalog_and_audit_together(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    src = source("a")

    def explode(self: Any) -> None:
        raise RuntimeError("boom after the audit records were written")

    monkeypatch.setattr(sync_module._SourceSync, "_name_other_sources", explode)
    with pytest.raises(RuntimeError):
        sync(src, [product("pay"), doc("person", "ann")])

    assert not Product.objects.exists()
    assert not ChangeRecord.objects.exists()


def test_only_actors_allowed_to_write_the_catalog_may_sync() -> None:
    src = source("a")
    with pytest.raises(PermissionDenied):
        catalog_sync_source(source=src, documents=[product("pay")], actor=Actor.for_token("reader"))
    assert not Product.objects.exists()
    result = catalog_sync_source(source=src, documents=[product("pay")], actor=Actor.for_ingest(7))
    assert result.created == 1
    assert ChangeRecord.objects.get().ingest_run_id == 7


def test_query_count_does_not_grow_with_the_number_of_documents() -> None:
    def count(n: int, name: str) -> int:
        src = source(name)
        docs = [
            product(
                f"{name}-p{i}",
                owners=["ann"],
                tags=["t"],
                interfaces={
                    "provides": [{"name": "api", "kind": "api"}],
                    "consumes": [f"{name}-p0/api"],
                },
            )
            for i in range(n)
        ]
        with CaptureQueriesContext(connection) as queries:
            sync(src, docs)
        return len(queries)

    small, large = count(10, "small"), count(120, "large")
    assert large <= small + 12  # batches, not one query per document


def test_product_search_text_covers_what_search_matches() -> None:
    model = ProductDoc.model_validate(
        {
            "kind": "product",
            "id": "pay",
            "name": "Payments",
            "mission": "Take MONEY",
            "scope": {"does": ["Refunds"], "does_not": ["Invoices"]},
            "tags": ["fintech"],
            "audience": ["Shoppers"],
        }
    )
    text = product_search_text(model)
    for word in ("payments", "take money", "refunds", "invoices", "fintech", "shoppers"):
        assert word in text
    assert text == text.lower()


@pytest.mark.parametrize("bulk", [False, True])
def test_search_finds_synced_products_whether_indexed_row_by_row_or_in_bulk(
    monkeypatch: pytest.MonkeyPatch, bulk: bool
) -> None:
    from productize.catalog.search import filter_matching, parse_query, search_index_present

    if bulk:  # a first load large enough to build the full-text index in one pass
        monkeypatch.setattr(sync_module, "BULK_SEARCH_INDEX_ABOVE", 2)
    src = source("a")
    sync(src, [product("pay", mission="Take money"), product("shop", mission="Sell boxes")])
    sync(src, [product("pay", mission="Take money"), product("shop", mission="Sell crates")])

    assert search_index_present(connection)
    found = filter_matching(Product.objects.all(), parse_query("crate"))
    assert list(found.values_list("slug", flat=True)) == ["shop"]
    assert not filter_matching(Product.objects.all(), parse_query("boxes")).exists()
