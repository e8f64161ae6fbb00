"""Neighbours, impact and the dangling-edge reports on hand-made graphs."""

from __future__ import annotations

import pytest

from productize.domain.descriptors import ProductDoc
from productize.domain.graph import DanglingEdge, Hop, Link, ProductGraph, UnknownNodeError

from .conftest import build


def _path(*ids: str) -> tuple[Hop, ...]:
    return tuple(Hop("interface" if "/" in i else "product", i) for i in ids)


def test_build_keeps_products_interfaces_and_part_of(shop_graph: ProductGraph) -> None:
    assert len(shop_graph) == 8
    assert "orders" in shop_graph and "nobody" not in shop_graph
    assert shop_graph.provided_by("auth") == ["auth/api", "auth/legacy"]
    assert shop_graph.consumed_by("reports") == ["auth/missing", "ghost/api", "orders/api"]
    assert shop_graph.consumers_of("db/sql") == ["auth", "db", "orders"]
    assert shop_graph.interface("ghost/api") is None
    assert shop_graph.parent_of("reports") == "orders"
    assert shop_graph.parts_of("orders") == ["reports"]


def test_interface_of_unknown_product_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown product"):
        build({"a": "idea"}, {"b/api": "stable"}, [])


def test_neighbours_depth_one_both_directions(shop_graph: ProductGraph) -> None:
    hood = shop_graph.neighbours("orders", 1)
    assert hood.upstream == {"auth": 1, "db": 1}
    assert hood.downstream == {"reports": 1, "shop": 1}
    assert set(hood.links) == {
        Link("orders", "auth/api", "auth"),
        Link("orders", "db/sql", "db"),
        Link("shop", "orders/api", "orders"),
        Link("reports", "orders/api", "orders"),
    }
    assert hood.slugs == {"orders", "auth", "db", "reports", "shop"}


def test_neighbours_depth_two_upstream(shop_graph: ProductGraph) -> None:
    hood = shop_graph.neighbours("shop", 2, "upstream")
    assert hood.upstream == {"auth": 1, "orders": 1, "db": 2}
    assert hood.downstream == {}
    # orders → auth joins two products of the same layer: not a layer-to-layer link.
    assert Link("orders", "auth/api", "auth") not in hood.links
    assert Link("auth", "db/sql", "db") in hood.links
    assert Link("orders", "db/sql", "db") in hood.links


def test_neighbours_depth_two_downstream(shop_graph: ProductGraph) -> None:
    hood = shop_graph.neighbours("db", 2, "downstream")
    assert hood.downstream == {"auth": 1, "orders": 1, "shop": 2, "reports": 2}
    assert hood.upstream == {}  # db consuming its own interface is not a dependency


def test_neighbours_depth_zero_and_unknown(shop_graph: ProductGraph) -> None:
    assert shop_graph.neighbours("orders", 0).slugs == {"orders"}
    with pytest.raises(UnknownNodeError):
        shop_graph.neighbours("nobody")
    with pytest.raises(ValueError):
        shop_graph.neighbours("orders", -1)


def test_impact_of_interface_with_paths(shop_graph: ProductGraph) -> None:
    impact = shop_graph.impact("db/sql")
    assert impact.count == 4
    assert impact.slugs() == ["auth", "orders", "reports", "shop"]
    assert impact.by_depth() == {1: 2, 2: 2}
    assert impact.direct() == ["auth", "orders"]
    paths = {e.slug: (e.depth, e.path) for e in impact.entries()}
    assert paths == {
        "auth": (1, _path("db/sql", "auth")),
        "orders": (1, _path("db/sql", "orders")),
        "reports": (2, _path("db/sql", "orders", "orders/api", "reports")),
        "shop": (2, _path("db/sql", "auth", "auth/legacy", "shop")),
    }
    assert "db" not in impact  # the provider consuming its own interface is not impacted


def test_impact_of_interface_follows_only_that_interface(shop_graph: ProductGraph) -> None:
    impact = shop_graph.impact("auth/api")
    assert impact.slugs() == ["orders", "reports", "shop"]
    assert impact.entry("shop").path == _path("auth/api", "orders", "orders/api", "shop")


