"""Helpers for assessment tests: products built from a complete example by overriding fields."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from productize.domain.assessment.evidence import (
    CatalogEvidence,
    Evidence,
    LoopEvidence,
    RepoEvidence,
    SpecEvidence,
)
from productize.domain.descriptors import ProductDoc

# A product that meets every default characteristic when given FULL_REPO, FULL_CATALOG, FULL_LOOP.
COMPLETE: dict[str, Any] = {
    "kind": "product",
    "id": "orders",
    "name": "Orders",
    "mission": "Keep track of every box someone has ordered until it is at their door.",
    "vision": "No one ever has to ask whether a box went out.",
    "stage": "maintained",
    "owners": ["jonas", "team:storefront"],
    "alignment": {"kind": "direct", "why": "Every box that reaches a household is an order."},
    "audience": ["Households", "Customer care"],
    "scope": {
        "does": ["Record new orders", "Hold each order's delivery slot"],
        "does_not": ["Take payments", "Decide which slots exist"],
    },
    "interfaces": {
        "provides": [
            {
                "name": "orders-api",
                "kind": "api",
                "description": "Read and change orders.",
                "stability": "stable",
                "spec": "openapi.yaml",
            },
            {"name": "order-events", "kind": "event", "description": "Order changes."},
        ]
    },
    "links": {
        "docs": "https://docs.example/orders",
        "community": "https://forum.example/orders",
        "feedback": [{"kind": "issue-tracker", "url": "https://code.example/orders/issues"}],
    },
    "brand": {"display_name": "Orders", "logo": "logo.svg"},
    "resourcing": {"infrastructure": "Three instances.", "cost": "900 EUR", "maintenance": "Half"},
    "steady_state": {"handover_guide": "docs/runbook.md"},
}
FULL_REPO = RepoEvidence(
    readme=True,
    docs_dir=True,
    tests=True,
    ci=True,
    licence=True,
    changelog=True,
    contributing=True,
    logo=True,
    specs=(SpecEvidence("orders-api", "openapi.yaml", True, True, "openapi"),),
    files=frozenset({"README.md", "docs/runbook.md", "openapi.yaml", "logo.svg"}),
)
FULL_CATALOG = CatalogEvidence(consumer_products=("shop-web", "care-console"), consumption_count=3)
FULL_LOOP = LoopEvidence(channels=1, recent_feedback=4, patterns=2, roadmap_now=1)


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set (or, with value ...,  delete) a dotted path in a nested dict."""
    parts = path.split(".")
    for part in parts[:-1]:
        data = data.setdefault(part, {})
    if value is ...:
        data.pop(parts[-1], None)
    else:
        data[parts[-1]] = value


def make_product(**changes: Any) -> ProductDoc:
    """COMPLETE with dotted-path changes (`scope__does_not=[]`); `...` deletes a field."""
    data = copy.deepcopy(COMPLETE)
    for key, value in changes.items():
        set_path(data, key.replace("__", "."), value)
    return ProductDoc.model_validate(data)


def make_evidence(
    product: ProductDoc | None = None,
    repo: RepoEvidence | None = FULL_REPO,
    catalog: CatalogEvidence | None = FULL_CATALOG,
    loop: LoopEvidence | None = FULL_LOOP,
) -> Evidence:
    """Evidence for a product, complete unless told otherwise."""
    return Evidence(product or make_product(), repo, catalog, loop)


@pytest.fixture
def complete() -> ProductDoc:
    """The complete example product."""
    return make_product()
