"""Selectors: the catalog's filters combine, pages are bounded, product pages stay N+1 free."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from productize.catalog.selectors import (
    FilterError,
    PageRequest,
    ProductFilters,
    catalog_totals,
    catalog_version,
    loop_detail,
    loop_tree,
    person_detail,
    product_detail,
    product_page,
    products_by_stage,
    team_detail,
)
from productize.catalog.selectors.catalog_index import catalog_index
from tests.web import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    return f.demo_catalog()


def slugs(filters: ProductFilters, page: int = 1, size: int = 25) -> list[str]:
    return [p.slug for p in product_page(filters, PageRequest(page, size)).items]


def test_the_unfiltered_catalog_lists_every_product_by_name(demo):
    assert slugs(ProductFilters()) == ["ledger", "orders", "payments", "price-watch", "refund-desk"]


def test_filters_within_one_facet_combine_with_or(demo):
    assert slugs(ProductFilters.build(stage=["growing", "idea"])) == ["payments", "price-watch"]


def test_filters_across_facets_combine_with_and(demo):
    filters = ProductFilters.build(loop=["market"], tag=["api"])
    assert slugs(filters) == ["orders", "payments"]
    filters = ProductFilters.build(loop=["market"], tag=["api"], stage=["growing"])
    assert slugs(filters) == ["payments"]


def test_loop_none_picks_products_outside_any_loop(demo):
    assert slugs(ProductFilters.build(loop=["none"])) == ["price-watch"]
    assert slugs(ProductFilters.build(loop=["operations", "none"])) == ["ledger", "price-watch"]


def test_a_person_owns_directly_and_through_their_teams(demo):
    # Alice owns orders directly; payments belongs to her team.
    assert slugs(ProductFilters.build(owner=["person:alice"])) == ["orders", "payments"]
    # Carol is in no team: only her own product.
    assert slugs(ProductFilters.build(owner=["person:carol"])) == ["refund-desk"]


def test_a_team_owner_filter_lists_what_the_team_owns(demo):
    assert slugs(ProductFilters.build(owner=["team:payments"])) == ["orders", "payments"]


def test_owner_none_means_no_owner_that_exists(demo):
    # price-watch names `nobody`, who is not in the catalog.
    assert slugs(ProductFilters.build(owner=["none"])) == ["price-watch"]


def test_alignment_and_interface_kind_filters(demo):
    assert slugs(ProductFilters.build(alignment=["indirect"])) == ["ledger"]
    assert slugs(ProductFilters.build(alignment=["none"])) == ["price-watch", "refund-desk"]
    assert slugs(ProductFilters.build(interface_kind=["event"])) == ["payments"]
    assert slugs(ProductFilters.build(interface_kind=["api"])) == ["orders", "payments"]
    assert slugs(ProductFilters.build(interface_kind=["none"])) == [
        "ledger",
        "price-watch",
        "refund-desk",
    ]


def test_consumes_filter_lists_the_consumers_of_an_interface(demo):
    assert slugs(ProductFilters.build(consumes="payments/charges-api")) == [
        "orders",
        "refund-desk",
    ]


@pytest.mark.parametrize(
    ("facet", "value"),
    [
        ("stage", "finished"),
        ("owner", "alice"),
        ("owner", "group:x"),
        ("alignment", "sideways"),
        ("interface_kind", "telepathy"),
        ("loop", "Not A Slug"),
        ("tag", "UPPER"),
    ],
)
def test_bad_filter_values_are_errors_naming_the_field(facet, value):
    with pytest.raises(FilterError) as caught:
        ProductFilters.build(**{facet: [value]})
    assert caught.value.field == facet
    assert value in str(caught.value)


def test_a_bare_owner_id_gets_a_hint_to_say_whose():
    with pytest.raises(FilterError, match="person:alice or team:alice"):
        ProductFilters.build(owner=["alice"])


def test_lenient_filters_drop_bad_values_and_report_them():
    filters, problems = ProductFilters.lenient({"stage": ["growing", "nope"], "q": ["pay"]})
    assert filters.stage == ("growing",)
    assert filters.q == "pay"
    assert [p.field for p in problems] == ["stage"]


def test_paging_is_bounded_and_reports_the_whole(demo):
    first = product_page(ProductFilters(), PageRequest(1, 2))
    assert [p.slug for p in first.items] == ["ledger", "orders"]
    assert (first.total, first.pages, first.has_next, first.has_previous) == (5, 3, True, False)
    last = product_page(ProductFilters(), PageRequest(3, 2))
    assert [p.slug for p in last.items] == ["refund-desk"]
    assert (last.start, last.end, last.has_next) == (5, 5, False)
    beyond = product_page(ProductFilters(), PageRequest(9, 2))
    assert list(beyond.items) == [] and beyond.total == 5


def test_page_size_is_capped_by_settings(demo, settings):
    settings.MAX_PAGE_SIZE = 2
    page = product_page(ProductFilters(), PageRequest(1, 500))
    assert page.page_size == 2 and len(page.items) == 2


def test_page_size_defaults_to_settings(demo, settings):
    settings.PAGE_SIZE = 3
    assert len(product_page(ProductFilters(), PageRequest(1)).items) == 3


def test_a_catalog_page_costs_a_fixed_number_of_queries(demo, django_assert_max_num_queries):
    for i in range(30):
        f.product(f"extra-{i}", owners=["alice", "team:payments"], loop=demo["market"])
    cache.clear()
    # The catalog index: built once per catalog version, in a fixed number of queries.
    with django_assert_max_num_queries(16):
        catalog_index(catalog_version())
    # version, rows, owners: filters, page and total come from the index
    with django_assert_max_num_queries(3):
        page = product_page(ProductFilters.build(loop=["market"]), PageRequest(1, 25))
        names = [(p.loop.name, [o.ref for o in p.ownerships.all()]) for p in page.items]
    assert len(names) == 25
    # Cached per catalog version: the repeat costs version + rows + owners.
    product_page(ProductFilters.build(), PageRequest(1, 25))
    with django_assert_max_num_queries(3):
        product_page(ProductFilters.build(), PageRequest(1, 25))


def test_a_new_product_shows_on_the_next_request(demo):
    assert "zebra" not in slugs(ProductFilters())
    f.product("zebra")  # writes an audit record, as every service does
    assert slugs(ProductFilters())[-1] == "zebra"


def test_product_detail_has_everything_in_few_queries(demo, django_assert_max_num_queries):
    for i in range(40):
        f.product(f"user-{i}", consumes=["orders/orders-api"])
    with django_assert_max_num_queries(8):
        detail = product_detail("orders")
        assert detail is not None
        owners = [(o.ref, o.kind, o.slug) for o in detail.owners]
        provided = [
            (p.interface.ref, p.consumer_count, [c.consumer.slug for c in p.consumers])
            for p in detail.provides
        ]
        consumed = [(c.interface_ref, c.interface.product.slug) for c in detail.consumes]
        problems = [(p.path, p.line, p.column, p.source.name) for p in detail.problems]
        context = (detail.product.loop.slug, detail.product.source.name)
    assert [o[0] for o in owners] == ["alice", "team:payments"]
    ref, count, consumers = provided[0]
    assert (ref, count, len(consumers)) == ("orders/orders-api", 40, 25)
    assert consumers == sorted(consumers)  # listed by name
    assert consumed == [("payments/charges-api", "payments")]
    assert problems == [("orders/product.yaml", 12, 5, "main")]
    assert context == ("market", "main")


def test_product_detail_flags_references_that_name_nothing(demo):
    detail = product_detail("ledger")
    assert detail is not None
    assert detail.unresolved == ["interface `billing/invoices`"]
    assert product_detail("price-watch").unresolved == ["owner `nobody`"]  # type: ignore[union-attr]
    assert product_detail("nope") is None


def test_product_detail_lists_sub_products(demo):
    detail = product_detail("payments")
    assert detail is not None
    assert [p.slug for p in detail.parts] == ["refund-desk"]
    assert detail.part_count == 1


def test_person_detail_shows_direct_and_team_ownership(demo, django_assert_max_num_queries):
    with django_assert_max_num_queries(9):
        detail = person_detail("alice", PageRequest())
        assert detail is not None
        direct = [p.slug for p in detail.direct.items]
        via = [(t.team.slug, t.count, [p.slug for p in t.products]) for t in detail.via_teams]
        loops = [loop.slug for loop in detail.loops]
    assert direct == ["orders"]
    assert via == [("payments", 2, ["orders", "payments"])]
    assert loops == ["market"]
    assert person_detail("nobody", PageRequest()) is None


def test_team_detail_lists_members_and_products(demo):
    detail = team_detail("payments", PageRequest())
    assert detail is not None
    assert [m.slug for m in detail.members] == ["alice", "bob"]
    assert [p.slug for p in detail.products.items] == ["orders", "payments"]


def test_loop_detail_and_tree(demo):
    detail = loop_detail("market", PageRequest())
    assert detail is not None
    assert detail.products.total == 3
    assert {s.stage: s.count for s in detail.stages}["growing"] == 1
    assert [o.ref for o in detail.owners] == ["alice"]
    sub = f.loop("market-shop", "Market Shop", parent=demo["market"])
    tree = [(n.loop.slug, n.depth, n.product_count) for n in loop_tree()]
    assert tree == [("market", 0, 3), ("market-shop", 1, 0), ("operations", 0, 1)]
    assert sub.parent_id == demo["market"].id


def test_catalog_numbers(demo):
    by_stage = {s.stage: s.count for s in products_by_stage()}
    assert by_stage == {
        "idea": 1,
        "prototype": 1,
        "established": 1,
        "growing": 1,
        "maintained": 1,
        "retired": 0,
    }
    totals = catalog_totals()
    assert (totals.products, totals.interfaces, totals.loops, totals.teams, totals.people) == (
        5,
        3,
        2,
        1,
        3,
    )
