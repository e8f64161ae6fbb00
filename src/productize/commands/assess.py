"""`productize assess [--all | ID ...]`: run the stored assessment on demand."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(subparsers: Any) -> None:
    """Add the `assess` subcommand."""
    parser = subparsers.add_parser(
        "assess",
        help="assess products in the catalog and store the results",
        description="Assess products against the characteristics and store the results, "
        "their history and audit records. Only products whose inputs changed are judged "
        "again, unless --force.",
    )
    parser.add_argument("slugs", nargs="*", metavar="ID", help="product ids to assess")
    parser.add_argument("--all", action="store_true", help="assess every product")
    parser.add_argument(
        "--force", action="store_true", help="judge again even when no input changed"
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Assess and print what changed."""
    if bool(args.all) == bool(args.slugs):
        print("productize assess: error: give product ids or --all (not both)", file=sys.stderr)
        return 2
    from productize.commands.django_setup import setup_django

    setup_django()
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from productize.assessment.services import assess_all, assess_products
    from productize.audit.services import Actor
    from productize.catalog.models import Product

    actor = Actor.system("cli")
    if args.slugs:
        found = set(Product.objects.filter(slug__in=args.slugs).values_list("slug", flat=True))
        missing = [s for s in args.slugs if s not in found]
        if missing:
            print(
                f"productize assess: error: no product with id {', '.join(missing)}",
                file=sys.stderr,
            )
            return 1
    console = Console(stderr=True)
    with Progress(
        "assessing", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=True, disable=not console.is_terminal,
    ) as bar:  # fmt: skip
        task = bar.add_task("assess", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        if args.all:
            summary = assess_all(actor=actor, progress=progress, force=args.force)
        else:
            summary = assess_products(
                slugs=args.slugs, actor=actor, progress=progress, force=args.force
            )
    print(
        f"{summary.assessed} assessed, {summary.changed} changed, "
        f"{summary.unchanged} unchanged (no input changed)"
    )
    for problem in summary.problems:
        print(f"problem: {problem}", file=sys.stderr)
    return 0
