"""Reads of the graph: the product graph built from the catalog, events, policies.

The graph is built with five bulk `values_list` queries and kept in this process per catalog
version (`catalog_version` changes with every audited write), so a change is visible on the
next request. It lives in a module-level slot rather than Django's cache: the default cache
pickles values, and pickling a 100,000-product graph costs more than building it.
"""

from __future__ import annotations

import gc
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Q

from productize.catalog.models import Consumption, Interface, Loop, Ownership, Product
from productize.catalog.selectors import Page, PageRequest, catalog_version
from productize.domain.graph import Impact, InterfaceNode, ProductGraph, ProductNode
from productize.domain.graph_policy import GraphPolicy, Violation, check_policies
from productize.graph.models import InterfaceChange, InterfaceChangeConsumer, PolicySetting

T = TypeVar("T")
RESULTS_KEPT = 64
_lock = threading.Lock()
_cached: dict[str, tuple[int, object]] = {}
_results: OrderedDict[tuple[object, ...], Any] = OrderedDict()
_results_version = [-1]


def build_graph() -> ProductGraph:
    """The product graph of the stored catalog, straight from the tables (four queries)."""
    owners: dict[int, list[str]] = defaultdict(list)
    for product_id, ref in (
        Ownership.objects.filter(product__isnull=False)
        .order_by("product_id", "position")
        .values_list("product_id", "ref")
        .iterator(chunk_size=20_000)
    ):
        owners[product_id].append(ref)
    slugs: dict[int, str] = {}
    products: list[ProductNode] = []
    part_of: list[tuple[int, int]] = []
    rows = Product.objects.order_by().values_list(
        "id", "slug", "name", "stage", "loop__slug", "part_of_id"
    )
    for pk, slug, name, stage, loop, parent_id in rows.iterator(chunk_size=20_000):
        slugs[pk] = slug
        products.append(ProductNode(slug, name, stage, tuple(owners.get(pk, ())), loop))
        if parent_id is not None:
            part_of.append((pk, parent_id))
    interfaces = [
        InterfaceNode(ref, kind, stability)
        for ref, kind, stability in Interface.objects.order_by()
        .values_list("ref", "kind", "stability")
        .iterator(chunk_size=20_000)
    ]
    consumes = [
        (slugs[consumer_id], ref)
        for consumer_id, ref in Consumption.objects.order_by()
        .values_list("consumer_id", "interface_ref")
        .iterator(chunk_size=50_000)
        if consumer_id in slugs
    ]
    edges = [(slugs[c], slugs[p]) for c, p in part_of if p in slugs]
    return ProductGraph.from_edges(products, interfaces, consumes, edges)


def _process_cached(kind: str, version: int, compute: object) -> object:
    with _lock:
        found = _cached.get(kind)
        if found is not None and found[0] == version:
            return found[1]
    value = compute() if callable(compute) else compute
    with _lock:
        _cached[kind] = (version, value)
    return value


def _build_and_freeze() -> ProductGraph:
    graph = build_graph()
    # A 100,000-product graph is millions of long-lived objects; without this every later
    # collection walks them all again, which doubles the time of a hub's impact query.
    gc.collect()
    gc.freeze()
    return graph


INLINE_GRAPH_LIMIT = 5_000


def panel_deferred(version: int) -> bool:
    """Whether the product page should load its graph panel separately (not wait for it).

    Building the graph takes seconds at 100,000 products (and holds the interpreter lock, so
    it stalls every other request of the worker), so a page of a large catalog never does it
    synchronously (nor renders it inline once built: a hub's reach walk is not free either);
    up to `INLINE_GRAPH_LIMIT` products it costs a few milliseconds.
    """
    size = _process_cached("size", version, lambda: Product.objects.count())
    assert isinstance(size, int)
    return size > INLINE_GRAPH_LIMIT


def product_graph(version: int | None = None) -> ProductGraph:
    """The graph of the catalog as it is now, built at most once per catalog version."""
    version = catalog_version() if version is None else version
    graph = _process_cached("graph", version, _build_and_freeze)
    assert isinstance(graph, ProductGraph)
    return graph


