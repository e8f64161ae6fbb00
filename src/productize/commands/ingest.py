"""`productize ingest PATH_OR_GIT_URL ...`: read descriptors into the catalog."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from productize.commands.django_setup import setup_django

if TYPE_CHECKING:
    from rich.console import Console

    from productize.ingest.models import IngestRun
    from productize.ingest.runner import Progress

EXAMPLES = """\
examples:
  productize ingest ./catalog
  productize ingest https://git.example.com/acme/catalog.git --branch main --subpath products
  productize ingest 'https://ci:${GIT_TOKEN}@git.example.com/acme/catalog.git'
  productize ingest ./team-a ./team-b
  productize ingest ./backstage-repo                 catalog-info.yaml files are read too
  productize ingest --format backstage ./catalog      every YAML file read as Backstage

Each location becomes a source (listed by `productize source list`) so that the next run only
reads the files that changed. Exit status: 0 when everything landed, 1 when a file had errors
or a run failed, 2 for a location that is neither a directory nor a git URL.
"""


def register(subparsers: Any) -> None:
    """Add the `ingest` subcommand."""
    parser = subparsers.add_parser(
        "ingest",
        help="read descriptor files (and Backstage catalog-info.yaml) from directories or git "
        "repositories into the catalog",
        description="Read every descriptor under each location into the catalog: changed "
        "files are checked (same rules as `productize check`) and applied, unchanged ones "
        "skipped, deleted ones removed. Git repositories are shallow-cloned into a "
        "temporary directory that is always removed.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "locations", nargs="+", metavar="PATH_OR_GIT_URL", help="a directory or git URL"
    )
    parser.add_argument("--branch", default="", help="git branch or tag to read (default: HEAD)")
    parser.add_argument(
        "--subpath", default="", help="read only this directory inside the location"
    )
    parser.add_argument(
        "--problems",
        type=int,
        default=20,
        metavar="N",
        help="list at most N problems after the summary (default: 20)",
    )
    parser.add_argument(
        "--format",
        choices=("auto", "backstage"),
        default=None,
        help="auto (default for a new location): productize descriptors plus Backstage "
        "files named catalog-info.yaml/.yml; backstage: read every .yaml/.yml file as a "
        "Backstage catalog file (remembered for the location)",
    )
    parser.add_argument(
        "--backstage-names",
        default=None,
        metavar="NAMES",
        help="comma-separated names or glob patterns of Backstage files, e.g. "
        "'catalog-info.yaml,all.yaml' (default: PRODUCTIZE_BACKSTAGE_FILE_NAMES; remembered)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(handler=handle)


def stderr_console() -> Console:
    """A rich console on stderr (progress and notices), stdout stays for results."""
    from rich.console import Console

    return Console(stderr=True)


@contextmanager
def progress_bar(console: Console, label: str, *, enabled: bool) -> Iterator[Progress]:
    """A rich progress bar fed by the ingest runner's `(phase, done, total)` callback."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not enabled or not console.is_terminal,
    )
    tasks: dict[str, Any] = {}

    def update(phase: str, done: int, total: int) -> None:
        if phase not in tasks:
            tasks[phase] = bar.add_task(f"{label}: {phase}", total=max(total, 1))
        bar.update(tasks[phase], completed=done, total=max(total, 1))

    with bar:
        yield update


def summary_table(runs: Sequence[IngestRun]) -> Any:
    """A rich table with one line per run."""
    from rich import box
    from rich.table import Table

    table = Table(title="ingest", title_justify="left", box=box.SIMPLE_HEAD)
    for column in ("source", "status", "files", "changed", "skipped"):
        table.add_column(column, justify="left" if column in ("source", "status") else "right")
    for column in ("created", "updated", "removed", "errors", "warnings"):
        table.add_column(column, justify="right")
    for run in runs:
        colour = {"succeeded": "green", "partial": "yellow", "failed": "red"}.get(run.status, "")
        table.add_row(
            run.source.name if run.source else run.location,
            f"[{colour}]{run.get_status_display()}[/]" if colour else run.status,
            str(run.files_seen),
            str(run.files_changed),
            str(run.files_skipped),
            str(run.created),
            str(run.updated),
            str(run.removed),
            str(run.errors),
            str(run.warnings),
        )
    return table


def print_problems(console: Console, runs: Sequence[IngestRun], limit: int) -> None:
    """The runs' failure messages and current problems, `path:line:col: severity[code]: ...`."""
    from productize.ingest.models import IngestProblem

    for run in runs:
        if run.message:
            console.print(f"[red]{run.source.name if run.source else run.location}:[/] ", end="")
            console.print(run.message, markup=False, highlight=False, soft_wrap=True)
    if limit <= 0:
        return
    sources = [run.source_id for run in runs if run.source_id]
    problems = IngestProblem.objects.filter(source_id__in=sources, current=True).order_by(
        "source__name", "path", "line", "column"
    )
    total = problems.count()
    for problem in problems[:limit]:
        text = (
            f"{problem.path}:{problem.line}:{problem.column}: "
            f"{problem.severity}[{problem.code}]: {problem.message}"
        )
        if problem.hint:
            text += f" — {problem.hint}"
        console.print(text, markup=False, highlight=False, soft_wrap=True)
    if total > limit:
        console.print(f"… and {total - limit} more (see the source page, or raise --problems)")


def print_validation_error(command: str, error: Any, redact: Any = None) -> None:
    """`productize COMMAND: field: message` lines on stderr for a `ValidationError`."""
    fields = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    for field, messages in fields.items():
        for message in messages:
            text = redact(message) if redact else message
            prefix = f"{field}: " if field and field != "__all__" else ""
            print(f"productize {command}: {prefix}{text}", file=sys.stderr)


def stdout_console() -> Console:
    """A rich console on stdout; wide when it is not a terminal, so logs keep whole lines."""
    from rich.console import Console

    console = Console()
    return console if console.is_terminal else Console(width=160)


def exit_status(runs: Sequence[IngestRun]) -> int:
    """1 when any run failed or found errors, else 0."""
    return 1 if any(run.status == "failed" or run.errors for run in runs) else 0


def handle(args: argparse.Namespace) -> int:
    """Ingest each location in turn and print a summary."""
    setup_django()
    from django.core.exceptions import ValidationError

    from productize.commands.manage import migrate_quietly
    from productize.ingest.redact import redact_text, redact_url
    from productize.ingest.runner import ingest_path

    migrate_quietly()
    err = stderr_console()
    runs = []
    for location in args.locations:
        with progress_bar(err, redact_url(location), enabled=not args.quiet) as progress:
            try:
                run = ingest_path(
                    location=location,
                    branch=args.branch,
                    subpath=args.subpath,
                    progress=progress,
                    format=args.format,
                    backstage_names=args.backstage_names,
                )
            except ValidationError as error:
                print_validation_error("ingest", error, redact_text)
                return 2
        runs.append(run)
    out = stdout_console()
    out.print(summary_table(runs))
    print_problems(out, runs, args.problems)
    return exit_status(runs)
