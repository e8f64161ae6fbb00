"""`productize manage ARGS...`: Django's management commands, with productize's settings."""

from __future__ import annotations

import argparse
from typing import Any

from productize.commands.django_setup import setup_django

EXAMPLES = """\
examples:
  productize manage migrate
  productize manage createsuperuser
  productize manage showmigrations
  productize manage help            (every management command)
"""


def register(subparsers: Any) -> None:
    """Add the `manage` subcommand."""
    parser = subparsers.add_parser(
        "manage",
        help="run a Django management command (migrate, createsuperuser, shell, ...)",
        description="Pass the arguments through to Django's management commands, with the "
        "same settings (PRODUCTIZE_* variables, DATABASE_URL) as every other command.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "arguments", nargs=argparse.REMAINDER, metavar="ARGS", help="command and its options"
    )
    parser.set_defaults(handler=handle)


def migrate_quietly() -> None:
    """Apply pending migrations (creating the data directory and database when missing)."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor

    database = settings.DATABASES[DEFAULT_DB_ALIAS]
    name = str(database["NAME"])
    if str(database["ENGINE"]).endswith("sqlite3") and name != ":memory:":
        from pathlib import Path

        Path(name).parent.mkdir(parents=True, exist_ok=True)
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", interactive=False, verbosity=0)


def handle(args: argparse.Namespace) -> int:
    """Run `django-admin ARGS` in this process."""
    setup_django()
    from django.core.management import execute_from_command_line

    arguments = list(args.arguments)
    if arguments[:1] == ["--"]:
        arguments = arguments[1:]
    execute_from_command_line(["productize manage", *(arguments or ["help"])])
    return 0
