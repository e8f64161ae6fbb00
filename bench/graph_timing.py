"""Timing of the product graph at 100,000 products and ~300,000 consumes edges (not a test).

Run: .venv/bin/python bench/graph_timing.py [--products N] [--edges M] [--networkx]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from typing import TypeVar

from productize.domain.graph import InterfaceNode, ProductGraph, ProductNode
from productize.domain.graph_render import neighbourhood_svg, org_map_picture, render

T = TypeVar("T")

STAGES = ("idea", "prototype", "established", "growing", "maintained", "retired")


def synthetic(
    products: int, edges: int, seed: int = 7
) -> tuple[list[ProductNode], list[InterfaceNode], list[tuple[str, str]]]:
    """A catalog with hubs (preferential attachment), a few back edges (cycles), loops."""
    rng = random.Random(seed)
    nodes = [
        ProductNode(
            f"p{i:06d}", f"Product {i}", STAGES[i % 6], (f"team-{i % 997}",), f"loop-{i % 50}"
        )
        for i in range(products)
    ]
    interfaces = []
    for i in range(products):
        interfaces.append(InterfaceNode(f"p{i:06d}/api", "api", "stable"))
        if i % 5 == 0:
            interfaces.append(
                InterfaceNode(
                    f"p{i:06d}/events", "event", "deprecated" if i % 50 == 0 else "experimental"
                )
            )
    consumes: set[tuple[str, str]] = set()
    targets: list[int] = [0]  # preferential attachment pool
    while len(consumes) < edges:
        consumer = rng.randrange(1, products)
        # Mostly depend on older products (a layered catalog), sometimes on newer (cycles).
        if rng.random() < 0.002:
            provider = rng.randrange(products)
        elif rng.random() < 0.5 and targets:
            provider = targets[rng.randrange(len(targets))]
            if provider >= consumer:
                provider = rng.randrange(consumer)
        else:
            provider = rng.randrange(consumer)
        if provider == consumer:
            continue
        name = "events" if provider % 5 == 0 and rng.random() < 0.3 else "api"
        consumes.add((f"p{consumer:06d}", f"p{provider:06d}/{name}"))
        targets.append(provider)
    return nodes, interfaces, sorted(consumes)


def hub_shaped(
    products: int, edges: int, seed: int = 5
) -> tuple[list[ProductNode], list[InterfaceNode], list[tuple[str, str]]]:
    """The catalog shape of `bench_graph.py` (same draws): most edges go to the first
    products, so the top hub has ~74,000 products within two hops; 50 back edges."""
    rng = random.Random(seed)
    nodes = [
        ProductNode(f"p-{i:06}", f"Product {i}", STAGES[i % 5], (f"owner-{i % 2000}",))
        for i in range(products)
    ]
    interfaces = [InterfaceNode(f"p-{i:06}/api", "api", "stable") for i in range(products)]
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < edges:
        consumer = rng.randrange(1, products)
        provider = min(int(consumer * rng.random() ** 4), consumer - 1)
        pairs.add((consumer, provider))
    for _ in range(50):
        provider = rng.randrange(products // 2, products)
        pairs.add((rng.randrange(0, 200), provider))
    return nodes, interfaces, [(f"p-{c:06}", f"p-{p:06}/api") for c, p in sorted(pairs)]


def timed(label: str, func: Callable[[], T], repeat: int = 1) -> T:
    """Run `func` `repeat` times, print the median, return the last result."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    print(f"{label:<52} median {statistics.median(times) * 1000:9.1f} ms  (n={repeat})")
    return result


def main() -> None:
    """Build the synthetic catalog and time every query the issue names."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--edges", type=int, default=300_000)
    parser.add_argument("--networkx", action="store_true", help="also time networkx")
    args = parser.parse_args()
    nodes, interfaces, consumes = synthetic(args.products, args.edges)
    graph = timed("build", lambda: ProductGraph.from_edges(nodes, interfaces, consumes))
    hubs = timed("reach + hubs (whole catalog, exact)", lambda: graph.hubs(10))
    top = hubs[0].slug
    print("  top hub", hubs[0])
    impact = timed(f"impact of hub interface {top}/api", lambda: graph.impact(f"{top}/api"), 21)
    print("  dependents", impact.count)
    timed("  + first page of 50 entries with paths", lambda: impact.entries(0, 50), 1)
    timed("  + owners to tell (all depths)", impact.owners_to_tell, 5)
    rng = random.Random(1)
    sample = [nodes[rng.randrange(len(nodes))].slug for _ in range(21)]
    it = iter(sample * 4)
    timed("2-hop neighbourhood, random product", lambda: graph.neighbours(next(it), 2), 21)
    timed("2-hop neighbourhood, top hub", lambda: graph.neighbours(top, 2), 5)
    timed(
        "2-hop neighbourhood + SVG, random product",
        lambda: neighbourhood_svg(graph, next(it), depth=2),
        21,
    )
    timed("2-hop neighbourhood + SVG, top hub", lambda: neighbourhood_svg(graph, top, depth=2), 5)
    shaped = ProductGraph.from_edges(*hub_shaped(args.products, args.edges))
    hub = shaped.hubs(1, by="direct")[0].slug
    within = len(shaped.neighbours(hub, 2).slugs)
    print(f"  bench_graph.py's catalog shape: hub {hub}, {within} products within 2 hops")
    timed(
        "  2-hop neighbourhood (full walk), bench_graph hub", lambda: shaped.neighbours(hub, 2), 5
    )
    if hasattr(shaped, "neighbourhood_sample"):
        timed(
            "  2-hop neighbourhood sample, bench_graph hub",
            lambda: shaped.neighbourhood_sample(hub, 2),
            11,
        )
    timed(
        "  2-hop neighbourhood + SVG, bench_graph hub",
        lambda: neighbourhood_svg(shaped, hub, depth=2),
        11,
    )
    timed("organisation map + SVG (whole catalog)", lambda: render(org_map_picture(graph)), 3)
    found = timed("cycle detection, whole catalog", graph.cycles, 3)
    print("  cycles", len(found), "largest", max((len(c.products) for c in found), default=0))
    timed("outliers (fan-in/fan-out)", graph.outliers, 3)
    timed("deprecated consumers", graph.deprecated_consumers, 3)
    if args.networkx:
        import networkx as nx

        def build_nx() -> nx.DiGraph:
            g = nx.DiGraph()
            g.add_nodes_from(n.slug for n in nodes)
            g.add_nodes_from(i.ref for i in interfaces)
            g.add_edges_from((i.product, i.ref) for i in interfaces)
            g.add_edges_from((ref, c) for c, ref in consumes)
            return g

        g = timed("networkx: build (interface nodes as joints)", build_nx)
        source = f"{top}/api"
        timed(
            "networkx: BFS from the hub interface",
            lambda: nx.single_source_shortest_path_length(g, source),
            5,
        )
        timed(
            "networkx: strongly connected components",
            lambda: list(nx.strongly_connected_components(g)),
        )


if __name__ == "__main__":
    main()
