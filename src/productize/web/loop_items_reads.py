"""What the pattern and improvement pages show, and the two proposal forms' input handling.

Queries are bounded per page (prefetches, one page of linked feedback); the weight comes
from the loop service's `weight_of` and the verdict from `domain.loop.verification`, so the
page says what the API says.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.safestring import SafeString

from productize.catalog.models import Person
from productize.catalog.selectors import Page, PageRequest
from productize.catalog.selectors.paging import paginate
from productize.domain.loop.spec_template import SECTIONS
from productize.domain.loop.verification import Verification, verify
from productize.domain.loop.weight import Weight
from productize.loop.models import (
    Feedback,
    Improvement,
    ImprovementRole,
    Milestone,
    MilestoneKind,
    Pattern,
)
from productize.loop.render import markdown_safe
from productize.loop.services.patterns import weight_of
from productize.web.loop_charts import ColumnChart, column_chart
from productize.web.loop_rows import (
    FeedbackRow,
    ImprovementRow,
    Move,
    PatternRow,
    feedback_rows,
    improvement_rows,
    moves_for,
    pattern_rows,
    status_label,
)

__all__ = ["Move", "moves_for", "status_label"]

ROLE_KEYS = tuple(ImprovementRole.values)
VERIFY_WEEKS = 8
MAX_PEOPLE_OPTIONS = 300
MAX_FORM_OPTIONS = 100


@dataclass(frozen=True, slots=True)
class ProductRef:
    """A product named on a pattern or improvement (with its roadmap column, if placed)."""

    slug: str
    name: str
    column: str = ""


def _home(products: Sequence[ProductRef], wanted: str) -> ProductRef | None:
    # The product the reader came from (?product=), else the first one: the breadcrumbs.
    for p in products:
        if p.slug == wanted:
            return p
    return products[0] if products else None


@dataclass(frozen=True, slots=True)
class PatternView:
    """A pattern as its page shows it."""

    model: Pattern
    id: int
    title: str
    status: str
    status_label: str
    statement_html: SafeString | str
    workaround_html: SafeString | str
    owner: str
    products: list[ProductRef]
    interfaces: list[str]
    created: datetime
    weight: Weight
    improvements: list[ImprovementRow]
    related: list[PatternRow]
    home_product: ProductRef | None


def pattern_view(pk: int, *, home: str = "") -> PatternView | None:
    """A pattern with its products, interfaces, improvements and related patterns."""
    pattern = (
        Pattern.objects.select_related("owner")
        .prefetch_related("products", "interfaces", "improvements")
        .filter(pk=pk)
        .first()
    )
    if pattern is None:
        return None
    products = [ProductRef(p.slug, p.name) for p in pattern.products.all()]
    related = pattern.related.select_related("owner").order_by("-weight", "-id")[:20]
    return PatternView(
        model=pattern,
        id=pattern.pk,
        title=pattern.title,
        status=pattern.status,
        status_label=status_label(pattern.status),
        statement_html=markdown_safe(pattern.description) if pattern.description else "",
        workaround_html=markdown_safe(pattern.workaround) if pattern.workaround else "",
        owner=pattern.owner.name if pattern.owner else "",
        products=products,
        interfaces=[i.ref for i in pattern.interfaces.all()],
        created=pattern.created_at,
        weight=weight_of(pattern),
        improvements=improvement_rows(pattern.improvements.all()),
        related=pattern_rows(related),
        home_product=_home(products, home),
    )


@dataclass(frozen=True, slots=True)
class Term:
    """One row of the weight table: a value, its factor and its contribution."""

    label: str
    value: str
    factor: str
    term: float


def weight_terms(weight: Weight) -> list[Term]:
    """The weight's terms as a table: items, distinct authors and recency."""
    p = weight.params
    terms = weight.terms
    return [
        Term("Feedback items", str(weight.count), f"{p.count_factor:g}", terms["count"]),
        Term(
            "Distinct people",
            str(weight.distinct_authors),
            f"{p.author_factor:g}",
            terms["distinct_authors"],
        ),
        Term("Recent items", f"{weight.recent:.2f}", f"{p.recency_factor:g}", terms["recency"]),
    ]


@dataclass(frozen=True, slots=True)
class FeedbackPage:
    """One page of a pattern's linked feedback."""

    page: Page[Feedback]
    rows: list[FeedbackRow]


