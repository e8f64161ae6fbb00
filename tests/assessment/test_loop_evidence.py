"""Loop evidence in assessment: real channels, feedback, patterns and roadmap, in bulk."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from productize.assessment.loop_evidence import loop_digest, loop_evidence
from productize.assessment.models import AssessmentHistory, ProductAssessment
from productize.assessment.services import assess_all, assess_products
from productize.audit.services import Actor
from productize.catalog.models import Product
from productize.ingest.hooks import IngestOutcome
from productize.loop.models import (
    Feedback,
    FeedbackChannel,
    Improvement,
    Pattern,
    PatternFeedback,
    RoadmapEntry,
)

pytestmark = pytest.mark.django_db


def _rule(slug: str, rule: str) -> dict[str, Any]:
    result = ProductAssessment.objects.get(product__slug=slug).result
    rules = [r for c in result["characteristics"] for r in c["rules"]]
    return next(r for r in rules if r["key"] == rule)


def _live_loop(product: Product, *, days_ago: int = 3, triaged_days_ago: int = 2) -> None:
    """A channel, recent feedback linked into a pattern, and an improvement on the roadmap."""
    now = timezone.now()
    FeedbackChannel.objects.create(name="desk", kind="support", product=product)
    items = [
        Feedback.objects.create(
            text=f"item {i}", product=product, created_at=now - timedelta(days=days_ago)
        )
        for i in range(3)
    ]
    Feedback.objects.create(text="old", product=product, created_at=now - timedelta(days=400))
    pattern = Pattern.objects.create(title="Slow refunds")
    pattern.products.add(product)
    closed = Pattern.objects.create(title="Old problem", status="closed-resolved")
    closed.products.add(product)
    for item in items[:2]:
        PatternFeedback.objects.create(
            pattern=pattern, feedback=item, linked_at=now - timedelta(days=triaged_days_ago)
        )
    improvement = Improvement.objects.create(title="Faster refunds", status="completed")
    improvement.products.add(product)
    RoadmapEntry.objects.create(product=product, improvement=improvement, column="now")


def test_without_any_loop_data_the_rules_report_no_data(demo: IngestOutcome) -> None:
    ids = list(Product.objects.values_list("id", flat=True))
    assert loop_evidence(ids) is None
    assert _rule("orders", "feedback-recent")["status"] == "no-data"
    assert ProductAssessment.objects.get(product__slug="orders").loop_digest == ""


def test_real_loop_data_reaches_the_rules(demo: IngestOutcome) -> None:
    orders = Product.objects.get(slug="orders")
    _live_loop(orders)
    evidence = loop_evidence([orders.pk])
    assert evidence is not None
    e = evidence[orders.pk]
    assert (e.channels, e.recent_feedback, e.patterns, e.open_patterns) == (1, 3, 2, 1)
    assert (e.improvements_completed, e.roadmap_now, e.roadmap_items) == (1, 1, 1)
    assert e.days_since_triage == 2
    summary = assess_all(actor=Actor.system())
    assert summary.assessed == Product.objects.count()  # the loop came into use: all re-judged
    assert _rule("orders", "feedback-recent")["status"] == "met"
    assert _rule("orders", "feedback-triaged")["status"] == "met"
    assert _rule("orders", "roadmap-present")["status"] == "met"
    # Another product, with no loop of its own, is now judged on it rather than "no data".
    assert _rule("shop-app", "feedback-recent")["status"] == "not-met"
    # Products whose loop now fails get a history row that names the loop as the reason.
    assert any("loop" in row.why for row in AssessmentHistory.objects.exclude(product=orders))
    assert ProductAssessment.objects.get(product=orders).loop_digest != ""


def test_new_feedback_changes_the_digest_and_triggers_a_re_assessment(
    demo: IngestOutcome,
) -> None:
    orders = Product.objects.get(slug="orders")
    _live_loop(orders, triaged_days_ago=45)
    assess_all(actor=Actor.system())
    assert _rule("orders", "feedback-triaged")["status"] == "partly-met"
    before = ProductAssessment.objects.get(product=orders).loop_digest
    assert before == loop_digest(loop_evidence([orders.pk])[orders.pk])  # type: ignore[index]
    Feedback.objects.create(text="one more", product=orders)
    summary = assess_products(slugs=["orders"], actor=Actor.system())
    assert summary.assessed == 1
    assert ProductAssessment.objects.get(product=orders).loop_digest != before
    assert assess_products(slugs=["orders"], actor=Actor.system()).assessed == 0


def test_loop_and_rule_channels_serve_their_products(demo: IngestOutcome) -> None:
    orders = Product.objects.get(slug="orders")
    ids = list(Product.objects.values_list("id", flat=True))
    FeedbackChannel.objects.create(
        name="general", routing_rules=[{"product": "orders", "keywords": ["order"]}]
    )
    if orders.loop_id is not None:
        FeedbackChannel.objects.create(name="loop desk", loop_id=orders.loop_id)
    FeedbackChannel.objects.create(name="paused", product=orders, is_active=False)
    evidence = loop_evidence(ids)
    assert evidence is not None
    assert evidence[orders.pk].channels == (2 if orders.loop_id is not None else 1)
    siblings = Product.objects.filter(loop_id=orders.loop_id).exclude(pk=orders.pk)
    for sibling in siblings if orders.loop_id is not None else []:
        assert evidence[sibling.pk].channels == 1


def test_the_query_count_does_not_grow_with_the_batch(demo: IngestOutcome) -> None:
    products = list(Product.objects.order_by("id"))
    for product in products[:5]:
        _live_loop(product)
    ids = [p.id for p in products]
    with CaptureQueriesContext(connection) as few:
        loop_evidence(ids[:2])
    with CaptureQueriesContext(connection) as many:
        loop_evidence(ids)
    assert len(many) == len(few) <= 12
