"""What every importer shares: the record it produces, the result shape, text and time helpers.

Importers never raise on bad content: every item they cannot use is reported in
`ImportResult.skipped` as `(where, why)`, and every item they kept but changed (a capped field,
NUL bytes removed, an unreadable date) is reported in `ImportResult.notes`. Text is kept as
given otherwise — script tags included — because rendering sanitises it, and changing what
people wrote would lose evidence.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

MAX_TEXT = 50_000  # characters kept of a feedback text; more is almost always a pasted log
MAX_SHORT = 500  # title, author, contact, hints
MAX_URL = 2_000

# Control characters other than tab, newline and carriage return: they break databases
# (PostgreSQL refuses NUL in text) and terminals, and carry no meaning in feedback.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Skip(NamedTuple):
    """Where in the input something happened, and why."""

    where: str
    why: str


@dataclass(frozen=True, slots=True)
class FeedbackInput:
    """One feedback item as read from an external export, ready for the feedback service."""

    source: str
    external_id: str | None
    text: str
    title: str | None = None
    author: str | None = None
    author_contact: str | None = None
    created_at: datetime | None = None
    product_hint: str | None = None
    interface_hint: str | None = None
    url: str | None = None
    labels: tuple[str, ...] = ()

    @property
    def idempotence_key(self) -> tuple[str, str]:
        """`(source, external_id)`, or a content hash when the export gives no id."""
        if self.external_id:
            return (self.source, self.external_id)
        return (self.source, "sha256:" + content_hash(self.title, self.text, self.author))


@dataclass(slots=True)
class ImportResult:
    """The items an import produced, what it skipped and what it changed, with locations."""

    items: list[FeedbackInput] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    notes: list[Skip] = field(default_factory=list)

    def skip(self, where: str, why: str) -> None:
        """Record an item that was not imported."""
        self.skipped.append(Skip(where, why))

    def note(self, where: str, why: str) -> None:
        """Record a change made to an item that was imported."""
        self.notes.append(Skip(where, why))

    def add(self, item: FeedbackInput, where: str, seen: dict[tuple[str, str], str]) -> None:
        """Keep `item` unless an earlier item in this export had the same key."""
        key = item.idempotence_key
        if key in seen:
            self.skip(where, f"duplicate of {seen[key]} (same {_key_kind(item)})")
            return
        seen[key] = where
        self.items.append(item)


def _key_kind(item: FeedbackInput) -> str:
    return f"id `{item.external_id}`" if item.external_id else "content"


def content_hash(title: str | None, text: str, author: str | None) -> str:
    """A stable hash of what identifies an item without an id (whitespace and case folded)."""
    parts = [" ".join((part or "").split()).casefold() for part in (title, text, author)]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def clean(value: Any, *, limit: int, where: str, name: str, result: ImportResult) -> str | None:
    """A trimmed string with control characters removed and capped at `limit` (noted)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        # A list, object or true/false where text belongs: a mapping mistake, not content.
        result.note(where, f"{name}: expected text, found {type(value).__name__}; ignored")
        return None
    text = value if isinstance(value, str) else str(value)
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
        result.note(where, f"{name}: control characters (such as NUL) removed")
    text = text.strip()
    if len(text) > limit:
        result.note(where, f"{name}: {len(text):,} characters capped at {limit:,}")
        text = text[:limit]
    return text or None


def parse_time(value: Any) -> datetime | None:
    """An aware datetime from ISO 8601 text, `YYYY-MM-DD HH:MM[:SS]` or epoch seconds."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(float(value), UTC)
        except (OverflowError, OSError, ValueError):
            return None
    elif isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{9,11}(\.\d+)?", text):
            return parse_time(float(text))
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def time_field(value: Any, *, where: str, name: str, result: ImportResult) -> datetime | None:
    """`parse_time`, noting values that were given but could not be read."""
    moment = parse_time(value)
    if moment is None and value not in (None, ""):
        shown = str(value)[:40]
        result.note(where, f"{name}: `{shown}` is not a date and time (ISO 8601); left empty")
    return moment


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: its BOM starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(data: bytes, result: ImportResult) -> str | None:
    """Text from bytes: a BOM decides, else UTF-16 by its NULs, else UTF-8, else cp1252.

    Guesses are noted in `result`; None (with the reason recorded) when the input is empty or
    nothing reads it.
    """
    if not data.strip():
        result.skip("file", "the file is empty")
        return None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as error:
                result.skip(
                    "file",
                    f"starts with a {encoding} byte order mark but is not {encoding}"
                    f" ({error.reason} at byte {error.start})",
                )
                return None
    sample = data[:4096]
    if len(sample) >= 4 and sample.count(0) * 3 >= len(sample):
        # A third of the bytes NUL: UTF-16 saved without a byte order mark (ASCII text puts
        # the NULs in every other byte). Which half holds them gives the byte order.
        encoding = "utf-16-le" if sample[1::2].count(0) > sample[0::2].count(0) else "utf-16-be"
        result.note("file", f"no byte order mark but looks like {encoding}; read as such")
        return data.decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        # Spreadsheet exports on Windows are the usual non-UTF-8 source; cp1252 is their code
        # page. Its five undefined bytes become U+FFFD rather than failing the whole file.
        result.note(
            "file",
            f"not UTF-8 (byte {error.start}); read as Windows-1252 — check accents and symbols,"
            " or export as UTF-8",
        )
        return data.decode("cp1252", errors="replace")


def dig(record: Any, path: str) -> Any:
    """The value at a dotted path (`user.login`) in nested mappings, or None."""
    value = record
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def json_documents(data: bytes, result: ImportResult) -> list[Any] | None:
    """Every JSON value in the input, one after another (`gh api --paginate` writes `[..][..]`)."""
    text = decode(data, result)
    if text is None:
        return None
    decoder = json.JSONDecoder()
    values: list[Any] = []
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            return values
        try:
            value, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            result.skip(f"line {error.lineno} column {error.colno}", f"not valid JSON: {error.msg}")
            return values or None
        except RecursionError:
            # Thousands of nested brackets: an attack or a broken export, never an issue list.
            result.skip(f"document {len(values) + 1}", "JSON nested too deeply to read")
            return values or None
        values.append(value)
