"""`productize graph neighbours|impact|hubs|cycles|map [SLUG]`: the product graph from the CLI."""

from __future__ import annotations

import argparse
import json
import sys
from typing import IO, Any

from productize.commands.django_setup import setup_django

EXAMPLES = """\
examples:
  productize graph neighbours orders --depth 2
  productize graph impact orders                 who to tell if orders changes
  productize graph impact orders/api --format json
  productize graph hubs --top 5
  productize graph cycles
  productize graph map --format svg > map.svg    the organisation map
  productize graph neighbours orders --format mermaid

formats: text (default), json, and for neighbours and map also dot, mermaid and svg
exit status: 0 done, 1 unknown product or interface, 2 usage problem
"""
ACTIONS = ("neighbours", "impact", "hubs", "cycles", "map")
PICTURE_FORMATS = ("dot", "mermaid", "svg")


def register(subparsers: Any) -> None:
    """Add the `graph` subcommand."""
    parser = subparsers.add_parser(
        "graph",
        help="query the product graph: neighbours, impact, hubs, cycles, map",
        description="Ask the stored catalog's product graph who depends on whom.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("action", choices=ACTIONS, help="what to ask")
    parser.add_argument(
        "target", nargs="?", default="", metavar="SLUG", help="a product id (or `product/name`)"
    )
    parser.add_argument("--depth", type=int, default=1, help="hops for neighbours (default 1)")
    parser.add_argument("--top", type=int, default=10, help="how many hubs (default 10)")
    parser.add_argument("--limit", type=int, default=50, help="rows to print (default 50)")
    parser.add_argument(
        "--format",
        choices=("text", "json", *PICTURE_FORMATS),
        default="text",
        help="text (default), json, dot, mermaid or svg",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, out: IO[str] | None = None) -> int:
    """Answer the question on stdout."""
    out = out or sys.stdout
    if args.action in ("neighbours", "impact") and not args.target:
        print(f"productize graph {args.action}: a product id is required", file=sys.stderr)
        return 2
    if args.format in PICTURE_FORMATS and args.action not in ("neighbours", "map"):
        print(
            f"productize graph {args.action}: --format {args.format} only draws neighbours "
            "and map; use text or json",
            file=sys.stderr,
        )
        return 2
    if args.depth < 0 or args.depth > 5:
        print("productize graph: --depth must be between 0 and 5", file=sys.stderr)
        return 2
    setup_django()
    from productize.commands.manage import migrate_quietly
    from productize.domain.graph import UnknownNodeError
    from productize.graph.selectors import product_graph

    migrate_quietly()
    graph = product_graph()
    try:
        result = _answer(args, graph)
    except UnknownNodeError as error:
        print(f"productize graph: no product or interface `{error.args[0]}`", file=sys.stderr)
        return 1
    out.write(result if result.endswith("\n") else result + "\n")
    return 0


def _answer(args: argparse.Namespace, graph: Any) -> str:
    """The answer as text in the chosen format."""
    from productize.catalog.selectors import PageRequest
    from productize.domain.graph import UnknownNodeError
    from productize.domain.graph_render import neighbourhood_picture, org_map_picture, render
    from productize.graph import queries
    from productize.graph.selectors import loop_names

    fmt, action, target = args.format, args.action, args.target
    if action in ("neighbours", "map") and fmt in PICTURE_FORMATS:
        if action == "map":
            if target and target not in graph:
                raise UnknownNodeError(target)
            picture = org_map_picture(graph, loop_names=loop_names(), focus=target or None)
        else:
            picture = neighbourhood_picture(graph, target, max(args.depth, 1))
        return render(picture, fmt)
    if action == "neighbours":
        data = queries.neighbours_dict(graph.neighbours(target, args.depth), args.limit)
        if fmt == "json":
            return json.dumps(data, indent=2)
        lines = [
            f"{target}: {data['upstream_total']} providers, {data['downstream_total']} consumers"
        ]
        lines += [f"  ← {p['slug']} (depth {p['depth']})" for p in data["upstream"]]
        lines += [f"  → {c['slug']} (depth {c['depth']})" for c in data["downstream"]]
        return "\n".join(lines)
    if action == "impact":
        impact = graph.impact(target)
        data = queries.impact_dict(impact, PageRequest(1, args.limit))
        if fmt == "json":
            return json.dumps(data, indent=2)
        lines = [f"{data['count']} products depend on {target}"]
        for entry in impact.entries(0, args.limit):
            path = " → ".join(str(hop) for hop in entry.path)
            owners = ", ".join(entry.product.owners) or "no owner"
            lines.append(f"  {entry.slug} [{entry.product.stage}] depth {entry.depth}: {path}")
            lines.append(f"      tell: {owners}")
        if data["owners"]:
            lines.append("owners to tell:")
            lines += [f"  {o['owner']}: {', '.join(o['products'])}" for o in data["owners"]]
        return "\n".join(lines)
    if action == "hubs":
        found = graph.hubs(args.top)
        rows = [{"slug": r.slug, "direct": r.direct, "transitive": r.transitive} for r in found]
        if fmt == "json":
            return json.dumps(rows, indent=2)
        return "\n".join(
            f"{r['slug']}: {r['direct']} direct, {r['transitive']} in all" for r in rows
        )
    if action == "cycles":
        found = graph.cycles()
        if fmt == "json":
            return json.dumps([{"products": list(c.products), "path": c.text} for c in found])
        return "\n".join(c.summary() for c in found) or "no cycles"
    # map as text or json: loops with their products' count
    picture = org_map_picture(graph, loop_names=loop_names(), focus=target or None)
    if fmt == "json":
        return render(picture, "json")
    lines = [f"{group.label}: {group.count} products" for group in picture.groups]
    return "\n".join(lines) or "empty catalog"
