"""The scorecard's reads, written in SQL, give what the same reads through the ORM give."""

from __future__ import annotations

from datetime import timedelta

from productize.assessment import selectors
from productize.assessment.models import AssessmentHistory, ProductAssessment
from productize.catalog.models import Product
from productize.ingest.hooks import IngestOutcome


def test_current_result_and_history_are_the_orm_rows(demo: IngestOutcome) -> None:
    product = Product.objects.filter(assessment__isnull=False).order_by("slug").first()
    assert product is not None
    first = AssessmentHistory.objects.filter(product=product).earliest("at")
    for days in (1, 2, 3):  # later changes, one of them at the same moment as another
        AssessmentHistory.objects.create(
            product=product, at=first.at + timedelta(days=min(days, 2)), level="idea", score=days,
            statuses={"owned": "met"}, why=["descriptor"], changes=[{"key": "owned"}],
        )  # fmt: skip
    current = selectors.current_for(product)
    expected = ProductAssessment.objects.get(product=product)
    assert current is not None and current.pk == expected.pk
    for field in ProductAssessment._meta.concrete_fields:
        assert getattr(current, field.attname) == getattr(expected, field.attname), field.name
    history = selectors.recent_history(product, limit=3)
    newest = list(AssessmentHistory.objects.filter(product=product).order_by("-at", "-id")[:3])
    assert [h.pk for h in history] == [h.pk for h in reversed(newest)]  # oldest first
    assert history[-1].statuses == {"owned": "met"} and history[-1].at.tzinfo is not None


def test_a_product_not_assessed_has_no_result(demo: IngestOutcome) -> None:
    product = Product.objects.create(slug="fresh", name="Fresh")
    assert selectors.current_for(product) is None
    assert selectors.recent_history(product) == []
