"""`productize check [PATH ...]`: validate descriptor files offline, as CI does.

No Django here, not even imported: the check must run without a database or settings.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterator
from typing import IO, Any

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
PROGRESS_MIN_FILES = 200  # below this the check is over before a bar is worth drawing

EXAMPLES = """\
examples:
  productize check                          every descriptor under the current directory
  productize check org/ services/           several trees, checked as one catalog
  productize check --format github .        annotations on the lines of a GitHub pull request
  productize check --format json . > report.json
  productize check --strict                 fail on warnings too
  productize check --partial product.yaml   a repository holding only part of the catalog
  productize check --against origin/main    also report breaking API changes since main
  productize check --assess --min-level established   scorecards; fail below a level
  productize check --assess --format sarif . > assess.sarif

descriptor files: product.yaml, organization.yaml (or organisation.yaml) and
*.productize.yaml, each also as .yml; .git, node_modules, vendor and dot-directories
are skipped, symbolic links are not followed.

Backstage files (catalog-info.yaml / .yml, or PRODUCTIZE_BACKSTAGE_FILE_NAMES) are
mapped and checked with the productize descriptors as one catalog, with the same rules
as `productize ingest` (docs/backstage.md); their Locations are followed.
  productize check --backstage ./catalog      every YAML file read as Backstage

