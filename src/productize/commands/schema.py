"""`productize schema`: print the JSON Schema of the descriptor format, for editors."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

EXAMPLES = """\
examples:
  productize schema > productize.schema.json
  productize schema --output .vscode/productize.schema.json

then, as the first line of a descriptor (yaml-language-server, e.g. VS Code's YAML extension):
  # yaml-language-server: $schema=.vscode/productize.schema.json
"""


def register(subparsers: Any) -> None:
    """Add the `schema` subcommand."""
    parser = subparsers.add_parser(
        "schema",
        help="print the JSON Schema of descriptor files (for editors)",
        description="Print the JSON Schema (draft 2020-12) of one descriptor document, "
        "generated from the same models `productize check` validates with.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--output", "-o", type=Path, metavar="FILE", help="write to FILE instead of stdout"
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Print or write the schema."""
    from productize.domain.schema import descriptor_json_schema

    text = json.dumps(descriptor_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        args.output.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"productize schema: error: cannot write {args.output}: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.output}", file=sys.stderr)
    return 0
