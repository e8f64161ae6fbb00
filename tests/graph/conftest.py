"""Fixtures for the graph tests: fresh caches, small hand-made catalogs, the demo."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from productize.graph.selectors import clear_graph_cache
from tests.web import factories as f


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    # Rolled-back tests reuse catalog version numbers: forget graphs from earlier tests.
    cache.clear()
    clear_graph_cache()
    yield
    cache.clear()
    clear_graph_cache()


@pytest.fixture
def small(db: None) -> dict[str, Any]:
    """A chain with a hub, a cycle, a deprecated and an undeclared interface.

    core/api (stable) ← shop, billing; billing/api ← shop; shop/events ← billing (cycle
    shop ↔ billing); core/old (deprecated) ← report; report consumes ghost/api (undeclared);
    lonely has no edges.
    """
    alice, bob = f.person("alice"), f.person("bob")
    market = f.loop("market", "Market")
    core = f.product(
        "core",
        stage="maintained",
        owners=["alice"],
        loop=market,
        provides=[("api", "api", "stable"), ("old", "api", "deprecated")],
    )
    billing = f.product(
        "billing", stage="growing", owners=["bob"], loop=market, provides=[("api", "api")]
    )
    shop = f.product(
        "shop",
        stage="maintained",
        owners=["alice", "bob"],
        provides=[("events", "event-stream", "experimental")],
        consumes=["core/api", "billing/api"],
    )
    f.Consumption.objects.create(consumer=billing, interface_ref="core/api", position=0,
                                 interface=f.Interface.objects.get(ref="core/api"))  # fmt: skip
    f.Consumption.objects.create(consumer=billing, interface_ref="shop/events", position=1,
                                 interface=f.Interface.objects.get(ref="shop/events"))  # fmt: skip
    report = f.product("report", consumes=["core/old", "ghost/api", "shop/events"])
    f.product("lonely")
    f._audit("product", "billing")
    return {
        "core": core,
        "billing": billing,
        "shop": shop,
        "report": report,
        "people": [alice, bob],
    }


@pytest.fixture
def demo_org(db: None) -> Any:
    """The bundled example organisation, ingested through the ingest service."""
    from productize.ingest.runner import ingest_path
    from tests.conftest import DEMO_ORG

    return ingest_path(location=DEMO_ORG)


@pytest.fixture
def client(db: None) -> Any:
    """A test client signed in as an ordinary member (reading needs a signed-in person)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    signed_in = Client()
    user = get_user_model().objects.create_user("reader", "reader@example.com", None)
    signed_in.force_login(user)
    return signed_in
