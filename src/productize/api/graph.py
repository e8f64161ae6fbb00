"""The product graph: neighbours, impact, reach and hubs, cycles, outliers, dangling consumes,
policy violations, interface-change events, and pictures (SVG, DOT, Mermaid, JSON).

(No `from __future__ import annotations`: Django Ninja reads the signatures at runtime.)
"""

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from productize.api.errors import ERRORS, ERRORS_404, ApiError, not_found
from productize.api.params import Paging, strict_query
from productize.catalog.selectors import catalog_version
from productize.domain.graph import ProductGraph, UnknownNodeError
from productize.domain.graph_render import neighbourhood_picture, org_map_picture, render
from productize.graph import queries, selectors

router = Router(tags=["graph"])

CONTENT_TYPES = {
    "svg": "image/svg+xml; charset=utf-8",
    "dot": "text/vnd.graphviz; charset=utf-8",
    "mermaid": "text/plain; charset=utf-8",
    "json": "application/json",
}


class Listed(Schema):
    """A page of graph findings."""

    items: list[dict[str, Any]] = Field(description="The findings on this page.")
    total: int
    page: int
    page_size: int
    pages: int


class NeighboursOut(Schema):
    """Products around one product, by distance, with the links that join them."""

    center: str
    depth: int
    upstream_total: int = Field(description="How many providers within `depth` hops.")
    downstream_total: int = Field(description="How many consumers within `depth` hops.")
    upstream: list[dict[str, Any]] = Field(description="Providers `{slug, depth}`, nearest first.")
    downstream: list[dict[str, Any]] = Field(description="Consumers `{slug, depth}`.")
    links: list[dict[str, Any]] = Field(description="`{consumer, interface, provider}` edges.")


class ImpactOut(Schema):
    """Who depends on a product or interface: counts, owners to tell, a page of dependants."""

    source: dict[str, str]
    count: int = Field(description="How many products depend on it, directly or transitively.")
    by_depth: dict[str, int]
    owners: list[dict[str, Any]] = Field(
        description="Owners to tell, most affected first (at most 100): `{owner, count, products}`."
    )
    owner_total: int
    items: list[dict[str, Any]] = Field(
        description="Dependants `{slug, name, stage, owners, depth, path}`, by depth then id."
    )
    total: int
    page: int
    page_size: int
    pages: int


class ReachOut(Schema):
    """How many products build on a product."""

    slug: str
    direct: int
    transitive: int


class NeighbourParams(Schema):
    """How far and which way to look."""

    depth: int = Field(1, ge=0, le=5, description="Hops from the product (0-5).")
    direction: Literal["upstream", "downstream", "both"] = Field(
        "both", description="`upstream` (providers), `downstream` (consumers) or `both`."
    )
    limit: int = Field(200, ge=1, le=1000, description="At most this many products each way.")


class HubParams(Schema):
    """Which hubs to list."""

    top: int = Field(10, ge=1, le=200, description="How many hubs.")
    by: Literal["transitive", "direct"] = Field("transitive", description="Rank by this count.")


class PictureParams(Schema):
    """A picture of a product's neighbourhood."""

    format: Literal["svg", "dot", "mermaid", "json"] = Field("svg", description="Output format.")
    depth: int = Field(1, ge=1, le=3, description="Hops from the product (1-3).")
    limit: int = Field(12, ge=2, le=60, description="Boxes per column before `+N more`.")


class MapParams(Schema):
    """The organisation map."""

    format: Literal["svg", "dot", "mermaid", "json"] = Field("svg", description="Output format.")
    stage: list[str] = Field([], description="Only products at these stages (repeatable).")
    collapse: list[str] = Field([], description="Loop ids to draw as one box, or `all`.")
    focus: str = Field("", description="Only this product and its direct neighbours.")


class ChangeParams(Schema):
    """Which interface-change events to list."""

    provider: str = Field("", description="Events of this provider's interfaces.")
    consumer: str = Field("", description="Events that listed this product as a consumer.")
    interface: str = Field("", description="Events of one interface (`product/name`).")
    kind: Literal["breaking", "deprecated", ""] = Field("", description="Only this kind.")


