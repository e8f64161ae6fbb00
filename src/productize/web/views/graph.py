"""Graph pages: who to tell about a change (impact), and the organisation map."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from productize.catalog.models import Product
from productize.catalog.selectors import PageRequest, catalog_version
from productize.domain.descriptors import Stage
from productize.domain.graph import UnknownNodeError
from productize.domain.graph_render import org_map_picture
from productize.graph import queries, selectors

IMPACT_PAGE_SIZE = 50
STAGES = [stage.value for stage in Stage]


@require_GET
def product_impact(request: HttpRequest, slug: str) -> HttpResponse:
    """Every product depending on this one (or one of its interfaces), paged, with owners."""
    product = Product.objects.filter(slug=slug).only("slug", "name", "stage").first()
    if product is None:
        raise Http404(f"No product with the id `{slug}`.")
    version = catalog_version()
    graph = selectors.product_graph(version)
    ref = request.GET.get("interface", "")
    if ref and not ref.startswith(f"{slug}/"):
        raise Http404(f"`{ref}` is not an interface of {slug}.")
    page = PageRequest.lenient(request.GET.get("page"), IMPACT_PAGE_SIZE)
    try:
        impact = selectors.impact_of(ref or slug, version)
        data = selectors.impact_page(ref or slug, page, version)
    except UnknownNodeError:
        raise Http404(f"No interface `{ref}`.") from None
    entries = impact.entries(page.offset, page.size)
    base = {"interface": ref} if ref else {}
    context = {
        "product": product,
        "interface": ref,
        "interfaces": graph.provided_by(slug),
        "impact": data,
        "entries": entries,
        "previous": _page_link(base, data["page"] - 1) if data["page"] > 1 else "",
        "next": _page_link(base, data["page"] + 1) if data["page"] < data["pages"] else "",
    }
    return render(request, "web/graph/impact.html", context)


@require_GET
def product_neighbourhood(request: HttpRequest, slug: str) -> HttpResponse:
    """The graph panel of the product page on its own (the page loads it in place with htmx)."""
    product = Product.objects.filter(slug=slug).only("slug", "name", "stage").first()
    if product is None:
        raise Http404(f"No product with the id `{slug}`.")
    return render(request, "web/graph/neighbourhood.html", {"product": product})


def _page_link(params: dict[str, str], page: int) -> str:
    return "?" + urlencode({**params, "page": page})


@require_GET
def org_map(request: HttpRequest) -> HttpResponse:
    """The organisation map grouped by loop: collapse loops, filter by stage, focus a product."""
    graph = selectors.product_graph(catalog_version())
    names = selectors.loop_names()
    stages = [s for s in request.GET.getlist("stage") if s in STAGES]
    collapse = request.GET.getlist("collapse")
    focus = request.GET.get("focus", "").strip()
    unknown_focus = bool(focus) and focus not in graph
    picture = org_map_picture(
        graph,
        loop_names=names,
        collapsed="all" if "all" in collapse else collapse,
        stages=stages or None,
        focus=None if unknown_focus or not focus else focus,
    )
    query = urlencode(
        [("stage", s) for s in stages]
        + [("collapse", c) for c in collapse]
        + ([("focus", focus)] if focus and not unknown_focus else [])
    )
    context = {
        # The renderer escapes every text and writes no script (see domain.graph_render.svg).
        "svg": mark_safe(queries.inline_svg(picture, "map")),
        "picture": picture,
        "stages": STAGES,
        "chosen_stages": stages,
        "loops": sorted(names.items(), key=lambda item: item[1].lower()),
        "collapsed": collapse,
        "focus": focus,
        "unknown_focus": unknown_focus,
        "query": query,
        "products": len(graph),
    }
    return render(request, "web/graph/map.html", context)
