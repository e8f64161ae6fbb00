"""The catalog: search, facet filters with counts, and server-side pages, all in the URL."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from productize.catalog.selectors import (
    FACETS,
    Facet,
    FacetOption,
    ProductFilters,
    catalog_version,
    product_facets,
    product_page,
)
from productize.catalog.selectors.facets import FACET_LABELS, NONE_LABELS
from productize.catalog.selectors.products import Sort
from productize.web.page_cache import cached_page
from productize.web.views.common import page_request, pagination, with_query

SORTS = {"relevance": "Best match", "name": "Name"}
SORT_VALUES: dict[str, Sort] = {"relevance": "relevance", "name": "name"}


@dataclass(frozen=True, slots=True)
class OptionView:
    """A facet option with its checkbox's id."""

    option: FacetOption
    input_id: str


@dataclass(frozen=True, slots=True)
class FacetView:
    """A facet as the sidebar shows it."""

    facet: Facet
    options: list[OptionView]
    selected_count: int


@dataclass(frozen=True, slots=True)
class ActiveFilter:
    """A chosen filter value, shown as a removable chip."""

    label: str
    value: str
    remove_url: str


def _params(filters: ProductFilters, sort: str | None) -> list[tuple[str, str]]:
    params = filters.as_params()
    if sort:
        params.append(("sort", sort))
    return params


def _toggle(params: list[tuple[str, str]], name: str, value: str) -> list[tuple[str, str]]:
    pair = (name, value)
    return [p for p in params if p != pair] if pair in params else [*params, pair]


def _input_id(name: str, value: str) -> str:
    # Stable ids let htmx keep keyboard focus on a checkbox when the sidebar is swapped.
    return "f-" + name + "-" + "".join(c if c.isalnum() else "-" for c in value)


def _facet_views(facets: list[Facet]) -> list[FacetView]:
    views = []
    for facet in facets:
        options = [
            OptionView(option, _input_id(facet.name, option.value)) for option in facet.options
        ]
        selected = sum(1 for o in facet.options if o.selected)
        views.append(FacetView(facet, options, selected))
    return views


def _active(
    filters: ProductFilters, facets: list[Facet], path: str, params: list[tuple[str, str]]
) -> list[ActiveFilter]:
    labels = {(f.name, o.value): o.label for f in facets for o in f.options}
    chips = []
    if filters.q:
        rest = [p for p in params if p[0] != "q"]
        chips.append(ActiveFilter("Search", f"“{filters.q}”", with_query(path, rest)))
    for name in FACETS:
        for value in filters.values(name):
            fallback = NONE_LABELS.get(name, value) if value == "none" else value
            label = labels.get((name, value)) or fallback
            chips.append(
                ActiveFilter(
                    FACET_LABELS[name], label, with_query(path, _toggle(params, name, value))
                )
            )
    if filters.consumes:
        rest = [p for p in params if p[0] != "consumes"]
        chips.append(ActiveFilter("Consumes", filters.consumes, with_query(path, rest)))
    return chips


@require_GET
@vary_on_headers("HX-Request")
@cached_page
def catalog(request: HttpRequest) -> HttpResponse:
    """The catalog page; an htmx request gets only the part that changes."""
    filters, problems = ProductFilters.lenient(
        {key: request.GET.getlist(key) for key in request.GET}
    )
    sort = SORT_VALUES.get(request.GET.get("sort", ""))
    version = getattr(request, "catalog_version", None)
    if version is None:
        version = catalog_version()
    page = product_page(filters, page_request(request), sort=sort, version=version)
    facets = product_facets(filters, version=version)
    path = reverse("web:catalog")
    params = _params(filters, sort)
    context = {
        "filters": filters,
        "sort": sort or ("relevance" if filters.q else "name"),
        "sorts": SORTS,
        "page": page,
        "pagination": pagination(page, path, params),
        "facets": _facet_views(facets),
        "active": _active(filters, facets, path, params),
        "clear_url": path,
        "problems": problems,
    }
    htmx = getattr(request, "htmx", None)
    partial = bool(htmx) and not htmx.history_restore_request and not htmx.boosted  # type: ignore[union-attr]
    template = "web/catalog/_body.html" if partial else "web/catalog/index.html"
    return render(request, template, context)
