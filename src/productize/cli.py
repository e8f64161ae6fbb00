"""The `productize` command line: a thin dispatcher over the subcommand modules.

Each subcommand lives in `productize.commands.<name>` and exposes `register(subparsers)`,
which adds its parser and sets `handler` to a function `(args) -> int`. Modules are imported
when the parser is built, so they must keep heavy imports (Django above all) inside their
handlers: `productize check` must start fast and work without a database.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from productize import __version__

# Order is the order shown in `productize --help`.
COMMAND_MODULES: tuple[str, ...] = (
    "check",
    "assess",
    "schema",
    "ingest",
    "source",
    "feedback",
    "worker",
    "export",
    "graph",
    "serve",
    "createuser",
    "token",
    "demo",
    "manage",
)

EXIT_OK = 0
EXIT_ERRORS = 1
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="productize",
        description="Keep your organisation's products and run them as products.",
        epilog="Run `productize COMMAND --help` for the options of one command.",
    )
    parser.add_argument("--version", action="version", version=f"productize {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"productize.commands.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments and run the chosen subcommand; return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(handler(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
