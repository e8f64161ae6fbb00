"""A laid-out picture: positioned nodes, edges and group boxes, independent of output format."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

NodeKind = Literal["product", "center", "interface", "more", "loop"]
EdgeKind = Literal["provides", "consumes", "depends", "aggregate"]

PRODUCT_URL = "/products/{slug}/"

# Fill and stroke per stage: light fills keep black text readable (WCAG AA contrast).
STAGE_COLOURS: dict[str, tuple[str, str]] = {
    "idea": ("#f3e8ff", "#7e22ce"),
    "prototype": ("#e0f2fe", "#0369a1"),
    "established": ("#dcfce7", "#15803d"),
    "growing": ("#fef9c3", "#a16207"),
    "maintained": ("#e0e7ff", "#4338ca"),
    "retired": ("#f3f4f6", "#6b7280"),
}
DEFAULT_COLOURS = ("#ffffff", "#374151")
STABILITY_COLOURS: dict[str, str] = {
    "stable": "#475569",
    "experimental": "#d97706",
    "deprecated": "#dc2626",
}


def product_url(slug: str) -> str:
    """The page of a product."""
    return PRODUCT_URL.format(slug=slug)


@dataclass(slots=True)
class Node:
    """A box (product, loop, "+N more") or a joint (interface) at a position."""

    id: str
    kind: NodeKind
    label: str
    x: float = 0.0
    y: float = 0.0
    width: float = 0.0
    height: float = 0.0
    stage: str | None = None
    href: str | None = None
    tooltip: str = ""
    group: str | None = None  # the id of the enclosing group box, if any
    stability: str | None = None  # for interfaces
    count: int = 0  # for aggregates: how many products it stands for
    highlight: bool = False

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready dictionary."""
        return {
            "id": self.id,
            "kind": self.kind,
            "label": self.label,
            "x": round(self.x, 1),
            "y": round(self.y, 1),
            "width": round(self.width, 1),
            "height": round(self.height, 1),
            "stage": self.stage,
            "href": self.href,
            "tooltip": self.tooltip,
            "group": self.group,
            "stability": self.stability,
            "count": self.count,
            "highlight": self.highlight,
        }


@dataclass(frozen=True, slots=True)
class Edge:
    """A line between two nodes; `weight` counts the edges an aggregate stands for."""

    source: str
    target: str
    kind: EdgeKind
    label: str = ""
    weight: int = 1

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready dictionary."""
        return {
            "source": self.source,
            "target": self.target,
            "kind": self.kind,
            "label": self.label,
            "weight": self.weight,
        }


@dataclass(slots=True)
class Group:
    """A box around nodes (a loop on the organisation map)."""

    id: str
    label: str
    x: float = 0.0
    y: float = 0.0
    width: float = 0.0
    height: float = 0.0
    count: int = 0

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready dictionary."""
        return {
            "id": self.id,
            "label": self.label,
            "x": round(self.x, 1),
            "y": round(self.y, 1),
            "width": round(self.width, 1),
            "height": round(self.height, 1),
            "count": self.count,
        }


@dataclass(frozen=True, slots=True)
class Caption:
    """A free-standing text, e.g. a column heading."""

    x: float
    y: float
    text: str


@dataclass(slots=True)
class Picture:
    """Everything needed to draw one picture, in any format."""

    kind: Literal["neighbourhood", "map"]
    title: str
    description: str
    width: float = 0.0
    height: float = 0.0
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    captions: list[Caption] = field(default_factory=list)

    def node(self, node_id: str) -> Node:
        """The node with this id."""
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready dictionary (the `json` export)."""
        return {
            "kind": self.kind,
            "title": self.title,
            "description": self.description,
            "width": round(self.width, 1),
            "height": round(self.height, 1),
            "groups": [g.as_dict() for g in self.groups],
            "nodes": [n.as_dict() for n in self.nodes],
            "edges": [e.as_dict() for e in self.edges],
            "captions": [{"x": c.x, "y": c.y, "text": c.text} for c in self.captions],
        }


def truncate(text: str, limit: int) -> str:
    """Shorten `text` to `limit` characters with an ellipsis (the full text goes in tooltips)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
