"""The organisation's assessment: where are we weakest? And a paged list by level and gap."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from productize.assessment import selectors
from productize.assessment.charts import stacked_chart
from productize.web.views.common import page_request, pagination


@require_GET
def organisation(request: HttpRequest) -> HttpResponse:
    """Maturity by loop and stage, worst gaps, owners, loops, overlaps, alignment gaps."""
    s = selectors.organisation_summary()
    context = {
        "s": s,
        "levels": [(level, selectors.level_title(level)) for level in selectors.LEVELS],
        "by_loop": stacked_chart(s.by_loop),
        "by_stage": stacked_chart([(k, k.capitalize(), c) for k, c in s.by_stage]),
        "worst": s.worst_gaps[:8],
    }
    return render(request, "web/assessment/organisation.html", context)


@require_GET
def products(request: HttpRequest) -> HttpResponse:
    """Products filtered by level and failing characteristic, weakest first (paged)."""
    problems: list[str] = []
    levels = tuple(v for v in request.GET.getlist("level") if v in selectors.LEVELS)
    keys = {k for k, _ in selectors.characteristic_choices()}
    failing = tuple(v for v in request.GET.getlist("failing") if v in keys)
    dropped = [v for v in request.GET.getlist("level") if v not in selectors.LEVELS] + [
        v for v in request.GET.getlist("failing") if v not in keys
    ]
    problems.extend(f"`{v}` is not a level or characteristic; ignored" for v in dropped)
    chosen = selectors.AssessmentFilters(level=levels, failing=failing)
    page = selectors.assessment_page(chosen, page_request(request))
    params = [("level", v) for v in levels] + [("failing", v) for v in failing]
    context = {
        "page": page,
        "pagination": pagination(page, reverse("web:assessment-products"), params),
        "levels": [(level, selectors.level_title(level)) for level in selectors.LEVELS],
        "characteristics": selectors.characteristic_choices(),
        "chosen_levels": levels,
        "chosen_failing": failing,
        "problems": problems,
    }
    return render(request, "web/assessment/products.html", context)
