"""Reading ingest bookkeeping: sources, their runs, and the problems found in descriptor files."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from productize.catalog.selectors.paging import Page, PageRequest, paginate
from productize.ingest.models import IngestProblem, IngestRun, Source

RECENT_PROBLEMS = 8


def _current_problem_count() -> Coalesce:
    counted = (
        IngestProblem.objects.filter(source=OuterRef("pk"), current=True)
        .order_by()
        .values("source")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _last_run_id() -> Subquery:
    newest = IngestRun.objects.filter(source=OuterRef("pk")).order_by("-started_at", "-id")
    return Subquery(newest.values("id")[:1])


def source_page(request: PageRequest) -> Page[Source]:
    """One page of sources by name, each with its current problem count and its last run."""
    sources = Source.objects.annotate(
        problem_count=_current_problem_count(), last_run_id=_last_run_id()
    ).order_by("name", "id")
    page: Page[Source] = paginate(sources, request, counted=Source.objects.all())
    runs = IngestRun.objects.in_bulk([s.last_run_id for s in page.items if s.last_run_id])  # type: ignore[attr-defined]
    for source in page.items:
        source.last_run = runs.get(source.last_run_id)  # type: ignore[attr-defined]
    return page


def source_get(source_id: int) -> Source | None:
    """The source with this id, with its current problem count, or None."""
    return (
        Source.objects.annotate(problem_count=_current_problem_count()).filter(id=source_id).first()
    )


def source_by_name(name: str) -> Source | None:
    """The source with this name, with its current problem count, or None."""
    return Source.objects.annotate(problem_count=_current_problem_count()).filter(name=name).first()


def run_page(request: PageRequest, *, source: Source | None = None) -> Page[IngestRun]:
    """One page of ingest runs, newest first, optionally of one source."""
    runs: QuerySet[IngestRun] = IngestRun.objects.select_related("source")
    if source is not None:
        runs = runs.filter(source=source)
    return paginate(runs.order_by("-started_at", "-id"), request)


def run_get(run_id: int) -> IngestRun | None:
    """The run with this id, with its source, or None."""
    return IngestRun.objects.select_related("source").filter(id=run_id).first()


def problem_page(
    request: PageRequest,
    *,
    run: IngestRun | None = None,
    source: Source | None = None,
    product_slug: str = "",
    current_only: bool = True,
) -> Page[IngestProblem]:
    """One page of problems by file and position: a run's, or the current ones of a source."""
    problems: QuerySet[IngestProblem] = IngestProblem.objects.select_related(
        "source", "related_source"
    )
    if run is not None:
        problems = problems.filter(run=run)
    elif current_only:
        problems = problems.filter(current=True)
    if source is not None:
        problems = problems.filter(source=source)
    if product_slug:
        problems = problems.filter(product_slug=product_slug)
    return paginate(problems.order_by("path", "line", "column", "id"), request)


@dataclass(frozen=True, slots=True)
class ProblemSummary:
    """The newest current problems, and how many errors and warnings stand in all."""

    problems: list[IngestProblem]
    errors: int
    warnings: int

    @property
    def total(self) -> int:
        """Errors and warnings together."""
        return self.errors + self.warnings


def recent_problems(limit: int = RECENT_PROBLEMS) -> ProblemSummary:
    """The current problems, errors and newest runs first, with the counts (two queries)."""
    current = IngestProblem.objects.filter(current=True)
    counts = current.aggregate(
        errors=Count("id", filter=Q(severity="error")),
        warnings=Count("id", filter=~Q(severity="error")),
    )
    problems: list[IngestProblem] = list(
        current.select_related("source", "related_source")
        .annotate(is_warning=Case(When(severity="error", then=0), default=1))
        .order_by("is_warning", "-run_id", "path", "line", "column")[:limit]
    )
    return ProblemSummary(problems, counts["errors"] or 0, counts["warnings"] or 0)
