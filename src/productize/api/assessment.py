"""Assessment: one product's scorecard and history, the organisation's results and summary.

(No `from __future__ import annotations` in router modules: Django Ninja reads the view
signatures at runtime, through the `strict_query` wrapper.)
"""

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from productize.api.errors import ERRORS, ERRORS_404, ApiError, not_found
from productize.api.params import Paging, strict_query
from productize.api.schemas import page_meta
from productize.assessment import selectors
from productize.assessment.models import AssessmentHistory, ProductAssessment
from productize.catalog.selectors import product_get
from productize.domain.descriptors import Stage

router = Router(tags=["assessment"])

LevelName = Literal["none", "idea", "prototype", "established", "growing", "maintained"]
MANY = "Repeat the parameter to allow several values (OR); different filters combine (AND)."


class ResultOut(Schema):
    """A product's current assessment."""

    product: str = Field(description="The product id.")
    name: str
    loop: str | None = Field(None, description="The product's loop id.")
    stage: str
    level: str = Field(description="none, idea, prototype, established, growing, maintained.")
    level_title: str
    score: int = Field(description="0 to 100: weighted share of what could be judged.")
    not_yet_a_product: bool
    not_yet_reasons: list[str]
    assessed_at: str
    changed_at: str = Field(description="When the result last changed.")
    characteristics: list[dict[str, Any]] = Field(
        description="Each characteristic: key, title, status, observed, expected, and its "
        "rules with status, evidence and next step."
    )
    next_steps: list[dict[str, Any]] = Field(description="Ranked: what unblocks a level first.")
    unverified: list[str] = Field(description="Characteristics without data (not blocking).")


class HistoryOut(Schema):
    """One change of a product's result, and why."""

    at: str
    level: str
    score: int
    not_yet_a_product: bool
    why: list[str] = Field(
        description="Inputs that changed: descriptor, repository, catalog, loop, "
        "characteristics, or `first assessment`."
    )
    changes: list[dict[str, Any]] = Field(description="Characteristics whose status changed.")


class HistoryPage(Schema):
    """A page of result changes, newest first."""

    items: list[HistoryOut]
    total: int
    page: int
    page_size: int
    pages: int


class ProductAssessmentOut(Schema):
    """A product's current result (null before its first assessment) and its history."""

    current: ResultOut | None
    history: HistoryPage


class ResultSummaryOut(Schema):
    """One product in the organisation-wide list."""

    product: str
    name: str
    loop: str | None
    stage: str
    level: str
    score: int
    not_yet_a_product: bool
    gaps: list[str] = Field(description="Characteristics not met or partly met.")
    next_step: str | None = Field(None, description="The first next step.")


class ResultPage(Schema):
    """A page of results, weakest first."""

    items: list[ResultSummaryOut]
    total: int
    page: int
    page_size: int
    pages: int


class SummaryOut(Schema):
    """Where the organisation is weakest."""

    products: int
    assessed: int
    by_level: dict[str, int]
    by_loop: list[dict[str, Any]] = Field(description="Per loop: counts by level.")
    by_stage: list[dict[str, Any]] = Field(description="Per stage: counts by level.")
    worst_gaps: list[dict[str, Any]] = Field(description="Characteristics most often not met.")
    no_owner: dict[str, Any] = Field(description="Products without an owner that exists.")
    no_live_loop: dict[str, Any] = Field(description="Products whose feedback loop is not met.")
    not_yet_a_product: list[dict[str, Any]]
    alignment_gaps: list[dict[str, Any]] = Field(description="No alignment, or no rationale.")
    overlaps: list[dict[str, Any]] = Field(description="Product pairs whose scope collides.")
    characteristics_files: list[dict[str, Any]]


class AssessmentFilterParams(Schema):
    """Filters of the organisation-wide list."""

    level: list[LevelName] = Field([], description=f"Level. {MANY}")
    below: LevelName | None = Field(None, description="Only products below this level.")
    failing: list[str] = Field([], description=f"A characteristic not (fully) met. {MANY}")
    loop: list[str] = Field([], description=f"Loop id, or `none`. {MANY}")
    stage: list[Stage] = Field([], description=f"Stage. {MANY}")
    not_yet_a_product: bool | None = Field(None, description="Only (or no) 'not yet' products.")


