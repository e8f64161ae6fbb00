"""The inputs of the loop pages' forms: proposals, milestones and people, as service arguments.

Each form keeps what was typed, so a refused post comes back with the words and the reason
beside the field (`LoopError.field`), and nothing is lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.http import HttpRequest

from productize.loop.models import (
    ImprovementRole,
    MilestoneKind,
    Pattern,
)
from productize.loop.services.common import LoopError
from productize.web.loop_rows import (
    Move,
    moves_for,
    status_label,
)

__all__ = ["Move", "moves_for", "status_label"]

ROLE_KEYS = tuple(ImprovementRole.values)
VERIFY_WEEKS = 8
MAX_PEOPLE_OPTIONS = 300
MAX_FORM_OPTIONS = 100


ROLE_KEYS = tuple(ImprovementRole.values)
MAX_FORM_OPTIONS = 100


def people_pairs(post: Any) -> list[tuple[str, str]]:
    """(person slug, role) pairs from the people form."""
    return [(slug, role) for role in ROLE_KEYS for slug in post.getlist(role) if slug]


def milestone_input(post: Any) -> dict[str, Any]:
    """The add-milestone form as service arguments (a bad date is a LoopError on `due`)."""
    due_text = (post.get("due") or "").strip()
    due: date | None = None
    if due_text:
        try:
            due = date.fromisoformat(due_text)
        except ValueError as error:
            raise LoopError("due: a date such as 2026-12-31", field="due") from error
    depends: list[int] = []
    for value in post.getlist("depends_on"):
        try:
            depends.append(int(value))
        except ValueError as error:
            message = "depends_on: choose milestones from the list"
            raise LoopError(message, field="depends_on") from error
    return {
        "title": post.get("title", ""),
        "kind": post.get("kind", MilestoneKind.MVP),
        "due_date": due,
        "depends_on": depends,
    }


# --- proposal forms --------------------------------------------------------------------------


def _split(value: str) -> list[str]:
    return [v for v in (part.strip() for part in value.replace(",", " ").split()) if v]


@dataclass
class PatternForm:
    """The propose-a-pattern form: what was typed, and what was wrong with it."""

    title: str = ""
    description: str = ""
    workaround: str = ""
    products: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_request(cls, request: HttpRequest) -> PatternForm:
        """The form as posted, or blank with the product from `?product=` on a GET."""
        if request.method == "POST":
            data = request.POST
            return cls(
                title=data.get("title", ""),
                description=data.get("description", ""),
                workaround=data.get("workaround", ""),
                products=data.get("products", ""),
            )
        return cls(products=request.GET.get("product", "")[:200])

    def service_arguments(self) -> dict[str, Any]:
        """Keyword arguments for `create_pattern`."""
        return {
            "title": self.title,
            "description": self.description,
            "workaround": self.workaround,
            "products": _split(self.products),
        }

    def fail(self, error: LoopError) -> None:
        """Keep a service's refusal beside its field (or for the whole form)."""
        self.errors[(error.field or "form").split("[")[0]] = error.message


@dataclass
class PatternOption:
    """A pattern offered in the propose-an-improvement form."""

    id: int
    title: str
    status_label: str
    checked: bool


@dataclass
class ImprovementForm:
    """The propose-an-improvement form."""

    title: str = ""
    products: str = ""
    patterns: list[int] = field(default_factory=list)
    effort_weeks: str = ""
    confidence: str = ""
    options: list[PatternOption] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_request(cls, request: HttpRequest) -> ImprovementForm:
        """The form as posted, or blank with `?product=` and `?pattern=` chosen on a GET."""
        data = request.POST if request.method == "POST" else request.GET
        chosen = []
        for value in data.getlist("pattern") + data.getlist("patterns"):
            try:
                chosen.append(int(value))
            except ValueError:
                continue
        form = cls(
            title=data.get("title", "")[:300] if request.method == "POST" else "",
            products=(data.get("products") or data.get("product") or "")[:200],
            patterns=chosen,
            effort_weeks=data.get("effort_weeks", "") if request.method == "POST" else "",
            confidence=data.get("confidence", "") if request.method == "POST" else "",
        )
        form.options = form._options()
        if not form.title and request.method != "POST" and len(chosen) == 1:
            first = next((o for o in form.options if o.id == chosen[0]), None)
            form.title = first.title if first else ""
        return form

    def _options(self) -> list[PatternOption]:
        slugs = _split(self.products)
        found = Pattern.objects.exclude(status__in=["closed-resolved", "closed-unresolved"])
        if slugs:
            found = found.filter(products__slug__in=slugs)
        rows = list(found.distinct().order_by("-weight", "-id")[:MAX_FORM_OPTIONS])
        missing = [pk for pk in self.patterns if pk not in {p.pk for p in rows}]
        if missing:
            rows = list(Pattern.objects.filter(pk__in=missing)) + rows
        return [
            PatternOption(p.pk, p.title, status_label(p.status), p.pk in self.patterns)
            for p in rows
        ]

    def _number(self, name: str, value: str) -> float | None:
        if not value.strip():
            return None
        try:
            return float(value)
        except ValueError as error:
            raise LoopError(f"{name}: write a number", field=name) from error

    def service_arguments(self) -> dict[str, Any]:
        """Keyword arguments for `create_improvement` (bad numbers are a LoopError)."""
        return {
            "title": self.title,
            "patterns": self.patterns,
            "products": _split(self.products),
            "effort_weeks": self._number("effort_weeks", self.effort_weeks),
            "confidence": self._number("confidence", self.confidence),
        }

    def fail(self, error: LoopError) -> None:
        """Keep a service's refusal beside its field (or for the whole form)."""
        self.errors[(error.field or "form").split("[")[0]] = error.message


