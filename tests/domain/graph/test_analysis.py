"""Reach, hubs, cycles and outliers on hand-made graphs."""

from __future__ import annotations

from productize.domain.graph import Hop, ProductGraph, Reach

from .conftest import build


def test_reach_counts(shop_graph: ProductGraph) -> None:
    reach = shop_graph.reach()
    assert reach["db"] == Reach("db", 2, 4)
    assert reach["auth"] == Reach("auth", 2, 3)
    assert reach["orders"] == Reach("orders", 2, 2)
    assert reach["billing"] == Reach("billing", 1, 1)
    assert reach["ledger"] == Reach("ledger", 1, 1)
    for leaf in ("shop", "reports", "lonely"):
        assert reach[leaf] == Reach(leaf, 0, 0)


def test_reach_agrees_with_impact_walks(shop_graph: ProductGraph) -> None:
    for slug, counts in shop_graph.reach().items():
        assert shop_graph.reach_of(slug) == counts


def test_reach_through_a_cycle_counts_every_member_once() -> None:
    # a → b → c → a (each consumes the next one's interface), and d consumes a.
    graph = build(
        {"a": "idea", "b": "idea", "c": "idea", "d": "idea", "e": "idea"},
        {"a/x": "stable", "b/x": "stable", "c/x": "stable", "e/x": "stable"},
        [("b", "a/x"), ("c", "b/x"), ("a", "c/x"), ("d", "a/x"), ("a", "e/x")],
    )
    reach = graph.reach()
    # e's consumers: a, and through the cycle b, c, then d.
    assert reach["e"] == Reach("e", 1, 4)
    assert reach["a"] == Reach("a", 2, 3)  # b, c, d
    assert reach["b"] == Reach("b", 1, 3)  # c, a, d
    assert reach["d"] == Reach("d", 0, 0)


def test_hubs_by_transitive_and_direct(shop_graph: ProductGraph) -> None:
    assert [r.slug for r in shop_graph.hubs(2)] == ["db", "auth"]
    assert [r.slug for r in shop_graph.hubs(3, by="direct")] == ["db", "auth", "orders"]
    # Products nobody builds on are never hubs.
    assert len(shop_graph.hubs(100)) == 5


def test_cycles_with_readable_path(shop_graph: ProductGraph) -> None:
    (cycle,) = shop_graph.cycles()
    assert cycle.products == ("billing", "ledger")
    assert cycle.path == (
        Hop("product", "billing"),
        Hop("interface", "ledger/api"),
        Hop("product", "ledger"),
        Hop("interface", "billing/api"),
        Hop("product", "billing"),
    )
    assert cycle.text == "billing → ledger (via ledger/api) → billing (via billing/api)"


def test_cycle_path_is_the_shortest_and_components_are_separate() -> None:
    # a needs b, b needs c, c needs a (a 3-cycle) and b also needs a (a 2-cycle within it);
    # x ↔ y is a second, separate cycle; self-consumption is no cycle.
    graph = build(
        {p: "idea" for p in ("a", "b", "c", "x", "y", "z")},
        {f"{p}/i": "stable" for p in ("a", "b", "c", "x", "y", "z")},
        [
            ("a", "b/i"),
            ("b", "c/i"),
            ("c", "a/i"),
            ("b", "a/i"),
            ("x", "y/i"),
            ("y", "x/i"),
            ("z", "z/i"),
        ],
    )
    found = graph.cycles()
    assert [c.products for c in found] == [("a", "b", "c"), ("x", "y")]
    assert found[0].text == "a → b (via b/i) → a (via a/i)"


def test_no_cycles_in_a_chain() -> None:
    chain = build(
        {f"p{i}": "idea" for i in range(50)},
        {f"p{i}/i": "stable" for i in range(50)},
        [(f"p{i + 1}", f"p{i}/i") for i in range(49)],
    )
    assert chain.cycles() == []
    assert chain.reach()["p0"] == Reach("p0", 1, 49)


def test_long_chain_does_not_hit_the_recursion_limit() -> None:
    n = 5000
    chain = build(
        {f"p{i:05d}": "idea" for i in range(n)},
        {f"p{i:05d}/i": "stable" for i in range(n)},
        [*((f"p{i + 1:05d}", f"p{i:05d}/i") for i in range(n - 1)), ("p00000", f"p{n - 1:05d}/i")],
    )
    (cycle,) = chain.cycles()
    assert len(cycle.products) == n
    assert len(cycle.path) == 2 * n + 1
    short = cycle.summary(max_products=4)
    assert short.startswith("p00000 → p04999 (via p04999/i) → ")
    assert f"… {n + 1 - 4} more …" in short and short.endswith("p00000 (via p00000/i)")


def _star(consumers: int, providers: int) -> ProductGraph:
    """`hub` consumed by `consumers` products; `greedy` consumes `providers` products."""
    leaves = [f"l{i:02d}" for i in range(max(consumers, providers))]
    products = {"hub": "maintained", "greedy": "growing", **{leaf: "idea" for leaf in leaves}}
    interfaces = {"hub/api": "stable", **{f"{leaf}/api": "stable" for leaf in leaves}}
    consumes = [(leaf, "hub/api") for leaf in leaves[:consumers]]
    consumes += [("greedy", f"{leaf}/api") for leaf in leaves[:providers]]
    # A little everyday traffic so the median is not all zeros.
    consumes += [(leaves[i + 1], f"{leaves[i]}/api") for i in range(len(leaves) - 1)]
    return build(products, interfaces, consumes)


def test_outliers_find_fan_in_and_fan_out() -> None:
    graph = _star(consumers=20, providers=12)
    found = {(o.slug, o.measure, o.value) for o in graph.outliers()}
    assert found == {("hub", "fan-in", 20), ("greedy", "fan-out", 12)}


def test_outliers_respect_minimum_and_k() -> None:
    graph = _star(consumers=4, providers=4)
    # Fan-in values are [hub 4, greedy 0, 2, 2, 2, 1]: median 2, MAD taken as 1.
    assert graph.outliers() == []  # 4 is below the default minimum of 5
    assert graph.outliers(minimum=3) == []  # and below 2 + 3·1
    low = graph.outliers(k=1, minimum=3)
    assert {o.slug for o in low} == {"hub", "greedy"}
    assert low[0].threshold == 3.0


def test_empty_graph() -> None:
    graph = ProductGraph.from_edges([], [], [])
    assert graph.cycles() == [] and graph.reach() == {} and graph.outliers() == []
    assert graph.hubs() == []