def _graph() -> ProductGraph:
    return selectors.product_graph()


def _need(graph: ProductGraph, slug: str) -> None:
    if slug not in graph:
        raise not_found("product", slug)


def _listed(items: list[Any], paging: Paging) -> dict[str, Any]:
    page = queries.page_of(items, paging.page_request())
    return {
        "items": [i if isinstance(i, dict) else _plain(i) for i in page.items],
        "total": page.total,
        "page": page.page,
        "page_size": page.page_size,
        "pages": page.pages,
    }


def _plain(item: Any) -> dict[str, Any]:
    if hasattr(item, "as_dict"):
        return dict(item.as_dict())
    return {name: getattr(item, name) for name in item.__slots__}


@router.get(
    "/graph/products/{product_id}/neighbours",
    response={200: NeighboursOut, **ERRORS_404},
    summary="Neighbours of a product",
)
@strict_query(NeighbourParams)
def neighbours(
    request: HttpRequest, product_id: str, params: Query[NeighbourParams]
) -> dict[str, Any]:
    """Providers (upstream) and consumers (downstream) of a product up to `depth` hops."""
    graph = _graph()
    _need(graph, product_id)
    hood = graph.neighbours(product_id, params.depth, params.direction)
    return queries.neighbours_dict(hood, params.limit)


@router.get(
    "/graph/products/{product_id}/impact",
    response={200: ImpactOut, **ERRORS_404},
    summary="Who to tell if a product changes",
)
@strict_query(Paging)
def product_impact(request: HttpRequest, product_id: str, paging: Query[Paging]) -> dict[str, Any]:
    """Every product depending on this one, directly or transitively, with one shortest path,
    its stage and owners; and the owners to tell. Dependants are paged."""
    _need(_graph(), product_id)
    return selectors.impact_page(product_id, paging.page_request())


@router.get(
    "/graph/interfaces/{product_id}/{name}/impact",
    response={200: ImpactOut, **ERRORS_404},
    summary="Who to tell if an interface changes",
)
@strict_query(Paging)
def interface_impact(
    request: HttpRequest, product_id: str, name: str, paging: Query[Paging]
) -> dict[str, Any]:
    """Every product depending on this interface, directly or through other products."""
    ref = f"{product_id}/{name}"
    try:
        return selectors.impact_page(ref, paging.page_request())
    except UnknownNodeError:
        raise not_found("interface", ref) from None


@router.get(
    "/graph/products/{product_id}/reach",
    response={200: ReachOut, **ERRORS_404},
    summary="Reach of a product",
)
@strict_query()
def reach(request: HttpRequest, product_id: str) -> dict[str, Any]:
    """How many products consume this one directly, and directly or transitively."""
    graph = _graph()
    _need(graph, product_id)
    found = graph.reach_of(product_id)
    return {"slug": found.slug, "direct": found.direct, "transitive": found.transitive}


@router.get("/graph/hubs", response={200: list[ReachOut], **ERRORS}, summary="Hubs")
@strict_query(HubParams)
def hubs(request: HttpRequest, params: Query[HubParams]) -> list[dict[str, Any]]:
    """The products most others build on, by transitive (or direct) consumer count."""
    return [
        {"slug": r.slug, "direct": r.direct, "transitive": r.transitive}
        for r in _graph().hubs(params.top, params.by)
    ]


