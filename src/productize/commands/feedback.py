"""`productize feedback import|suggest`: bring exported feedback in; propose patterns."""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from productize.commands.django_setup import setup_django

if TYPE_CHECKING:
    from productize.audit.services import Actor
    from productize.domain.loop.importers import ImportResult

FORMATS = ("csv", "jsonl", "github", "discourse")
MAX_FILE = 1024 * 1024 * 1024  # bytes: one import file; split bigger exports
# Field -> column names recognised without --map (compared case-insensitively).
ALIASES: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "message", "comment", "feedback", "description"),
    "title": ("title", "subject", "summary"),
    "external_id": ("external_id", "id", "ticket", "ticket_id", "number"),
    "author": ("author", "name", "user", "requester", "from"),
    "author_contact": ("author_contact", "email", "e-mail", "contact"),
    "created_at": ("created_at", "created", "date", "timestamp", "submitted_at"),
    "product_hint": ("product", "product_hint"),
    "interface_hint": ("interface", "interface_hint"),
    "url": ("url", "link"),
    "labels": ("labels", "tags"),
}
# `--map product=...` reads better than `product_hint=...`; both work.
FIELD_NAMES = {"product": "product_hint", "interface": "interface_hint", "tags": "labels"}

EXAMPLES = """\
examples:
  productize feedback import tickets.csv --format csv --channel 3
  productize feedback import survey.csv --format csv --channel 3 \\
      --map text=Answer --map author_contact=Email --map external_id="Response ID"
  productize feedback import export.jsonl --format jsonl --channel 4 --map text=message.body
  gh api --paginate repos/acme/shop/issues > issues.json
  productize feedback import issues.json --format github --channel 5 --as alice
  productize feedback import latest.json --format discourse --channel 6 \\
      --base-url https://forum.example.com
  productize feedback suggest --product orders

Columns (CSV) or fields (JSON Lines, dotted paths like `user.email`) are found by their usual
names (text/body/message, title/subject, id, author/name, email, created_at/date, product,
interface, url, tags); --map FIELD=COLUMN names the others. Fields: text (required), title,
external_id, author, author_contact, created_at, product, interface, url, tags.

Importing is idempotent: items are recognised by their id in the export (or, without one, by
their title, text and author), so running the same import again stores nothing new. Every
row that was not stored is listed with its place and the reason.
"""


def register(subparsers: Any) -> None:
    """Add the `feedback` subcommand and its actions."""
    parser = subparsers.add_parser(
        "feedback",
        help="import exported feedback into a channel; propose patterns",
        description="Bring feedback from support desks, surveys, issue trackers and forums "
        "into a feedback channel, and group unpatterned feedback into proposed patterns.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    imp = actions.add_parser(
        "import",
        help="import a CSV, JSON Lines, GitHub issues or Discourse topics export",
        description="Read an export and store its items in a channel (the channel's routing "
        "rules give items without a product their product). Shows a progress bar, then a "
        "table of what was skipped and why. Running it again stores nothing new.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    imp.add_argument("file", metavar="FILE", help="the export file (`-` reads standard input)")
    imp.add_argument("--format", required=True, choices=FORMATS, help="what kind of export")
    imp.add_argument(
        "--channel", required=True, type=int, metavar="ID", help="the channel (its number)"
    )
    imp.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="which column (CSV) or dotted field path (JSON Lines) holds FIELD; repeatable",
    )
    imp.add_argument(
        "--source",
        default="",
        help="the source name stored with each item (default: the format, e.g. `csv`); "
        "part of what makes re-imports idempotent",
    )
    imp.add_argument("--delimiter", default=None, help="CSV delimiter (default: detected)")
    imp.add_argument("--base-url", default=None, help="Discourse: the forum's address, for links")
    imp.add_argument(
        "--as",
        dest="as_user",
        default="",
        metavar="USER",
        help="import as this user (audit log and permissions); default: the system",
    )
    imp.add_argument(
        "--problems", type=int, default=50, metavar="N", help="list at most N skipped rows"
    )
    imp.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    imp.set_defaults(handler=handle_import)

    sug = actions.add_parser(
        "suggest",
        help="group unpatterned feedback into proposed patterns",
        description="Group the feedback no pattern claims yet into proposed patterns, and "
        "propose links of it to existing patterns. Replaces the open suggestions of the "
        "product (or of everyone, without --product); review them on the web or the API.",
    )
    sug.add_argument("--product", default="", metavar="ID", help="only this product's feedback")
    sug.add_argument("--as", dest="as_user", default="", metavar="USER", help="run as this user")
    sug.add_argument("--show", type=int, default=20, metavar="N", help="list the N best")
    sug.set_defaults(handler=handle_suggest)


