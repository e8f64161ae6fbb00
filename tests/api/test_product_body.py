"""GET /products/{id} is encoded without Ninja's response validation: it must still be a
`ProductOut`, byte for byte what validating it would serve."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from ninja.responses import NinjaJSONEncoder

from productize.api.schemas import ProductOut
from productize.catalog.models import Interface
from tests.web import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("slug", ["orders", "payments", "ledger", "price-watch", "refund-desk"])
def test_the_served_product_is_what_its_documented_schema_gives(client: Client, demo, slug):
    demo["orders"].links = {"docs": "https://docs.example/orders", "feedback": [{"kind": "chat"}]}
    demo["orders"].brand = {"display_name": "Order Desk"}
    demo["orders"].save()
    Interface.objects.create(
        product=demo["orders"], name="events", kind="event", ref="orders/events"
    )
    other = f.source("other")
    clash = f.problem(demo["run"], path="orders/b.yaml", product_slug="orders", severity="warning")
    clash.related_source = other
    clash.save()
    response = client.get(f"/api/v1/products/{slug}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    served = response.json()
    # What Ninja serves for a validated ProductOut (extra or missing fields, wrong types and
    # a different date format would all differ).
    validated = ProductOut.model_validate(served).model_dump()
    assert served == json.loads(json.dumps(validated, cls=NinjaJSONEncoder))
    assert served["id"] == slug and served["updated_at"].endswith("Z")


def test_the_product_body_shows_a_clash_with_another_source(client: Client, demo):
    other = f.source("other")
    clash = f.problem(demo["run"], path="orders/b.yaml", product_slug="orders", severity="warning")
    clash.related_source = other
    clash.save()
    body = client.get("/api/v1/products/orders").json()
    assert body["problem_count"] == 2
    by_path = {p["path"]: p for p in body["problems"]}
    assert by_path["orders/b.yaml"]["related_source"] == {"id": other.id, "name": "other"}
    assert by_path["orders/product.yaml"]["source"]["name"] == "main"
    assert [o["kind"] for o in body["owners"]] == ["person", "team"]
    assert body["owners"][1] == {
        "ref": "team:payments",
        "kind": "team",
        "id": "payments",
        "name": "Payments Team",
        "resolved": True,
    }


def test_an_unknown_product_is_still_the_error_shape(client: Client, demo):
    response = client.get("/api/v1/products/nope")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