def linked_feedback(pattern: Pattern, request: PageRequest) -> FeedbackPage:
    """The feedback linked to a pattern, newest first, one page of it."""
    ordered = (
        Feedback.objects.filter(pattern_links__pattern=pattern)
        .select_related("channel", "interface")
        .order_by("-created_at", "-id")
    )
    counted = Feedback.objects.filter(pattern_links__pattern=pattern)
    page = paginate(ordered, request, counted=counted)
    return FeedbackPage(page, feedback_rows(page.items, with_patterns=False))


VERDICTS = {
    "dropped": (
        "Feedback dropped",
        "New feedback on this problem fell to {after} a week from {before} before it shipped"
        " ({change}). The evidence says it worked: close it resolved, after checking with a few"
        " of the people who raised it.",
    ),
    "unchanged": (
        "About the same",
        "Feedback arrives at about the same rate as before ({before} → {after} a week). The"
        " problem may still be there: ask the people behind the feedback before closing it.",
    ),
    "rose": (
        "Feedback rose",
        "More feedback than before ({before} → {after} a week): the problem may be worse, or"
        " more people now find it. Look at the new items before deciding.",
    ),
    "too-early": (
        "Too early to tell",
        "It shipped less than two weeks ago; a short quiet spell proves little. Come back"
        " when there are at least two weeks of feedback after it.",
    ),
    "no-feedback": (
        "No feedback either side",
        "No feedback on this problem in the weeks before or after it shipped: nothing to"
        " compare. Ask the people who raised it.",
    ),
}


def verification_context(pattern: Pattern, *, now: datetime | None = None) -> dict[str, Any]:
    """The before/after evidence for the latest completed improvement on the pattern."""
    shipped = (
        pattern.improvements.filter(status="completed", completed_at__isnull=False)
        .order_by("-completed_at", "-id")
        .first()
    )
    if shipped is None or shipped.completed_at is None:
        return {"verification": None}
    window = timedelta(weeks=VERIFY_WEEKS)
    start, end = shipped.completed_at - window, shipped.completed_at + window
    created = Feedback.objects.filter(
        pattern_links__pattern=pattern, created_at__gte=start, created_at__lt=end
    ).values_list("created_at", flat=True)
    result: Verification = verify(
        list(created), shipped_at=shipped.completed_at, now=now, window_weeks=VERIFY_WEEKS
    )
    label, text = VERDICTS.get(result.verdict, (result.verdict, ""))
    change = result.change
    chart: ColumnChart = column_chart(
        [(w.week_start, w.count, w.after_ship) for w in result.weekly],
        marker=timezone.localdate(result.shipped_at),
    )
    return {
        "verification": result,
        "verification_chart": chart,
        "verification_window": VERIFY_WEEKS,
        "verdict_label": label,
        "verdict_text": text.format(
            before=f"{result.before.per_week:.1f}",
            after=f"{result.after.per_week:.1f}",
            change="no rate before" if change is None else f"{change:+.0%}",
        ),
        "shipped": improvement_rows([shipped])[0],
    }


# --- improvement -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MilestoneRef:
    """A milestone another one depends on."""

    id: int
    title: str


@dataclass(frozen=True, slots=True)
class MilestoneRow:
    """A milestone as the improvement page lists it."""

    id: int
    title: str
    description: str
    kind: str
    kind_label: str
    due: date | None
    done_at: datetime | None
    depends_on: list[MilestoneRef]

    @property
    def done(self) -> bool:
        """Whether it is done."""
        return self.done_at is not None


@dataclass(frozen=True, slots=True)
class Progress:
    """Progress derived from milestones: all of them, and the MVP set."""

    done: int
    total: int
    mvp_done: int
    mvp_total: int

    @property
    def percent(self) -> int:
        """Share of milestones done, in percent."""
        return round(100 * self.done / self.total) if self.total else 0


def progress_of(milestones: Sequence[MilestoneRow]) -> Progress:
    """Progress from a list of milestones."""
    mvp = [m for m in milestones if m.kind == MilestoneKind.MVP]
    return Progress(
        done=sum(1 for m in milestones if m.done),
        total=len(milestones),
        mvp_done=sum(1 for m in mvp if m.done),
        mvp_total=len(mvp),
    )


