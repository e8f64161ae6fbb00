"""Feedback items as given (forms, API, webhook, importers): checked and tidied, without a database.

The rules are the same for every way in, so a form, a bulk API call and an import agree on
what is acceptable: text is required, every field has a size limit, and control characters
(NUL above all: PostgreSQL refuses it in text) are removed with a note. Everything else is kept
as given — script tags included — because feedback is evidence; it is rendered through the
sanitiser, never trusted. Whether the product and interface exist is the service's question.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from productize.domain.loop.importers.common import MAX_SHORT, MAX_TEXT, MAX_URL, parse_time
from productize.domain.suggest import hint_for

MAX_TAGS = 20
MAX_TAG = 100
MAX_KEY = 255  # external ids: GitHub node ids, issue numbers, content hashes all fit
MAX_AUTHOR = 200
MAX_CONTACT = 320  # the longest e-mail address the standards allow
MAX_SOURCE = 32
MAX_BULK = 5_000  # items per bulk request (the API's documented maximum)

# Control characters other than tab, newline and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FIELDS = (
    "text", "title", "product", "interface", "author", "author_contact", "created_at",
    "source", "external_id", "url", "tags",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class FeedbackItem:
    """One feedback item as someone gave it; only `text` is required."""

    text: str
    title: str = ""
    product: str = ""  # a product id; empty: the channel's routing rule decides (or triage)
    interface: str = ""  # an interface name of that product, or `product/interface`
    author: str = ""
    author_contact: str = ""
    created_at: datetime | None = None  # when it was written; empty: when it arrived
    source: str = ""  # where it came from (`api`, `github`, `csv`, ...); empty: the channel kind
    external_id: str = ""  # the source's own id: a re-sent item with the same id is skipped
    url: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong (or changed) in one item: which item, which field, what and why."""

    index: int
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {"index": self.index, "field": self.field, "message": self.message}


@dataclass(slots=True)
class Checked:
    """The outcome of checking one item: the tidied item, or the problems that stop it."""

    item: FeedbackItem | None
    errors: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)


def text_hash(text: str) -> str:
    """A sha256 of the text with whitespace and case folded: finds the same words re-sent."""
    folded = " ".join(text.split()).casefold()
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def _text(
    value: Any, name: str, limit: int, index: int, checked: Checked, *, required: bool = False
) -> str:
    if value is None or value == "":
        if required:
            checked.errors.append(Problem(index, name, "required: the feedback itself"))
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        checked.errors.append(Problem(index, name, f"expected text, found {_kind(value)}"))
        return ""
    text = value if isinstance(value, str) else str(value)
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
        checked.notes.append(Problem(index, name, "control characters (such as NUL) removed"))
    text = text.strip()
    if required and not text:
        checked.errors.append(Problem(index, name, "required: the feedback itself, not blank"))
    elif len(text) > limit:
        checked.errors.append(
            Problem(index, name, f"at most {limit:,} characters; this one has {len(text):,}")
        )
    return text


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", bool: "true/false"}.get(
        type(value), type(value).__name__
    )


def _tags(value: Any, index: int, checked: Checked) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        value = value.replace(";", ",").split(",")
    if not isinstance(value, list | tuple):
        checked.errors.append(
            Problem(index, "tags", f"expected a list of text, found {_kind(value)}")
        )
        return ()
    tags: list[str] = []
    for position, tag in enumerate(value):
        if not isinstance(tag, str):
            checked.errors.append(
                Problem(index, f"tags.{position}", f"expected text, found {_kind(tag)}")
            )
            continue
        tag = _CONTROL.sub("", tag).strip()
        if len(tag) > MAX_TAG:
            checked.errors.append(
                Problem(index, f"tags.{position}", f"at most {MAX_TAG} characters per tag")
            )
        elif tag and tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        checked.errors.append(
            Problem(index, "tags", f"at most {MAX_TAGS} tags; this item has {len(tags)}")
        )
    return tuple(tags)


def _time(value: Any, index: int, checked: Checked) -> datetime | None:
    if value is None or value == "":
        return None
    moment = parse_time(value)
    if moment is None:
        shown = str(value)[:40]
        checked.errors.append(
            Problem(
                index,
                "created_at",
                f"`{shown}` is not a date and time; use ISO 8601, e.g. 2026-05-01T09:30:00Z",
            )
        )
    return moment


def check_item(raw: Mapping[str, Any], index: int = 0) -> Checked:
    """Check and tidy one item given as a mapping (a JSON object, form data)."""
    checked = Checked(item=None)
    if not isinstance(raw, Mapping):
        checked.errors.append(Problem(index, "", f"expected an object, found {_kind(raw)}"))
        return checked
    unknown = [key for key in raw if key not in FIELDS]
    for key in unknown:
        hint = hint_for(str(key), FIELDS)
        checked.errors.append(
            Problem(index, str(key), "unknown field" + (f"; {hint}" if hint else ""))
        )
    text = _text(raw.get("text"), "text", MAX_TEXT, index, checked, required=True)
    values = {
        name: _text(raw.get(name), name, limit, index, checked)
        for name, limit in (
            ("title", MAX_SHORT),
            ("product", MAX_SHORT),
            ("interface", MAX_SHORT),
            ("author", MAX_AUTHOR),
            ("author_contact", MAX_CONTACT),
            ("source", MAX_SOURCE),
            ("external_id", MAX_KEY),
            ("url", MAX_URL),
        )
    }
    tags = _tags(raw.get("tags"), index, checked)
    created = _time(raw.get("created_at"), index, checked)
    if checked.errors:
        return checked
    checked.item = FeedbackItem(text=text, created_at=created, tags=tags, **values)
    return checked


def check_items(
    raws: Sequence[Any],
) -> tuple[list[FeedbackItem | None], list[Problem], list[Problem]]:
    """Check many items: the tidied items (None where invalid), every error and every note."""
    items: list[FeedbackItem | None] = []
    errors: list[Problem] = []
    notes: list[Problem] = []
    for index, raw in enumerate(raws):
        checked = check_item(raw, index)
        items.append(checked.item)
        errors.extend(checked.errors)
        notes.extend(checked.notes)
    return items, errors, notes


def split_interface(product: str, interface: str) -> tuple[str, str]:
    """`(product, interface name)` from an interface given alone as `product/name`."""
    if "/" in interface:
        owner, _, name = interface.partition("/")
        return (product or owner, name)
    return (product, interface)


def fit_key(key: str) -> str:
    """An external id that fits the key column: longer ones become `sha256:<hex of it>`."""
    if len(key) <= MAX_KEY:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def duplicates_within(keys: Iterable[tuple[int, str]]) -> dict[int, int]:
    """For items whose key an earlier item already had: index -> the earlier index."""
    first: dict[str, int] = {}
    repeated: dict[int, int] = {}
    for index, key in keys:
        if not key:
            continue
        if key in first:
            repeated[index] = first[key]
        else:
            first[key] = index
    return repeated
