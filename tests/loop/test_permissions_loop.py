"""Every loop write endpoint by role: the owner does it; another owner and a member get 403
in the one error shape and nothing changes; any member may propose patterns and improvements.

alice owns `orders` (where the rows live), carol owns only `refund-desk`, mia owns nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import serializers
from django.test import Client

from productize.audit.models import ChangeRecord
from productize.loop import models
from tests.accounts.conftest import World, bearer_client, new_token
from tests.loop import factories

LOOP_MODELS = (
    models.FeedbackChannel,
    models.Feedback,
    models.Pattern,
    models.PatternFeedback,
    models.Improvement,
    models.ImprovementPerson,
    models.Milestone,
    models.RoadmapEntry,
)


@pytest.fixture(autouse=True)
def _fast(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ANONYMOUS_READ = False


@pytest.fixture
def world(db: Any) -> World:
    return factories.personas()


def _rows(world: World) -> dict[str, Any]:
    values = factories.matrix_rows(world)
    improvement = models.Improvement.objects.get(pk=values["improvement_id"])
    orders = world.catalog["orders"]
    second = factories.milestone(improvement, "Second")
    return {
        **{k: int(v) for k, v in values.items()},
        "second_milestone": second.pk,
        "other_pattern": factories.pattern("Other", products=[orders]).pk,
        "other_improvement": factories.improvement("Other", products=[orders]).pk,
    }


Case = tuple[str, Callable[[dict[str, Any]], str], Callable[[dict[str, Any]], dict[str, Any]], int]
CASES: dict[str, Case] = {
    "create channel": (
        "POST",
        lambda r: "/api/v1/channels",
        lambda r: {"name": "New", "product": "orders"},
        201,
    ),
    "change channel": (
        "PATCH",
        lambda r: f"/api/v1/channels/{r['channel_id']}",
        lambda r: {"name": "Renamed"},
        200,
    ),
    "rotate secret": (
        "POST",
        lambda r: f"/api/v1/channels/{r['channel_id']}/rotate-secret",
        lambda r: {},
        200,
    ),
    "delete channel": (
        "DELETE",
        lambda r: f"/api/v1/channels/{r['channel_id']}",
        lambda r: {},
        200,
    ),
    "route feedback": (
        "POST",
        lambda r: f"/api/v1/feedback/{r['feedback_id']}/route",
        lambda r: {"product": "payments"},
        200,
    ),
    "link feedback": (
        "POST",
        lambda r: f"/api/v1/feedback/{r['feedback_id']}/links",
        lambda r: {"pattern": r["other_pattern"]},
        201,
    ),
    "unlink feedback": (
        "DELETE",
        lambda r: f"/api/v1/feedback/{r['feedback_id']}/links/{r['pattern_id']}",
        lambda r: {},
        200,
    ),
    "change pattern": (
        "PATCH",
        lambda r: f"/api/v1/patterns/{r['pattern_id']}",
        lambda r: {"workaround": "Retry"},
        200,
    ),
    "move pattern": (
        "POST",
        lambda r: f"/api/v1/patterns/{r['pattern_id']}/status",
        lambda r: {"status": "brainstorming"},
        200,
    ),
    "change improvement": (
        "PATCH",
        lambda r: f"/api/v1/improvements/{r['improvement_id']}",
        lambda r: {"effort_weeks": 3},
        200,
    ),
    "move improvement": (
        "POST",
        lambda r: f"/api/v1/improvements/{r['improvement_id']}/status",
        lambda r: {"status": "researching"},
        200,
    ),
    "set people": (
        "PUT",
        lambda r: f"/api/v1/improvements/{r['improvement_id']}/people",
        lambda r: {"people": [{"person": "alice", "role": "owner"}]},
        200,
    ),
    "add milestone": (
        "POST",
        lambda r: f"/api/v1/improvements/{r['improvement_id']}/milestones",
        lambda r: {"title": "Ship"},
        201,
    ),
    "reorder milestones": (
        "PUT",
        lambda r: f"/api/v1/improvements/{r['improvement_id']}/milestone-order",
        lambda r: {"order": [r["second_milestone"], r["milestone_id"]]},
        200,
    ),
    "change milestone": (
        "PATCH",
        lambda r: f"/api/v1/milestones/{r['milestone_id']}",
        lambda r: {"title": "MVP!"},
        200,
    ),
    "complete milestone": (
        "POST",
        lambda r: f"/api/v1/milestones/{r['milestone_id']}/done",
        lambda r: {"done": True},
        200,
    ),
    "delete milestone": (
        "DELETE",
        lambda r: f"/api/v1/milestones/{r['milestone_id']}",
        lambda r: {},
        200,
    ),
    "place on roadmap": (
        "POST",
        lambda r: "/api/v1/products/orders/roadmap",
        lambda r: {"improvement": r["other_improvement"], "column": "now"},
        201,
    ),
    "move on roadmap": (
        "PATCH",
        lambda r: f"/api/v1/roadmap/{r['entry_id']}",
        lambda r: {"column": "now"},
        200,
    ),
    "override priority": (
        "PUT",
        lambda r: f"/api/v1/roadmap/{r['entry_id']}/override",
        lambda r: {"value": 3.5, "reason": "deadline"},
        200,
    ),
    "remove from roadmap": (
        "DELETE",
        lambda r: f"/api/v1/roadmap/{r['entry_id']}",
        lambda r: {},
        200,
    ),
}


def _snapshot() -> str:
    return "".join(serializers.serialize("json", m.objects.order_by("pk")) for m in LOOP_MODELS)


def _send(client: Client, method: str, url: str, body: dict[str, Any]) -> Any:
    send = getattr(client, method.lower())
    if method == "DELETE":
        return send(url)
    return send(url, data=body, content_type="application/json")


def _assert_forbidden(response: Any) -> None:
    assert response.status_code == 403, response.content[:300]
    error = response.json()["error"]
    assert set(error) == {"code", "message", "field", "details"}
    assert error["code"] == "forbidden" and error["message"]


@pytest.mark.parametrize("name", list(CASES))
def test_only_the_owner_may(world: World, name: str) -> None:
    method, url_of, body_of, status = CASES[name]
    rows = _rows(world)
    url, body = url_of(rows), body_of(rows)
    for user in (world.other_owner, world.member):
        client = bearer_client(new_token(user, scope="write"))
        before, records = _snapshot(), ChangeRecord.objects.count()
        _assert_forbidden(_send(client, method, url, body))
        assert _snapshot() == before, f"{name}: a refused call changed something"
        assert ChangeRecord.objects.count() == records
    owner = bearer_client(new_token(world.owner, scope="write"))
    records = ChangeRecord.objects.count()
    response = _send(owner, method, url, body)
    assert response.status_code == status, (name, response.content[:300])
    assert ChangeRecord.objects.count() > records, f"{name}: the change was not audited"


def test_admin_may_do_what_owners_may(world: World) -> None:
    rows = _rows(world)
    admin = bearer_client(new_token(world.admin, scope="write"))
    response = admin.post(
        f"/api/v1/patterns/{rows['pattern_id']}/status",
        data={"status": "closed-unresolved", "reason": "out of scope"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "closed-unresolved"


@pytest.mark.parametrize("who", ["owner", "other_owner", "member"])
def test_any_member_may_propose(world: World, who: str) -> None:
    rows = _rows(world)
    client = bearer_client(new_token(getattr(world, who), scope="write"))
    response = client.post(
        "/api/v1/patterns",
        data={"title": "Refunds take a week", "products": ["orders"]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "open"
    response = client.post(
        "/api/v1/improvements",
        data={"title": "Instant refunds", "patterns": [rows["pattern_id"]]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "proposed" and response.json()["products"] == ["orders"]


def test_a_read_token_may_not_propose(world: World) -> None:
    client = bearer_client(new_token(world.member, scope="read"))
    records = ChangeRecord.objects.count()
    response = client.post("/api/v1/patterns", data={"title": "x"}, content_type="application/json")
    _assert_forbidden(response)
    assert ChangeRecord.objects.count() == records and not models.Pattern.objects.exists()


def test_anonymous_callers_may_not_write(world: World) -> None:
    response = Client().post(
        "/api/v1/patterns", data={"title": "x"}, content_type="application/json"
    )
    assert response.status_code == 401
    assert not models.Pattern.objects.exists()