def test_impact_of_product_starts_with_the_product(shop_graph: ProductGraph) -> None:
    impact = shop_graph.impact("auth")
    assert impact.slugs() == ["orders", "shop", "reports"]
    assert impact.entry("shop").path == _path("auth", "auth/legacy", "shop")
    assert impact.entry("reports").path == _path(
        "auth", "auth/api", "orders", "orders/api", "reports"
    )
    assert impact.entry("reports").depth == 2


def test_impact_owners_stage_and_paging(shop_graph: ProductGraph) -> None:
    impact = shop_graph.impact("db")
    assert impact.owners_to_tell() == {
        "person:ann": ["orders"],
        "person:bob": ["reports"],
        "team:commerce": ["orders", "shop"],
        "team:identity": ["auth"],
    }
    assert impact.owners_to_tell(max_depth=1) == {
        "person:ann": ["orders"],
        "team:commerce": ["orders"],
        "team:identity": ["auth"],
    }
    page = impact.entries(offset=1, limit=2)
    assert [e.slug for e in page] == ["orders", "reports"]
    data = page[1].as_dict()
    assert data["stage"] == "prototype" and data["owners"] == ["person:bob"]
    assert data["path"] == [
        {"kind": "product", "id": "db"},
        {"kind": "interface", "id": "db/sql"},
        {"kind": "product", "id": "orders"},
        {"kind": "interface", "id": "orders/api"},
        {"kind": "product", "id": "reports"},
    ]


def test_impact_as_dict_pages(shop_graph: ProductGraph) -> None:
    data = shop_graph.impact("db/sql").as_dict(offset=0, limit=1)
    assert data["source"] == {"kind": "interface", "id": "db/sql"}
    assert data["count"] == 4 and data["by_depth"] == {"1": 2, "2": 2}
    assert [e["slug"] for e in data["entries"]] == ["auth"]  # type: ignore[attr-defined]


def test_impact_of_leaf_undeclared_and_unknown(shop_graph: ProductGraph) -> None:
    assert shop_graph.impact("shop").count == 0
    assert shop_graph.impact("ghost/api").slugs() == ["reports"]
    with pytest.raises(UnknownNodeError):
        shop_graph.impact("nobody/api")
    with pytest.raises(UnknownNodeError):
        shop_graph.impact("db").entry("lonely")


def test_impact_in_a_cycle_excludes_the_source(shop_graph: ProductGraph) -> None:
    impact = shop_graph.impact("billing")
    assert impact.slugs() == ["ledger"]
    assert impact.entry("ledger").path == _path("billing", "billing/api", "ledger")


def test_reach_of_one_product(shop_graph: ProductGraph) -> None:
    reach = shop_graph.reach_of("auth")
    assert (reach.direct, reach.transitive) == (2, 3)


def test_deprecated_consumers(shop_graph: ProductGraph) -> None:
    assert shop_graph.deprecated_consumers() == [DanglingEdge("shop", "auth/legacy", "auth")]


def test_undeclared_consumes(shop_graph: ProductGraph) -> None:
    assert shop_graph.undeclared_consumes() == [
        DanglingEdge("reports", "auth/missing", "auth"),
        DanglingEdge("reports", "ghost/api", None),
    ]


def test_from_documents_matches_from_edges() -> None:
    docs = [
        ProductDoc.model_validate(
            {
                "kind": "product",
                "id": "api",
                "name": "API",
                "stage": "maintained",
                "owners": ["team:core"],
                "interfaces": {
                    "provides": [{"name": "rest", "kind": "api", "stability": "stable"}]
                },
            }
        ),
        ProductDoc.model_validate(
            {
                "kind": "product",
                "id": "app",
                "name": "App",
                "part_of": "api",
                "interfaces": {"consumes": ["api/rest"]},
            }
        ),
    ]
    graph = ProductGraph.from_documents(docs)
    assert graph.product("api").stage == "maintained"
    assert graph.product("api").owners == ("team:core",)
    assert graph.interface("api/rest").stability == "stable"  # type: ignore[union-attr]
    assert graph.impact("api/rest").slugs() == ["app"]
    assert graph.parent_of("app") == "api"