def remembered(version: int, key: tuple[object, ...], compute: Callable[[], T]) -> T:
    """A result computed from the graph of `version`, kept for the next requests (LRU).

    Paging through a hub's 100,000 dependants, or reloading a picture, then costs a lookup.
    """
    with _lock:
        if _results_version[0] != version:
            _results.clear()
            _results_version[0] = version
        if key in _results:
            _results.move_to_end(key)
            return _results[key]
    value = compute()
    with _lock:
        if _results_version[0] == version:
            _results[key] = value
            while len(_results) > RESULTS_KEPT:
                _results.popitem(last=False)
    return value


def impact_of(target: str, version: int | None = None) -> Impact:
    """Who depends on a product slug or an interface ref (raises UnknownNodeError)."""
    version = catalog_version() if version is None else version
    graph = product_graph(version)
    return remembered(version, ("impact", target), lambda: graph.impact(target))


def clear_graph_cache() -> None:
    """Forget the cached graph (tests reuse catalog version numbers after a rollback)."""
    with _lock:
        _cached.clear()
        _results.clear()
        _results_version[0] = -1


def loop_names() -> dict[str, str]:
    """Loop slug → name, for the organisation map."""
    return dict(Loop.objects.values_list("slug", "name"))


def graph_policy() -> GraphPolicy:
    """The policies switched on in the organisation descriptor (all off when none is)."""
    row = PolicySetting.objects.order_by("id").first()
    if row is None:
        return GraphPolicy()
    return GraphPolicy.model_validate(row.policies or {})


def policy_violations(version: int | None = None) -> list[Violation]:
    """Every violation of the enabled policies in the stored catalog (cached per version)."""
    version = catalog_version() if version is None else version
    policy = remembered(version, ("policy",), graph_policy)
    if not policy.enabled:
        return []
    graph = product_graph(version)
    return remembered(version, ("violations",), lambda: check_policies(graph, policy))


def product_violations(slug: str, version: int | None = None) -> list[Violation]:
    """The policy violations of one product."""
    return [v for v in policy_violations(version) if v.product == slug]


@dataclass(frozen=True, slots=True)
class ChangeFilter:
    """Which interface-change events to list."""

    provider: str = ""
    consumer: str = ""
    interface: str = ""
    kind: str = ""


def interface_changes(filters: ChangeFilter, page: PageRequest) -> Page[InterfaceChange]:
    """A page of interface-change events, newest first, with their consumers prefetched."""
    qs = InterfaceChange.objects.all()
    if filters.provider:
        qs = qs.filter(provider_slug=filters.provider)
    if filters.interface:
        qs = qs.filter(interface_ref=filters.interface)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.consumer:
        ids = InterfaceChangeConsumer.objects.filter(consumer_slug=filters.consumer).values(
            "change_id"
        )
        qs = qs.filter(id__in=ids)
    total = qs.count()
    size = page.size
    items = list(
        qs.select_related("run").prefetch_related("consumers")[page.offset : page.offset + size]
    )
    return Page(items, total, max(page.page, 1), size)


def recent_changes_of(slug: str, limit: int = 5) -> list[InterfaceChange]:
    """The newest events of a product's interfaces or of interfaces it used (one query, plus
    one for the consumers when there are events)."""
    consumed = InterfaceChangeConsumer.objects.filter(consumer_slug=slug).values("change_id")
    rows = list(
        InterfaceChange.objects.filter(Q(provider_slug=slug) | Q(id__in=consumed))
        .select_related("run")
        .prefetch_related("consumers")[:limit]
    )
    return rows


def impact_page(target: str, page: PageRequest, version: int | None = None) -> dict[str, Any]:
    """One page of `impact_dict`, the walk and the owners summary remembered per version."""
    from productize.graph.queries import impact_dict, owners_summary

    version = catalog_version() if version is None else version
    impact = impact_of(target, version)
    owners = remembered(version, ("owners", target), lambda: owners_summary(impact))
    return impact_dict(impact, page, owners)
