"""The admin shows catalog, audit and ingest data to operators, and lets nobody edit it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from productize.catalog.models import Product
from productize.ingest.models import Source
from productize.ingest.runner import ingest_path
from tests.ingest.trees import small_catalog

pytestmark = pytest.mark.django_db

PAGES = [
    "catalog_product",
    "catalog_loop",
    "catalog_team",
    "catalog_person",
    "catalog_organization",
    "catalog_interface",
    "catalog_consumption",
    "audit_changerecord",
    "ingest_source",
    "ingest_ingestrun",
    "ingest_ingestproblem",
    "ingest_sourcefile",
]


@pytest.fixture
def admin_client(tmp_path: Path) -> Client:
    ingest_path(location=small_catalog(tmp_path / "catalog"))
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.com", None))
    return client


@pytest.mark.parametrize("page", PAGES)
def test_every_list_opens_and_nothing_can_be_added(admin_client: Client, page: str) -> None:
    assert admin_client.get(reverse(f"admin:{page}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:{page}_add")).status_code == 403


def test_a_product_opens_read_only(admin_client: Client) -> None:
    product = Product.objects.get(slug="payments")
    url = reverse("admin:catalog_product_change", args=[product.pk])
    page = admin_client.get(url)
    assert page.status_code == 200 and b"Payments" in page.content
    admin_client.post(url, {"name": "Changed"})
    assert Product.objects.get(pk=product.pk).name == "Payments"
    delete = reverse("admin:catalog_product_delete", args=[product.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403


def test_sources_can_be_queued_for_refresh(admin_client: Client) -> None:
    source = Source.objects.get()
    response = admin_client.post(
        reverse("admin:ingest_source_changelist"),
        {"action": "request_refresh", "_selected_action": [source.pk]},
    )
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.refresh_requested_at is not None
