"""Whole-catalog analyses: strongly connected components, cycles, reach, hubs and outliers."""

from __future__ import annotations

import statistics
from collections import deque
from typing import Literal

from productize.domain.graph.core import NO_PRODUCT, ProductGraph
from productize.domain.graph.nodes import Cycle, Hop, Outlier, Reach

# Scales the median absolute deviation to the standard deviation of a normal distribution,
# so `k` reads like "k standard deviations" to people who know that rule of thumb.
MAD_SCALE = 1.4826


def _components(graph: ProductGraph) -> list[list[int]]:
    """Strongly connected components of the consumer graph (provider → consumer).

    Iterative Tarjan (recursion would overflow on long chains). Components come out consumers
    first: if any product in A provides to one in B, B's component precedes A's.
    """
    count = len(graph)
    successors = graph._down
    index = [-1] * count
    low = [0] * count
    on_stack = [False] * count
    stack: list[int] = []
    components: list[list[int]] = []
    counter = 0
    for root in range(count):
        if index[root] != -1:
            continue
        work = [(root, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack[node] = True
            pushed = False
            children = successors[node]
            while position < len(children):
                child = children[position]
                position += 1
                if index[child] == -1:
                    work.append((node, position))
                    work.append((child, 0))
                    pushed = True
                    break
                if on_stack[child] and index[child] < low[node]:
                    low[node] = index[child]
            if pushed:
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack[member] = False
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
            if work:
                parent = work[-1][0]
                if low[node] < low[parent]:
                    low[parent] = low[node]
    return components


def cycles(graph: ProductGraph) -> list[Cycle]:
    """Groups of products that depend on each other, each with one shortest cycle path.

    A group is a strongly connected component with more than one product; its path starts and
    ends at the group's first product by slug and reads "consumes ... provided by ...".
    """
    result = []
    for component in _components(graph):
        if len(component) < 2:
            continue
        members = set(component)
        start = min(component)  # ids follow slug order
        path = _shortest_cycle(graph, start, members)
        slugs = tuple(sorted(graph._slugs[p] for p in component))
        result.append(Cycle(slugs, path))
    return sorted(result, key=lambda c: (-len(c.products), c.products))


def _shortest_cycle(graph: ProductGraph, start: int, members: set[int]) -> tuple[Hop, ...]:
    """Breadth-first from `start` along "depends on" edges inside `members`, back to `start`."""
    parent: dict[int, tuple[int, int]] = {}
    queue = deque([start])
    seen = {start}
    closing: tuple[int, int] | None = None
    while queue and closing is None:
        p = queue.popleft()
        for provider, interface in sorted(graph.provider_edges(p)):
            if provider == start:
                closing = (p, interface)
                break
            if provider in members and provider not in seen:
                seen.add(provider)
                parent[provider] = (p, interface)
                queue.append(provider)
    if closing is None:  # cannot happen for a true component; keep the type honest
        return ()
    hops = [Hop("product", graph._slugs[start]), Hop("interface", graph._refs[closing[1]])]
    current = closing[0]
    while current != start:
        previous, interface = parent[current]
        hops.append(Hop("product", graph._slugs[current]))
        hops.append(Hop("interface", graph._refs[interface]))
        current = previous
    hops.append(Hop("product", graph._slugs[start]))
    hops.reverse()
    return tuple(hops)


def direct_counts(graph: ProductGraph) -> tuple[list[int], list[int]]:
    """Fan-in (distinct consuming products) and fan-out (distinct providers) per product id."""
    fan_in = [len(consumers) for consumers in graph._down]
    fan_out = [len({q for q, _ in graph.provider_edges(p)}) for p in range(len(graph))]
    return fan_in, fan_out


def reach(graph: ProductGraph) -> dict[str, Reach]:
    """Direct and transitive consumer counts of every product.

    Exact, via bitsets over the condensation: components are visited consumers first, each
    component's set is the union of its consumers' sets, and a set is dropped as soon as the
    last component that needs it has been visited, which keeps memory to the live frontier.
    """
    fan_in, _ = direct_counts(graph)
    components = _components(graph)
    component_of = [0] * len(graph)
    for number, component in enumerate(components):
        for p in component:
            component_of[p] = number
    # How many provider components still need each component's set.
    successors: list[set[int]] = []
    pending = [0] * len(components)
    for number, component in enumerate(components):
        targets = {component_of[c] for p in component for c in graph._down[p]}
        targets.discard(number)
        successors.append(targets)
        for target in targets:
            pending[target] += 1
    sets: dict[int, int] = {}
    result: dict[str, Reach] = {}
    offset = 0
    for number, component in enumerate(components):
        # Bit positions follow the component order: consumers come first, so sets stay short.
        bits = ((1 << len(component)) - 1) << offset
        offset += len(component)
        for target in successors[number]:
            bits |= sets[target]
            pending[target] -= 1
            if pending[target] == 0:
                del sets[target]
        if pending[number]:
            sets[number] = bits
        # Members of one component reach each other; the product itself does not count.
        transitive = bits.bit_count() - 1
        for p in component:
            slug = graph._slugs[p]
            result[slug] = Reach(slug, fan_in[p], transitive)
    return dict(sorted(result.items()))


def hubs(
    graph: ProductGraph, top: int = 10, by: Literal["transitive", "direct"] = "transitive"
) -> list[Reach]:
    """The `top` products by transitive reach (or by direct fan-in), ties broken by slug."""
    counts = graph.reach().values()
    if by == "direct":
        ordered = sorted(counts, key=lambda r: (-r.direct, -r.transitive, r.slug))
    else:
        ordered = sorted(counts, key=lambda r: (-r.transitive, -r.direct, r.slug))
    return [r for r in ordered[:top] if r.direct or r.transitive]


def outliers(graph: ProductGraph, k: float = 3.0, minimum: int = 5) -> list[Outlier]:
    """Products whose fan-in or fan-out is unusually high for this organisation.

    The rule is robust to the hubs it looks for: a value is unusual when it exceeds
    `median + k · 1.4826 · MAD` (the median absolute deviation scaled to read like a standard
    deviation). Catalogs are skewed — most products have 0 to 2 consumers — so the MAD is often 0;
    it is then taken as 1 so one extra edge is not "unusual". Values below `minimum` are never
    reported: five consumers is not a hub, whatever the statistics say.
    """
    fan_in, fan_out = direct_counts(graph)
    result: list[Outlier] = []
    measures: tuple[tuple[Literal["fan-in", "fan-out"], list[int]], ...] = (
        ("fan-in", fan_in),
        ("fan-out", fan_out),
    )
    for measure, values in measures:
        if not values:
            continue
        median = statistics.median(values)
        mad = statistics.median(abs(v - median) for v in values) * MAD_SCALE
        threshold = max(median + k * max(mad, 1.0), float(minimum))
        result.extend(
            Outlier(graph._slugs[p], measure, value, threshold)
            for p, value in enumerate(values)
            if value >= threshold and value > median
        )
    return sorted(result, key=lambda o: (o.measure, -o.value, o.slug))


def fan_out(graph: ProductGraph, slug: str) -> int:
    """How many distinct products `slug` depends on."""
    p = graph._pidx.get(slug, NO_PRODUCT)
    if p == NO_PRODUCT:
        return 0
    return len({q for q, _ in graph.provider_edges(p)})