def _fail(message: str, status: int = 2) -> int:
    print(f"productize feedback: error: {message}", file=sys.stderr)
    return status


def parse_maps(values: list[str]) -> dict[str, str]:
    """`FIELD=COLUMN` pairs -> {importer field: column}; ValueError names the bad one."""
    from productize.domain.suggest import hint_for

    known = set(ALIASES)
    out: dict[str, str] = {}
    for value in values:
        name, sep, column = value.partition("=")
        name = FIELD_NAMES.get(name.strip(), name.strip())
        if not sep or not column.strip():
            raise ValueError(f"--map {value!r}: write FIELD=COLUMN, e.g. text=Message")
        if name not in known:
            hint = hint_for(name, sorted(known | set(FIELD_NAMES)))
            raise ValueError(
                f"--map {value!r}: unknown field `{name}`" + (f"; {hint}" if hint else "")
            )
        out[name] = column.strip()
    return out


def csv_header(data: bytes, delimiter: str | None) -> list[str]:
    """The header row of a CSV export (empty when unreadable: the importer says why)."""
    from productize.domain.loop.importers.common import ImportResult, decode
    from productize.domain.loop.importers.csv import _delimiter

    text = decode(data[: 256 * 1024], ImportResult())
    if not text:
        return []
    try:
        return next(csv.reader(io.StringIO(text), delimiter=_delimiter(text, delimiter)))
    except (StopIteration, csv.Error):
        return []


def auto_map(columns: list[str], given: dict[str, str]) -> dict[str, str]:
    """The mapping: what was given, plus columns found by their usual names."""
    present = {c.strip().casefold(): c.strip() for c in columns}
    mapping = dict(given)
    for name, aliases in ALIASES.items():
        if name in mapping:
            continue
        found = next((present[a] for a in aliases if a in present), None)
        if found is not None and found not in mapping.values():
            mapping[name] = found
    return mapping


def read_export(args: argparse.Namespace, data: bytes) -> tuple[ImportResult, dict[str, str]]:
    """Run the format's importer over the bytes; the mapping used (for CSV and JSON Lines)."""
    from productize.domain.loop.importers import (
        ColumnMapping,
        FieldMapping,
        import_csv,
        import_discourse_topics,
        import_github_issues,
        import_jsonl,
    )

    given = parse_maps(args.map)
    source = args.source or args.format
    if args.format == "csv":
        mapping = auto_map(csv_header(data, args.delimiter), given)
        mapping.setdefault("text", "text")
        return (
            import_csv(
                data, mapping=ColumnMapping(**mapping), source=source, delimiter=args.delimiter
            ),
            mapping,
        )
    if args.format == "jsonl":
        paths = {name: aliases[0] for name, aliases in ALIASES.items()}
        paths.update(
            external_id="id", product_hint="product", interface_hint="interface", labels="tags"
        )
        paths.update(given)
        return import_jsonl(data, mapping=FieldMapping(**paths), source=source), paths
    if given:
        raise ValueError(f"--map is for csv and jsonl; the {args.format} format is fixed")
    if args.format == "github":
        return import_github_issues(data, source=args.source or "github"), {}
    return import_discourse_topics(
        data, source=args.source or "discourse", base_url=args.base_url
    ), {}


def _actor(username: str) -> Actor:
    from django.contrib.auth import get_user_model

    from productize.audit.services import Actor

    if not username:
        return Actor.system("cli")
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise LookupError(f"--as: no user `{username}` (see `productize createuser`)")
    return Actor.for_user(user)


def _read(path: str) -> bytes:
    if path == "-":
        data = sys.stdin.buffer.read(MAX_FILE + 1)
    else:
        file = Path(path)
        if not file.is_file():
            raise OSError(f"{path}: no such file")
        if file.stat().st_size > MAX_FILE:
            raise OSError(f"{path}: over {MAX_FILE // 1024**3} GiB; split the export")
        data = file.read_bytes()
    if len(data) > MAX_FILE:
        raise OSError(f"{path}: over {MAX_FILE // 1024**3} GiB; split the export")
    return data