@router.get("/graph/cycles", response={200: Listed, **ERRORS}, summary="Dependency cycles")
@strict_query(Paging)
def cycles(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    """Groups of products depending on each other in a circle, each with a readable path."""
    items = [
        {"products": list(c.products), "path": c.summary(), "size": len(c.products)}
        for c in _graph().cycles()
    ]
    return _listed(items, paging)


@router.get("/graph/outliers", response={200: Listed, **ERRORS}, summary="Fan-in/out outliers")
@strict_query(Paging)
def outliers(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    """Products with unusually high fan-in or fan-out compared with the organisation."""
    return _listed(list(_graph().outliers()), paging)


@router.get(
    "/graph/deprecated-consumers",
    response={200: Listed, **ERRORS},
    summary="Consumers of deprecated interfaces",
)
@strict_query(Paging)
def deprecated_consumers(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    """Consumes edges `{consumer, interface, provider}` pointing at a deprecated interface."""
    return _listed(_graph().deprecated_consumers(), paging)


@router.get(
    "/graph/undeclared-consumes",
    response={200: Listed, **ERRORS},
    summary="Consumes of undeclared interfaces",
)
@strict_query(Paging)
def undeclared_consumes(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    """Consumes edges pointing at an interface nobody declares (`productize check` fails them)."""
    return _listed(_graph().undeclared_consumes(), paging)


class ViolationParams(Schema):
    """Which violations to list."""

    product: str = Field("", description="Only this product's violations.")


@router.get(
    "/graph/policy-violations",
    response={200: Listed, **ERRORS},
    summary="Policy violations",
)
@strict_query(ViolationParams, Paging)
def policy_violations(
    request: HttpRequest, params: Query[ViolationParams], paging: Query[Paging]
) -> dict[str, Any]:
    """Violations of the graph policies the organisation descriptor switched on."""
    found = selectors.policy_violations()
    if params.product:
        found = [v for v in found if v.product == params.product]
    return _listed(found, paging)


@router.get("/graph/changes", response={200: Listed, **ERRORS}, summary="Interface changes")
@strict_query(ChangeParams, Paging)
def changes(
    request: HttpRequest, params: Query[ChangeParams], paging: Query[Paging]
) -> dict[str, Any]:
    """Breaking spec changes and deprecations recorded at ingest, newest first, each with the
    consumers and their owners at that time."""
    filters = selectors.ChangeFilter(
        params.provider, params.consumer, params.interface, params.kind
    )
    page = selectors.interface_changes(filters, paging.page_request())
    return {
        "items": [queries.change_dict(e) for e in page.items],
        "total": page.total,
        "page": page.page,
        "page_size": page.page_size,
        "pages": page.pages,
    }


@router.get(
    "/graph/products/{product_id}/picture",
    response={200: str, **ERRORS_404},
    url_name="graph-picture",
    summary="Picture of a product's neighbourhood",
)
@strict_query(PictureParams)
def picture(request: HttpRequest, product_id: str, params: Query[PictureParams]) -> HttpResponse:
    """Providers left, the product, consumers right, interfaces as joints: SVG, DOT, Mermaid
    or JSON (the laid-out picture)."""
    version = catalog_version()
    graph = selectors.product_graph(version)
    _need(graph, product_id)
    key = ("picture", product_id, params.depth, params.limit, params.format)

    def draw() -> str:
        drawn = neighbourhood_picture(graph, product_id, params.depth, params.limit)
        return render(drawn, params.format)

    text = selectors.remembered(version, key, draw)
    return HttpResponse(text, content_type=CONTENT_TYPES[params.format])


@router.get(
    "/graph/map", response={200: str, **ERRORS}, url_name="graph-map", summary="Organisation map"
)
@strict_query(MapParams)
def org_map(request: HttpRequest, params: Query[MapParams]) -> HttpResponse:
    """Products grouped by loop; big loops aggregated, collapsible, filterable, focusable."""
    graph = _graph()
    if params.focus and params.focus not in graph:
        raise ApiError(404, "not_found", f"no product with id `{params.focus}`", field="focus")
    collapsed: Any = "all" if "all" in params.collapse else params.collapse
    drawn = org_map_picture(
        graph,
        loop_names=selectors.loop_names(),
        collapsed=collapsed,
        stages=params.stage or None,
        focus=params.focus or None,
    )
    return HttpResponse(render(drawn, params.format), content_type=CONTENT_TYPES[params.format])
