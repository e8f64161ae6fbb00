"""Pictures: layout of neighbourhoods and the organisation map, and their four outputs."""

from __future__ import annotations

import json
import random
import xml.etree.ElementTree as ET

import pytest

from productize.domain.graph import InterfaceNode, ProductGraph, ProductNode
from productize.domain.graph_render import (
    neighbourhood_picture,
    neighbourhood_svg,
    org_map_picture,
    render,
)

from .conftest import build

SVG = "{http://www.w3.org/2000/svg}"
NASTY = "<script>alert(\"x\")</script> & 'q'"


def _parse(svg: str) -> ET.Element:
    """Parse our own output (trusted: the point is to check it is well-formed XML)."""
    return ET.fromstring(svg)  # noqa: S314


def _ids(picture: object) -> set[str]:
    return {node.id for node in picture.nodes}  # type: ignore[attr-defined]


def test_neighbourhood_columns_and_joints(shop_graph: ProductGraph) -> None:
    picture = neighbourhood_picture(shop_graph, "orders", depth=1)
    assert _ids(picture) == {
        "product:orders@0",
        "product:auth@-1",
        "product:db@-1",
        "product:shop@1",
        "product:reports@1",
        "interface:auth/api@-1",
        "interface:db/sql@-1",
        "interface:orders/api@0",
    }
    center = picture.node("product:orders@0")
    assert center.kind == "center" and center.highlight
    assert picture.node("product:auth@-1").x < center.x < picture.node("product:shop@1").x
    joint = picture.node("interface:orders/api@0")
    assert center.x + center.width < joint.x < picture.node("product:shop@1").x
    pairs = {(e.source, e.target, e.kind) for e in picture.edges}
    assert ("product:auth@-1", "interface:auth/api@-1", "provides") in pairs
    assert ("interface:auth/api@-1", "product:orders@0", "consumes") in pairs
    assert ("interface:orders/api@0", "product:reports@1", "consumes") in pairs
    assert [c.text for c in picture.captions] == ["Providers", "This product", "Consumers"]
    assert "Orders (growing)" in picture.description


def test_neighbourhood_depth_two_has_outer_columns(shop_graph: ProductGraph) -> None:
    picture = neighbourhood_picture(shop_graph, "auth", depth=2)
    assert "product:shop@1" in _ids(picture)  # through auth/legacy, directly
    assert "product:reports@2" in _ids(picture)  # through orders
    assert picture.node("product:reports@2").x > picture.node("product:orders@1").x
    assert "Consumers, 2 hops" in [c.text for c in picture.captions]
    assert picture.node("interface:auth/legacy@0").stability == "deprecated"


def _star(consumers: int) -> ProductGraph:
    names = [f"c{i:03d}" for i in range(consumers)]
    return build(
        {"hub": "maintained", **{n: "growing" for n in names}},
        {"hub/api": "stable", "hub/events": "experimental"},
        [(n, "hub/api" if i % 3 else "hub/events") for i, n in enumerate(names)],
    )


def test_big_neighbourhood_is_aggregated() -> None:
    picture = neighbourhood_picture(_star(60), "hub", depth=1, limit=12)
    column = [n for n in picture.nodes if n.id.endswith("@1")]
    assert len(column) == 12
    more = picture.node("more@1")
    assert more.kind == "more" and more.count == 49 and more.label == "+49 more"
    aggregates = [e for e in picture.edges if e.target == "more@1"]
    assert sum(e.weight for e in aggregates) == 49
    assert all(e.kind == "aggregate" and "links" in e.label for e in aggregates)
    # The picture stays within a sensible size however many neighbours there are.
    assert picture.height < 13 * 50 + 200
    small = neighbourhood_picture(_star(5), "hub", depth=1, limit=12)
    assert not any(n.kind == "more" for n in small.nodes)


def test_svg_is_valid_accessible_and_links_products(shop_graph: ProductGraph) -> None:
    svg = render(neighbourhood_picture(shop_graph, "orders", depth=2))
    root = _parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Neighbourhood of Orders"  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc") is not None
    links = {a.get("href") for a in root.iter(f"{SVG}a")}
    assert links == {"/products/orders/", "/products/auth/", "/products/db/", "/products/shop/",
                     "/products/reports/"}  # fmt: skip
    labels = {t.text for t in root.iter(f"{SVG}text")}
    assert {"Orders", "Auth", "Db", "api", "sql"} <= labels
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")  # nothing external
    assert "<script" not in svg


def _nasty_graph() -> ProductGraph:
    products = [
        ProductNode("evil", NASTY, "growing", ('team:"x"',), "loop<1>"),
        ProductNode("good", "Good & Co", "maintained", (), "loop<1>"),
    ]
    interfaces = [InterfaceNode("good/api", "api", "stable")]
    return ProductGraph.from_edges(products, interfaces, [("evil", "good/api")])