exit status: 0 no errors, 1 errors (or warnings with --strict), 2 usage problem
"""


def register(subparsers: Any) -> None:
    """Add the `check` subcommand."""
    parser = subparsers.add_parser(
        "check",
        help="validate descriptor files (offline, no database)",
        description="Validate every product descriptor under the given paths: each document "
        "against the format, then the set as a whole (unique ids, references that resolve, "
        "no part_of or parent cycles, deprecated interfaces in use). Every problem names "
        "file:line:column, what was expected and, where it can, the fix.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "paths",
        nargs="*",
        default=["."],
        metavar="PATH",
        help="files or directories to check (default: the current directory)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json", "github", "junit", "sarif"),
        default="text",
        help="text for people (default), json for tools, github for workflow annotations; "
        "junit and sarif with --assess",
    )
    parser.add_argument(
        "--assess",
        action="store_true",
        help="after the check, print each product's scorecard (evidence from the working tree)",
    )
    parser.add_argument(
        "--min-level",
        choices=("none", "idea", "prototype", "established", "growing", "maintained"),
        default=None,
        metavar="LEVEL",
        help="with --assess: exit 1 when any product is below LEVEL "
        "(none, idea, prototype, established, growing, maintained)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="count warnings as errors (exit 1 on warnings)"
    )
    parser.add_argument(
        "--against",
        metavar="REV",
        default=None,
        help="also compare each interface's spec file with git revision REV and report "
        "breaking changes (errors for stable interfaces, warnings otherwise)",
    )
    parser.add_argument(
        "--partial",
        action="store_true",
        help="the paths hold only part of the catalog: ids not found are not reported",
    )
    parser.add_argument(
        "--backstage",
        action="store_true",
        help="read every .yaml/.yml file under the paths as a Backstage catalog file (as "
        "`productize ingest --format backstage` does); productize descriptors are not read",
    )
    parser.add_argument(
        "--backstage-names",
        default=None,
        metavar="NAMES",
        help="comma-separated names or glob patterns of Backstage files (default: "
        "PRODUCTIZE_BACKSTAGE_FILE_NAMES, else catalog-info.yaml,catalog-info.yml)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help="worker processes for large sets (default: one per CPU; 1 to disable)",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Run the check and print the findings; the exit status says whether it passed."""
    from productize.domain.checker import check_paths

    missing = [path for path in args.paths if not os.path.exists(path)]
    if missing:
        for path in missing:
            print(f"productize check: error: no such file or directory: {path}", file=sys.stderr)
        return EXIT_USAGE
    if args.jobs is not None and args.jobs < 1:
        print("productize check: error: --jobs must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    if not args.assess and (args.format in ("junit", "sarif") or args.min_level):
        print(
            "productize check: error: --format junit/sarif and --min-level need --assess",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.assess:
        return _assess(args)
    report = _check_backstage(args)
    if report is None:
        with _progress() as progress:
            report = check_paths(
                args.paths,
                strict=args.strict,
                partial=args.partial,
                jobs=args.jobs,
                progress=progress,
            )
    from productize.commands.graph_check import add_graph_findings

    if problem := add_graph_findings(report, args.paths, against=args.against):
        print(f"productize check: error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    if report.files == 0:
        print(
            "productize check: no descriptor files found (product.yaml, organization.yaml, "
            "*.productize.yaml, catalog-info.yaml) under: " + " ".join(args.paths),
            file=sys.stderr,
        )
    out = sys.stdout
    if args.format == "json":
        json.dump(report.as_dict(), out, indent=2, ensure_ascii=False)
        out.write("\n")
    elif args.format == "github":
        for finding in report.findings:
            out.write(github_annotation(finding) + "\n")
        out.write(summary(report) + "\n")
    else:
        _print_text(report, out)
    return EXIT_OK if report.ok else EXIT_ERRORS


def _check_backstage(args: argparse.Namespace) -> Any:
    """The report over productize and Backstage files; None when there are no Backstage files
    (the plain check, in parallel, does then)."""
    from productize.domain.backstage.checking import (
        backstage_starts,
        check_with_backstage,
        names_from_env,
    )
    from productize.domain.discovery import ANY_YAML, parse_names

    if args.backstage:
        names: tuple[str, ...] = ANY_YAML
    elif args.backstage_names is not None:
        names = parse_names(args.backstage_names) or names_from_env()
    else:
        names = names_from_env()
    if not args.backstage and not backstage_starts(args.paths, names, force=False):
        return None
    return check_with_backstage(
        args.paths, names=names, force=args.backstage, strict=args.strict, partial=args.partial
    )


def _assess(args: argparse.Namespace) -> int:
    """`--assess`: validate first (errors are reported on stderr), then print scorecards."""
    from productize.commands.check_assess import assess_paths, write_report
    from productize.domain.assessment import Level
    from productize.domain.checker import check_paths

    report = check_paths(args.paths, strict=args.strict, partial=args.partial, jobs=args.jobs)
    for finding in report.findings:
        if str(finding.severity) == "error":
            print(finding.render(), file=sys.stderr)
    level = Level(args.min_level) if args.min_level else None
    scorecards = assess_paths(args.paths, level)
    write_report(scorecards, args.format, sys.stdout)
    return EXIT_OK if report.ok and scorecards.ok else EXIT_ERRORS


def summary(report: Any) -> str:
    """`N files, M documents: X errors, Y warnings`."""

    def count(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    documents = sum(report.documents.values())
    text = (
        f"{count(report.files, 'file')}, {count(documents, 'document')}: "
        f"{count(report.errors, 'error')}, {count(report.warnings, 'warning')}"
    )
    return text + (" (strict: warnings count as errors)" if report.strict else "")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(finding: Any) -> str:
    """A GitHub Actions workflow command: `::error file=f,line=l,col=c,title=t::message`."""
    level = "error" if str(finding.severity) == "error" else "warning"
    props = [f"file={_escape_property(finding.path)}"]
    if finding.line > 0:
        props.append(f"line={finding.line}")
        if finding.column > 0:
            props.append(f"col={finding.column}")
    props.append(f"title={_escape_property(f'productize check: {finding.code}')}")
    message = finding.message + (f" — {finding.hint}" if finding.hint else "")
    return f"::{level} {','.join(props)}::{_escape_data(message)}"


def _print_text(report: Any, out: IO[str]) -> None:
    """Readable lines, coloured when the output is a terminal."""
    from rich.console import Console
    from rich.text import Text

    console = Console(file=out, highlight=False, soft_wrap=True)
    for finding in report.findings:
        error = str(finding.severity) == "error"
        line = Text()
        line.append(finding.location, style="bold")
        line.append(": ")
        line.append(f"{finding.severity}[{finding.code}]", style="bold red" if error else "yellow")
        line.append(f": {finding.message}")
        console.print(line)
        if finding.hint:
            console.print(Text(f"    hint: {finding.hint}", style="cyan"))
    style = "bold red" if not report.ok else ("yellow" if report.warnings else "bold green")
    console.print(Text(summary(report), style=style))


@contextlib.contextmanager
def _progress() -> Iterator[Any]:
    """A progress callback drawing a bar on stderr when it is a terminal and the set is large."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    # auto_refresh=False: no refresh thread, so worker processes can be forked safely.
    bar = Progress(
        "checking",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
        auto_refresh=False,
    )
    task: list[Any] = []

    def update(done: int, total: int) -> None:
        if total < PROGRESS_MIN_FILES:
            return
        if not task:
            bar.start()
            task.append(bar.add_task("check", total=total))
        bar.update(task[0], completed=done)
        bar.refresh()

    try:
        yield update
    finally:
        if task:
            bar.stop()
