"""Small hand-made catalogs with known answers."""

from __future__ import annotations

import pytest

from productize.domain.graph import InterfaceNode, ProductGraph, ProductNode


def build(
    products: dict[str, str],
    interfaces: dict[str, str],
    consumes: list[tuple[str, str]],
    owners: dict[str, tuple[str, ...]] | None = None,
    loops: dict[str, str] | None = None,
    part_of: list[tuple[str, str]] | None = None,
) -> ProductGraph:
    """products: slug → stage; interfaces: ref → stability."""
    owners = owners or {}
    loops = loops or {}
    nodes = [
        ProductNode(slug, slug.title(), stage, owners.get(slug, ()), loops.get(slug))
        for slug, stage in products.items()
    ]
    ifaces = [InterfaceNode(ref, "api", stability) for ref, stability in interfaces.items()]
    return ProductGraph.from_edges(nodes, ifaces, consumes, part_of or [])


@pytest.fixture
def shop_graph() -> ProductGraph:
    """db ← auth ← orders ← shop/reports, a billing ↔ ledger cycle, loose ends.

    db/sql is consumed by auth and orders; auth/api by orders; auth/legacy (deprecated) by
    shop; orders/api by shop and reports; reports also consumes auth/missing and ghost/api,
    which nobody declares; db consumes its own interface (not a dependency).
    """
    return build(
        products={
            "db": "maintained",
            "auth": "maintained",
            "orders": "growing",
            "shop": "established",
            "reports": "prototype",
            "billing": "growing",
            "ledger": "maintained",
            "lonely": "idea",
        },
        interfaces={
            "db/sql": "stable",
            "auth/api": "stable",
            "auth/legacy": "deprecated",
            "orders/api": "experimental",
            "billing/api": "stable",
            "ledger/api": "stable",
        },
        consumes=[
            ("db", "db/sql"),
            ("auth", "db/sql"),
            ("orders", "db/sql"),
            ("orders", "auth/api"),
            ("shop", "orders/api"),
            ("shop", "auth/legacy"),
            ("reports", "orders/api"),
            ("reports", "auth/missing"),
            ("reports", "ghost/api"),
            ("billing", "ledger/api"),
            ("ledger", "billing/api"),
            ("orders", "db/sql"),  # a duplicate edge counts once
        ],
        owners={
            "auth": ("team:identity",),
            "orders": ("team:commerce", "person:ann"),
            "shop": ("team:commerce",),
            "reports": ("person:bob",),
        },
        loops={"db": "platform", "auth": "platform", "orders": "sales", "shop": "sales"},
        part_of=[("reports", "orders")],
    )