def _result(a: ProductAssessment) -> dict[str, Any]:
    data = a.result
    p = a.product
    return {
        "product": p.slug,
        "name": p.name,
        "loop": p.loop.slug if p.loop_id and p.loop else None,
        "stage": p.stage,
        "level": a.level,
        "level_title": selectors.level_title(a.level),
        "score": a.score,
        "not_yet_a_product": a.not_yet_a_product,
        "not_yet_reasons": data.get("not_yet_reasons", []),
        "assessed_at": a.assessed_at.isoformat(),
        "changed_at": a.changed_at.isoformat(),
        "characteristics": data.get("characteristics", []),
        "next_steps": data.get("next_steps", []),
        "unverified": data.get("unverified", []),
    }


def _history(h: AssessmentHistory) -> dict[str, Any]:
    return {
        "at": h.at.isoformat(),
        "level": h.level,
        "score": h.score,
        "not_yet_a_product": h.not_yet_a_product,
        "why": h.why,
        "changes": h.changes,
    }


@router.get(
    "/products/{product_id}/assessment",
    response={200: ProductAssessmentOut, **ERRORS_404},
    url_name="product-assessment",
    summary="Get a product's assessment",
)
@strict_query(Paging)
def product_assessment(
    request: HttpRequest, product_id: str, paging: Query[Paging]
) -> dict[str, Any]:
    """The product's scorecard (each characteristic with status, evidence and next step; the
    level; ranked next steps) and a page of its history: how the result changed, and why."""
    product = product_get(product_id)
    if product is None:
        raise not_found("product", product_id)
    current = selectors.current_for(product)
    if current is not None:
        current.product = product
    page = selectors.history_page(product, paging.page_request())
    return {
        "current": _result(current) if current is not None else None,
        "history": {"items": [_history(h) for h in page.items], **page_meta(page)},
    }


@router.get(
    "/assessments",
    response={200: ResultPage, **ERRORS},
    url_name="assessments",
    summary="List assessment results",
)
@strict_query(AssessmentFilterParams, Paging)
def list_assessments(
    request: HttpRequest, filters: Query[AssessmentFilterParams], paging: Query[Paging]
) -> dict[str, Any]:
    """Every product's current result, weakest first (level, then score, then name)."""
    chosen = selectors.AssessmentFilters(
        level=tuple(filters.level),
        below=filters.below or "",
        failing=tuple(filters.failing),
        loop=tuple(filters.loop),
        stage=tuple(s.value for s in filters.stage),
        not_yet=filters.not_yet_a_product,
    )
    try:
        chosen.validate()
    except selectors.AssessmentFilterError as error:
        detail = {"code": "invalid_value", "message": str(error), "field": error.field}
        raise ApiError(
            422, "invalid_request", str(error), field=error.field, details=[detail]
        ) from None
    page = selectors.assessment_page(chosen, paging.page_request())
    items = []
    for a in page.items:
        data = a.result
        steps = data.get("next_steps", [])
        items.append(
            {
                "product": a.product.slug,
                "name": a.product.name,
                "loop": a.product.loop.slug if a.product.loop else None,
                "stage": a.product.stage,
                "level": a.level,
                "score": a.score,
                "not_yet_a_product": a.not_yet_a_product,
                "gaps": [
                    c["key"]
                    for c in data.get("characteristics", [])
                    if c["status"] in ("not-met", "partly-met")
                ],
                "next_step": steps[0]["text"] if steps else None,
            }
        )
    return {"items": items, **page_meta(page)}


@router.get(
    "/assessments/summary",
    response={200: SummaryOut, **ERRORS},
    url_name="assessment-summary",
    summary="Organisation-wide assessment summary",
)
@strict_query()
def assessment_summary(request: HttpRequest) -> dict[str, Any]:
    """Counts by loop and level and by stage and level, the worst gaps, products with no
    owner or no live loop, 'not yet a product' signals, alignment gaps and scope overlaps."""
    s = selectors.organisation_summary()
    return {
        "products": s.products,
        "assessed": s.assessed,
        "by_level": s.by_level,
        "by_loop": [{"loop": slug, "name": name, "levels": v} for slug, name, v in s.by_loop],
        "by_stage": [{"stage": stage, "levels": v} for stage, v in s.by_stage],
        "worst_gaps": [
            {"characteristic": k, "title": t, "products": n} for k, t, n in s.worst_gaps
        ],
        "no_owner": {"total": s.no_owner_count, "products": [x for x, _ in s.no_owner]},
        "no_live_loop": {
            "total": s.no_live_loop_count,
            "products": [x for x, _ in s.no_live_loop],
        },
        "not_yet_a_product": [{"product": x, "reasons": reasons} for x, _, reasons in s.not_yet],
        "alignment_gaps": [{"product": x, "problem": what} for x, _, what in s.alignment_gaps],
        "overlaps": s.overlaps,
        "characteristics_files": s.characteristics_files,
    }
