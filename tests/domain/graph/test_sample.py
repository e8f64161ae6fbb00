"""The bounded neighbourhood walk (`neighbourhood_sample`) against the full walk.

The oracle is `neighbours()` (every link materialised) plus the ranking the picture uses, and
`reference_picture`: the picture as it was drawn from the full walk before.
"""

from __future__ import annotations

import random
from collections import defaultdict

import pytest

from productize.domain.graph import (
    Direction,
    InterfaceNode,
    NeighbourhoodSample,
    ProductGraph,
    ProductNode,
)
from productize.domain.graph_render import neighbourhood_picture, render
from tests.domain.graph.conftest import build
from tests.domain.graph.reference_picture import reference_picture

DIRECTIONS: tuple[Direction, ...] = ("upstream", "downstream", "both")


def expected(graph: ProductGraph, slug: str, depth: int, direction: Direction, limit: int):
    """Columns, links and hidden-link counts computed from the full walk."""
    hood = graph.neighbours(slug, depth, direction)
    members: dict[int, list[str]] = defaultdict(list)
    members[0].append(slug)
    for other, level in hood.upstream.items():
        members[-level].append(other)
    for other, level in hood.downstream.items():
        members[level].append(other)
    placed: set[tuple[str, str, str, int]] = set()
    for link in hood.links:
        up_c = 0 if link.consumer == slug else hood.upstream.get(link.consumer)
        up_p = hood.upstream.get(link.provider)
        if up_p is not None and up_c is not None and up_p == up_c + 1:
            placed.add((link.provider, link.interface, link.consumer, -up_p))
        down_p = 0 if link.provider == slug else hood.downstream.get(link.provider)
        down_c = hood.downstream.get(link.consumer)
        if down_p is not None and down_c is not None and down_c == down_p + 1:
            placed.add((link.provider, link.interface, link.consumer, down_p))
    degree: dict[tuple[str, int], int] = defaultdict(int)
    for provider, _, consumer, column in placed:
        degree[(provider, column)] += 1
        degree[(consumer, column + 1)] += 1
    columns = {}
    shown: set[tuple[str, int]] = set()
    for column, names in members.items():
        ranked = sorted(names, key=lambda s: (-degree[(s, column)], s))
        keep = ranked if len(ranked) <= limit else ranked[: limit - 1]
        shown.update((s, column) for s in keep)
        columns[column] = (len(names), tuple(keep), tuple(sorted(ranked[len(keep) :])[:20]))
    touching = {t for t in placed if (t[0], t[3]) in shown or (t[2], t[3] + 1) in shown}
    hidden_links: dict[int, int] = defaultdict(int)
    for t in placed - touching:
        hidden_links[t[3]] += 1
    return columns, touching, dict(hidden_links), shown


def assert_same(sample: NeighbourhoodSample, graph, slug, depth, direction, limit) -> None:
    columns, links, hidden_links, shown = expected(graph, slug, depth, direction, limit)
    got = {c: (col.total, col.shown, col.hidden_first) for c, col in sample.columns.items()}
    assert got == columns
    got_links: dict[tuple[str | None, str, str | None, int], int] = defaultdict(int)
    for link in sample.links:
        got_links[(link.provider, link.interface, link.consumer, link.column)] += link.count
    want: dict[tuple[str | None, str, str | None, int], int] = defaultdict(int)
    for provider, interface, consumer, column in links:
        p = provider if (provider, column) in shown else None
        c = consumer if (consumer, column + 1) in shown else None
        want[(p, interface, c, column)] += 1
    assert dict(got_links) == dict(want)
    assert len(sample.links) == len(got_links)
    assert {c: n for c, n in sample.hidden_links.items() if n} == hidden_links
    assert all(n >= 0 for n in sample.hidden_links.values())


def star(n: int) -> ProductGraph:
    """A hub consumed by n products; c00, c01 and c02 each consumed by two more (dNa, dNb)."""
    outer = [f"d{i}{x}" for i in range(3) for x in "ab"]
    products = {"hub": "maintained", **{f"c{i:02d}": "growing" for i in range(n)}}
    products.update({slug: "idea" for slug in outer})
    interfaces = {"hub/api": "stable", **{f"c{i:02d}/api": "stable" for i in range(3)}}
    consumes = [(f"c{i:02d}", "hub/api") for i in range(n)]
    consumes += [(slug, f"c0{slug[1]}/api") for slug in outer]
    return build(products, interfaces, consumes)


