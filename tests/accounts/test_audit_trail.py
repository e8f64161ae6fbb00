"""The audit trail: the log page, filters, JSON Lines export, per-object history, the API."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from productize.audit.models import Action, ChangeRecord
from productize.audit.selectors import diff
from productize.audit.services import Actor, record_change
from tests.accounts.conftest import World, bearer_client, new_token

pytestmark = pytest.mark.django_db


def _change(world: World, product: str, before: object, after: object, reason: str = "") -> None:
    with transaction.atomic():
        record_change(
            actor=Actor.for_user(world.owner, request_id="req-42"),
            action=Action.UPDATE,
            object_type="product",
            object_id=product,
            before=before,
            after=after,
            reason=reason,
            object_repr=product.title(),
        )


def test_diff_shows_changed_added_and_removed_fields() -> None:
    changes = diff(
        {"stage": "idea", "gone": 1, "same": 2}, {"stage": "growing", "new": [1], "same": 2}
    )
    assert [(c.field, c.before, c.after, c.added, c.removed) for c in changes] == [
        ("gone", "1", "null", False, True),
        ("new", "null", "[1]", True, False),
        ("stage", "idea", "growing", False, False),
    ]
    assert diff(None, {"a": 1})[0].field == "(value)" and diff({"a": 1}, {"a": 1}) == []


def test_log_page_filters_and_pages(world: World) -> None:
    _change(world, "orders", {"stage": "idea"}, {"stage": "growing"}, reason="shipped v1")
    client = Client()
    assert client.get("/audit/").status_code == 302  # sign in first
    client.force_login(world.member)
    page = client.get("/audit/?actor=alice").content.decode()
    assert "shipped v1" in page and "<del>idea</del>" in page and "<ins>growing</ins>" in page
    assert "req-42" in page and "/audit/product/orders/" in page
    page = client.get("/audit/?actor=nobody").content.decode()
    assert "No changes match." in page
    tomorrow = (timezone.now() + timedelta(days=1)).date().isoformat()
    assert "No changes match." in client.get(f"/audit/?since={tomorrow}").content.decode()
    assert "shipped v1" in client.get("/audit/?object_type=product").content.decode()


def test_history_of_one_object(world: World) -> None:
    _change(world, "orders", {"mission": "old"}, {"mission": "new <script>x</script>"})
    _change(world, "ledger", {"mission": "a"}, {"mission": "b"})
    client = Client()
    client.force_login(world.member)
    page = client.get("/audit/product/orders/").content.decode()
    assert "History of product" in page and "<del>old</del>" in page
    assert "<script>x" not in page and "&lt;script&gt;x" in page
    assert "<del>a</del>" not in page


def test_export_json_lines(world: World) -> None:
    _change(world, "orders", {"stage": "idea"}, {"stage": "growing"})
    _change(world, "ledger", {"stage": "idea"}, {"stage": "maintained"})
    client = Client()
    client.force_login(world.member)
    response = client.get("/audit/export.jsonl?object_type=product&actor=alice")
    assert response["Content-Type"] == "application/jsonl"
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    lines = [json.loads(line) for line in body.splitlines()]
    assert [line["object_id"] for line in lines] == ["ledger", "orders"]
    assert lines[0]["after"] == {"stage": "maintained"} and lines[0]["actor"] == "alice"


def test_audit_api_filters_and_pages(world: World) -> None:
    for n in range(3):
        _change(world, "orders", {"n": n}, {"n": n + 1})
    client = bearer_client(new_token(world.member))
    body = client.get("/api/v1/audit?actor=alice&object_id=orders&page_size=2").json()
    assert body["total"] == 3 and body["pages"] == 2 and len(body["items"]) == 2
    assert body["items"][0]["after"] == {"n": 3} and body["items"][0]["request_id"] == "req-42"
    token_records = client.get("/api/v1/audit?object_type=api_token").json()
    assert token_records["total"] == 1
    assert client.get("/api/v1/audit?objet_type=x").status_code == 422
    assert Client().get("/api/v1/audit").status_code == 401


def test_every_response_carries_a_request_id(world: World) -> None:
    client = Client()
    first, second = client.get("/healthz"), client.get("/healthz")
    assert len(first["X-Request-ID"]) == 32 and first["X-Request-ID"] != second["X-Request-ID"]
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"
    bad = client.get("/healthz", HTTP_X_REQUEST_ID="no spaces\nor newlines")["X-Request-ID"]
    assert bad != "no spaces\nor newlines" and len(bad) == 32
    assert ChangeRecord.objects.filter(request_id="abc-123").count() == 0
