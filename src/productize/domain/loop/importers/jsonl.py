"""JSON Lines exports (one JSON object a line) with a field mapping of dotted paths."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from typing import Any

from productize.domain.loop.importers.common import (
    MAX_SHORT,
    MAX_TEXT,
    MAX_URL,
    FeedbackInput,
    ImportResult,
    clean,
    decode,
    dig,
    time_field,
)

_MAX_LINE = 8 * 1024 * 1024  # a single line beyond this is a dump, not a feedback item


@dataclass(frozen=True, slots=True)
class FieldMapping:
    """Which field (a dotted path such as `user.email`) holds each value; `text` is required."""

    text: str = "text"
    title: str | None = None
    external_id: str | None = None
    author: str | None = None
    author_contact: str | None = None
    created_at: str | None = None
    product_hint: str | None = None
    interface_hint: str | None = None
    url: str | None = None
    labels: str | None = None  # a list of strings, or one string separated by commas

    def paths(self) -> dict[str, str]:
        """Field name -> dotted path, for the fields that are mapped."""
        mapped = {f.name: getattr(self, f.name) for f in fields(self)}
        return {name: path for name, path in mapped.items() if path}


def _labels(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.replace(";", ",").split(",")
    if not isinstance(value, list):
        return ()
    return tuple(str(v).strip()[:MAX_SHORT] for v in value if str(v).strip())


def import_jsonl(
    data: bytes, *, mapping: FieldMapping, source: str, max_text: int = MAX_TEXT
) -> ImportResult:
    """Feedback from JSON Lines; bad lines are reported with their line numbers."""
    result = ImportResult()
    text = decode(data, result)
    if text is None:
        return result
    seen: dict[tuple[str, str], str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        where = f"line {number}"
        if not line.strip():
            continue
        if len(line) > _MAX_LINE:
            result.skip(where, f"line of {len(line):,} characters is too long to be one item")
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            result.skip(where, f"not JSON: {error.msg} at column {error.colno}")
            continue
        except RecursionError:
            result.skip(where, "JSON nested too deeply to be a feedback item")
            continue
        if not isinstance(record, dict):
            result.skip(where, f"expected a JSON object, found {type(record).__name__}")
            continue
        item = _item(record, mapping, source, where, result, max_text)
        if item is not None:
            result.add(item, where, seen)
    return result


def _item(
    record: dict[str, Any],
    mapping: FieldMapping,
    source: str,
    where: str,
    result: ImportResult,
    max_text: int,
) -> FeedbackInput | None:
    paths = mapping.paths()

    def value(name: str, limit: int = MAX_SHORT) -> str | None:
        path = paths.get(name)
        raw = dig(record, path) if path else None
        if isinstance(raw, dict | list):
            result.note(where, f"{name}: `{path}` holds a {type(raw).__name__}, not text; ignored")
            return None
        return clean(raw, limit=limit, where=where, name=name, result=result)

    body = value("text", max_text)
    title = value("title")
    if not body and not title:
        result.skip(where, f"no text at `{mapping.text}`")
        return None
    created_path = paths.get("created_at")
    return FeedbackInput(
        source=source,
        external_id=value("external_id"),
        text=body or title or "",
        title=title,
        author=value("author"),
        author_contact=value("author_contact"),
        created_at=time_field(
            dig(record, created_path) if created_path else None,
            where=where,
            name="created_at",
            result=result,
        ),
        product_hint=value("product_hint"),
        interface_hint=value("interface_hint"),
        url=value("url", MAX_URL),
        labels=_labels(dig(record, paths["labels"])) if "labels" in paths else (),
    )
