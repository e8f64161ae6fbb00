"""`productize export DIR`: write the catalog back as descriptor files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from productize.commands.django_setup import setup_django

EXAMPLES = """\
examples:
  productize export ./catalog-backup
  productize export ./catalog --force     (write into a directory that already has files)

Writes organization.yaml, loops/teams/people.productize.yaml and products/<id>/product.yaml.
`productize ingest` of the result into an empty database gives the same catalog.

  productize export --format backstage ./backstage-catalog
Writes catalog-info.yaml (a Location) and the files it lists, valid for Backstage's catalog;
`productize ingest` of that directory into an empty database gives the same catalog too.
"""


def register(subparsers: Any) -> None:
    """Add the `export` subcommand."""
    parser = subparsers.add_parser(
        "export",
        help="write the catalog back as descriptor files (or Backstage catalog-info files)",
        description="Write every organisation, loop, team, person and product of the catalog "
        "as descriptor files under DIR.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("directory", metavar="DIR", type=Path, help="where to write the files")
    parser.add_argument(
        "--force", action="store_true", help="write even if DIR already holds files"
    )
    parser.add_argument(
        "--format",
        choices=("productize", "backstage"),
        default="productize",
        help="productize descriptors (default), or Backstage catalog-info files: Domains, "
        "Systems, Groups, Users, Components and APIs (docs/backstage.md)",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Export and say what was written."""
    setup_django()
    from productize.commands.ingest import progress_bar, stderr_console
    from productize.commands.manage import migrate_quietly
    from productize.ingest.export import ExportError, export_backstage_catalog, export_catalog

    migrate_quietly()
    if args.format == "backstage":
        try:
            with progress_bar(stderr_console(), "export", enabled=True) as progress:
                kinds = export_backstage_catalog(
                    args.directory,
                    overwrite=args.force,
                    progress=lambda done, total: progress("entities", done, total),
                )
        except ExportError as error:
            print(f"productize export: {error}", file=sys.stderr)
            return 2
        parts = [f"{count} {kind}" for kind, count in sorted(kinds.items())]
        print(f"wrote {', '.join(parts) or 'nothing'} to {args.directory}/catalog-info.yaml")
        return 0
    try:
        with progress_bar(stderr_console(), "export", enabled=True) as progress:
            counts = export_catalog(
                args.directory,
                overwrite=args.force,
                progress=lambda done, total: progress("products", done, total),
            )
    except ExportError as error:
        print(f"productize export: {error}", file=sys.stderr)
        return 2
    parts = [
        f"{counts[kind]} {kind}s" for kind in ("organization", "loop", "team", "person", "product")
    ]
    print(f"wrote {', '.join(parts)} to {args.directory}")
    return 0
