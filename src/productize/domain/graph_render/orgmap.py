"""Layout of the organisation map: loops as boxes with their products inside.

What cannot be drawn readably is aggregated, never dropped silently:
- a loop with more than `per_loop` products shows its best-connected ones and "+N more";
- collapsed loops (asked for, or chosen automatically — largest first — until at most
  `max_products` boxes remain) are one node with a count per stage;
- dependencies between loops are drawn once per pair of loops, with their number; only
  dependencies inside an expanded loop (and, in focus mode, the focus's own) are drawn
  product to product.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Literal

from productize.domain.graph import ProductGraph
from productize.domain.graph_render.model import (
    Edge,
    Group,
    Node,
    Picture,
    product_url,
    truncate,
)

BOX_WIDTH = 150.0
BOX_HEIGHT = 30.0
GAP = 12.0
PADDING = 14.0
HEADER = 26.0
LOOP_NODE = (200.0, 56.0)
MAX_WIDTH = 1400.0
MARGIN = 30.0
MAX_PRODUCT_EDGES = 800  # beyond this, lines inside loops stop helping anyone read
NO_LOOP = ""


def _loop_id(loop: str) -> str:
    return f"loop:{loop or '-'}"


def org_map_picture(
    graph: ProductGraph,
    *,
    loop_names: Mapping[str, str] | None = None,
    collapsed: Iterable[str] | Literal["all"] | None = None,
    stages: Iterable[str] | None = None,
    focus: str | None = None,
    max_products: int = 240,
    per_loop: int = 24,
    max_loop_edges: int = 60,
) -> Picture:
    """Lay out the catalog grouped by loop, aggregating what does not fit."""
    names = dict(loop_names or {})
    wanted = set(stages) if stages is not None else None
    focus_set: set[str] | None = None
    if focus is not None:
        hood = graph.neighbours(focus, 1)
        focus_set = hood.slugs
    selected = [
        p
        for p in graph.products()
        if (wanted is None or p.stage in wanted) and (focus_set is None or p.slug in focus_set)
    ]
    by_loop: dict[str, list[str]] = defaultdict(list)
    loop_of: dict[str, str] = {}
    for product in selected:
        by_loop[product.loop or NO_LOOP].append(product.slug)
        loop_of[product.slug] = product.loop or NO_LOOP
    loops = sorted(by_loop, key=lambda key: (key == NO_LOOP, names.get(key, key)))
    focus_loop = loop_of.get(focus) if focus else None

    folded = set(loops) if collapsed == "all" else set(collapsed or ()) & set(loops)
    per_loop = max(per_loop, 2)

    def drawn(loop: str) -> int:
        return min(len(by_loop[loop]), per_loop)

    # Fold the biggest loops until the picture fits the budget (never the focus's loop).
    budget = sum(drawn(loop) for loop in loops if loop not in folded)
    for loop in sorted(loops, key=lambda key: (-len(by_loop[key]), key)):
        if budget <= max_products:
            break
        if loop not in folded and loop != focus_loop:
            folded.add(loop)
            budget -= drawn(loop)

    fan_in = {slug: len(graph.dependents(slug)) for slug in loop_of}
    picture = Picture("map", "Organisation map", "")
    representative: dict[str, str] = {}  # product slug → the node or group drawn for it
    x, y, shelf = MARGIN, MARGIN, 0.0
    stage_total: Counter[str] = Counter()
    for loop in loops:
        members = by_loop[loop]
        label = names.get(loop, loop) if loop else "No loop"
        stage_count = Counter(graph.product(s).stage for s in members)
        stage_total.update(stage_count)
        summary = ", ".join(f"{n} {stage}" for stage, n in sorted(stage_count.items()))
        if loop in folded:
            width, height = LOOP_NODE
            if x + width > MAX_WIDTH and x > MARGIN:
                x, y, shelf = MARGIN, y + shelf + GAP * 2, 0.0
            picture.nodes.append(
                Node(
                    _loop_id(loop),
                    "loop",
                    truncate(label, 24),
                    x,
                    y,
                    width,
                    height,
                    tooltip=f"{label}: {len(members)} products ({summary})",
                    count=len(members),
                )
            )
            representative.update((s, _loop_id(loop)) for s in members)
        else:
            ranked = sorted(members, key=lambda s: (s != focus, -fan_in[s], s))
            keep = ranked if len(ranked) <= per_loop else ranked[: per_loop - 1]
            boxes = len(keep) + (1 if len(keep) < len(ranked) else 0)
            columns = min(boxes, max(1, math.ceil(math.sqrt(boxes * 2))), 6)
            rows = math.ceil(boxes / columns)
            width = PADDING * 2 + columns * BOX_WIDTH + (columns - 1) * GAP
            height = HEADER + PADDING + rows * (BOX_HEIGHT + GAP)
            if x + width > MAX_WIDTH and x > MARGIN:
                x, y, shelf = MARGIN, y + shelf + GAP * 2, 0.0
            group = Group(_loop_id(loop), f"{label} ({len(members)})", x, y, width, height)
            group.count = len(members)
            picture.groups.append(group)
            for index, slug in enumerate(sorted(keep)):
                product = graph.product(slug)
                owners = ", ".join(product.owners) or "no owners"
                column, row = index % columns, index // columns
                picture.nodes.append(
                    Node(
                        f"product:{slug}",
                        "center" if slug == focus else "product",
                        truncate(product.label, 20),
                        x + PADDING + column * (BOX_WIDTH + GAP),
                        y + HEADER + row * (BOX_HEIGHT + GAP),
                        BOX_WIDTH,
                        BOX_HEIGHT,
                        stage=product.stage,
                        href=product_url(slug),
                        tooltip=f"{product.label} ({product.stage}); owners: {owners}; "
                        f"{fan_in[slug]} direct consumers",
                        group=group.id,
                        highlight=slug == focus,
                    )
                )
                representative[slug] = f"product:{slug}"
            if len(keep) < len(ranked):
                rest = sorted(ranked[len(keep) :])
                index = len(keep)
                column, row = index % columns, index // columns
                more_id = f"more:{loop or '-'}"
                picture.nodes.append(
                    Node(
                        more_id,
                        "more",
                        f"+{len(rest)} more",
                        x + PADDING + column * (BOX_WIDTH + GAP),
                        y + HEADER + row * (BOX_HEIGHT + GAP),
                        BOX_WIDTH,
                        BOX_HEIGHT,
                        tooltip=", ".join(rest[:20]) + (" …" if len(rest) > 20 else ""),
                        group=group.id,
                        count=len(rest),
                    )
                )
                representative.update((s, more_id) for s in rest)
        x += width + GAP * 2
        shelf = max(shelf, height)

    picture.edges, skipped, light = _edges(graph, loop_of, representative, focus, max_loop_edges)
    picture.width = max([MAX_WIDTH / 2] + [n.x + n.width + MARGIN for n in picture.nodes])
    picture.width = max([picture.width] + [g.x + g.width + MARGIN for g in picture.groups])
    picture.height = y + shelf + MARGIN
    stage_text = ", ".join(f"{n} {stage}" for stage, n in sorted(stage_total.items()))
    picture.description = (
        f"{len(selected)} products ({stage_text or 'none'}) in {len(loops)} loops, "
        f"{len(folded)} shown collapsed. Lines between loops stand for all the dependencies "
        f"between them; a number says how many."
        + (f" {skipped} dependencies inside loops are not drawn." if skipped else "")
        + (f" {light} lighter links between loops are not drawn." if light else "")
    )
    if focus is not None:
        picture.title = f"Organisation map around {graph.product(focus).label}"
    return picture


def _edges(
    graph: ProductGraph,
    loop_of: dict[str, str],
    representative: dict[str, str],
    focus: str | None,
    max_loop_edges: int,
) -> tuple[list[Edge], int, int]:
    """Product edges inside loops (and the focus's), the heaviest aggregate edges between
    loops; also how many product edges and loop links were left out."""
    product_edges: list[Edge] = []
    aggregate: Counter[tuple[str, str]] = Counter()
    for consumer in sorted(loop_of):
        for provider in graph.providers(consumer):
            if provider not in loop_of:
                continue  # filtered out of this picture
            source, target = representative[provider], representative[consumer]
            same_loop = loop_of[provider] == loop_of[consumer]
            direct = source.startswith("product:") and target.startswith("product:")
            if direct and (same_loop or focus in (provider, consumer)):
                product_edges.append(Edge(source, target, "depends", ""))
                continue
            if not same_loop:
                source, target = _loop_id(loop_of[provider]), _loop_id(loop_of[consumer])
            if source != target:
                aggregate[(source, target)] += 1
    skipped = max(0, len(product_edges) - MAX_PRODUCT_EDGES)
    edges = product_edges[:MAX_PRODUCT_EDGES]
    # Between many loops, hundreds of thin lines say nothing; the heaviest links do.
    heaviest = sorted(aggregate.items(), key=lambda item: (-item[1], item[0]))[:max_loop_edges]
    for (source, target), weight in sorted(heaviest):
        edges.append(Edge(source, target, "aggregate", str(weight), weight))
    return edges, skipped, len(aggregate) - len(heaviest)
