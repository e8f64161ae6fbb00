"""The feedback API: one item or a list, the signed inbound webhook, and suggestions."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.test import Client

from productize.api.feedback import MAX_BODY, signature
from productize.audit.models import ChangeRecord
from productize.loop.models import Feedback, Suggestion
from tests.accounts.conftest import bearer_client, make_user, new_token
from tests.loop.flow_helpers import catalog, channel

pytestmark = pytest.mark.django_db
URL = "/api/v1/feedback"


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    data = catalog()
    data["member"] = make_user("mia", email="mia@example.com")
    data["owner"] = make_user("alice", person="alice")  # alice owns orders
    data["writer"] = bearer_client(new_token(data["member"], scope="write"))
    return data


def _post(client: Client, body: Any, url: str = URL, **headers: Any) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def test_one_item_is_created(world: dict[str, Any]) -> None:
    response = _post(world["writer"], {"text": "Search is slow", "product": "orders"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["received"] == 1 and body["skipped"] == [] and body["routed"] == 0
    fb = Feedback.objects.get(pk=body["created"][0]["id"])
    assert fb.product == world["orders"] and fb.submitted_by == world["member"]


def test_a_list_is_bulk_and_re_sending_it_creates_nothing(world: dict[str, Any]) -> None:
    items = [{"text": f"item {i}", "external_id": f"X-{i}"} for i in range(50)]
    first = _post(world["writer"], items)
    assert first.status_code == 201 and len(first.json()["created"]) == 50
    records = ChangeRecord.objects.filter(object_type="feedback").count()
    again = _post(world["writer"], items)
    assert again.status_code == 200
    body = again.json()
    assert body["created"] == [] and [s["index"] for s in body["skipped"]] == list(range(50))
    assert all("already received" in s["reason"] and s["existing_id"] for s in body["skipped"])
    assert Feedback.objects.count() == 50
    assert ChangeRecord.objects.filter(object_type="feedback").count() == records


def test_invalid_items_are_listed_by_position_and_nothing_is_stored(world: dict[str, Any]) -> None:
    response = _post(
        world["writer"], [{"text": "ok"}, {"title": "no text"}, {"text": "x", "product": "nope"}]
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == "[1].text"
    assert {d["field"] for d in error["details"]} == {"[1].text", "[2].product"}
    assert not Feedback.objects.exists()
    single = _post(world["writer"], {"text": ""})
    assert single.json()["error"]["field"] == "text"


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (b"{not json", 400, "not JSON"),
        (b"\xff\xfe{}", 400, "not UTF-8"),
        (b"[]", 422, "empty"),
        (b'"just text"', 422, "one feedback object"),
        (b"[" * 100_000 + b"]" * 100_000, 400, "nested too deeply"),
    ],
)
def test_bad_bodies_get_clear_errors(
    world: dict[str, Any], body: bytes, status: int, words: str
) -> None:
    response = world["writer"].post(URL, data=body, content_type="application/json")
    assert response.status_code == status, response.content[:300]
    assert words in response.json()["error"]["message"]


def test_too_many_items_or_bytes_are_refused(world: dict[str, Any]) -> None:
    response = _post(world["writer"], [{"text": "x"}] * 5_001)
    assert response.status_code == 422 and "at most 5,000" in response.json()["error"]["message"]
    big = b'{"text": "' + b"a" * (MAX_BODY + 10) + b'"}'
    response = world["writer"].post(URL, data=big, content_type="application/json")
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"
    assert not Feedback.objects.exists()


def test_read_tokens_and_anonymous_callers_may_not_give(world: dict[str, Any]) -> None:
    reader = bearer_client(new_token(world["member"], scope="read"))
    assert _post(reader, {"text": "hi"}).status_code == 403
    assert _post(Client(), {"text": "hi"}).status_code == 401
    assert not Feedback.objects.exists()


def test_the_channel_parameter_routes_by_its_rules(world: dict[str, Any]) -> None:
    desk = channel(rules=[{"product": "payments", "keywords": ["card"]}])
    response = _post(world["writer"], {"text": "card declined"}, url=f"{URL}?channel={desk.pk}")
    body = response.json()
    assert body["routed"] == 1
    fb = Feedback.objects.get(pk=body["created"][0]["id"])
    assert fb.product == world["payments"] and fb.channel == desk and fb.source_kind == "support"
    assert _post(world["writer"], {"text": "x"}, url=f"{URL}?channel=999").status_code == 404
    desk.is_active = False
    desk.save()
    paused = _post(world["writer"], {"text": "x"}, url=f"{URL}?channel={desk.pk}")
    assert paused.status_code == 409 and Feedback.objects.count() == 1
    assert _post(world["writer"], {"text": "x"}, url=f"{URL}?chanel=1").status_code == 422


# --- the inbound webhook ---------------------------------------------------------------------


def _signed(secret: str, body: bytes, at: int | None = None) -> dict[str, str]:
    stamp = str(int(time.time()) if at is None else at)
    return {
        "HTTP_X_PRODUCTIZE_TIMESTAMP": stamp,
        "HTTP_X_PRODUCTIZE_SIGNATURE": signature(secret, stamp, body),
    }


def test_the_webhook_takes_signed_calls_and_nothing_else(world: dict[str, Any]) -> None:
    desk = channel(secret="s3cret-value", rules=[{"product": "orders", "keywords": ["basket"]}])
    url = f"/api/v1/channels/{desk.pk}/inbound"
    body = json.dumps([{"text": "basket empties itself", "external_id": "Z-1"}]).encode()
    client = Client()
    response = client.post(
        url, data=body, content_type="application/json", **_signed("s3cret-value", body)
    )
    assert response.status_code == 201, response.content
    fb = Feedback.objects.get()
    assert fb.channel == desk and fb.product == world["orders"]
    record = ChangeRecord.objects.get(object_type="feedback")
    assert record.actor_label == f"inbound webhook of channel {desk.pk}"
    # A retry of the same call stores nothing new.
    again = client.post(
        url, data=body, content_type="application/json", **_signed("s3cret-value", body)
    )
    assert again.status_code == 200 and again.json()["skipped"][0]["existing_id"] == fb.pk
    refused = [
        {},  # not signed
        _signed("wrong-secret", body),
        _signed("s3cret-value", body, at=int(time.time()) - 3_600),  # an old call replayed
        _signed("s3cret-value", body + b" "),  # signed another body
    ]
    for headers in refused:
        response = client.post(url, data=body, content_type="application/json", **headers)
        assert response.status_code == 401, headers
        assert response.json()["error"]["code"] == "unauthenticated"
    unknown = client.post(
        "/api/v1/channels/999/inbound",
        data=body,
        content_type="application/json",
        **_signed("s3cret-value", body),
    )
    assert unknown.status_code == 401
    assert Feedback.objects.count() == 1


def test_a_channel_without_secret_or_inactive_takes_nothing(world: dict[str, Any]) -> None:
    open_channel = channel("no secret")
    body = b'{"text": "hi"}'
    url = f"/api/v1/channels/{open_channel.pk}/inbound"
    response = Client().post(url, data=body, content_type="application/json", **_signed("", body))
    assert response.status_code == 401
    paused = channel("paused", secret="k")
    paused.is_active = False
    paused.save()
    url = f"/api/v1/channels/{paused.pk}/inbound"
    response = Client().post(url, data=body, content_type="application/json", **_signed("k", body))
    assert response.status_code == 409
    assert not Feedback.objects.exists()


# --- suggestions -----------------------------------------------------------------------------


def _seed(client: Client) -> None:
    texts = [
        "Refund takes two weeks to reach my card",
        "My refund took two weeks to reach the card",
        "Refund to card is slow, two weeks",
        "Dark mode please",
    ]
    _post(client, [{"text": t, "product": "orders"} for t in texts])


def test_suggestions_refresh_list_accept_and_dismiss(world: dict[str, Any]) -> None:
    _seed(world["writer"])
    owner = bearer_client(new_token(world["owner"], scope="write"))
    assert (
        _post(world["writer"], {"product": "orders"}, url="/api/v1/suggestions/refresh").status_code
        == 403
    )
    response = _post(owner, {"product": "orders"}, url="/api/v1/suggestions/refresh")
    assert response.status_code == 200, response.content
    assert response.json()["patterns"] == 1 and response.json()["items"] == 4
    listed = world["writer"].get("/api/v1/suggestions?product=orders").json()
    assert listed["total"] == 1
    item = listed["items"][0]
    assert (
        item["kind"] == "new-pattern" and len(item["member_ids"]) == 3 and item["status"] == "open"
    )
    assert world["writer"].get("/api/v1/suggestions?status=maybe").status_code == 422
    accept_url = f"/api/v1/suggestions/{item['id']}/accept"
    assert _post(world["writer"], {}, url=accept_url).status_code == 403
    accepted = _post(owner, {"title": "Refunds take two weeks"}, url=accept_url)
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["title"] == "Refunds take two weeks"
    assert _post(owner, {}, url=accept_url).status_code == 409
    assert world["writer"].get("/api/v1/suggestions?status=accepted").json()["total"] == 1
    suggestion = Suggestion.objects.get()
    suggestion.pk = None
    suggestion.status = "open"
    suggestion.save()
    dismissed = _post(
        owner, {"reason": "duplicate"}, url=f"/api/v1/suggestions/{suggestion.pk}/dismiss"
    )
    assert dismissed.status_code == 200 and dismissed.json()["status"] == "dismissed"
    assert _post(owner, {}, url="/api/v1/suggestions/999/dismiss").status_code == 404


def test_the_openapi_schema_documents_both_body_shapes(world: dict[str, Any]) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    body = schema["paths"]["/api/v1/feedback"]["post"]["requestBody"]["content"]["application/json"]
    shapes = body["schema"]["oneOf"]
    assert shapes[0]["required"] == ["text"] and shapes[1]["maxItems"] == 5_000
    inbound = schema["paths"]["/api/v1/channels/{channel_id}/inbound"]["post"]
    assert "X-Productize-Signature" in inbound["description"]
