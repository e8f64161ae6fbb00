"""`productize source add|list|remove|refresh`: the registered sources of the catalog."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from productize.commands.django_setup import setup_django

EXAMPLES = """\
examples:
  productize source add catalog /srv/acme/catalog --every 15
  productize source add platform https://git.example.com/acme/platform.git --branch main
  productize source add infra 'https://ci:${GIT_TOKEN}@git.example.com/acme/infra.git'
  productize source add portal /srv/backstage --format backstage
  productize source add services /srv/services --backstage-names 'catalog-info.yaml,*.entity.yaml'
  productize source list
  productize source refresh platform
  productize source remove platform --yes

A git URL never holds a literal password or token: write `${VARIABLE}` and set the variable
in the environment of `productize worker` (and of this command, for `refresh`).
"""


def register(subparsers: Any) -> None:
    """Add the `source` subcommand and its actions."""
    parser = subparsers.add_parser(
        "source",
        help="register, list, refresh and remove the sources the catalog is read from",
        description="A source is a directory or git repository (optionally a branch and a "
        "sub-path) whose descriptors feed the catalog. `productize worker` refreshes sources "
        "on their schedule.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    add = actions.add_parser(
        "add",
        help="register a source",
        description="Register a directory or git repository. Prints the webhook secret once.",
        epilog="example: productize source add catalog https://git.example.com/acme/catalog.git "
        "--branch main --every 30",
    )
    add.add_argument("name", help="short name: lower-case letters, digits and hyphens")
    add.add_argument("location", metavar="LOCATION", help="a directory path or a git URL")
    add.add_argument("--branch", default="", help="git branch or tag (default: HEAD)")
    add.add_argument("--subpath", default="", help="read only this directory inside it")
    add.add_argument(
        "--every",
        type=int,
        default=60,
        metavar="MINUTES",
        help="refresh every MINUTES minutes in `productize worker`; 0 = only on request "
        "(default: 60)",
    )
    add.add_argument(
        "--format",
        choices=("auto", "backstage"),
        default="auto",
        help="which files are read, and as what. auto (default): productize descriptors "
        "(product.yaml, *.productize.yaml...) plus Backstage files with the Backstage names; "
        "backstage: every .yaml/.yml file, read as a Backstage catalog file",
    )
    add.add_argument(
        "--backstage-names",
        default="",
        metavar="NAMES",
        help="comma-separated file names or glob patterns of the Backstage files to read, e.g. "
        "'catalog-info.yaml,all.yaml' (default: the PRODUCTIZE_BACKSTAGE_FILE_NAMES setting, "
        "catalog-info.yaml and catalog-info.yml); names, not paths",
    )
    add.add_argument(
        "--no-webhook", action="store_true", help="do not create a webhook secret for it"
    )
    add.set_defaults(handler=handle_add)

    listing = actions.add_parser("list", help="list the registered sources and their last run")
    listing.set_defaults(handler=handle_list)

    remove = actions.add_parser(
        "remove",
        help="remove a source and everything it declared",
        description="Remove the source, its runs, and every catalog entity it declared.",
        epilog="example: productize source remove platform --yes",
    )
    remove.add_argument("name")
    remove.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    remove.set_defaults(handler=handle_remove)

    refresh = actions.add_parser(
        "refresh",
        help="ingest a source now",
        description="Read the source now and apply what changed (or, with --later, ask the "
        "worker to do it on its next pass).",
        epilog="example: productize source refresh platform",
    )
    refresh.add_argument("name")
    refresh.add_argument("--later", action="store_true", help="leave it to `productize worker`")
    refresh.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    refresh.set_defaults(handler=handle_refresh)


def _setup() -> None:
    setup_django()
    from productize.commands.manage import migrate_quietly

    migrate_quietly()


def _find(name: str) -> Any:
    from productize.ingest.models import Source

    source = Source.objects.filter(name=name).first()
    if source is None:
        known = ", ".join(Source.objects.values_list("name", flat=True)[:20]) or "none yet"
        print(f"productize source: no source named `{name}` (sources: {known})", file=sys.stderr)
    return source


def _names(text: str) -> str:
    """`a.yaml, b.yaml` -> `a.yaml,b.yaml` (blank entries dropped)."""
    return ",".join(name.strip() for name in text.split(",") if name.strip())


def _files(source: Any) -> str:
    """Which files a source reads, in words."""
    names = source.backstage_names or "the PRODUCTIZE_BACKSTAGE_FILE_NAMES setting"
    if source.format == "backstage":
        return "every .yaml/.yml file as Backstage" + (
            f" (Backstage names: {source.backstage_names})" if source.backstage_names else ""
        )
    return f"productize descriptors and Backstage files named {names}"


def handle_add(args: argparse.Namespace) -> int:
    """Register a source and print its webhook secret once."""
    _setup()
    from django.core.exceptions import ValidationError

    from productize.audit.services import Actor
    from productize.commands.ingest import print_validation_error
    from productize.ingest.redact import redact_text, redact_url
    from productize.ingest.services import source_add

    try:
        source, secret = source_add(
            actor=Actor.system("cli"),
            name=args.name,
            location=args.location,
            branch=args.branch,
            subpath=args.subpath,
            schedule_minutes=args.every,
            webhook=not args.no_webhook,
            format=args.format,
            backstage_names=_names(args.backstage_names),
        )
    except ValidationError as error:
        print_validation_error("source add", error, redact_text)
        return 2
    every = f"every {source.schedule_minutes} min" if source.schedule_minutes else "on request"
    print(f"added source {source.name}: {source.kind} {redact_url(source.location)} ({every})")
    print(f"  files: {_files(source)}")
    if secret:
        print(f"webhook secret (shown once, store it now): {secret}")
        print(
            f"  push webhook: POST /api/v1/sources/{source.pk}/refresh "
            "with the secret in the X-Productize-Secret header"
        )
    print(f"run `productize source refresh {source.name}` to read it now")
    return 0


def handle_list(args: argparse.Namespace) -> int:
    """A table of the sources with their latest run."""
    _setup()
    from django.db.models import Count, Q
    from rich import box
    from rich.table import Table

    from productize.commands.ingest import stdout_console
    from productize.ingest.models import IngestRun, Source
    from productize.ingest.redact import redact_url

    sources = Source.objects.annotate(
        open_problems=Count("problems", filter=Q(problems__current=True))
    )
    table = Table(title="sources", title_justify="left", box=box.SIMPLE_HEAD)
    columns = ("name", "kind", "location", "branch", "sub-path", "format", "every", "last run")
    for column in (*columns, "status"):
        table.add_column(column)
    table.add_column("problems", justify="right")
    for source in sources:
        run = IngestRun.objects.filter(source=source).order_by("-started_at").first()
        table.add_row(
            source.name + ("" if source.enabled else " (disabled)"),
            source.kind,
            redact_url(source.location),
            source.branch,
            source.subpath,
            source.format + (f" ({source.backstage_names})" if source.backstage_names else ""),
            f"{source.schedule_minutes} min" if source.schedule_minutes else "on request",
            f"{run.started_at:%Y-%m-%d %H:%M}" if run else "never",
            run.status if run else "",
            str(source.open_problems),
        )
    stdout_console().print(table)
    return 0


def handle_remove(args: argparse.Namespace) -> int:
    """Remove a source (after confirmation) with everything it declared."""
    _setup()
    from productize.audit.services import Actor
    from productize.ingest.services import source_remove

    source = _find(args.name)
    if source is None:
        return 2
    if not args.yes:
        if not sys.stdin.isatty():
            print("productize source remove: pass --yes to confirm", file=sys.stderr)
            return 2
        answer = input(f"remove source {source.name} and every entity it declared? [y/N] ")
        if answer.strip().lower() not in {"y", "yes"}:
            print("nothing removed")
            return 1
    removed = source_remove(
        actor=Actor.system("cli"), source=source, reason="productize source remove"
    )
    print(f"removed source {args.name} and {removed} catalog entities it declared")
    return 0


def handle_refresh(args: argparse.Namespace) -> int:
    """Ingest the source now (or ask the worker to)."""
    _setup()
    from productize.audit.services import Actor
    from productize.commands.ingest import (
        exit_status,
        print_problems,
        progress_bar,
        stderr_console,
        stdout_console,
        summary_table,
    )
    from productize.ingest.runner import ingest_source
    from productize.ingest.services import source_request_refresh

    source = _find(args.name)
    if source is None:
        return 2
    if args.later:
        source_request_refresh(actor=Actor.system("cli"), source=source)
        print(f"source {source.name} will be refreshed on the worker's next pass")
        return 0
    with progress_bar(stderr_console(), source.name, enabled=not args.quiet) as progress:
        run = ingest_source(source=source, actor=Actor.system("cli"), progress=progress)
    out = stdout_console()
    out.print(summary_table([run]))
    print_problems(out, [run], 20)
    return exit_status([run])
