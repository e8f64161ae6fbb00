"""The hub-speed shortcuts of `Impact` (lazy per-depth sorting, owner ids) against the
straightforward computation, on random graphs."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from productize.domain.graph import InterfaceNode, ProductGraph, ProductNode


def _random_graph(seed: int) -> ProductGraph:
    rng = random.Random(seed)
    size = rng.randrange(2, 120)
    owners = [f"owner-{i}" for i in range(rng.randrange(1, 12))]
    products = [
        ProductNode(
            f"p{i:03}",
            # none, one, several, and now and then the same owner twice
            owners=tuple(rng.choice(owners) for _ in range(rng.choice((0, 1, 1, 1, 2, 3)))),
        )
        for i in rng.sample(range(1000), size)
    ]
    slugs = [node.slug for node in products]
    interfaces = [InterfaceNode(f"{slug}/api") for slug in slugs]
    consumes = [
        (rng.choice(slugs), f"{rng.choice(slugs)}/api") for _ in range(rng.randrange(size * 4))
    ]
    return ProductGraph.from_edges(products, interfaces, consumes)


def _expected_summary(graph: ProductGraph, order: list[str], limit: int, shown: int) -> object:
    owned = [(slug, graph.product(slug).owners) for slug in order]
    counts = Counter(owner for _, owners in owned for owner in owners)
    top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
    rows = []
    for owner, count in top:
        first = [slug for slug, owners in owned for o in owners if o == owner][:shown]
        rows.append((owner, count, sorted(first)))
    return rows, len(counts)


@pytest.mark.parametrize("seed", range(40))
def test_paging_and_owner_counts_equal_the_straightforward_computation(seed: int) -> None:
    graph = _random_graph(seed)
    rng = random.Random(seed)
    for target in rng.sample([node.slug for node in graph.products()], 3):
        for found in (graph.impact(target), graph.impact(f"{target}/api")):
            everything = [(entry.depth, entry.product.slug) for entry in found.entries(0, None)]
            assert everything == sorted(everything)
            order = [slug for _, slug in everything]
            assert found.slugs() == order and len(found) == len(order)
            for offset in (0, 1, 3, 7, len(order) - 2, len(order) + 5):
                for limit in (1, 4, 10, None):
                    offset = max(offset, 0)
                    page = [entry.product.slug for entry in found.entries(offset, limit)]
                    stop = None if limit is None else offset + limit
                    assert page == order[offset:stop]
            # A fresh walk for the summary, so it sorts lazily from the start.
            fresh = graph.impact(target)
            for limit, shown in ((100, 10), (2, 1), (1, 3)):
                assert fresh.owners_summary(limit, shown) == _expected_summary(
                    graph, fresh.slugs(), limit, shown
                )
