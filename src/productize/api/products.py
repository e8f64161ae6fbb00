"""Products and interfaces: list with filters, search and paging; one in full; consumers.

(No `from __future__ import annotations` in router modules: Django Ninja reads the view
signatures at runtime, through the `strict_query` wrapper.)
"""

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from productize.api.cached_json import CONTENT_TYPE, cached_json, json_bytes
from productize.api.errors import ERRORS, ERRORS_404, ApiError, not_found
from productize.api.params import Paging, strict_query
from productize.api.schemas import (
    ConsumerPage,
    InterfaceOut,
    InterfacePage,
    ProductFacets,
    ProductOut,
    ProductPage,
    consumer_out,
    facets_out,
    interface_out,
    page_meta,
    product_facets_out,
    product_link_maker,
    product_out,
    product_summary,
)
from productize.catalog import selectors
from productize.catalog.selectors.caching import read_cached
from productize.catalog.selectors.facets import DEFAULT_LIMIT, product_facet_counts
from productize.domain.descriptors import InterfaceKind, Stability, Stage

router = Router(tags=["products"])

FILTER_HELP = "Repeat the parameter to allow several values (OR); different filters combine (AND)."


class ProductFilterParams(Schema):
    """Filters of the product list and its facets: the same as the web catalog's."""

    q: str = Field(
        "",
        max_length=200,
        description="Search: every word must match the start of a word in the name, tags, "
        "mission or scope. Results are ranked: name, then tag, mission, scope.",
    )
    loop: list[str] = Field([], description=f"Loop id, or `none`. {FILTER_HELP}")
    stage: list[Stage] = Field([], description=f"Stage. {FILTER_HELP}")
    owner: list[str] = Field(
        [],
        description="`person:ID` (what they own directly or through a team), `team:ID`, or "
        f"`none` (no owner that exists). {FILTER_HELP}",
    )
    alignment: list[Literal["direct", "indirect", "none"]] = Field(
        [], description=f"How it serves the organisation's mission. {FILTER_HELP}"
    )
    interface_kind: list[InterfaceKind | Literal["none"]] = Field(
        [], description=f"Products providing an interface of this kind, or `none`. {FILTER_HELP}"
    )
    tag: list[str] = Field([], description=f"Tag. {FILTER_HELP}")
    level: list[
        Literal["none", "idea", "prototype", "established", "growing", "maintained", "unassessed"]
    ] = Field(
        [],
        description="Assessed level (`none` is the level below `idea`), or `unassessed` for "
        f"products not assessed yet. {FILTER_HELP}",
    )
    failing: list[str] = Field(
        [],
        description="Characteristic key (e.g. `owned`, `testable`; see the organisation's "
        "characteristics): products where it is not met or partly met although expected at "
        f"their stage. An unknown key is an error naming the closest one. {FILTER_HELP}",
    )
    consumes: str = Field(
        "", description="Products consuming this interface (`product-id/interface-name`)."
    )


class ProductListParams(ProductFilterParams):
    """The list's filters, its order, and whether to add the facets."""

    sort: Literal["relevance", "name"] | None = Field(
        None, description="`relevance` (the default with `q`) or `name` (the default without)."
    )
    facets: bool = Field(
        False, description="Also return, per filter, its values with counts (costs a little)."
    )


def _filters(params: ProductFilterParams) -> selectors.ProductFilters:
    try:
        return selectors.ProductFilters.build(
            q=params.q,
            consumes=params.consumes,
            loop=params.loop,
            stage=[str(s.value) for s in params.stage],
            owner=params.owner,
            alignment=list(params.alignment),
            interface_kind=[str(getattr(k, "value", k)) for k in params.interface_kind],
            tag=params.tag,
            level=list(params.level),
            failing=params.failing,
        )
    except selectors.FilterError as error:
        detail = {"code": "invalid_value", "message": str(error), "field": error.field}
        raise ApiError(
            422, "invalid_request", str(error), field=error.field, details=[detail]
        ) from None


@router.get(
    "/products",
    response={200: ProductPage, **ERRORS},
    url_name="products",
    summary="List products",
)
@strict_query(ProductListParams, Paging)
def list_products(
    request: HttpRequest, filters: Query[ProductListParams], paging: Query[Paging]
) -> HttpResponse:
    """A page of the catalog, filtered and searched as in the web catalog.

    Without `q` products come by name; with it, best match first. Pages are numbered from 1;
    a page past the last one has no items (its `total` and `pages` still tell the whole).
    """

    def page_body(version: int) -> dict[str, Any]:
        chosen = _filters(filters)
        request_page = paging.page_request()
        page = selectors.product_page(chosen, request_page, sort=filters.sort, version=version)
        links = product_link_maker()
        body: dict[str, Any] = {
            "items": [product_summary(p, links) for p in page.items],
            **page_meta(page),
            "facets": None,
        }
        if filters.facets:
            body["facets"] = facets_out(selectors.product_facets(chosen, version=version))
        return body

    return cached_json(request, "products", page_body)


