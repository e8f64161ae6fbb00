"""Pages: the product scorecard, the organisation view and the filtered list."""

from __future__ import annotations

import pytest
from django.test import Client

from productize.ingest.hooks import IngestOutcome

pytestmark = pytest.mark.django_db


def test_product_page_shows_the_scorecard(client: Client, demo: IngestOutcome) -> None:
    body = client.get("/products/shop-app/").content.decode()
    assert 'id="assessment"' in body and 'href="#assessment"' in body
    assert "does_not" in body  # the next step for the missing `does_not` list
    assert "<svg" in body and "first assessment" in body


def test_not_yet_a_product_banner(client: Client, demo: IngestOutcome) -> None:
    body = client.get("/products/ops-toolkit/").content.decode()
    assert "Not yet a product." in body


def test_organisation_page_answers_where_we_are_weakest(
    client: Client, demo: IngestOutcome, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(30):
        response = client.get("/assessment/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Maturity by loop" in body and "Worst gaps" in body
    assert "Stock sheets" in body or "stock-sheets" in body
    assert "farm-insights" in body and "farm-sales-reports" in body


def test_results_list_filters_by_level_and_gap(
    client: Client, demo: IngestOutcome, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(12):
        body = client.get("/assessment/products/", {"failing": "owned"}).content.decode()
    assert "/products/stock-sheets/" in body and "/products/orders/" not in body
    body = client.get("/assessment/products/", {"level": "bogus"}).content.decode()
    assert "ignored" in body


def test_product_page_queries_stay_bounded(
    client: Client, demo: IngestOutcome, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(20):
        assert client.get("/products/orders/").status_code == 200
