"""Text exports of a picture: Graphviz DOT, Mermaid (`flowchart LR`) and JSON."""

from __future__ import annotations

import json

from productize.domain.graph_render.model import (
    DEFAULT_COLOURS,
    STABILITY_COLOURS,
    STAGE_COLOURS,
    Node,
    Picture,
)


def _dot(text: str) -> str:
    """A DOT double-quoted string (backslashes, quotes and line breaks escaped)."""
    cleaned = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + cleaned.replace("\r", "").replace("\n", "\\n") + '"'


def to_dot(picture: Picture) -> str:
    """The picture as a Graphviz digraph; loops become clusters, links become URLs."""
    lines = [
        f"digraph {_dot(picture.title)} {{",
        "  rankdir=LR; compound=true;",
        f"  label={_dot(picture.title)}; labelloc=t;",
        '  node [shape=box, style="rounded,filled", fontname="sans-serif", fontsize=11];',
        '  edge [color="#64748b"];',
    ]
    members: dict[str | None, list[Node]] = {}
    for node in picture.nodes:
        members.setdefault(node.group, []).append(node)
    for index, group in enumerate(picture.groups):
        lines.append(f"  subgraph cluster_{index} {{")
        lines.append(f'    label={_dot(group.label)}; style="rounded"; color="#cbd5e1";')
        # An invisible point stands for the loop so edges can end at the cluster.
        lines.append(f"    {_dot(group.id)} [shape=point, style=invis, width=0];")
        lines.extend("    " + _dot_node(node) for node in members.get(group.id, []))
        lines.append("  }")
    lines.extend("  " + _dot_node(node) for node in members.get(None, []))
    clusters = {group.id: f"cluster_{i}" for i, group in enumerate(picture.groups)}
    for edge in picture.edges:
        attributes = []
        if edge.label:
            attributes.append(f"label={_dot(edge.label)}")
        if edge.kind == "aggregate":
            attributes.append(f"style=dashed, penwidth={min(1 + edge.weight / 5, 6):.1f}")
        if edge.source in clusters:
            attributes.append(f"ltail={clusters[edge.source]}")
        if edge.target in clusters:
            attributes.append(f"lhead={clusters[edge.target]}")
        suffix = f" [{', '.join(attributes)}]" if attributes else ""
        lines.append(f"  {_dot(edge.source)} -> {_dot(edge.target)}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_node(node: Node) -> str:
    tooltip = f"tooltip={_dot(node.tooltip or node.label)}"
    if node.kind == "interface":
        colour = STABILITY_COLOURS.get(node.stability or "", "#9ca3af")
        attributes = ['label=""', f"xlabel={_dot(node.label)}", tooltip, "shape=circle"]
        attributes += ["width=0.15", f"fillcolor={_dot(colour)}", "fontsize=9"]
    elif node.kind in ("more", "loop"):
        text = f"{node.label} ({node.count} products)" if node.kind == "loop" else node.label
        attributes = [f"label={_dot(text)}", tooltip, 'fillcolor="#f1f5f9"']
        attributes.append('style="rounded,dashed,filled"')
    else:
        fill, stroke = STAGE_COLOURS.get(node.stage or "", DEFAULT_COLOURS)
        attributes = [f"label={_dot(node.label)}", tooltip]
        attributes += [f"fillcolor={_dot(fill)}", f"color={_dot(stroke)}"]
        if node.highlight:
            attributes.append("penwidth=3")
    if node.href:
        attributes.append(f"URL={_dot(node.href)}")
    return f"{_dot(node.id)} [{', '.join(attributes)}];"


def _mermaid(text: str) -> str:
    """A Mermaid label: quoted, with characters Mermaid or HTML would interpret as entities."""
    out = []
    for char in text.replace("\r", "").replace("\n", " "):
        if char in '"#&<>`;[]{}()|\\' or ord(char) < 32:
            out.append(f"#{ord(char)};")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def to_mermaid(picture: Picture) -> str:
    """The picture as a Mermaid `flowchart LR` with subgraphs, click links and stage classes."""
    ids = {node.id: f"n{i}" for i, node in enumerate(picture.nodes)}
    ids.update({group.id: f"g{i}" for i, group in enumerate(picture.groups)})
    lines = ["flowchart LR"]
    members: dict[str | None, list[Node]] = {}
    for node in picture.nodes:
        members.setdefault(node.group, []).append(node)
    for group in picture.groups:
        lines.append(f"  subgraph {ids[group.id]}[{_mermaid(group.label)}]")
        lines.extend(
            "    " + _mermaid_node(ids[node.id], node) for node in members.get(group.id, [])
        )
        lines.append("  end")
    lines.extend("  " + _mermaid_node(ids[node.id], node) for node in members.get(None, []))
    for edge in picture.edges:
        if edge.source not in ids or edge.target not in ids:
            continue
        arrow = "-.->" if edge.kind == "aggregate" else "-->"
        label = f"|{_mermaid(edge.label)}|" if edge.label else ""
        lines.append(f"  {ids[edge.source]} {arrow}{label} {ids[edge.target]}")
    for node in picture.nodes:
        if node.href:
            lines.append(
                f"  click {ids[node.id]} href {_mermaid(node.href)} {_mermaid(node.tooltip)}"
            )
    used = sorted({node.stage for node in picture.nodes if node.stage in STAGE_COLOURS})
    for stage in used:
        fill, stroke = STAGE_COLOURS[stage]
        lines.append(f"  classDef {stage} fill:{fill},stroke:{stroke},color:#111827")
        members_of_stage = [ids[n.id] for n in picture.nodes if n.stage == stage]
        lines.append(f"  class {','.join(members_of_stage)} {stage}")
    return "\n".join(lines) + "\n"


def _mermaid_node(node_id: str, node: Node) -> str:
    label = _mermaid(node.label)
    if node.kind == "interface":
        return f"{node_id}(({label}))"
    if node.kind == "loop":
        return f"{node_id}[[{_mermaid(f'{node.label} ({node.count} products)')}]]"
    if node.kind == "more":
        return f"{node_id}>{label}]"
    return f"{node_id}[{label}]"


def to_json(picture: Picture) -> str:
    """The picture's nodes, edges and groups as JSON (positions included)."""
    return json.dumps(picture.as_dict(), indent=2, ensure_ascii=False) + "\n"
