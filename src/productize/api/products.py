"""Products and interfaces: list with filters, search and paging; one in full; consumers.

(No `from __future__ import annotations` in router modules: Django Ninja reads the view
signatures at runtime, through the `strict_query` wrapper.)
"""

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from productize.api.errors import ERRORS, ERRORS_404, ApiError, not_found
from productize.api.params import Paging, strict_query
from productize.api.schemas import (
    ConsumerPage,
    InterfaceOut,
    InterfacePage,
    ProductOut,
    ProductPage,
    consumer_out,
    facets_out,
    interface_out,
    page_meta,
    product_out,
    product_summary,
)
from productize.catalog import selectors
from productize.catalog.selectors.caching import read_cached
from productize.domain.descriptors import InterfaceKind, Stability, Stage

router = Router(tags=["products"])

FILTER_HELP = "Repeat the parameter to allow several values (OR); different filters combine (AND)."


class ProductFilterParams(Schema):
    """Filters of the product list: the same as the web catalog's."""

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
@strict_query(ProductFilterParams, Paging)
def list_products(
    request: HttpRequest, filters: Query[ProductFilterParams], paging: Query[Paging]
) -> dict[str, Any]:
    """A page of the catalog, filtered and searched as in the web catalog.

    Without `q` products come by name; with it, best match first. Pages are numbered from 1;
    a page past the last one has no items (its `total` and `pages` still tell the whole).
    """
    chosen = _filters(filters)
    request_page = paging.page_request()
    version = selectors.catalog_version()
    page = selectors.product_page(chosen, request_page, sort=filters.sort, version=version)
    body: dict[str, Any] = {"items": [product_summary(p) for p in page.items], **page_meta(page)}
    if filters.facets:
        body["facets"] = facets_out(selectors.product_facets(chosen, version=version))
    return body


@router.get(
    "/products/{product_id}",
    response={200: ProductOut, **ERRORS_404},
    url_name="product",
    summary="Get a product",
)
@strict_query()
def get_product(request: HttpRequest, product_id: str) -> dict[str, Any]:
    """One product in full: scope, owners, interfaces both ways, source file and problems.

    `product_id` is the id its descriptor gives it (`id: orders`).
    """
    body = read_cached("api-product", product_id, lambda: _product_body(product_id))
    if body is None:
        raise not_found("product", product_id)
    return body


def _product_body(product_id: str) -> dict[str, Any] | None:
    detail = selectors.product_detail(product_id)
    return None if detail is None else product_out(detail)


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
) -> dict[str, Any]:
    """A page of every interface in the catalog, by reference (`product/name`)."""
    page = selectors.interface_page(
        paging.page_request(),
        kind=filters.kind.value if filters.kind else "",
        stability=filters.stability.value if filters.stability else "",
        product=filters.product,
    )
    return {"items": [interface_out(i) for i in page.items], **page_meta(page)}


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
) -> dict[str, Any]:
    """A page of the products that declare they consume this interface, by name."""
    interface = selectors.interface_get(product_id, name)
    if interface is None:
        raise not_found("interface", f"{product_id}/{name}")
    page = selectors.interface_consumers(interface, paging.page_request())
    return {"items": [consumer_out(c) for c in page.items], **page_meta(page)}