def handle_import(args: argparse.Namespace) -> int:
    """Import one export file into a channel and report what was skipped."""
    try:
        data = _read(args.file)
        parse_maps(args.map)
    except (OSError, ValueError) as error:
        return _fail(str(error))
    setup_django()
    from django.core.exceptions import PermissionDenied

    from productize.commands.ingest import stderr_console, stdout_console
    from productize.commands.manage import migrate_quietly
    from productize.loop.intake import import_feedback
    from productize.loop.models import FeedbackChannel

    migrate_quietly()
    channel = FeedbackChannel.objects.filter(pk=args.channel).first()
    if channel is None:
        return _fail(f"--channel: no channel {args.channel} (channels are listed on the web)")
    try:
        actor = _actor(args.as_user)
    except LookupError as error:
        return _fail(str(error))
    err = stderr_console()
    with (
        err.status(f"reading {args.file}", spinner="dots")
        if err.is_terminal and not args.quiet
        else _null()
    ):
        try:
            result, mapping = read_export(args, data)
        except ValueError as error:
            return _fail(str(error))
    del data
    if mapping:
        shown = ", ".join(f"{k}={v}" for k, v in mapping.items() if v)
        err.print(f"mapping: {shown}", markup=False, highlight=False)
    try:
        with _bar(err, "storing", enabled=not args.quiet) as progress:
            outcome = import_feedback(actor, channel=channel, result=result, progress=progress)
    except PermissionDenied as error:
        return _fail(str(error), 1)
    out = stdout_console()
    out.print(
        f"{outcome.read} read, {outcome.created} stored, {len(outcome.skipped)} skipped, "
        f"{outcome.routed} routed by the channel's rules, {len(outcome.notes)} notes",
        markup=False,
        highlight=False,
    )
    _report(out, outcome.skipped, "skipped", args.problems)
    _report(out, outcome.notes, "notes (stored, but changed or unsure)", args.problems)
    unreadable = outcome.read == 0 and any(
        where in ("file", "row 1") for where, _ in outcome.skipped
    )
    return 1 if unreadable else 0


def _report(out: Any, rows: list[tuple[str, str]], title: str, limit: int) -> None:
    from rich import box
    from rich.table import Table

    if not rows or limit <= 0:
        return
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("where", no_wrap=True)
    table.add_column("why")
    for where, why in rows[:limit]:
        table.add_row(where, why[:500])
    out.print(table)
    if len(rows) > limit:
        out.print(f"… and {len(rows) - limit:,} more (raise --problems to see them)")


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _bar(console: Any, label: str, *, enabled: bool) -> Any:
    from contextlib import contextmanager

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    @contextmanager
    def bar() -> Any:
        progress = Progress(
            TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=console, transient=True, disable=not enabled or not console.is_terminal,
        )  # fmt: skip
        task = progress.add_task(label, total=None)
        with progress:
            yield lambda done, total: progress.update(task, completed=done, total=total)

    return bar()


def handle_suggest(args: argparse.Namespace) -> int:
    """Refresh suggestions and list the best of them."""
    setup_django()
    from django.core.exceptions import PermissionDenied
    from rich import box
    from rich.table import Table

    from productize.catalog.models import Product
    from productize.commands.ingest import stderr_console, stdout_console
    from productize.commands.manage import migrate_quietly
    from productize.loop.models import Suggestion
    from productize.loop.suggestions import refresh_suggestions

    migrate_quietly()
    product = None
    if args.product:
        product = Product.objects.filter(slug=args.product).first()
        if product is None:
            return _fail(f"--product: no product with id `{args.product}`", 1)
    try:
        actor = _actor(args.as_user)
    except LookupError as error:
        return _fail(str(error))
    err = stderr_console()
    try:
        with err.status("grouping feedback", spinner="dots") if err.is_terminal else _null():
            outcome = refresh_suggestions(actor, product=product)
    except PermissionDenied as error:
        return _fail(str(error), 1)
    out = stdout_console()
    out.print(
        f"{outcome.items} unpatterned items: {outcome.patterns} proposed patterns, "
        f"{outcome.links} proposed links, {outcome.hidden} like dismissed ones not shown",
        markup=False,
        highlight=False,
    )
    rows = Suggestion.objects.filter(status="open", kind="new-pattern")
    if product is not None:
        rows = rows.filter(product=product)
    table = Table(box=box.SIMPLE_HEAD)
    for column in ("id", "items", "confidence", "proposed problem statement"):
        table.add_column(
            column, justify="right" if column != "proposed problem statement" else "left"
        )
    for s in rows.order_by("-score", "-id")[: max(args.show, 0)]:
        table.add_row(str(s.pk), str(len(s.member_ids)), f"{s.score:.2f}", s.proposed_title)
    if args.show > 0 and outcome.patterns:
        out.print(table)
    return 0
