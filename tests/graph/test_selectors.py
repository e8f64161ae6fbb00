"""The graph built from the stored catalog answers like the hand-made catalog says it should."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from productize.graph.selectors import build_graph, product_graph
from tests.web import factories as f

pytestmark = pytest.mark.django_db


def test_the_graph_holds_every_product_with_stage_owners_and_loop(small):
    graph = build_graph()
    assert sorted(p.slug for p in graph.products()) == [
        "billing", "core", "lonely", "report", "shop",
    ]  # fmt: skip
    shop = graph.product("shop")
    assert shop.stage == "maintained"
    assert shop.owners == ("alice", "bob")
    assert graph.product("core").loop == "market"


def test_edges_come_from_consumes_rows(small):
    graph = build_graph()
    assert graph.providers("shop") == ["billing", "core"]
    assert graph.dependents("core") == ["billing", "report", "shop"]
    assert graph.dependents("lonely") == []


def test_impact_of_an_interface_is_transitive_with_paths(small):
    graph = build_graph()
    assert graph.impact_of_product("core").slugs() == ["billing", "report", "shop"]
    impact = graph.impact_of_interface("core/api")
    assert impact.slugs() == ["billing", "shop", "report"]
    report = impact.entry("report")
    assert report.depth == 2
    assert [str(h) for h in report.path] == ["[core/api]", "shop", "[shop/events]", "report"]


def test_cycles_deprecated_and_undeclared_edges_are_found(small):
    graph = build_graph()
    assert [sorted(c.products) for c in graph.cycles()] == [["billing", "shop"]]
    assert [(e.consumer, e.interface) for e in graph.deprecated_consumers()] == [
        ("report", "core/old")
    ]
    assert [(e.consumer, e.interface) for e in graph.undeclared_consumes()] == [
        ("report", "ghost/api")
    ]


def test_the_graph_is_built_with_a_few_queries_and_cached_per_catalog_version(small):
    with CaptureQueriesContext(connection) as built:
        first = product_graph()
    assert len(built) <= 7  # version + loops, owners, products, interfaces, consumes
    with CaptureQueriesContext(connection) as again:
        assert product_graph() is first
    assert len(again) == 1  # only the catalog version
    f.product("newcomer", consumes=["core/api"])
    fresh = product_graph()
    assert fresh is not first
    assert "newcomer" in fresh.dependents("core")


def _plain_owners_summary(impact, limit=100):
    """The straightforward count: every dependant's owners, then each owner's first products
    in the impact's order (depth, then slug)."""
    from collections import Counter

    from productize.graph.queries import OWNER_PRODUCTS_SHOWN

    order = [entry.product.slug for entry in impact.entries(0, None)]
    owners_of = {entry.product.slug: entry.product.owners for entry in impact.entries(0, None)}
    counts = Counter(owner for slug in order for owner in owners_of[slug])
    top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
    rows = []
    for owner, count in top:
        products = [slug for slug in order if owner in owners_of[slug]][:OWNER_PRODUCTS_SHOWN]
        rows.append({"owner": owner, "count": count, "products": sorted(products)})
    return rows, len(counts)


@pytest.mark.parametrize("target", ["core", "core/api", "billing", "shop/events", "lonely"])
def test_the_owners_summary_by_owner_ids_equals_the_plain_one(small, target):
    from productize.graph import queries

    impact = build_graph().impact(target)
    assert queries.owners_summary(impact) == _plain_owners_summary(impact)
    assert queries.owners_summary(impact, 1) == _plain_owners_summary(impact, 1)
