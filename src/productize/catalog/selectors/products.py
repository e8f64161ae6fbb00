"""Reading products: the filtered, searched, paged catalog, and interfaces.

One product in full (its page and API resource) is read by `one_product.product_detail`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from django.db import connections
from django.db.models import Count, Prefetch, Q, QuerySet

from productize.catalog import search
from productize.catalog.models import Consumption, Interface, Ownership, Product
from productize.catalog.selectors.caching import version_cached
from productize.catalog.selectors.catalog_index import built_index, catalog_index
from productize.catalog.selectors.filters import ProductFilters, narrow
from productize.catalog.selectors.one_product import (  # noqa: F401 - re-exported
    ProductDetail,
    ProvidedInterface,
    product_detail,
)
from productize.catalog.selectors.paging import Page, PageRequest, paginate
from productize.catalog.selectors.stats import catalog_version

Sort = Literal["relevance", "name"]
# Fields the list does not show; leaving them out keeps each page's rows small.
LIST_DEFERRED = (
    "vision", "does", "does_not", "audience", "links", "brand", "resourcing", "steady_state",
    "annotations", "search_text", "descriptor_hash",
)  # fmt: skip


def owners_prefetch(lookup: str = "ownerships") -> Prefetch[str, QuerySet[Ownership]]:
    """Prefetch owners with their person or team in one query."""
    return Prefetch(lookup, queryset=Ownership.objects.select_related("person", "team"))


def _list_queryset() -> QuerySet[Product]:
    return (
        Product.objects.select_related("loop")
        .defer(*LIST_DEFERRED)
        .prefetch_related(owners_prefetch())
    )


def product_page(
    filters: ProductFilters,
    request: PageRequest,
    *,
    sort: Sort | None = None,
    version: int | None = None,
) -> Page[Product]:
    """One page of the catalog: filtered, searched, ranked by relevance or sorted by name.

    Products come with their loop and owners. The page's ids and the total are cached per
    catalog version, so a repeated view costs three small queries (version, rows, owners).
    """
    if version is None:
        version = catalog_version()
    sort = sort or ("relevance" if filters.q else "name")
    key = f"{filters.cache_key()}|{sort}|{request.page}|{request.size}"
    ids, total = version_cached(
        "page", version, key, lambda: _page_ids(filters, request, sort, version)
    )
    by_id = {product.id: product for product in _list_queryset().filter(id__in=ids)}
    items = [by_id[i] for i in ids if i in by_id]
    return Page(items=items, total=total, page=max(request.page, 1), page_size=request.size)


def product_count(filters: ProductFilters, *, version: int | None = None) -> int:
    """How many products match the filters (cached per catalog version)."""
    if version is None:
        version = catalog_version()
    return version_cached("count", version, filters.cache_key(), lambda: _count(filters, version))


def _count(filters: ProductFilters, version: int) -> int:
    index = built_index(version)
    if index is not None:
        return index.count(index.scope(index.masks(filters)))
    # A count on its own (a person's page) does not justify building the whole index.
    query = filters.search
    if query.terms and not replace(filters, q="").active:
        # The search alone: counted inside the index, without visiting the product table.
        return search.count_matching(query, connections[Product.objects.db].vendor)
    return matching(filters, counting=True).count()


def matching(filters: ProductFilters, *, counting: bool = False) -> QuerySet[Product]:
    """The products that match every filter and the search, unordered."""
    narrowed = narrow(Product.objects.all(), filters, counting=counting)
    query = filters.search
    if not query.active:
        return narrowed
    if not query.terms:
        return narrowed.none()
    return search.filter_matching(narrowed, query)


def _page_ids(
    filters: ProductFilters, request: PageRequest, sort: Sort, version: int
) -> tuple[list[int], int]:
    """One page of ids and the total, from the catalog index: the filters are applied once."""
    index = catalog_index(version)
    masks = index.masks(filters)
    scope = index.scope(masks)
    query = filters.search
    if query.active and query.terms and sort == "relevance":
        others = index.scope(masks, without="q")
        ids = index.ids_by_rank(query, others, request.offset, request.size)
    else:
        ids = index.ids_by_name(scope, request.offset, request.size)
    return ids, index.count(scope)


# --- one product ---------------------------------------------------------------------------


def _product_base() -> QuerySet[Product]:
    return Product.objects.select_related("loop", "part_of", "source")


def product_get(slug: str) -> Product | None:
    """The product with this id (slug), with its loop, parent and source; None when unknown."""
    return _product_base().filter(slug=slug).first()


def interface_consumers(interface: Interface, request: PageRequest) -> Page[Consumption]:
    """One page of the products that consume an interface, by name."""
    qs = (
        Consumption.objects.filter(interface=interface)
        .select_related("consumer")
        .order_by("consumer__name", "id")
    )
    return paginate(qs, request)


def interface_get(product_slug: str, name: str) -> Interface | None:
    """The interface `product/name` with its product, or None."""
    return (
        Interface.objects.select_related("product")
        .annotate(consumer_count=Count("consumptions"))
        .filter(ref=f"{product_slug}/{name}")
        .first()
    )


def interface_page(
    request: PageRequest,
    *,
    kind: str = "",
    stability: str = "",
    product: str = "",
) -> Page[Interface]:
    """One page of interfaces across the catalog, by reference, optionally narrowed."""
    qs = Interface.objects.select_related("product")
    if kind:
        qs = qs.filter(kind=kind)
    if stability:
        qs = qs.filter(stability=stability)
    if product:
        qs = qs.filter(product__slug=product)
    # The page first, then its consumers counted: a count annotated on the whole ordered set
    # made the database group every interface before taking 25 (62 ms at 10,000 entities).
    page = paginate(qs.order_by("ref"), request)
    counts = dict(
        Consumption.objects.filter(interface__in=[i.id for i in page.items])
        .values_list("interface")
        .annotate(n=Count("id"))
        .values_list("interface", "n")
    )
    for item in page.items:
        item.consumer_count = counts.get(item.id, 0)  # type: ignore[attr-defined]
    return page


def products_owned(condition: Q, request: PageRequest) -> Page[Product]:
    """One page of the products matching an ownership condition, by name."""
    qs = _list_queryset().filter(condition).order_by("name", "id")
    return paginate(qs, request, counted=Product.objects.filter(condition))
