"""Home: the organisation's mission, its loops, the catalog in numbers, recent problems."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from productize.catalog.selectors import (
    catalog_totals,
    catalog_version,
    loop_tree,
    organization,
    products_by_stage,
    recent_problems,
)
from productize.catalog.selectors.caching import version_cached
from productize.web.charts import stage_bars


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The front page (about ten small queries, whatever the catalog's size)."""
    # Counting the whole catalog costs tens of milliseconds at 100,000 products, and the
    # numbers change only with the catalog: keep them per catalog version.
    version = catalog_version()
    stages = version_cached("home-stages", version, "", products_by_stage)
    context = {
        "organization": organization(),
        "loops": version_cached("home-loops", version, "", loop_tree),
        "totals": version_cached("home-totals", version, "", catalog_totals),
        "stage_chart": stage_bars(stages),
        # A narrower drawing for phones: an SVG scales its text with it.
        "stage_chart_compact": stage_bars(stages, compact=True),
        "problems": recent_problems(),
    }
    return render(request, "web/home.html", context)