def _number(post: Any, name: str) -> float | None:
    value = (post.get(name) or "").strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError as error:
        raise LoopError(f"{name}: write a number, such as 2.5", field=name) from error


def estimates_input(post: Any) -> dict[str, Any]:
    """The estimates form as service arguments (empty clears an estimate)."""
    return {
        "effort_weeks": _number(post, "effort_weeks"),
        "confidence": _number(post, "confidence"),
    }


@dataclass
class PatternEdit:
    """The owners' edit form of a pattern, as typed (ids separated by spaces or commas)."""

    title: str = ""
    description: str = ""
    workaround: str = ""
    owner: str = ""
    products: str = ""
    interfaces: str = ""
    related: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, pattern: Pattern) -> PatternEdit:
        """The form filled with the pattern as it is."""
        return cls(
            title=pattern.title,
            description=pattern.description,
            workaround=pattern.workaround,
            owner=pattern.owner.slug if pattern.owner else "",
            products=" ".join(p.slug for p in pattern.products.all()),
            interfaces=" ".join(i.ref for i in pattern.interfaces.all()),
            related=" ".join(str(pk) for pk in pattern.related.values_list("pk", flat=True)),
        )

    @classmethod
    def from_post(cls, post: Any) -> PatternEdit:
        """The form as posted."""
        return cls(**{name: post.get(name, "") for name in PATTERN_EDIT_FIELDS})

    def service_arguments(self) -> dict[str, Any]:
        """Keyword arguments for `update_pattern` (a related id that is not a number fails)."""
        related: list[int] = []
        for value in _split(self.related):
            try:
                related.append(int(value.lstrip("#")))
            except ValueError as error:
                message = f"related: `{value}` is not a pattern number"
                raise LoopError(message, field="related") from error
        return {
            "title": self.title,
            "description": self.description,
            "workaround": self.workaround,
            "owner": self.owner.strip() or None,
            "products": _split(self.products),
            "interfaces": _split(self.interfaces),
            "related": related,
        }

    def fail(self, error: LoopError) -> None:
        """Keep a service's refusal beside its field (or for the whole form)."""
        self.errors[(error.field or "form").split("[")[0]] = error.message

    def rows(self) -> list[EditRow]:
        """The fields in order, each with its label, hint, value and error, for the template."""
        return [
            EditRow(name, label, hint, kind, getattr(self, name), self.errors.get(name, ""))
            for name, label, hint, kind in PATTERN_EDIT_LABELS
        ]


@dataclass(frozen=True, slots=True)
class EditRow:
    """One field of an edit form as the template draws it."""

    name: str
    label: str
    hint: str
    kind: str
    value: str
    error: str


PATTERN_EDIT_FIELDS = ("title", "description", "workaround", "owner", "products", "interfaces",
                       "related")  # fmt: skip
PATTERN_EDIT_LABELS = (
    ("title", "Problem statement", "", "text"),
    ("description", "More detail (Markdown)", "", "textarea"),
    ("workaround", "Workaround for now", "", "textarea"),
    ("owner", "Owner", "A person id, for example `alice`; empty: nobody.", "text"),
    ("products", "Products", "Product ids, separated by spaces.", "text"),
    ("interfaces", "Interfaces", "As product/interface, separated by spaces.", "text"),
    ("related", "Related patterns", "Pattern numbers, separated by spaces.", "text"),
)