def random_graph(seed: int) -> ProductGraph:
    """Products with one or two interfaces, random consumes (cycles, undeclared, self)."""
    rng = random.Random(seed)
    n = rng.randrange(3, 40)
    slugs = [f"p{i:02d}" for i in range(n)]
    products = [ProductNode(s, "", "growing") for s in slugs]
    interfaces = [InterfaceNode(f"{s}/api") for s in slugs]
    interfaces += [InterfaceNode(f"{s}/events") for s in slugs if rng.random() < 0.4]
    refs = [i.ref for i in interfaces] + ["ghost/api", f"{slugs[0]}/undeclared"]
    consumes = [(rng.choice(slugs), rng.choice(refs)) for _ in range(rng.randrange(0, 4 * n))]
    return ProductGraph.from_edges(products, interfaces, consumes)


def test_hand_made_catalog_matches_full_walk(shop_graph: ProductGraph) -> None:
    for slug in [node.slug for node in shop_graph.products()]:
        for depth in range(4):
            for direction in DIRECTIONS:
                for limit in (1, 2, 3, 12):
                    sample = shop_graph.neighbourhood_sample(slug, depth, direction, limit)
                    assert_same(sample, shop_graph, slug, depth, direction, limit)


def test_star_keeps_best_connected_and_counts_the_rest() -> None:
    graph = star(30)
    sample = graph.neighbourhood_sample("hub", 2, "downstream", limit=5)
    first = sample.columns[1]
    assert first.total == 30
    # c00..c02 have two consumers each, then the slug order decides.
    assert first.shown == ("c00", "c01", "c02", "c03")
    assert first.hidden == 26
    assert first.hidden_first[:3] == ("c04", "c05", "c06")
    second = sample.columns[2]
    assert second.total == 6
    assert second.shown == ("d0a", "d0b", "d1a", "d1b")
    assert second.hidden == 2
    # Links hub -> c00..c29 (30) and c0N -> dNa/dNb (6); the providers c00..c02 are shown,
    # so no link joins two hidden members.
    assert sample.hidden_links == {0: 0, 1: 0}
    assert sum(link.count for link in sample.links) == 36
    # hub -> its 26 hidden consumers is one grouped link, c02 -> d2a, d2b another.
    assert [link.count for link in sample.links if link.consumer is None] == [26, 2]
    assert_same(sample, graph, "hub", 2, "downstream", 5)


def test_hidden_links_are_counted() -> None:
    graph = star(30)
    sample = graph.neighbourhood_sample("c00", 2, "upstream", limit=2)
    assert sample.columns[-1].shown == ("hub",)
    sample = graph.neighbourhood_sample("hub", 2, "downstream", limit=2)
    # One shown per column (c00; d0a): c01 -> d1a, d1b and c02 -> d2a, d2b are hidden links.
    assert sample.columns[1].shown == ("c00",)
    assert sample.columns[2].shown == ("d0a",)
    assert sample.hidden_links[1] == 4
    assert_same(sample, graph, "hub", 2, "downstream", 2)


@pytest.mark.parametrize("seed", range(60))
def test_random_graphs_match_full_walk(seed: int) -> None:
    graph = random_graph(seed)
    rng = random.Random(seed)
    for slug in rng.sample([node.slug for node in graph.products()], k=min(len(graph), 6)):
        for depth in (1, 2, 3):
            for direction in DIRECTIONS:
                limit = rng.choice((2, 3, 5, 12))
                sample = graph.neighbourhood_sample(slug, depth, direction, limit)
                assert_same(sample, graph, slug, depth, direction, limit)


@pytest.mark.parametrize("seed", range(40))
def test_random_pictures_are_the_same_bytes_as_the_full_walk(seed: int) -> None:
    graph = random_graph(seed)
    rng = random.Random(seed)
    for slug in rng.sample([node.slug for node in graph.products()], k=min(len(graph), 4)):
        for depth in (1, 2):
            for direction in DIRECTIONS:
                limit = rng.choice((2, 4, 12))
                new = neighbourhood_picture(graph, slug, depth, limit, direction)
                old = reference_picture(graph, slug, depth, limit, direction)
                for fmt in ("svg", "json", "dot", "mermaid"):
                    assert render(new, fmt) == render(old, fmt)


def test_star_picture_is_the_same_as_the_full_walk() -> None:
    graph = star(60)
    for depth in (1, 2):
        new = neighbourhood_picture(graph, "hub", depth, 12)
        assert render(new, "json") == render(reference_picture(graph, "hub", depth, 12), "json")
        assert new.node("more@1").count == 49


def test_sample_rejects_bad_input(shop_graph: ProductGraph) -> None:
    from productize.domain.graph import UnknownNodeError

    with pytest.raises(UnknownNodeError):
        shop_graph.neighbourhood_sample("nobody")
    with pytest.raises(ValueError):
        shop_graph.neighbourhood_sample("orders", -1)