@pytest.mark.parametrize("kind", ["neighbourhood", "map"])
def test_every_format_escapes_text(kind: str) -> None:
    graph = _nasty_graph()
    names = {"loop<1>": "Loop \"<b>\" & 'friends'"}
    picture = (
        neighbourhood_picture(graph, "good")
        if kind == "neighbourhood"
        else org_map_picture(graph, loop_names=names)
    )
    svg = render(picture, "svg")
    root = _parse(svg)  # well-formed despite the names
    assert not [e for e in root.iter() if e.tag.endswith("script")]
    assert "<script" not in svg and "<b>" not in svg
    titles = [t.text or "" for t in root.iter(f"{SVG}title")]
    assert any(NASTY in t for t in titles)  # the full name survives, escaped, in a tooltip
    mermaid = render(picture, "mermaid")
    assert mermaid.startswith("flowchart LR\n")
    for line in mermaid.splitlines():
        assert "<" not in line and ">" not in line.replace("-->", "").replace("-.->", "")
        if '"' in line:  # quotes only delimit labels: an even number per line
            assert line.count('"') % 2 == 0
    dot = render(picture, "dot")
    assert dot.startswith("digraph ")
    assert '\\"x\\"' in dot and "<script>" in dot  # inside a quoted DOT string, quotes escaped
    data = json.loads(render(picture, "json"))
    assert any(node["label"].startswith("<script>") for node in data["nodes"])


def test_output_is_deterministic(shop_graph: ProductGraph) -> None:
    products = list(shop_graph.products())
    interfaces = list(shop_graph.interfaces())
    consumes = [(p.slug, ref) for p in products for ref in shop_graph.consumed_by(p.slug)]
    random.Random(3).shuffle(products)
    random.Random(4).shuffle(consumes)
    again = ProductGraph.from_edges(products, reversed(interfaces), consumes)
    for fmt in ("svg", "dot", "mermaid", "json"):
        first = render(neighbourhood_picture(shop_graph, "orders", 2), fmt)
        second = render(neighbourhood_picture(again, "orders", 2), fmt)
        assert first == second
        assert render(org_map_picture(shop_graph), fmt) == render(org_map_picture(again), fmt)
    assert neighbourhood_svg(shop_graph, "orders") == neighbourhood_svg(again, "orders")


def test_org_map_groups_by_loop_and_aggregates_between_loops(shop_graph: ProductGraph) -> None:
    picture = org_map_picture(shop_graph, loop_names={"platform": "Platform", "sales": "Sales"})
    assert [g.label for g in picture.groups] == ["Platform (2)", "Sales (2)", "No loop (4)"]
    assert picture.node("product:db").group == "loop:platform"
    edges = {(e.source, e.target): e for e in picture.edges}
    assert edges[("product:db", "product:auth")].kind == "depends"
    assert edges[("product:orders", "product:shop")].kind == "depends"
    assert edges[("product:billing", "product:ledger")].kind == "depends"
    # orders → db, orders → auth and shop → auth cross from platform to sales.
    assert edges[("loop:platform", "loop:sales")].weight == 3
    assert edges[("loop:sales", "loop:-")].weight == 1
    assert len(edges) == 6


def test_org_map_collapse_filter_and_focus(shop_graph: ProductGraph) -> None:
    folded = org_map_picture(shop_graph, collapsed=["platform"])
    loop = folded.node("loop:platform")
    assert loop.kind == "loop" and loop.count == 2
    assert "product:db" not in _ids(folded)
    assert {e.source for e in folded.edges if e.target == "loop:sales"} == {"loop:platform"}

    maintained = org_map_picture(shop_graph, stages=["maintained"])
    assert {n.id for n in maintained.nodes} == {"product:db", "product:auth", "product:ledger"}

    focused = org_map_picture(shop_graph, focus="orders")
    assert {n.id for n in focused.nodes} == {
        "product:orders", "product:auth", "product:db", "product:shop", "product:reports",
    }  # fmt: skip
    assert focused.node("product:orders").highlight
    pairs = {(e.source, e.target) for e in focused.edges}
    assert ("product:db", "product:orders") in pairs  # the focus's edges stay product-level
    assert ("loop:platform", "loop:sales") in pairs  # auth → shop is aggregated
    assert focused.title == "Organisation map around Orders"

    everything = org_map_picture(shop_graph, collapsed="all")
    assert everything.groups == []
    assert all(n.kind == "loop" for n in everything.nodes)


def test_org_map_stays_small_at_a_thousand_products() -> None:
    rng = random.Random(5)
    products = [
        ProductNode(f"p{i:04d}", f"Product {i}", "growing", (), f"loop-{i % 40:02d}")
        for i in range(1000)
    ]
    interfaces = [InterfaceNode(f"p{i:04d}/api") for i in range(1000)]
    consumes = {
        (f"p{rng.randrange(1000):04d}", f"p{rng.randrange(1000):04d}/api") for _ in range(3000)
    }
    graph = ProductGraph.from_edges(products, interfaces, consumes)
    picture = org_map_picture(graph, max_products=200, per_loop=20)
    drawn = [n for n in picture.nodes if n.kind in ("product", "center")]
    assert len(drawn) <= 200
    assert (
        sum(n.count for n in picture.nodes if n.kind == "loop")
        + sum(g.count for g in picture.groups)
        == 1000
    )  # every product is accounted for, drawn or aggregated
    assert len([e for e in picture.edges if e.kind == "aggregate"]) <= 60
    assert "lighter links between loops are not drawn" in picture.description
    _parse(render(picture))


def test_render_rejects_unknown_format(shop_graph: ProductGraph) -> None:
    with pytest.raises(ValueError, match="unknown format"):
        render(org_map_picture(shop_graph), "png")  # type: ignore[arg-type]
