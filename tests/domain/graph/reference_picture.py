"""The full-walk layout as it was before the bounded walk (a test oracle, not product code).

Copied from `graph_render/neighbourhood.py` with one fix: an upstream link's consumer that
is not upstream of the centre is not placed as if it were the centre.

Layout of a product's neighbourhood: providers left, the product centre, consumers right.

Products sit in columns by distance (upstream columns to the left, downstream to the right);
each interface is a small joint between the provider's column and the consumer's, so one can
read "shop uses orders/api of orders". A column shows at most `limit` boxes: the best
connected products, then one "+N more" box standing for the rest, with aggregate edges.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from productize.domain.graph import Direction, ProductGraph
from productize.domain.graph_render.model import (
    Caption,
    Edge,
    EdgeKind,
    Node,
    Picture,
    product_url,
    truncate,
)

COLUMN_GAP = 320.0
BOX_WIDTH = 180.0
BOX_HEIGHT = 36.0
ROW = 50.0
JOINT_SPACING = 22.0
MARGIN = 40.0
TOP = 70.0  # room for the column headings
LABEL_CHARS = 24


def _product_id(slug: str, column: int) -> str:
    return f"product:{slug}@{column}"


def _more_id(column: int) -> str:
    return f"more@{column}"


def reference_picture(
    graph: ProductGraph,
    slug: str,
    depth: int = 1,
    limit: int = 12,
    direction: Direction = "both",
) -> Picture:
    """Lay out the products within `depth` hops of `slug`, at most `limit` boxes a column."""
    limit = max(limit, 2)
    hood = graph.neighbours(slug, depth, direction)
    columns: dict[int, list[str]] = defaultdict(list)
    columns[0].append(slug)
    for other, level in hood.upstream.items():
        columns[-level].append(other)
    for other, level in hood.downstream.items():
        columns[level].append(other)

    # Each link joins a provider column k to the consumer column k + 1 (either side).
    placed: set[tuple[str, str, str, int]] = set()
    for link in hood.links:
        up_p, up_c = hood.upstream.get(link.provider), hood.upstream.get(link.consumer)
        if link.consumer == slug:
            up_c = 0
        if up_p is not None and up_c is not None and up_p == up_c + 1:
            placed.add((link.provider, link.interface, link.consumer, -up_p))
        down_p = 0 if link.provider == slug else hood.downstream.get(link.provider)
        down_c = hood.downstream.get(link.consumer)
        if down_p is not None and down_c is not None and down_c == down_p + 1:
            placed.add((link.provider, link.interface, link.consumer, down_p))
    links = sorted(placed, key=lambda t: (t[3], t[1], t[2]))

    degree: dict[tuple[str, int], int] = defaultdict(int)
    for provider, _, consumer, column in links:
        degree[(provider, column)] += 1
        degree[(consumer, column + 1)] += 1

    # Keep the best connected products of each column; the rest become "+N more".
    visible: dict[int, list[str]] = {}
    hidden: dict[int, list[str]] = {}
    for column, members in columns.items():
        ranked = sorted(members, key=lambda s: (-degree[(s, column)], s))
        keep = ranked if len(ranked) <= limit else ranked[: limit - 1]
        visible[column] = keep
        hidden[column] = sorted(ranked[len(keep) :])

    picture = Picture("neighbourhood", "", "")
    center = graph.product(slug)
    nodes: dict[str, Node] = {}
    first, last = min(columns), max(columns)
    rows = max(len(v) + (1 if hidden[c] else 0) for c, v in visible.items())
    height = TOP + rows * ROW + MARGIN

    order = _column_order(slug, visible, links)
    for column in range(first, last + 1):
        members = order.get(column, [])
        count = len(members) + (1 if hidden.get(column) else 0)
        x = MARGIN + (column - first) * COLUMN_GAP
        y0 = TOP + (rows - count) * ROW / 2
        for row, member in enumerate(members):
            product = graph.product(member)
            owners = ", ".join(product.owners) or "no owners"
            nodes[_product_id(member, column)] = Node(
                _product_id(member, column),
                "center" if column == 0 else "product",
                truncate(product.label, LABEL_CHARS),
                x,
                y0 + row * ROW,
                BOX_WIDTH,
                BOX_HEIGHT,
                stage=product.stage,
                href=product_url(member),
                tooltip=f"{product.label} ({product.stage}); owners: {owners}",
                highlight=column == 0,
            )
        if hidden.get(column):
            names = hidden[column]
            shown = ", ".join(names[:20]) + (
                f" and {len(names) - 20} more" if len(names) > 20 else ""
            )
            nodes[_more_id(column)] = Node(
                _more_id(column),
                "more",
                f"+{len(names)} more",
                x,
                y0 + len(members) * ROW,
                BOX_WIDTH,
                BOX_HEIGHT,
                tooltip=shown,
                count=len(names),
            )

    def box(product: str, column: int) -> str:
        own = _product_id(product, column)
        return own if own in nodes else _more_id(column)

    # Interface joints sit between columns; aggregate edges stand for hidden products.
    joints: dict[str, Node] = {}
    edges: dict[tuple[str, str, EdgeKind], Edge] = {}

    def add_edge(source: str, target: str, kind: EdgeKind, label: str = "") -> None:
        key = (source, target, kind)
        old = edges.get(key)
        weight = old.weight + 1 if old else 1
        text = label if kind != "aggregate" else f"{weight} link{'s' if weight > 1 else ''}"
        edges[key] = Edge(source, target, kind, text, weight)

    for provider, interface, consumer, column in links:
        source, target = box(provider, column), box(consumer, column + 1)
        if source.startswith("more@"):
            add_edge(source, target, "aggregate")
            continue
        joint_id = f"interface:{interface}@{column}"
        if joint_id not in joints:
            node = graph.interface(interface)
            stability = node.stability if node else "undeclared"
            joints[joint_id] = Node(
                joint_id,
                "interface",
                interface.split("/", 1)[-1],
                MARGIN + (column - first) * COLUMN_GAP + BOX_WIDTH + (COLUMN_GAP - BOX_WIDTH) / 2,
                0.0,
                10.0,
                10.0,
                tooltip=f"{interface} ({stability})",
                stability=stability,
            )
            add_edge(source, joint_id, "provides")
        add_edge(joint_id, target, "consumes" if not target.startswith("more@") else "aggregate")

    _place_joints(joints, nodes, edges.values())
    for column in range(first, last + 1):
        if column == 0:
            heading = "This product"
        else:
            side = "Providers" if column < 0 else "Consumers"
            heading = side if abs(column) == 1 else f"{side}, {abs(column)} hops"
        x = MARGIN + (column - first) * COLUMN_GAP
        picture.captions.append(Caption(x, TOP - 24, heading))
    picture.nodes = [*nodes.values(), *sorted(joints.values(), key=lambda n: n.id)]
    picture.edges = sorted(edges.values(), key=lambda e: (e.source, e.target, e.kind))
    bottom = max((n.y + n.height for n in picture.nodes), default=0.0)
    picture.width = MARGIN * 2 + (last - first) * COLUMN_GAP + BOX_WIDTH
    picture.height = max(height, bottom + MARGIN)
    picture.title = f"Neighbourhood of {center.label}"
    providers = sum(1 for level in hood.upstream.values() if level == 1)
    consumers = sum(1 for level in hood.downstream.values() if level == 1)
    picture.description = (
        f"{center.label} ({center.stage}) uses interfaces of {providers} products and "
        f"{consumers} products use its interfaces (up to {depth} hops shown). Providers are on "
        f"the left, consumers on the right, interfaces are the small joints between them."
    )
    return picture


def _column_order(
    slug: str, visible: dict[int, list[str]], links: list[tuple[str, str, str, int]]
) -> dict[int, list[str]]:
    """Order each column to keep lines short: by the rows of what it connects to inwards,
    then by the interface it goes through (so consumers of one interface sit together)."""
    inward: dict[tuple[str, int], list[str]] = defaultdict(list)
    via: dict[tuple[str, int], list[str]] = defaultdict(list)
    for provider, interface, consumer, column in links:
        # A link joins provider column k to consumer column k + 1; "inward" is towards 0.
        outer = (provider, column) if column < 0 else (consumer, column + 1)
        inward[outer].append(consumer if column < 0 else provider)
        via[outer].append(interface)
    order: dict[int, list[str]] = {0: [slug]}
    row_of: dict[tuple[str, int], int] = {(slug, 0): 0}
    for distance in range(1, max((abs(c) for c in visible), default=0) + 1):
        for column in (-distance, distance):
            inner = column + 1 if column < 0 else column - 1

            def key(member: str, column: int = column, inner: int = inner) -> tuple:
                rows = [
                    row_of[(s, inner)] for s in inward[(member, column)] if (s, inner) in row_of
                ]
                mean = sum(rows) / len(rows) if rows else float("inf")
                return (mean, min(via[(member, column)], default=""), member)

            order[column] = sorted(visible.get(column, []), key=key)
            row_of.update(((m, column), row) for row, m in enumerate(order[column]))
    return order


def _place_joints(joints: dict[str, Node], nodes: dict[str, Node], edges: Iterable[Edge]) -> None:
    """Put each joint at the mean height of what it joins, then push apart overlaps."""
    touching: dict[str, list[float]] = defaultdict(list)
    for edge in edges:
        for mine, other in ((edge.source, edge.target), (edge.target, edge.source)):
            if mine in joints and other in nodes:
                touching[mine].append(nodes[other].y + nodes[other].height / 2)
    by_column: dict[float, list[Node]] = defaultdict(list)
    for joint_id, joint in joints.items():
        ys = touching[joint_id]
        joint.y = (sum(ys) / len(ys) if ys else TOP) - joint.height / 2
        by_column[joint.x].append(joint)
    for column in by_column.values():
        column.sort(key=lambda n: (n.y, n.id))
        floor = TOP - JOINT_SPACING
        for joint in column:
            joint.y = max(joint.y, floor + JOINT_SPACING)
            floor = joint.y
