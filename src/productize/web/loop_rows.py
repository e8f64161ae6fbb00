"""The rows the loop pages list (patterns, feedback, improvements) and the status moves.

Templates see these small plain rows rather than models, so a page's query count is fixed by
the code that reads them, whatever the template asks for.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.safestring import SafeString

from productize.domain.loop.states import (
    IMPROVEMENT_TRANSITIONS,
    PATTERN_TRANSITIONS,
    REASON_REQUIRED,
    ImprovementStatus,
    PatternStatus,
)
from productize.loop.models import (
    Feedback,
    Improvement,
    Pattern,
)
from productize.loop.render import markdown_safe

TREND_WEEKS = 26
TOP_PATTERNS = 10
RECENT_FEEDBACK = 8
MAX_IMPROVEMENTS = 200
CLOSED_PATTERNS = (PatternStatus.CLOSED_RESOLVED.value, PatternStatus.CLOSED_UNRESOLVED.value)
ENDED_IMPROVEMENTS = (
    ImprovementStatus.COMPLETED.value,
    ImprovementStatus.DENIED.value,
    ImprovementStatus.FAILED.value,
)
COLUMNS = (
    ("now", "Now", "Being built, or next to start."),
    ("next", "Next", "Decided; starts when Now frees people."),
    ("later", "Later", "Worth doing; not yet."),
)


def status_label(status: str) -> str:
    """A status as people read it: `closed-resolved` -> `Closed resolved`."""
    return status.replace("-", " ").capitalize()


def pattern_url(pk: int) -> str:
    """The pattern page."""
    return reverse("web:pattern", args=[pk])


def improvement_url(pk: int) -> str:
    """The improvement page."""
    return reverse("web:improvement", args=[pk])


@dataclass(frozen=True, slots=True)
class PatternRow:
    """A pattern in a list: title, status and its cached weight."""

    id: int
    title: str
    status: str
    status_label: str
    weight: float
    feedback_count: int
    distinct_authors: int
    owner: str
    share: int  # weight as a percentage of the heaviest in the list, for the bar

    @property
    def url(self) -> str:
        """The pattern page."""
        return pattern_url(self.id)

    @property
    def explain(self) -> str:
        """The tooltip: where the weight comes from."""
        people = "person" if self.distinct_authors == 1 else "people"
        return (
            f"weight {self.weight:.2f}: {self.feedback_count} feedback items from "
            f"{self.distinct_authors} {people}, newer items counting more"
        )


def pattern_rows(patterns: Iterable[Pattern]) -> list[PatternRow]:
    """Rows for patterns (with `owner` selected), each bar relative to the heaviest."""
    items = list(patterns)
    heaviest = max((p.weight for p in items), default=0.0) or 1.0
    return [
        PatternRow(
            id=p.pk,
            title=p.title,
            status=p.status,
            status_label=status_label(p.status),
            weight=p.weight,
            feedback_count=p.feedback_count,
            distinct_authors=p.distinct_authors,
            owner=p.owner.name if p.owner_id and p.owner else "",
            share=max(0, min(100, round(100 * p.weight / heaviest))),
        )
        for p in items
    ]


@dataclass(frozen=True, slots=True)
class LinkRef:
    """A link to a pattern from a feedback item."""

    id: int
    title: str

    @property
    def url(self) -> str:
        """The pattern page."""
        return pattern_url(self.id)


@dataclass(frozen=True, slots=True)
class FeedbackRow:
    """A feedback item as shown: who, where from, when, and its text rendered safely."""

    id: int
    author: str
    channel: str
    interface: str
    created: datetime
    title: str
    html: SafeString
    patterns: list[LinkRef] = field(default_factory=list)


def feedback_rows(items: Iterable[Feedback], *, with_patterns: bool = True) -> list[FeedbackRow]:
    """Rows for feedback (channel and interface selected; patterns prefetched if asked)."""
    rows = []
    for f in items:
        links = [LinkRef(p.pk, p.title) for p in f.patterns.all()] if with_patterns else []
        rows.append(
            FeedbackRow(
                id=f.pk,
                author=f.author_name,
                channel=f.channel.name if f.channel_id and f.channel else "",
                interface=f.interface.ref if f.interface_id and f.interface else "",
                created=f.created_at,
                title=f.title,
                html=markdown_safe(f.text),
                patterns=links,
            )
        )
    return rows


@dataclass(frozen=True, slots=True)
class ImprovementRow:
    """An improvement in a list, with its milestone progress."""

    id: int
    title: str
    status: str
    status_label: str
    milestones_total: int = 0
    milestones_done: int = 0

    @property
    def url(self) -> str:
        """The improvement page."""
        return improvement_url(self.id)

    @property
    def percent(self) -> int:
        """Milestones done, in percent (0 without milestones)."""
        if not self.milestones_total:
            return 0
        return round(100 * self.milestones_done / self.milestones_total)


def with_progress(improvements: Any) -> Any:
    """Annotate an improvement queryset with its milestone counts."""
    return improvements.annotate(
        ms_total=Count("milestones", distinct=True),
        ms_done=Count("milestones", filter=Q(milestones__done_at__isnull=False), distinct=True),
    )


def improvement_rows(improvements: Iterable[Improvement]) -> list[ImprovementRow]:
    """Rows for improvements (annotated by `with_progress` when progress is wanted)."""
    return [
        ImprovementRow(
            id=i.pk,
            title=i.title,
            status=i.status,
            status_label=status_label(i.status),
            milestones_total=getattr(i, "ms_total", 0),
            milestones_done=getattr(i, "ms_done", 0),
        )
        for i in improvements
    ]


@dataclass(frozen=True, slots=True)
class StatusGroup:
    """Improvements that share a status."""

    status: str
    label: str
    items: list[ImprovementRow]


def group_by_status(rows: Sequence[ImprovementRow]) -> list[StatusGroup]:
    """Rows grouped by status in the order of the state machine (work in flight first)."""
    order = [
        ImprovementStatus.IN_IMPLEMENTATION,
        ImprovementStatus.READY,
        ImprovementStatus.AWAITING_APPROVAL,
        ImprovementStatus.RESEARCHING,
        ImprovementStatus.PROPOSED,
        ImprovementStatus.COMPLETED,
        ImprovementStatus.FAILED,
        ImprovementStatus.DENIED,
    ]
    groups = []
    for status in order:
        items = [r for r in rows if r.status == status.value]
        if items:
            groups.append(StatusGroup(status.value, status_label(status.value), items))
    return groups


@dataclass(frozen=True, slots=True)
class Move:
    """A status move a person may make, as a button."""

    target: str
    label: str
    reason_required: bool
    quiet: bool = False
    danger: bool = False


_DANGER = {
    PatternStatus.CLOSED_UNRESOLVED.value,
    ImprovementStatus.DENIED.value,
    ImprovementStatus.FAILED.value,
}
_BACKWARDS = {
    PatternStatus.OPEN.value,
    PatternStatus.BRAINSTORMING.value,
    ImprovementStatus.PROPOSED.value,
    ImprovementStatus.RESEARCHING.value,
}


def moves_for(status: str, *, machine: str) -> list[Move]:
    """The moves the state machine allows from `status`, in the order of the machine."""
    if machine == "pattern":
        order: list[str] = [s.value for s in PatternStatus]
        allowed = {t.value for t in PATTERN_TRANSITIONS[PatternStatus(status)]}
    else:
        order = [s.value for s in ImprovementStatus]
        allowed = {t.value for t in IMPROVEMENT_TRANSITIONS[ImprovementStatus(status)]}
    forward = order.index(status)
    return [
        Move(
            target=t,
            label=status_label(t),
            reason_required=(status, t) in REASON_REQUIRED,
            quiet=t in _BACKWARDS or order.index(t) < forward,
            danger=t in _DANGER,
        )
        for t in order
        if t in allowed
    ]
