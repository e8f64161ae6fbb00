"""Loop, team and person pages, and their lists."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from productize.catalog.selectors import (
    ProductFilters,
    loop_detail,
    loop_tree,
    person_detail,
    person_page,
    product_count,
    team_detail,
    team_page,
)
from productize.web.charts import stage_bars
from productize.web.views.common import page_request, pagination, with_query

PRODUCTS_PER_PAGE = 25


def _catalog_url(**params: str) -> str:
    return reverse("web:catalog") + "?" + urlencode(params)


@require_GET
def loops(request: HttpRequest) -> HttpResponse:
    """Every loop, nested, with its product count."""
    return render(request, "web/loops.html", {"loops": loop_tree()})


@require_GET
def loop(request: HttpRequest, slug: str) -> HttpResponse:
    """A loop: mission, customers, owners, sub-loops, products by stage and a page of them."""
    detail = loop_detail(slug, page_request(request, size=PRODUCTS_PER_PAGE))
    if detail is None:
        raise Http404(f"No loop with the id `{slug}`.")
    path = reverse("web:loop", args=[slug])
    context = {
        "detail": detail,
        "loop": detail.loop,
        "stage_chart": stage_bars(detail.stages, compact=True, loop=slug),
        "pagination": pagination(detail.products, path, []),
        "catalog_url": _catalog_url(loop=slug),
    }
    return render(request, "web/loop.html", context)


@require_GET
def teams(request: HttpRequest) -> HttpResponse:
    """A page of teams with member and product counts."""
    page = team_page(page_request(request, size=50))
    context = {"page": page, "pagination": pagination(page, reverse("web:teams"), [])}
    return render(request, "web/teams.html", context)


@require_GET
def team(request: HttpRequest, slug: str) -> HttpResponse:
    """A team: members, sub-teams, loops and the products it owns."""
    detail = team_detail(slug, page_request(request, size=PRODUCTS_PER_PAGE))
    if detail is None:
        raise Http404(f"No team with the id `{slug}`.")
    path = reverse("web:team", args=[slug])
    context = {
        "detail": detail,
        "team": detail.team,
        "pagination": pagination(detail.products, path, []),
        "catalog_url": _catalog_url(owner=f"team:{slug}"),
    }
    return render(request, "web/team.html", context)


@require_GET
def people(request: HttpRequest) -> HttpResponse:
    """A page of people, optionally narrowed by name."""
    q = request.GET.get("q", "").strip()[:100]
    page = person_page(page_request(request, size=50), q=q)
    params = [("q", q)] if q else []
    context = {
        "page": page,
        "q": q,
        "pagination": pagination(page, reverse("web:people"), params),
        "clear_url": with_query(reverse("web:people"), []),
    }
    return render(request, "web/people.html", context)


@require_GET
def person(request: HttpRequest, slug: str) -> HttpResponse:
    """A person: teams, loops, what they own directly and what through each team."""
    detail = person_detail(slug, page_request(request, size=PRODUCTS_PER_PAGE))
    if detail is None:
        raise Http404(f"No person with the id `{slug}`.")
    path = reverse("web:person", args=[slug])
    owned = product_count(ProductFilters.build(owner=[f"person:{slug}"]))
    context = {
        "detail": detail,
        "person": detail.person,
        "owned_count": owned,
        "pagination": pagination(detail.direct, path, []),
        "catalog_url": _catalog_url(owner=f"person:{slug}"),
        "via_teams": [
            (via, _catalog_url(owner=f"team:{via.team.slug}")) for via in detail.via_teams
        ],
    }
    return render(request, "web/person.html", context)
