"""Layout of a product's neighbourhood: providers left, the product centre, consumers right.

Products sit in columns by distance (upstream columns to the left, downstream to the right);
each interface is a small joint between the provider's column and the consumer's, so one can
read "shop uses orders/api of orders". A column shows at most `limit` boxes: the best
connected products, then one "+N more" box standing for the rest, with aggregate edges.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from productize.domain.graph import Direction, ProductGraph, SampleLink
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


def neighbourhood_picture(
    graph: ProductGraph,
    slug: str,
    depth: int = 1,
    limit: int = 12,
    direction: Direction = "both",
) -> Picture:
    """Lay out the products within `depth` hops of `slug`, at most `limit` boxes a column."""
    limit = max(limit, 2)
    # Bounded: counts every member but only builds the links of the boxes drawn (a hub's
    # two hops hold ~300,000 links at 100,000 products; see bench/RESULTS.md).
    sample = graph.neighbourhood_sample(slug, depth, direction, limit)
    columns = sample.columns
    links = sorted(
        sample.links,
        key=lambda t: (t.column, t.interface, t.consumer or "", t.provider or ""),
    )
    visible = {column: list(c.shown) for column, c in columns.items()}
    hidden = {column: c.hidden for column, c in columns.items()}

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
            more = hidden[column]
            names = columns[column].hidden_first
            shown = ", ".join(names[:20]) + (f" and {more - 20} more" if more > 20 else "")
            nodes[_more_id(column)] = Node(
                _more_id(column),
                "more",
                f"+{more} more",
                x,
                y0 + len(members) * ROW,
                BOX_WIDTH,
                BOX_HEIGHT,
                tooltip=shown,
                count=more,
            )

    def box(product: str | None, column: int) -> str:
        if product is None:  # stands for hidden members
            return _more_id(column)
        own = _product_id(product, column)
        return own if own in nodes else _more_id(column)

    # Interface joints sit between columns; aggregate edges stand for hidden products.
    joints: dict[str, Node] = {}
    edges: dict[tuple[str, str, EdgeKind], Edge] = {}

    def add_edge(source: str, target: str, kind: EdgeKind, label: str = "", n: int = 1) -> None:
        key = (source, target, kind)
        old = edges.get(key)
        weight = old.weight + n if old else n
        text = label if kind != "aggregate" else f"{weight} link{'s' if weight > 1 else ''}"
        edges[key] = Edge(source, target, kind, text, weight)

    for link in links:
        interface, column = link.interface, link.column
        source, target = box(link.provider, column), box(link.consumer, column + 1)
        if source.startswith("more@"):
            add_edge(source, target, "aggregate", n=link.count)
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
        if target.startswith("more@"):
            add_edge(joint_id, target, "aggregate", n=link.count)
        else:
            add_edge(joint_id, target, "consumes")

    for column, n in sorted(sample.hidden_links.items()):
        if n:  # links between two hidden members: one aggregate edge between "+N more" boxes
            add_edge(_more_id(column), _more_id(column + 1), "aggregate", n=n)

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
    providers = columns[-1].total if -1 in columns else 0
    consumers = columns[1].total if 1 in columns else 0
    picture.description = (
        f"{center.label} ({center.stage}) uses interfaces of {providers} products and "
        f"{consumers} products use its interfaces (up to {depth} hops shown). Providers are on "
        f"the left, consumers on the right, interfaces are the small joints between them."
    )
    return picture


def _column_order(
    slug: str, visible: dict[int, list[str]], links: list[SampleLink]
) -> dict[int, list[str]]:
    """Order each column to keep lines short: by the rows of what it connects to inwards,
    then by the interface it goes through (so consumers of one interface sit together)."""
    inward: dict[tuple[str, int], list[str]] = defaultdict(list)
    via: dict[tuple[str, int], list[str]] = defaultdict(list)
    for link in links:
        # A link joins provider column k to consumer column k + 1; "inward" is towards 0.
        column = link.column
        far, near = (link.provider, link.consumer) if column < 0 else (link.consumer, link.provider)
        if far is None:
            continue  # hidden members are not ordered
        at = (far, column if column < 0 else column + 1)
        if near is not None:  # a hidden member has no row (and both shown: count is 1)
            inward[at].append(near)
        via[at].append(link.interface)
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
