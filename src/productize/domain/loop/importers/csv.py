"""CSV exports (support desks, survey tools, spreadsheets) with a column mapping."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields

from productize.domain.loop.importers.common import (
    MAX_SHORT,
    MAX_TEXT,
    MAX_URL,
    FeedbackInput,
    ImportResult,
    clean,
    decode,
    time_field,
)
from productize.domain.suggest import hint_for

# The csv module refuses fields over 128 KiB by default; such fields are capped and reported
# instead, so the reader must accept them first.
_FIELD_LIMIT = 64 * 1024 * 1024
_DELIMITERS = ",;\t|"


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """Which column (header name) holds each field; only `text` is required."""

    text: str
    title: str | None = None
    external_id: str | None = None
    author: str | None = None
    author_contact: str | None = None
    created_at: str | None = None
    product_hint: str | None = None
    interface_hint: str | None = None
    url: str | None = None
    labels: str | None = None  # one column; labels separated by commas or semicolons

    def columns(self) -> dict[str, str]:
        """Field name -> column name, for the fields that are mapped."""
        mapped = {f.name: getattr(self, f.name) for f in fields(self)}
        return {name: column for name, column in mapped.items() if column}


@contextmanager
def _field_limit() -> Iterator[None]:
    # The limit is process-wide; it is raised only for the parse and restored after. Another
    # thread parsing at the same moment may see the higher limit, which only helps it.
    previous = csv.field_size_limit()
    csv.field_size_limit(max(previous, _FIELD_LIMIT))
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _delimiter(text: str, delimiter: str | None) -> str:
    """The given delimiter, else the candidate the header row uses most, else a comma."""
    if delimiter:
        return delimiter
    # The header decides: message texts are full of commas and semicolons, headers seldom.
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    counts = {candidate: header.count(candidate) for candidate in _DELIMITERS}
    best = max(counts, key=lambda candidate: counts[candidate])
    return best if counts[best] else ","


def _header_index(
    header: list[str], mapping: ColumnMapping, result: ImportResult
) -> dict[str, int] | None:
    """Field -> column position; None (with the reason recorded) when a column is missing."""
    positions = {name.strip().casefold(): i for i, name in enumerate(header)}
    index: dict[str, int] = {}
    for name, column in mapping.columns().items():
        position = positions.get(column.strip().casefold())
        if position is None:
            hint = hint_for(column, [h.strip() for h in header])
            shown = ", ".join(f"`{h}`" for h in header[:20])
            result.skip(
                "row 1",
                f"column `{column}` (mapped to {name}) is not in the header; columns: {shown}"
                + (f"; {hint}" if hint else ""),
            )
            return None
        index[name] = position
    return index


def import_csv(
    data: bytes,
    *,
    mapping: ColumnMapping,
    source: str,
    delimiter: str | None = None,
    max_text: int = MAX_TEXT,
) -> ImportResult:
    """Feedback from a CSV export whose first row is a header; bad rows are reported, not fatal."""
    result = ImportResult()
    text = decode(data, result)
    if text is None:
        return result
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=_delimiter(text, delimiter), strict=True
    )
    seen: dict[tuple[str, str], str] = {}
    with _field_limit():
        try:
            header = next(reader)
        except (StopIteration, csv.Error) as error:
            result.skip("row 1", f"no readable header row ({error or 'empty'})")
            return result
        index = _header_index(header, mapping, result)
        if index is None:
            return result
        row_number = 1
        while True:
            row_number += 1
            where = f"row {row_number}"
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                result.skip(f"{where} (line {reader.line_num})", f"malformed CSV: {error}")
                continue
            if not any(cell.strip() for cell in row):
                continue  # blank lines are layout, not data
            if len(row) != len(header):
                result.skip(
                    where,
                    f"{len(row)} fields where the header has {len(header)}"
                    " (an unquoted delimiter or a missing quote?)",
                )
                continue
            item = _item(row, index, source, where, result, max_text)
            if item is not None:
                result.add(item, where, seen)
    return result


def _item(
    row: list[str],
    index: Mapping[str, int],
    source: str,
    where: str,
    result: ImportResult,
    max_text: int,
) -> FeedbackInput | None:
    def cell(name: str, limit: int = MAX_SHORT) -> str | None:
        position = index.get(name)
        if position is None:
            return None
        return clean(row[position], limit=limit, where=where, name=name, result=result)

    body = cell("text", max_text)
    title = cell("title")
    if not body and not title:
        result.skip(where, "no text (the text column is empty)")
        return None
    labels_cell = cell("labels") or ""
    labels = tuple(
        label.strip() for label in labels_cell.replace(";", ",").split(",") if label.strip()
    )
    created = index.get("created_at")
    return FeedbackInput(
        source=source,
        external_id=cell("external_id"),
        text=body or title or "",
        title=title,
        author=cell("author"),
        author_contact=cell("author_contact"),
        created_at=time_field(
            row[created] if created is not None else None,
            where=where,
            name="created_at",
            result=result,
        ),
        product_hint=cell("product_hint"),
        interface_hint=cell("interface_hint"),
        url=cell("url", MAX_URL),
        labels=labels,
    )
