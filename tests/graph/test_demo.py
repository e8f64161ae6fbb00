"""The demo organisation's graph tells its story: hubs, a cycle to fix, a deprecated interface."""

from __future__ import annotations

import pytest

from productize.graph.selectors import product_graph

pytestmark = pytest.mark.django_db


def test_the_demo_graph_tells_its_story(demo_org, client):
    graph = product_graph()
    top = [r.slug for r in graph.hubs(5, by="direct")]
    for hub in ("accounts", "orders", "event-bus"):
        assert hub in top, top
    assert any({"orders", "delivery-planner"} <= set(c.products) for c in graph.cycles())
    edges = [(e.consumer, e.interface) for e in graph.deprecated_consumers()]
    assert ("price-watch", "produce-catalog/catalog-csv") in edges
    # The same story through the API.
    cycles = client.get("/api/v1/graph/cycles").json()["items"]
    assert any("delivery-planner" in c["products"] for c in cycles)
    hubs = [h["slug"] for h in client.get("/api/v1/graph/hubs?top=5&by=direct").json()]
    assert {"accounts", "orders", "event-bus"} <= set(hubs)
