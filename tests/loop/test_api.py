"""The loop API: lists with filters and paging, details, status moves, closing the loop."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from productize.loop.models import Notification, Pattern
from productize.loop.services import recompute_weight
from tests.accounts.conftest import World, bearer_client, new_token
from tests.loop import factories


@pytest.fixture(autouse=True)
def _fast(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def world(db: Any) -> World:
    return factories.personas()


@pytest.fixture
def alice(world: World) -> Client:
    return bearer_client(new_token(world.owner, scope="write"))


def _json(client: Client, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    send = getattr(client, method)
    if method in {"get", "delete"}:
        return send(url)
    return send(url, data=body or {}, content_type="application/json")


def test_feedback_list_filters_pages_and_refuses_unknown_parameters(
    world: World, alice: Client
) -> None:
    orders = world.catalog["orders"]
    items = [factories.feedback(f"item {i}", product=orders) for i in range(3)]
    factories.feedback("waiting")
    pattern = factories.pattern(products=[orders], feedback=items[:1])
    body = alice.get("/api/v1/feedback?product=orders&page_size=2").json()
    assert (body["total"], body["pages"], len(body["items"])) == (3, 2, 2)
    assert body["items"][0]["text"] == "item 2"
    assert alice.get("/api/v1/feedback?unrouted=true").json()["items"][0]["text"] == "waiting"
    linked = alice.get(f"/api/v1/feedback?pattern={pattern.pk}").json()["items"]
    assert [f["pattern_ids"] for f in linked] == [[pattern.pk]]
    assert alice.get("/api/v1/feedback?product=orders&unpatterned=true").json()["total"] == 2
    wrong = alice.get("/api/v1/feedback?prodcut=orders")
    assert wrong.status_code == 422
    assert wrong.json()["error"]["code"] == "unknown_parameter"
    assert "did you mean `product`" in wrong.json()["error"]["message"]
    missing = alice.get("/api/v1/feedback?product=nope")
    assert missing.status_code == 404 and missing.json()["error"]["field"] == "product"
    one = alice.get(f"/api/v1/feedback/{items[0].pk}").json()
    assert one["product"] == "orders" and one["pattern_ids"] == [pattern.pk]
    assert alice.get("/api/v1/feedback/999999").status_code == 404


def test_patterns_sort_by_weight_and_detail_explains_it(world: World, alice: Client) -> None:
    orders = world.catalog["orders"]
    light = factories.pattern("Light", products=[orders], feedback=[factories.feedback()])
    heavy = factories.pattern(
        "Heavy",
        products=[orders],
        feedback=[factories.feedback(author_name=f"p{i}") for i in range(4)],
    )
    recompute_weight(light)
    recompute_weight(heavy)
    titles = [p["title"] for p in alice.get("/api/v1/patterns?product=orders").json()["items"]]
    assert titles == ["Heavy", "Light"]
    ascending = alice.get("/api/v1/patterns?order=-weight").json()["items"]
    assert [p["title"] for p in ascending] == ["Light", "Heavy"]
    bad = alice.get("/api/v1/patterns?order=loudest")
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "order"
    detail = alice.get(f"/api/v1/patterns/{heavy.pk}").json()
    assert detail["weight_explained"]["distinct_authors"] == 4
    assert "distinct authors" in detail["weight_explained"]["explain"]
    assert detail["feedback"]["total"] == 4 and detail["verification"] is None
    assert "brainstorming" in detail["allowed_moves"]


def test_a_refused_move_is_a_409_naming_the_allowed_moves(world: World, alice: Client) -> None:
    pattern = factories.pattern(products=[world.catalog["orders"]])
    response = _json(
        alice, "post", f"/api/v1/patterns/{pattern.pk}/status", {"status": "partially-resolved"}
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "conflict" and error["field"] == "status"
    assert "allowed: `brainstorming`" in error["message"]
    unknown = _json(alice, "post", f"/api/v1/patterns/{pattern.pk}/status", {"status": "done"})
    assert (
        unknown.status_code == 409 and "not a pattern status" in unknown.json()["error"]["message"]
    )
    assert Pattern.objects.get(pk=pattern.pk).status == "open"


def test_bad_input_is_a_422_naming_the_field(world: World, alice: Client) -> None:
    response = _json(
        alice,
        "post",
        "/api/v1/channels",
        {"name": "x", "product": "orders", "routing_rules": [{"product": "orders", "colour": 1}]},
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "routing_rules[0].colour"
    missing = _json(alice, "post", "/api/v1/patterns", {})
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "title"


def test_the_whole_loop_through_the_api(
    world: World, alice: Client, django_capture_on_commit_callbacks: Any
) -> None:
    orders = world.catalog["orders"]
    made = _json(
        alice, "post", "/api/v1/channels", {"name": "Desk", "product": "orders", "kind": "support"}
    )
    assert made.status_code == 201 and len(made.json()["inbound_secret"]) >= 32
    channel_id = made.json()["id"]
    shown = alice.get(f"/api/v1/channels/{channel_id}").json()
    assert "inbound_secret" not in shown and made.json()["inbound_secret"] not in str(shown)
    from productize.loop.models import FeedbackChannel

    item = factories.feedback(
        "Checkout spins",
        channel=FeedbackChannel.objects.get(pk=channel_id),
        author_contact="ann@example.com",
    )
    assert (
        _json(alice, "post", f"/api/v1/feedback/{item.pk}/route", {"product": "orders"}).json()[
            "product"
        ]
        == "orders"
    )
    pattern = _json(
        alice, "post", "/api/v1/patterns", {"title": "Checkout is slow", "products": ["orders"]}
    ).json()
    assert (
        _json(
            alice, "post", f"/api/v1/feedback/{item.pk}/links", {"pattern": pattern["id"]}
        ).status_code
        == 201
    )
    improvement = _json(
        alice,
        "post",
        "/api/v1/improvements",
        {
            "title": "Faster checkout",
            "patterns": [pattern["id"]],
            "effort_weeks": 2,
            "confidence": 0.5,
        },
    ).json()
    assert "Checkout spins" in improvement["specification"]
    iid = improvement["id"]
    roadmap = _json(
        alice,
        "post",
        "/api/v1/products/orders/roadmap",
        {"improvement": iid, "column": "now", "rationale": "Most asked"},
    ).json()
    [entry] = roadmap["now"]
    assert entry["rationale"] == "Most asked"
    assert entry["priority"]["terms"]["effort"] == 2 and entry["priority"]["explain"][0].startswith(
        "score"
    )
    milestone = _json(
        alice, "post", f"/api/v1/improvements/{iid}/milestones", {"title": "MVP"}
    ).json()
    _json(alice, "post", f"/api/v1/milestones/{milestone['id']}/done", {"done": True})
    for status in ("awaiting-approval", "ready", "in-implementation"):
        assert (
            _json(
                alice, "post", f"/api/v1/improvements/{iid}/status", {"status": status}
            ).status_code
            == 200
        )
    with django_capture_on_commit_callbacks(execute=True):
        done = _json(alice, "post", f"/api/v1/improvements/{iid}/status", {"status": "completed"})
    assert done.status_code == 200
    body = done.json()
    assert body["status"] == "completed" and body["progress"]["fraction"] == 1.0
    assert body["patterns"][0]["status"] == "resolved-pending-review"
    assert [m.to for m in mail.outbox] == [["ann@example.com"]]
    assert Notification.objects.get().status == "sent"
    detail = alice.get(f"/api/v1/patterns/{pattern['id']}").json()
    assert detail["verification"]["verdict"] in {"too-early", "dropped", "unchanged"}
    loop = alice.get("/api/v1/products/orders/loop").json()
    assert loop["feedback_total"] == 1 and loop["improvements"]["completed"] == 1
    assert orders.slug == loop["product"]


def test_my_loop_and_the_org_view(world: World, alice: Client) -> None:
    orders = world.catalog["orders"]
    factories.feedback("needs triage", product=orders)
    factories.pattern("Nobody's")
    mine = alice.get("/api/v1/my-loop").json()
    assert mine["person"] == "alice" and "orders" in mine["products"]
    assert [f["text"] for f in mine["untriaged"]["items"]] == ["needs triage"]
    member = bearer_client(new_token(world.member, scope="read")).get("/api/v1/my-loop").json()
    assert member["person"] is None and member["untriaged"]["items"] == []
    org = alice.get("/api/v1/loop-overview").json()
    assert org["piles"][0]["product"] == "orders"
    assert [p["title"] for p in org["unclaimed_patterns"]["items"]] == ["Nobody's"]
    assert {"product", "last_feedback_at", "channels"} <= set(org["quiet_products"][0])


def test_the_loops_list_is_paged(world: World, alice: Client) -> None:
    first = alice.get("/api/v1/loops?page_size=1").json()
    assert (first["total"], first["pages"], len(first["items"])) == (2, 2, 1)
    second = alice.get("/api/v1/loops?page_size=1&page=2").json()
    assert second["items"][0]["id"] != first["items"][0]["id"]
