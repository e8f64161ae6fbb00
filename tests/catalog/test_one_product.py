"""`product_detail` (hand-written SQL) against the same read done plainly through the ORM."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Count

from productize.catalog.models import Consumption, Interface, Product
from productize.catalog.selectors import product_detail
from productize.catalog.selectors.one_product import (
    CONSUMERS_SHOWN,
    PARTS_SHOWN,
    PROBLEMS_SHOWN,
    ProductDetail,
)
from productize.catalog.selectors.rows import concrete_names, instance
from productize.ingest.models import IngestProblem
from tests.web import factories as f

pytestmark = pytest.mark.django_db


def oracle(slug: str) -> dict[str, Any]:
    """What the page and the API show of a product, read through the ORM (slow and plain)."""
    product = Product.objects.select_related("loop", "part_of", "source").get(slug=slug)
    owners = [
        (o.ref, "person" if o.person else "team" if o.team else None, (o.person or o.team))
        for o in product.ownerships.select_related("person", "team").order_by("position", "id")
    ]
    provides = []
    interfaces = Interface.objects.filter(product=product).annotate(n=Count("consumptions"))
    for i in interfaces.order_by("position", "id"):
        first = Consumption.objects.filter(interface=i).select_related("consumer").order_by("id")
        shown = sorted(first[:CONSUMERS_SHOWN], key=lambda c: (c.consumer.name.lower(), c.id))
        consumers = [(c.consumer.slug, c.consumer.name, c.consumer.stage, c.why) for c in shown]
        row = (i.name, i.ref, i.kind, i.stability, i.description, i.spec_path, i.docs_url)
        provides.append((row, i.n, consumers))
    consumes = []
    for c in product.consumptions.select_related("interface__product").order_by("position", "id"):
        used = c.interface
        provider = (
            None
            if used is None
            else (used.ref, used.name, used.kind, used.stability, used.product.slug)
        )
        consumes.append((c.interface_ref, c.why, provider))
    parts = Product.objects.filter(part_of=product).order_by("name", "id")
    problems = IngestProblem.objects.filter(product_slug=slug, current=True).select_related(
        "source", "related_source"
    )
    problem_rows = [
        (p.path, p.line, p.column, p.severity, p.code, p.message, p.hint, p.field, p.run_id,
         p.source.name if p.source else None,
         p.related_source.name if p.related_source else None)
        for p in problems.order_by("path", "line", "column", "id")[:PROBLEMS_SHOWN]
    ]  # fmt: skip
    return {
        "product": product,
        "loop": (product.loop.slug, product.loop.name) if product.loop else None,
        "part_of": (product.part_of.slug, product.part_of.name) if product.part_of else None,
        "source": (product.source.id, product.source.name) if product.source else None,
        "owners": [
            (ref, kind, e.slug if e else None, e.name if e else None) for ref, kind, e in owners
        ],
        "provides": provides,
        "consumes": consumes,
        "parts": [(p.slug, p.name, p.stage, p.mission) for p in parts[:PARTS_SHOWN]],
        "part_count": parts.count(),
        "problems": problem_rows,
        "problem_count": problems.count(),
    }


def shown(detail: ProductDetail) -> dict[str, Any]:
    """The same facts, taken from the detail."""
    p = detail.product
    return {
        "product": p,
        "loop": (p.loop.slug, p.loop.name) if p.loop else None,
        "part_of": (p.part_of.slug, p.part_of.name) if p.part_of else None,
        "source": (p.source.id, p.source.name) if p.source else None,
        "owners": [(o.ref, o.kind, o.slug, o.name) for o in detail.owners],
        "provides": [
            (
                (
                    i.interface.name,
                    i.interface.ref,
                    i.interface.kind,
                    i.interface.stability,
                    i.interface.description,
                    i.interface.spec_path,
                    i.interface.docs_url,
                ),
                i.consumer_count,
                [(c.consumer.slug, c.consumer.name, c.stage, c.why) for c in i.consumers],
            )
            for i in detail.provides
        ],
        "consumes": [
            (
                c.interface_ref,
                c.why,
                None
                if c.interface is None
                else (
                    c.interface.ref,
                    c.interface.name,
                    c.interface.kind,
                    c.interface.stability,
                    c.interface.product.slug,
                ),
            )
            for c in detail.consumes
        ],
        "parts": [(x.slug, x.name, x.stage, x.mission) for x in detail.parts],
        "part_count": detail.part_count,
        "problems": [
            (
                x.path,
                x.line,
                x.column,
                x.severity,
                x.code,
                x.message,
                x.hint,
                x.field,
                x.run_id,
                x.source.name if x.source else None,
                x.related_source.name if x.related_source else None,
            )
            for x in detail.problems
        ],
        "problem_count": detail.problem_count,
    }


@pytest.fixture
def rich():
    """`orders` with every kind of neighbour: more consumers, parts and problems than shown."""
    demo = f.demo_catalog()
    orders = demo["orders"]
    orders.links = {"repository": "https://code.example/orders", "feedback": [{"kind": "chat"}]}
    orders.brand = {"display_name": "Order Desk"}
    orders.vision = "Nobody loses a box."
    orders.save()
    f.product("unused", provides=[("quiet-api", "api", "experimental")])
    Interface.objects.create(
        product=orders, name="order-events", kind="event", ref="orders/order-events", position=1
    )
    for i in range(CONSUMERS_SHOWN + 5):
        # Names out of id order and in mixed case: the list is by name, case-insensitively.
        f.product(f"user-{i:02d}", f"{'abcde'[i % 5].upper() if i % 2 else 'abcde'[i % 5]}{i}",
                  consumes=["orders/orders-api"])  # fmt: skip
    f.product("one-fan", consumes=["orders/order-events"], stage="growing")
    Consumption.objects.create(
        consumer=orders, interface_ref="nowhere/api", why="for nothing", position=5
    )
    for i in range(PARTS_SHOWN + 2):
        f.product(f"part-{i:02d}", f"Part {51 - i:02d}", part_of=orders, mission=f"Part {i}.")
    other = f.source("other", location="/srv/other")
    run = demo["run"]
    for i in range(PROBLEMS_SHOWN + 3):
        f.problem(run, path="orders/product.yaml", line=20 + i % 7, column=i, product_slug="orders")
    clash = f.problem(run, path="orders/a.yaml", line=1, product_slug="orders", severity="warning")
    clash.related_source = other
    clash.save()
    f.problem(run, path="orders/old.yaml", product_slug="orders", current=False)
    f.problem(run, path="payments/product.yaml", product_slug="payments")
    return demo


def test_the_sql_read_gives_what_the_orm_gives(rich):
    detail = product_detail("orders")
    assert detail is not None
    assert shown(detail) | {"product": None} == oracle("orders") | {"product": None}
    # The counts go past what is listed, and the lists stop where they should.
    first = detail.provides[0]
    assert (first.consumer_count, len(first.consumers)) == (CONSUMERS_SHOWN + 5, CONSUMERS_SHOWN)
    assert first.more_consumers == 5
    assert detail.part_count == PARTS_SHOWN + 2 and len(detail.parts) == PARTS_SHOWN
    assert detail.problem_count == PROBLEMS_SHOWN + 5 and len(detail.problems) == PROBLEMS_SHOWN
    assert detail.unresolved == ["interface `nowhere/api`"]
    assert detail.has_errors


@pytest.mark.parametrize("slug", ["payments", "ledger", "price-watch", "refund-desk", "unused"])
def test_every_demo_product_reads_as_through_the_orm(rich, slug):
    detail = product_detail(slug)
    assert detail is not None
    assert shown(detail) | {"product": None} == oracle(slug) | {"product": None}


def test_the_product_is_the_model_instance_the_orm_loads(rich):
    detail = product_detail("orders")
    assert detail is not None
    loaded = Product.objects.get(slug="orders")
    for name in concrete_names(Product, without=("search_text", "descriptor_hash")):
        attname = Product._meta.get_field(name).get_attname()  # type: ignore[union-attr]
        assert getattr(detail.product, attname) == getattr(loaded, attname), name
    assert detail.product.links["feedback"] == [{"kind": "chat"}]  # JSON decoded
    assert detail.product.updated_at.tzinfo is not None  # aware, as the ORM gives it
    assert detail.product._state.adding is False and detail.product.pk == loaded.pk


def test_a_product_page_read_is_a_fixed_number_of_queries(rich, django_assert_num_queries):
    # product, owners, interfaces, first consumers, consumes, parts (+ count), problems (+ count)
    with django_assert_num_queries(9):
        detail = product_detail("orders")
        assert detail is not None
        # Everything the page and the API use is loaded: no query on access.
        loop, source = detail.product.loop, detail.product.source
        assert loop is not None and loop.name == "Market"
        assert source is not None and source.name == "main"
        assert [o.name for o in detail.owners] == ["Alice Archer", "Payments Team"]
    with django_assert_num_queries(6):  # no consumers, parts or problems past the first
        assert product_detail("price-watch") is not None


def test_an_unknown_product_is_none(db):
    assert product_detail("nope") is None


def test_rows_must_follow_the_models_field_order():
    with pytest.raises(ValueError, match="declaration order"):
        instance(Product, ("name", "slug"), ("A", "a"), "default")
