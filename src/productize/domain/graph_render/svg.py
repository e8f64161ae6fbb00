"""SVG output: standalone, accessible, deterministic, with every text escaped."""

from __future__ import annotations

import math
from html import escape

from productize.domain.graph_render.model import (
    DEFAULT_COLOURS,
    STABILITY_COLOURS,
    STAGE_COLOURS,
    Edge,
    Node,
    Picture,
)

EDGE_COLOUR = "#64748b"
LEGEND_HEIGHT = 36.0
# Hover and keyboard focus show which box a link belongs to; no script, no external font.
STYLE = (
    "a:hover rect,a:focus rect{stroke-width:3}"
    "a:focus{outline:2px solid #1d4ed8}"
    "text{fill:#111827}"
    ".small{font-size:11px;fill:#374151}"
    ".edge-label{font-size:11px;fill:#334155}"
)


def _e(text: str) -> str:
    """XML-escape text and attribute values (quotes included)."""
    return escape(text, quote=True)


def _n(value: float) -> str:
    """A short, stable number: one decimal, no trailing `.0`."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def to_svg(picture: Picture, id_prefix: str = "graph") -> str:
    """The picture as a standalone SVG document (ids prefixed so several fit one page)."""
    prefix = "".join(c if c.isalnum() or c in "-_" else "-" for c in id_prefix) or "graph"
    width, height = picture.width, picture.height + LEGEND_HEIGHT
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'width="{_n(width)}" height="{_n(height)}" role="img" '
        f'aria-labelledby="{prefix}-title {prefix}-desc" '
        f'font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="13">',
        f'<title id="{prefix}-title">{_e(picture.title)}</title>',
        f'<desc id="{prefix}-desc">{_e(picture.description)}</desc>',
        f"<style>{STYLE}</style>",
        "<defs>"
        f'<marker id="{prefix}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="10" '
        f'markerHeight="10" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        f'<path d="M0,0L10,5L0,10z" '
        f'fill="{EDGE_COLOUR}"/></marker></defs>',
        '<rect width="100%" height="100%" fill="#ffffff"/>',
    ]
    for group in picture.groups:
        out.append(
            f'<g class="loop"><rect x="{_n(group.x)}" y="{_n(group.y)}" '
            f'width="{_n(group.width)}" height="{_n(group.height)}" rx="10" fill="#f8fafc" '
            f'stroke="#cbd5e1"/><text x="{_n(group.x + 12)}" y="{_n(group.y + 18)}" '
            f'font-weight="600">{_e(group.label)}</text></g>'
        )
    for caption in picture.captions:
        out.append(
            f'<text x="{_n(caption.x)}" y="{_n(caption.y)}" class="small" '
            f'font-weight="600">{_e(caption.text)}</text>'
        )
    boxes = {node.id: node for node in picture.nodes}
    boxes.update(
        (g.id, Node(g.id, "loop", g.label, g.x, g.y, g.width, g.height)) for g in picture.groups
    )
    out.append('<g class="edges" fill="none">')
    pairs = {(edge.source, edge.target) for edge in picture.edges}
    for edge in picture.edges:
        if edge.source in boxes and edge.target in boxes:
            # Two loops depending on each other: draw the two lines side by side, not on top.
            offset = 5.0 if (edge.target, edge.source) in pairs else 0.0
            out.append(_edge(edge, boxes[edge.source], boxes[edge.target], prefix, offset))
    out.append("</g>")
    for node in picture.nodes:
        out.append(_node(node))
    out.append(_legend(picture, height - LEGEND_HEIGHT + 12))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _anchor(node: Node, towards: tuple[float, float]) -> tuple[float, float]:
    """Where the line from the node's centre towards a point leaves the node's border."""
    cx, cy = node.x + node.width / 2, node.y + node.height / 2
    dx, dy = towards[0] - cx, towards[1] - cy
    if dx == 0 and dy == 0:
        return cx, cy
    scale = min(
        (node.width / 2) / abs(dx) if dx else math.inf,
        (node.height / 2) / abs(dy) if dy else math.inf,
    )
    return cx + dx * scale, cy + dy * scale


def _edge(edge: Edge, source: Node, target: Node, prefix: str, offset: float = 0.0) -> str:
    colour = EDGE_COLOUR
    if source.kind == "interface" and source.stability in STABILITY_COLOURS:
        colour = STABILITY_COLOURS[source.stability]
    width = 1.2 if edge.weight <= 1 else 1.2 + min(6.0, math.log2(edge.weight))
    if target.x >= source.x + source.width:
        # Left to right (the neighbourhood picture): a smooth horizontal curve.
        x1, y1 = source.x + source.width, source.y + source.height / 2 + offset
        x2, y2 = target.x, target.y + target.height / 2 + offset
        bend = (x2 - x1) / 2
        path = (
            f"M{_n(x1)},{_n(y1)} C{_n(x1 + bend)},{_n(y1)} "
            f"{_n(x2 - bend)},{_n(y2)} {_n(x2)},{_n(y2)}"
        )
    else:
        x1, y1 = _anchor(source, (target.x + target.width / 2, target.y + target.height / 2))
        x2, y2 = _anchor(target, (source.x + source.width / 2, source.y + source.height / 2))
        if offset:
            length = math.hypot(x2 - x1, y2 - y1) or 1.0
            nx, ny = -(y2 - y1) / length * offset, (x2 - x1) / length * offset
            x1, y1, x2, y2 = x1 + nx, y1 + ny, x2 + nx, y2 + ny
        path = f"M{_n(x1)},{_n(y1)} L{_n(x2)},{_n(y2)}"
    marker = "" if target.kind == "interface" else f' marker-end="url(#{prefix}-arrow)"'
    dash = ' stroke-dasharray="5 4" stroke-opacity="0.7"' if edge.kind == "aggregate" else ""
    line = (
        f'<path d="{path}" stroke="{colour}" stroke-width="{_n(width)}"{dash}{marker}>'
        f"<title>{_e(_edge_title(edge, source, target))}</title></path>"
    )
    if edge.label and edge.kind == "aggregate":
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2 - 4
        line += (
            f'<text x="{_n(mx)}" y="{_n(my)}" class="edge-label" '
            f'text-anchor="middle">{_e(edge.label)}</text>'
        )
    return line


def _edge_title(edge: Edge, source: Node, target: Node) -> str:
    if edge.kind == "aggregate":
        return f"{target.label} depends on {source.label}: {edge.weight}"
    return f"{source.label} → {target.label}"


def _node(node: Node) -> str:
    x, y, w, h = _n(node.x), _n(node.y), _n(node.width), _n(node.height)
    tooltip = f"<title>{_e(node.tooltip or node.label)}</title>"
    text_x, text_y = _n(node.x + node.width / 2), _n(node.y + node.height / 2 + 4.5)
    if node.kind == "interface":
        colour = STABILITY_COLOURS.get(node.stability or "", "#9ca3af")
        cx, cy = _n(node.x + node.width / 2), _n(node.y + node.height / 2)
        return (
            f'<g class="interface">{tooltip}<circle cx="{cx}" cy="{cy}" r="5" '
            f'fill="{colour}"/><text x="{cx}" y="{_n(node.y - 3)}" class="small" '
            f'text-anchor="middle">{_e(node.label)}</text></g>'
        )
    if node.kind in ("more", "loop"):
        lines = f'<text x="{text_x}" y="{text_y}" text-anchor="middle">{_e(node.label)}</text>'
        if node.kind == "loop":
            lines = (
                f'<text x="{text_x}" y="{_n(node.y + 22)}" text-anchor="middle" '
                f'font-weight="600">{_e(node.label)}</text><text x="{text_x}" '
                f'y="{_n(node.y + 40)}" class="small" text-anchor="middle">'
                f"{node.count} products</text>"
            )
        return (
            f'<g class="{node.kind}">{tooltip}<rect x="{x}" y="{y}" width="{w}" height="{h}" '
            f'rx="8" fill="#f1f5f9" stroke="#64748b" stroke-dasharray="4 3"/>{lines}</g>'
        )
    fill, stroke = STAGE_COLOURS.get(node.stage or "", DEFAULT_COLOURS)
    stroke_width = "3" if node.highlight else "1.2"
    weight = ' font-weight="700"' if node.highlight else ""
    body = (
        f'<g class="product">{tooltip}<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="6" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="{stroke_width}"/>'
        f'<text x="{text_x}" y="{text_y}" text-anchor="middle"{weight}>{_e(node.label)}</text></g>'
    )
    if node.href:
        return f'<a href="{_e(node.href)}">{body}</a>'
    return body


def _legend(picture: Picture, y: float) -> str:
    stages = sorted(
        {n.stage for n in picture.nodes if n.stage}, key=lambda s: list(STAGE_COLOURS).index(s)
        if s in STAGE_COLOURS else len(STAGE_COLOURS)
    )  # fmt: skip
    parts = ['<g class="legend">']
    x = 12.0
    for stage in stages:
        fill, stroke = STAGE_COLOURS.get(stage, DEFAULT_COLOURS)
        parts.append(
            f'<rect x="{_n(x)}" y="{_n(y)}" width="14" height="14" rx="3" fill="{fill}" '
            f'stroke="{stroke}"/><text x="{_n(x + 20)}" y="{_n(y + 11)}" class="small">'
            f"{_e(stage)}</text>"
        )
        x += 40 + 7 * len(stage)
    if any(n.kind == "interface" for n in picture.nodes):
        for stability, colour in STABILITY_COLOURS.items():
            parts.append(
                f'<circle cx="{_n(x + 6)}" cy="{_n(y + 7)}" r="5" fill="{colour}"/>'
                f'<text x="{_n(x + 16)}" y="{_n(y + 11)}" class="small">{stability}</text>'
            )
            x += 36 + 7 * len(stability)
    parts.append("</g>")
    return "".join(parts)