@dataclass(frozen=True, slots=True)
class ImprovementView:
    """An improvement as its page shows it."""

    model: Improvement
    id: int
    title: str
    status: str
    status_label: str
    spec_markdown: str
    spec_html: SafeString | str
    spec_missing: int
    products: list[ProductRef]
    patterns: list[PatternRow]
    milestones: list[MilestoneRow]
    progress: Progress
    people: list[tuple[str, list[str]]]
    chosen: Mapping[str, set[str]]
    home_product: ProductRef | None
    effort_weeks: float | None = None
    confidence: float | None = None


def improvement_view(pk: int, *, home: str = "") -> ImprovementView | None:
    """An improvement with its products, patterns, milestones and people (six queries)."""
    improvement = (
        Improvement.objects.prefetch_related(
            "products",
            "roadmap_entries",
            "people__person",
            "milestones__depends_on",
        )
        .filter(pk=pk)
        .first()
    )
    if improvement is None:
        return None
    columns = {e.product_id: e.column for e in improvement.roadmap_entries.all()}
    products = [
        ProductRef(p.slug, p.name, columns.get(p.pk, "")) for p in improvement.products.all()
    ]
    milestones = [
        MilestoneRow(
            id=m.pk,
            title=m.title,
            description=m.description,
            kind=m.kind,
            kind_label="MVP" if m.kind == MilestoneKind.MVP else "Stretch",
            due=m.due_date,
            done_at=m.done_at,
            depends_on=[MilestoneRef(d.pk, d.title) for d in m.depends_on.all()],
        )
        for m in sorted(improvement.milestones.all(), key=lambda m: (m.position, m.pk))
    ]
    by_role: dict[str, list[str]] = {}
    chosen: dict[str, set[str]] = {}
    for row in improvement.people.all():
        by_role.setdefault(row.role, []).append(row.person.name)
        chosen.setdefault(row.role, set()).add(row.person.slug)
    people = [(role, sorted(by_role[role])) for role in ROLE_KEYS if role in by_role]
    spec = improvement.specification or ""
    missing = sum(1 for s in SECTIONS if f"_{s.prompt}_" in spec)
    patterns = improvement.patterns.select_related("owner").order_by("-weight", "-id")
    return ImprovementView(
        model=improvement,
        id=improvement.pk,
        title=improvement.title,
        status=improvement.status,
        status_label=status_label(improvement.status),
        spec_markdown=spec,
        spec_html=markdown_safe(spec) if spec.strip() else "",
        spec_missing=missing,
        products=products,
        patterns=pattern_rows(patterns),
        milestones=milestones,
        progress=progress_of(milestones),
        people=people,
        chosen=chosen,
        home_product=_home(products, home),
        effort_weeks=improvement.effort_weeks,
        confidence=improvement.confidence,
    )


@dataclass(frozen=True, slots=True)
class RoleChoice:
    """One role of the people form, with who holds it now."""

    key: str
    label: str
    chosen: set[str]


def role_choices(view: ImprovementView) -> list[RoleChoice]:
    """The roles in order, each with the people who hold it."""
    return [
        RoleChoice(key, label.capitalize(), set(view.chosen.get(key, set())))
        for key, label in ImprovementRole.choices
    ]


def person_options(view: ImprovementView) -> list[Person]:
    """People to choose from: the chosen ones first, then others by name (bounded)."""
    chosen = set().union(*view.chosen.values()) if view.chosen else set()
    rows = list(Person.objects.filter(slug__in=chosen).order_by("name"))
    rows += list(Person.objects.exclude(slug__in=chosen).order_by("name")[:MAX_PEOPLE_OPTIONS])
    return rows


def reordered(improvement: Improvement, milestone: Milestone, direction: str) -> list[int] | None:
    """The milestone order with one moved up or down (None when it cannot move)."""
    ids = list(
        Milestone.objects.filter(improvement=improvement)
        .order_by("position", "id")
        .values_list("pk", flat=True)
    )
    index = ids.index(milestone.pk)
    step = {"up": -1, "down": 1}.get(direction)
    if step is None or not 0 <= index + step < len(ids):
        return None
    ids[index], ids[index + step] = ids[index + step], ids[index]
    return ids
