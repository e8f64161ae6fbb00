"""Pictures of the product graph: server-side layout, then SVG, Graphviz DOT, Mermaid or JSON.

The layout is computed here, in plain Python, so pages need no script and no CDN; every text
is escaped for its format; output is deterministic (same graph, same bytes).
"""

from __future__ import annotations

from typing import Literal

from productize.domain.graph import ProductGraph
from productize.domain.graph_render.model import Caption, Edge, Group, Node, Picture, product_url
from productize.domain.graph_render.neighbourhood import neighbourhood_picture
from productize.domain.graph_render.orgmap import org_map_picture
from productize.domain.graph_render.svg import to_svg
from productize.domain.graph_render.text import to_dot, to_json, to_mermaid

Format = Literal["svg", "dot", "mermaid", "json"]
FORMATS: tuple[Format, ...] = ("svg", "dot", "mermaid", "json")


def render(picture: Picture, fmt: Format = "svg") -> str:
    """The picture in one of `FORMATS`."""
    if fmt == "svg":
        return to_svg(picture)
    if fmt == "dot":
        return to_dot(picture)
    if fmt == "mermaid":
        return to_mermaid(picture)
    if fmt == "json":
        return to_json(picture)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def neighbourhood_svg(graph: ProductGraph, slug: str, depth: int = 1, limit: int = 12) -> str:
    """The neighbourhood picture of `slug` as SVG, in one call."""
    return to_svg(neighbourhood_picture(graph, slug, depth, limit), id_prefix=f"hood-{slug}")


__all__ = [
    "FORMATS",
    "Caption",
    "Edge",
    "Format",
    "Group",
    "Node",
    "Picture",
    "neighbourhood_picture",
    "neighbourhood_svg",
    "org_map_picture",
    "product_url",
    "render",
    "to_dot",
    "to_json",
    "to_mermaid",
    "to_svg",
]
