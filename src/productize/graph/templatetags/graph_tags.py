"""The graph panel of the product page, as an inclusion tag (the product view stays as it is)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import mark_safe

from productize.catalog.selectors import catalog_version
from productize.domain.graph_render import neighbourhood_picture
from productize.graph import queries, selectors

register = template.Library()
EVENTS_SHOWN = 5
PANEL_LIMIT = 10


@register.inclusion_tag("web/graph/product_panel.html")
def graph_panel(product: Any, deferrable: bool = True) -> dict[str, Any]:
    """Neighbourhood picture, reach, policy violations and interface changes of a product.

    The panel needs the whole-catalog graph (transitive reach, cycles). In a large catalog
    whose graph this process has not built yet, the product page does not wait for it: it
    shows a link to the panel's own page, which htmx loads into place (see
    `selectors.panel_deferred`).
    """
    version = catalog_version()
    if deferrable and selectors.panel_deferred(version):
        return {"product": product, "deferred": True}
    graph = selectors.product_graph(version)
    slug = product.slug
    if slug not in graph:
        return {"product": product, "missing": True}
    picture = neighbourhood_picture(graph, slug, 1, PANEL_LIMIT)
    events = selectors.recent_changes_of(slug, EVENTS_SHOWN * 2)
    return {
        "product": product,
        # The renderer escapes every text and writes no script (see domain.graph_render.svg).
        "svg": mark_safe(queries.inline_svg(picture, f"hood-{slug}")),
        "reach": graph.reach_of(slug),
        "providers": len(graph.providers(slug)),
        "violations": selectors.product_violations(slug, version),
        "provided_changes": [e for e in events if e.provider_slug == slug][:EVENTS_SHOWN],
        "consumed_changes": [e for e in events if e.provider_slug != slug][:EVENTS_SHOWN],
        "changes_url": f"/api/v1/graph/changes?provider={slug}",
    }
