"""The graph on the web: the product page's panel, who-to-tell pages, the organisation map."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from productize.audit.services import Actor
from productize.graph.models import ChangeKind
from productize.graph.services import (
    ChangeSpec,
    ConsumerAtChange,
    interface_change_record,
    policies_set,
)
from tests.web import factories as f

pytestmark = pytest.mark.django_db


def test_the_product_page_draws_the_neighbourhood_with_links(small, client):
    html = client.get("/products/shop/").content.decode()
    assert 'id="graph"' in html and 'href="#graph"' in html
    assert "<svg" in html and 'href="/products/core/"' in html
    assert 'href="/products/shop/impact/"' in html
    assert "Who do I need to tell if I change this?" in html
    assert "/api/v1/graph/products/shop/picture?format=dot" in html


def test_the_panel_shows_policy_violations_and_interface_changes(small, client):
    policies_set(actor=Actor.system(), organization="acme", policies={"no_cycles": True})
    interface_change_record(
        actor=Actor.system(),
        spec=ChangeSpec(
            "core/api",
            ChangeKind.BREAKING,
            changes=[{"location": "/paths/~1x", "message": "path /x removed", "breaking": True}],
            consumers=[ConsumerAtChange("shop", "Shop", ("alice",))],
        ),
    )
    shop = client.get("/products/shop/").content.decode()
    assert "no-cycles" in shop and "dependency cycle" in shop
    assert "Changes to interfaces it uses" in shop and "path /x removed" in shop
    core = client.get("/products/core/").content.decode()
    assert "Changes to its interfaces" in core and "(alice)" in core
    assert "no-cycles" not in core


def test_the_product_page_stays_within_a_query_budget(small, client):
    client.get("/products/shop/")  # warm the graph
    for i in range(30):
        f.product(f"fan-{i}", owners=["alice"], consumes=["shop/events"])
    client.get("/products/shop/")
    with CaptureQueriesContext(connection) as small_count:
        client.get("/products/core/")
    with CaptureQueriesContext(connection) as big_count:
        client.get("/products/shop/")
    assert len(big_count) <= len(small_count) + 2


def test_names_are_escaped_in_the_inline_svg(small, client):
    f.product("evil", name='<script>alert("x")</script>', consumes=["core/api"])
    html = client.get("/products/core/").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


def test_the_impact_page_lists_dependants_with_path_owners_and_stage(small, client):
    html = client.get("/products/core/impact/?interface=core/api").content.decode()
    assert "3</strong> products depend" in html
    assert "[core/api] → shop → [shop/events] → report" in html
    assert "stage-maintained" in html and "bob" in html
    whole = client.get("/products/core/impact/").content.decode()
    assert 'href="/products/billing/"' in whole


def test_the_impact_page_is_paged(small, client):
    for i in range(60):
        f.product(f"user-{i:02}", consumes=["billing/api"])
    first = client.get("/products/billing/impact/").content.decode()
    assert "Page 1 of 2" in first and 'rel="next"' in first
    second = client.get("/products/billing/impact/?page=2").content.decode()
    assert "Page 2 of 2" in second and 'rel="prev"' in second


def test_the_impact_page_refuses_unknown_things(small, client):
    assert client.get("/products/nope/impact/").status_code == 404
    assert client.get("/products/core/impact/?interface=shop/events").status_code == 404
    assert client.get("/products/core/impact/?interface=core/nope").status_code == 404


def test_the_map_groups_by_loop_and_takes_its_options(small, client):
    html = client.get("/map/").content.decode()
    assert "Market" in html and "<svg" in html
    collapsed = client.get("/map/?collapse=market").content.decode()
    assert 'value="market" checked' in collapsed
    staged = client.get("/map/?stage=growing").content.decode()
    assert 'href="/products/billing/"' in staged and 'href="/products/lonely/"' not in staged
    focused = client.get("/map/?focus=report").content.decode()
    assert 'href="/products/lonely/"' not in focused and 'href="/products/core/"' in focused
    unknown = client.get("/map/?focus=nope").content.decode()
    assert "No product with the id" in unknown
    assert 'href="/map/"' in client.get("/catalog/").content.decode()


def test_the_map_stays_bounded_at_a_thousand_products(db, client):
    loops = [f.loop(f"loop-{i}") for i in range(5)]
    hub = f.product("hub", provides=[("api", "api")])
    rows = [
        f.Product(slug=f"p-{i:04}", name=f"P {i}", loop=loops[i % 5], source_path="x")
        for i in range(1000)
    ]
    f.Product.objects.bulk_create(rows)
    ids = dict(f.Product.objects.values_list("slug", "id"))
    iface = f.Interface.objects.get(ref="hub/api")
    f.Consumption.objects.bulk_create(
        f.Consumption(consumer_id=ids[r.slug], interface=iface, interface_ref="hub/api")
        for r in rows
    )
    f._audit("product", "bulk")
    assert hub
    html = client.get("/map/").content.decode()
    assert html.count("<rect") < 600
    assert "more" in html


def test_a_large_catalog_loads_the_panel_in_its_own_request(small, client, monkeypatch):
    from productize.graph import selectors

    monkeypatch.setattr(selectors, "INLINE_GRAPH_LIMIT", 2)
    html = client.get("/products/shop/").content.decode()
    assert 'id="graph"' in html and 'id="hood-shop' not in html
    # Works without JavaScript (a link), and htmx swaps the panel in place.
    assert 'href="/products/shop/neighbourhood/"' in html
    assert 'hx-get="/products/shop/neighbourhood/"' in html and 'hx-select="#graph"' in html
    panel = client.get("/products/shop/neighbourhood/").content.decode()
    assert 'id="hood-shop' in panel and 'href="/products/core/"' in panel
    assert 'href="/products/shop/impact/"' in panel
    assert client.get("/products/nope/neighbourhood/").status_code == 404
