"""Ingest sources and runs: where descriptors come from and what went wrong reading them."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from productize.catalog.selectors import (
    PageRequest,
    problem_page,
    run_get,
    run_page,
    source_get,
    source_page,
)
from productize.ingest.redact import redact_url
from productize.web.views.common import page_request, pagination

RECENT_RUNS = 10


@require_GET
def sources(request: HttpRequest) -> HttpResponse:
    """Every source with its last run and its current problems."""
    page = source_page(page_request(request, size=50))
    context = {
        "page": page,
        "pagination": pagination(page, reverse("web:sources"), []),
    }
    return render(request, "web/sources.html", context)


@require_GET
def source(request: HttpRequest, source_id: int) -> HttpResponse:
    """A source: where it reads from, its current problems (paged) and its recent runs."""
    found = source_get(source_id)
    if found is None:
        raise Http404(f"No source number {source_id}.")
    problems = problem_page(page_request(request, size=50), source=found)
    runs = run_page(PageRequest(1, RECENT_RUNS), source=found)
    path = reverse("web:source", args=[source_id])
    context = {
        "source": found,
        "location": redact_url(found.location),
        "problems": problems,
        "pagination": pagination(problems, path, []),
        "runs": runs,
        "all_runs_url": reverse("web:runs") + f"?source={source_id}",
    }
    return render(request, "web/source.html", context)


@require_GET
def runs(request: HttpRequest) -> HttpResponse:
    """Ingest runs, newest first, optionally of one source."""
    source_id = request.GET.get("source", "")
    chosen = source_get(int(source_id)) if source_id.isdigit() else None
    page = run_page(page_request(request, size=50), source=chosen)
    params = [("source", source_id)] if chosen else []
    context = {
        "page": page,
        "source": chosen,
        "pagination": pagination(page, reverse("web:runs"), params),
    }
    return render(request, "web/runs.html", context)


@require_GET
def run(request: HttpRequest, run_id: int) -> HttpResponse:
    """One run: its counts, and the problems it found (paged)."""
    found = run_get(run_id)
    if found is None:
        raise Http404(f"No run number {run_id}.")
    problems = problem_page(page_request(request, size=50), run=found)
    duration = None
    if found.finished_at is not None:
        seconds = (found.finished_at - found.started_at).total_seconds()
        duration = f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.0f} min"
    context = {
        "run": found,
        "duration": duration,
        "location": redact_url(found.location),
        "problems": problems,
        "pagination": pagination(problems, reverse("web:run", args=[run_id]), []),
    }
    return render(request, "web/run.html", context)
