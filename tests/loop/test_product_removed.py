"""Feedback is never lost when its product leaves the catalog: it goes back to triage."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from django.test import Client

from productize.api.feedback import signature
from productize.audit.models import ChangeRecord
from productize.catalog.models import Product
from productize.catalog.selectors import PageRequest
from productize.ingest.models import RunStatus
from productize.ingest.runner import ingest_path
from productize.loop.models import Feedback, FeedbackChannel, Pattern, PatternFeedback
from productize.loop.selectors.feedback import feedback_page
from productize.loop.selectors.views import org_loop
from tests.ingest.trees import small_catalog
from tests.loop import factories

pytestmark = pytest.mark.django_db


def test_feedback_of_a_removed_product_survives_unrouted_and_patterned(tmp_path: Path) -> None:
    tree = small_catalog(tmp_path / "catalog")
    assert ingest_path(location=tree).status == RunStatus.SUCCEEDED
    search = Product.objects.get(slug="search")
    desk = factories.channel("Search desk", product=search)  # a channel of the product itself
    item = factories.feedback(
        "Results are stale", product=search, channel=desk, author_contact="kim@example.com"
    )
    other = factories.feedback("Payments are slow", product=Product.objects.get(slug="payments"))
    pattern = factories.pattern("Stale results", products=[search], feedback=[item])
    assert feedback_page(PageRequest(1, 10), unrouted=True).total == 0

    (tree / "products" / "search" / "product.yaml").unlink()
    run = ingest_path(location=tree)

    assert run.status == RunStatus.SUCCEEDED and run.removed == 1
    assert not Product.objects.filter(slug="search").exists()
    kept = Feedback.objects.get(pk=item.pk)
    assert kept.text == "Results are stale" and kept.author_contact == "kim@example.com"
    # Unrouted: back in triage, where the organisation's view counts it.
    assert kept.product_id is None and kept.interface_id is None
    assert [f.pk for f in feedback_page(PageRequest(1, 10), unrouted=True).items] == [item.pk]
    assert org_loop().unrouted_total == 1
    # Still linked to its pattern, which survives (now claimed by no product).
    assert PatternFeedback.objects.filter(pattern=pattern, feedback=item).exists()
    assert Pattern.objects.get(pk=pattern.pk).products.count() == 0
    # Feedback of other products is untouched.
    assert Feedback.objects.get(pk=other.pk).product is not None
    # The audit trail records the removal, with what the product was, by this ingest run.
    removal = ChangeRecord.objects.get(object_type="product", object_id="search", action="delete")
    assert removal.ingest_run_id == run.pk and removal.after is None
    assert removal.before["name"] == "Search"
    # Its channel outlives it (organisation-wide now) and the feedback still says where it came
    # from: what arrives through it later waits in triage instead of being refused.
    assert kept.channel_id == desk.pk
    assert FeedbackChannel.objects.get(pk=desk.pk).product_id is None
    body = json.dumps([{"text": "Still stale", "external_id": "S-2"}]).encode()
    stamp = str(int(time.time()))
    response = Client().post(
        f"/api/v1/channels/{desk.pk}/inbound",
        data=body,
        content_type="application/json",
        HTTP_X_PRODUCTIZE_TIMESTAMP=stamp,
        HTTP_X_PRODUCTIZE_SIGNATURE=signature("inbound-secret", stamp, body),
    )
    assert response.status_code == 201, response.content
    late = Feedback.objects.get(text="Still stale")
    assert late.channel_id == desk.pk and late.product_id is None
