"""`productize demo`: the bundled example organisation in a fresh database, served."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from productize.commands.django_setup import setup_django

MARKER = ".productize-demo"
DATABASE_FILE = "productize.sqlite3"
EXAMPLES = """\
examples:
  productize demo                       (http://127.0.0.1:8000)
  productize demo --port 8080
  productize demo --data-dir /tmp/demo --no-serve

The demo always uses a fresh SQLite database in its own data directory (default:
PRODUCTIZE_DATA_DIR, else ./data/demo), whatever DATABASE_URL says. It only ever replaces a
database that an earlier `productize demo` created.
"""


def register(subparsers: Any) -> None:
    """Add the `demo` subcommand."""
    from productize.commands.serve import add_server_arguments

    parser = subparsers.add_parser(
        "demo",
        help="load the bundled example organisation into a fresh database and serve it",
        description="Create a fresh SQLite database, load the example organisation that ships "
        "with productize, say what it holds, and serve it.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="where the demo database lives (default: PRODUCTIZE_DATA_DIR or ./data/demo)",
    )
    parser.add_argument(
        "--no-serve", action="store_true", help="load the demo and exit without serving"
    )
    add_server_arguments(parser)
    parser.set_defaults(handler=handle)


def demo_org_directory() -> Path:
    """The example organisation's descriptors, inside the installed package."""
    import productize.demo

    return Path(productize.demo.__file__).resolve().parent / "org"


def _fresh_database(data_dir: Path) -> str | None:
    """Remove the previous demo database; return an error message instead when the directory
    holds a database the demo did not create."""
    database = data_dir / DATABASE_FILE
    if database.exists() and not (data_dir / MARKER).exists():
        return (
            f"{database} exists and was not created by `productize demo`; "
            "pick another directory with --data-dir"
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        (data_dir / f"{DATABASE_FILE}{suffix}").unlink(missing_ok=True)
    (data_dir / MARKER).write_text("created by `productize demo`; safe to delete\n")
    return None


def handle(args: argparse.Namespace) -> int:
    """Fresh database, migrate, ingest the demo organisation, print a summary, serve."""
    default_dir = os.environ.get("PRODUCTIZE_DATA_DIR") or "data/demo"
    data_dir = (args.data_dir or Path(default_dir)).expanduser().resolve()
    problem = _fresh_database(data_dir)
    if problem:
        print(f"productize demo: {problem}", file=sys.stderr)
        return 2
    # Settings are read when Django starts: point them at the demo's own SQLite file first.
    os.environ["PRODUCTIZE_DATA_DIR"] = str(data_dir)
    # A newcomer should see the catalog before signing in; the demo users show the roles.
    os.environ.setdefault("PRODUCTIZE_ANONYMOUS_READ", "1")
    if os.environ.pop("DATABASE_URL", None):
        print("productize demo: ignoring DATABASE_URL; the demo uses its own SQLite file")
    setup_django()
    from productize.accounts.bootstrap import DEMO_PASSWORD, DEMO_USERS, create_demo_users
    from productize.catalog.models import Interface, Loop, Person, Product, Team
    from productize.commands.manage import migrate_quietly
    from productize.commands.serve import prepare_and_serve
    from productize.ingest.models import IngestProblem
    from productize.ingest.runner import ingest_path

    migrate_quietly()
    run = ingest_path(location=demo_org_directory())
    if run.status == "failed":
        print(f"productize demo: loading failed: {run.message}", file=sys.stderr)
        return 1
    current = IngestProblem.objects.filter(current=True)
    errors = current.filter(severity="error").count()
    warnings = current.filter(severity="warning").count()
    print(
        f"loaded the demo organisation into {data_dir / DATABASE_FILE}:\n"
        f"  {Product.objects.count()} products, {Interface.objects.count()} interfaces, "
        f"{Loop.objects.count()} loops, {Team.objects.count()} teams, "
        f"{Person.objects.count()} people; {errors} error(s), {warnings} warning(s)"
    )
    from productize.demo.loop.loader import load_with_progress

    print(f"  and a living feedback loop: {load_with_progress().line()}")
    create_demo_users()
    print(f"sign in as any of these (password `{DEMO_PASSWORD}`, for this demo only):")
    for user in DEMO_USERS:
        print(f"  {user.username:<8} {user.role}")
    if args.no_serve:
        return 0
    return prepare_and_serve(args)
