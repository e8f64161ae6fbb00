"""Graph answers shaped for the API, the CLI and the pages (plain dicts, paged lists)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from productize.catalog.selectors import Page, PageRequest
from productize.domain.graph import Impact, Neighbourhood, ProductGraph
from productize.graph.models import InterfaceChange

T = TypeVar("T")
OWNER_PRODUCTS_SHOWN = 10


def page_of(items: Sequence[T], page: PageRequest) -> Page[T]:
    """One page of an in-memory list."""
    size = page.size
    return Page(list(items[page.offset : page.offset + size]), len(items), max(page.page, 1), size)


def neighbours_dict(hood: Neighbourhood, limit: int) -> dict[str, Any]:
    """A neighbourhood as JSON: products each way by depth (at most `limit`), and links."""

    def side(found: dict[str, int]) -> list[dict[str, Any]]:
        ordered = sorted(found.items(), key=lambda item: (item[1], item[0]))
        return [{"slug": slug, "depth": depth} for slug, depth in ordered[:limit]]

    return {
        "center": hood.center,
        "depth": hood.depth,
        "upstream_total": len(hood.upstream),
        "downstream_total": len(hood.downstream),
        "upstream": side(hood.upstream),
        "downstream": side(hood.downstream),
        "links": [
            {"consumer": link.consumer, "interface": link.interface, "provider": link.provider}
            for link in hood.links[: limit * 4]
        ],
    }


def owners_summary(impact: Impact, limit: int = 100) -> tuple[list[dict[str, Any]], int]:
    """Owners to tell, most affected first (at most `limit`), each with a count and the first
    products by depth; and how many owners there are in all.

    Counted over owner ids (`Impact.owners_summary`) rather than the complete, sorted lists of
    `Impact.owners_to_tell`: several times cheaper at a hub of 100,000 dependants.
    """
    rows, total = impact.owners_summary(limit, OWNER_PRODUCTS_SHOWN)
    return [
        {"owner": owner, "count": count, "products": products} for owner, count, products in rows
    ], total


def impact_dict(
    impact: Impact, page: PageRequest, summary: tuple[list[dict[str, Any]], int] | None = None
) -> dict[str, Any]:
    """An impact as JSON: counts, owners to tell, and one page of dependants with paths."""
    size = page.size
    owners, owner_total = summary if summary is not None else owners_summary(impact)
    return {
        "source": {"kind": impact.source.kind, "id": impact.source.id},
        "count": impact.count,
        "by_depth": {str(depth): n for depth, n in impact.by_depth().items()},
        "owners": owners,
        "owner_total": owner_total,
        "items": [entry.as_dict() for entry in impact.entries(page.offset, size)],
        "total": impact.count,
        "page": max(page.page, 1),
        "page_size": size,
        "pages": (impact.count + size - 1) // size,
    }


def change_dict(event: InterfaceChange) -> dict[str, Any]:
    """An interface-change event as JSON."""
    return {
        "id": event.pk,
        "interface": event.interface_ref,
        "provider": event.provider_slug,
        "kind": event.kind,
        "at": event.at,
        "run": event.run_id,
        "commit": event.commit,
        "spec_path": event.spec_path,
        "changes": list(event.changes or []),
        "consumers": [
            {"slug": c.consumer_slug, "name": c.consumer_name, "owners": list(c.owners)}
            for c in event.consumers.all()
        ],
    }


def known(graph: ProductGraph, slug: str) -> bool:
    """Whether the graph holds product `slug`."""
    return slug in graph


def inline_svg(picture: Any, id_prefix: str) -> str:
    """SVG for a page: without its <style> element, which the page's CSP would refuse (the
    same rules are in graph.css). Every text is escaped by the renderer; there is no script."""
    from productize.domain.graph_render import to_svg
    from productize.domain.graph_render.svg import STYLE

    return to_svg(picture, id_prefix=id_prefix).replace(f"<style>{STYLE}</style>", "", 1)
