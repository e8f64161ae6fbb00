"""Fixtures: the demo organisation ingested, then assessed through the after-ingest hook."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from productize.catalog.models import Product
from productize.ingest.hooks import IngestOutcome, run_after_ingest
from productize.ingest.models import IngestRun
from tests.conftest import DEMO_ORG


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


def demo_outcome() -> IngestOutcome:
    """An outcome as the runner gives it after ingesting the demo organisation."""
    run = IngestRun.objects.select_related("source").latest("id")
    assert run.source is not None
    products = dict(Product.objects.values_list("slug", "source_path"))
    return IngestOutcome(
        source=run.source,
        run=run,
        root=DEMO_ORG,
        changed_products=set(products),
        product_paths=products,
    )


@pytest.fixture
def demo(db: None) -> IngestOutcome:
    """The demo organisation, ingested and assessed (the hook called as the runner does)."""
    from productize.ingest.runner import ingest_path

    ingest_path(location=DEMO_ORG)
    outcome = demo_outcome()
    assert run_after_ingest(outcome) == []
    return outcome