FacetName = Literal[
    "loop", "stage", "owner", "alignment", "interface_kind", "tag", "level", "failing"
]


class FacetParams(Schema):
    """Which facets to count, and how many values of a long one to list."""

    facet: list[FacetName] = Field(
        [], description="A filter to count (repeat for several); all of them when left out."
    )
    limit: int = Field(
        DEFAULT_LIMIT,
        ge=1,
        le=200,
        description="For long facets (loop, owner, interface_kind, tag): list the largest "
        "values up to this many, plus any selected; `truncated` says when there were more.",
    )


@router.get(
    "/product-facets",
    response={200: ProductFacets, **ERRORS},
    url_name="product-facets",
    summary="Count products per filter value",
)
@strict_query(ProductFilterParams, FacetParams)
def count_product_facets(
    request: HttpRequest, filters: Query[ProductFilterParams], params: Query[FacetParams]
) -> HttpResponse:
    """The facets of the product list without its page: per filter, its values and how many
    products each would give, under the same filters as `/products` (each facet counted under
    all the *other* filters), and how many products match them all.

    `?facet=stage` is the number of products per stage; `?facet=stage&loop=market`, the same
    within the `market` loop. (Not under `/products/`, where `facets` would be a product id.)
    """

    def counts_body(version: int) -> dict[str, Any]:
        chosen = _filters(filters)
        names = tuple(params.facet) or selectors.FACETS
        counts = product_facet_counts(chosen, names=names, limit=params.limit, version=version)
        return product_facets_out(counts)

    return cached_json(request, "product-facets", counts_body)


@router.get(
    "/products/{product_id}",
    response={200: ProductOut, **ERRORS_404},
    url_name="product",
    summary="Get a product",
)
@strict_query()
def get_product(request: HttpRequest, product_id: str) -> HttpResponse:
    """One product in full: scope, owners, interfaces both ways, source file and problems.

    `product_id` is the id its descriptor gives it (`id: orders`).
    """
    body = read_cached("api-product", product_id, lambda: _product_body(product_id))
    if body is None:
        raise not_found("product", product_id)
    return HttpResponse(body, content_type=CONTENT_TYPE)


def _product_body(product_id: str) -> bytes | None:
    """The product's JSON, encoded here (`json_bytes`) rather than by Ninja.

    The body is built from plain rows and skips Ninja's response validation: pydantic over
    the nested `ProductOut` cost as much CPU as reading the product. The tests check served
    bodies against `ProductOut`, which still documents the shape in OpenAPI.
    """
    detail = selectors.product_detail(product_id)
    if detail is None:
        return None
    return json_bytes(product_out(detail))


class InterfaceFilterParams(Schema):
    """Filters of the interface list."""

    kind: InterfaceKind | None = Field(None, description="Only interfaces of this kind.")
    stability: Stability | None = Field(None, description="Only interfaces this stable.")
    product: str = Field("", description="Only the interfaces of this product (its id).")


@router.get(
    "/interfaces",
    response={200: InterfacePage, **ERRORS},
    url_name="interfaces",
    summary="List interfaces",
)
@strict_query(InterfaceFilterParams, Paging)
def list_interfaces(
    request: HttpRequest, filters: Query[InterfaceFilterParams], paging: Query[Paging]
) -> HttpResponse:
    """A page of every interface in the catalog, by reference (`product/name`)."""

    def page_body(version: int) -> dict[str, Any]:
        page = selectors.interface_page(
            paging.page_request(),
            kind=filters.kind.value if filters.kind else "",
            stability=filters.stability.value if filters.stability else "",
            product=filters.product,
        )
        return {"items": [interface_out(i) for i in page.items], **page_meta(page)}

    return cached_json(request, "interfaces", page_body)


@router.get(
    "/interfaces/{product_id}/{name}",
    response={200: InterfaceOut, **ERRORS_404},
    url_name="interface",
    summary="Get an interface",
)
@strict_query()
def get_interface(request: HttpRequest, product_id: str, name: str) -> dict[str, Any]:
    """One interface, named as consumers name it: `product-id/interface-name`."""
    interface = selectors.interface_get(product_id, name)
    if interface is None:
        raise not_found("interface", f"{product_id}/{name}")
    return interface_out(interface)


@router.get(
    "/interfaces/{product_id}/{name}/consumers",
    response={200: ConsumerPage, **ERRORS_404},
    url_name="interface-consumers",
    summary="List the consumers of an interface",
)
@strict_query(Paging)
def list_consumers(
    request: HttpRequest, product_id: str, name: str, paging: Query[Paging]
) -> HttpResponse:
    """A page of the products that declare they consume this interface, by name."""

    def page_body(version: int) -> dict[str, Any]:
        interface = selectors.interface_get(product_id, name)
        if interface is None:
            raise not_found("interface", f"{product_id}/{name}")
        page = selectors.interface_consumers(interface, paging.page_request())
        return {"items": [consumer_out(c) for c in page.items], **page_meta(page)}

    return cached_json(request, "interface-consumers", page_body)
