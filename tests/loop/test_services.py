"""The loop's write path: channels, routing, linking, patterns, improvements, milestones, roadmap.

Personas come from tests/accounts: alice owns orders and payments (and the market loop),
carol owns refund-desk only, mia is a member who owns nothing, root is an admin.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from productize.audit.models import ChangeRecord
from productize.audit.services import Actor
from productize.loop import services
from productize.loop.models import (
    FeedbackChannel,
    Improvement,
    Milestone,
    Notification,
    Pattern,
    PatternFeedback,
    RoadmapEntry,
)
from tests.accounts.conftest import World
from tests.loop import factories


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db: Any) -> World:
    return factories.personas()


@pytest.fixture
def alice(world: World) -> Actor:
    return Actor.for_user(world.owner)


@pytest.fixture
def carol(world: World) -> Actor:
    return Actor.for_user(world.other_owner)


@pytest.fixture
def mia(world: World) -> Actor:
    return Actor.for_user(world.member)


def _records(object_type: str) -> list[ChangeRecord]:
    return list(ChangeRecord.objects.filter(object_type=object_type).order_by("id"))


# --- channels ------------------------------------------------------------------------------


def test_owner_creates_a_channel_with_a_secret_and_audited_rules(
    world: World, alice: Actor
) -> None:
    orders = world.catalog["orders"]
    channel = services.create_channel(
        alice,
        name="Orders support",
        kind="support",
        product=orders,
        routing_rules=[{"product": "payments", "keywords": ["refund"]}],
        webhook_url="https://hooks.example.com/loop",
    )
    assert channel.inbound_secret and channel.webhook_secret  # a webhook is never unsigned
    record = _records("feedback-channel")[-1]
    assert record.after["routing_rules"][0]["product"] == "payments"
    assert record.after["inbound_secret_set"] is True
    assert channel.inbound_secret not in str(record.after)  # secrets stay out of the log


def test_other_owner_and_member_may_not_create_a_channel_for_orders(
    world: World,
    carol: Actor,
    mia: Actor,
) -> None:
    for actor in (carol, mia):
        with pytest.raises(PermissionDenied):
            services.create_channel(actor, name="x", product=world.catalog["orders"])
    assert not FeedbackChannel.objects.exists()


def test_loop_owner_creates_a_loop_channel_and_bad_input_names_the_field(
    world: World,
    alice: Actor,
) -> None:
    market = world.catalog["market"]
    channel = services.create_channel(alice, name="Market forum", kind="forum", loop=market)
    assert channel.loop == market
    cases = [
        ({"kind": "pigeon"}, "kind"),
        ({"routing_rules": [{"product": "nope", "keywords": ["x"]}]}, "routing_rules[0].product"),
        ({"routing_rules": [{"product": "orders"}]}, "routing_rules[0]"),
        ({"webhook_url": "ftp://x"}, "webhook_url"),
        ({"name": "  "}, "name"),
    ]
    for changes, field in cases:
        with pytest.raises(services.LoopError) as caught:
            services.update_channel(alice, channel, **changes)
        assert caught.value.field == field, changes
    with pytest.raises(services.LoopError):
        services.create_channel(alice, name="x", product=world.catalog["orders"], loop=market)


def test_update_rotate_and_delete_a_channel(world: World, alice: Actor) -> None:
    channel = factories.channel(product=world.catalog["orders"])
    item = factories.feedback(channel=channel)
    services.update_channel(alice, channel, name="Renamed", notify_email=False, reason="tidy")
    channel.refresh_from_db()
    assert (channel.name, channel.notify_email) == ("Renamed", False)
    assert _records("feedback-channel")[-1].reason == "tidy"
    old = channel.inbound_secret
    new = services.rotate_channel_secret(alice, channel)
    channel.refresh_from_db()
    assert channel.inbound_secret == new != old
    services.delete_channel(alice, channel)
    item.refresh_from_db()
    assert item.channel is None and not FeedbackChannel.objects.exists()
    assert _records("feedback-channel")[-1].action == "delete"


# --- routing and linking -------------------------------------------------------------------


def test_unrouted_feedback_is_claimed_by_the_target_products_owner(
    world: World, alice: Actor, carol: Actor
) -> None:
    item = factories.feedback("orders page is slow")
    with pytest.raises(PermissionDenied):
        services.route_feedback(carol, item, world.catalog["orders"])  # not carol's product
    services.route_feedback(alice, item, world.catalog["orders"], "orders-api")
    item.refresh_from_db()
    assert item.product == world.catalog["orders"]
    assert item.interface.ref == "orders/orders-api"
    assert item.routed_at is not None
    record = _records("feedback")[-1]
    assert record.before == {"product": None, "interface": None}
    assert record.after == {"product": "orders", "interface": "orders/orders-api"}
    # Routed now: only the owners of orders may move it on; carol cannot take it.
    with pytest.raises(PermissionDenied):
        services.route_feedback(carol, item, world.catalog["refunds"])
    services.route_feedback(alice, item, None)
    item.refresh_from_db()
    assert item.product is None and item.routed_at is None


def test_route_refuses_an_interface_of_another_product(world: World, alice: Actor) -> None:
    item = factories.feedback(product=world.catalog["orders"])
    with pytest.raises(services.LoopError) as caught:
        services.route_feedback(alice, item, world.catalog["orders"], "payments/charges-api")
    assert caught.value.field == "interface"


def test_suggest_route_applies_the_channel_rule(world: World) -> None:
    channel = factories.channel(
        product=world.catalog["orders"],
        routing_rules=[{"product": "payments", "keywords": ["refund"]}],
    )
    assert services.suggest_route(factories.feedback("I want a refund", channel=channel))[
        "product"
    ] == ("payments")
    assert services.suggest_route(factories.feedback("hello", channel=channel))["product"] == (
        "orders"
    )


def test_linking_feedback_recomputes_the_weight(world: World, alice: Actor, mia: Actor) -> None:
    orders = world.catalog["orders"]
    pattern = factories.pattern(products=[orders])
    old = timezone.now() - timedelta(days=365)
    a = factories.feedback(product=orders, author_name="Ann", created_at=old)
    b = factories.feedback(product=orders, author_contact="bob@example.com")
    c = factories.feedback(product=orders, author_contact="BOB@example.com")
    with pytest.raises(PermissionDenied):
        services.link_feedback(mia, a, pattern)
    for item in (a, b, c):
        services.link_feedback(alice, item, pattern)
    services.link_feedback(alice, a, pattern)  # twice: nothing new
    pattern.refresh_from_db()
    assert pattern.feedback_count == 3
    assert pattern.distinct_authors == 2  # bob twice, case-folded
    assert pattern.weight > 0
    assert PatternFeedback.objects.filter(pattern=pattern).count() == 3
    heavy = pattern.weight
    assert services.unlink_feedback(alice, b, pattern) is True
    assert services.unlink_feedback(alice, b, pattern) is False
    pattern.refresh_from_db()
    assert pattern.feedback_count == 2 and pattern.weight < heavy
    assert [r.action for r in _records("pattern-feedback")] == ["create"] * 3 + ["delete"]


# --- patterns ------------------------------------------------------------------------------


def test_a_member_proposes_a_pattern_but_only_owners_change_it(
    world: World, alice: Actor, mia: Actor, carol: Actor
) -> None:
    pattern = services.create_pattern(
        mia,
        title="Cannot find my order",
        products=["orders"],
        interfaces=["orders/orders-api"],
    )
    assert pattern.status == "open"
    assert _records("pattern")[-1].after["products"] == ["orders"]
    for actor in (mia, carol):
        with pytest.raises(PermissionDenied):
            services.update_pattern(actor, pattern, title="x")
        with pytest.raises(PermissionDenied):
            services.move_pattern(actor, pattern, "brainstorming")
    services.update_pattern(alice, pattern, workaround="Search by e-mail", owner="alice")
    services.move_pattern(alice, pattern, "brainstorming")
    pattern.refresh_from_db()
    assert (pattern.status, pattern.workaround, pattern.owner.slug) == (
        "brainstorming",
        "Search by e-mail",
        "alice",
    )
    record = _records("pattern")[-1]
    assert (record.before, record.after) == ({"status": "open"}, {"status": "brainstorming"})


def test_a_refused_move_names_the_allowed_moves_and_changes_nothing(
    world: World, alice: Actor
) -> None:
    pattern = factories.pattern(products=[world.catalog["orders"]])
    before = ChangeRecord.objects.count()
    with pytest.raises(services.StatusMoveError) as caught:
        services.move_pattern(alice, pattern, "resolved-pending-review")
    assert "allowed: `brainstorming`" in str(caught.value)
    assert "closed-resolved" in caught.value.allowed
    with pytest.raises(services.StatusMoveError, match="needs a reason"):
        services.move_pattern(alice, pattern, "closed-unresolved")
    pattern.refresh_from_db()
    assert pattern.status == "open" and ChangeRecord.objects.count() == before
    services.move_pattern(alice, pattern, "closed-unresolved", reason="duplicate of #3")
    assert _records("pattern")[-1].reason == "duplicate of #3"


def test_a_patterns_named_owner_may_edit_it(world: World) -> None:
    ledger_owner_bob = world.catalog["bob"]
    pattern = factories.pattern(products=[world.catalog["ledger"]], owner=ledger_owner_bob)
    from tests.accounts.conftest import make_user

    bob = Actor.for_user(make_user("bob", person="bob"))
    services.update_pattern(bob, pattern, description="seen in every month-end close")
    pattern.refresh_from_db()
    assert pattern.description.startswith("seen")


def test_unknown_products_and_self_relation_are_refused(world: World, alice: Actor) -> None:
    with pytest.raises(services.LoopError) as caught:
        services.create_pattern(alice, title="x", products=["nope"])
    assert caught.value.field == "products"
    pattern = factories.pattern(products=[world.catalog["orders"]])
    with pytest.raises(services.LoopError):
        services.update_pattern(alice, pattern, related=[pattern.pk])
    with pytest.raises(services.LoopError) as caught:
        services.update_pattern(alice, pattern, products=["ledger"])  # bob's, not alice's
    assert caught.value.field == "products"
    assert [p.slug for p in pattern.products.all()] == ["orders"]  # rolled back
    other = factories.pattern("Other", products=[world.catalog["orders"]])
    services.update_pattern(alice, pattern, related=[other.pk])
    assert list(other.related.all()) == [pattern]  # related both ways


# --- improvements and closing the loop -----------------------------------------------------


def _walk(actor: Actor, improvement: Improvement, *statuses: str) -> None:
    for status in statuses:
        services.move_improvement(actor, improvement, status)


TO_WORK = ("researching", "awaiting-approval", "ready", "in-implementation")


def test_a_member_proposes_an_improvement_with_a_prefilled_spec(
    world: World, alice: Actor, mia: Actor
) -> None:
    orders = world.catalog["orders"]
    pattern = services.create_pattern(
        alice, title="Checkout times out", workaround="Retry", products=[orders]
    )
    services.link_feedback(alice, factories.feedback("It spins forever", product=orders), pattern)
    improvement = services.create_improvement(mia, title="Faster checkout", patterns=[pattern])
    assert improvement.status == "proposed"
    assert list(improvement.products.all()) == [orders]  # from the patterns
    assert "## Problem and who has it" in improvement.specification
    assert "Checkout times out" in improvement.specification
    assert "It spins forever" in improvement.specification
    assert "Retry" in improvement.specification
    with pytest.raises(PermissionDenied):
        services.move_improvement(mia, improvement, "researching")
    with pytest.raises(services.LoopError) as caught:
        services.create_improvement(mia, title="x", confidence=2)
    assert caught.value.field == "confidence"


def test_completion_closes_the_loop_and_tells_the_people(
    world: World, alice: Actor, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    orders = world.catalog["orders"]
    channel = factories.channel(product=orders)
    quiet = factories.channel("No e-mail", product=orders, notify_email=False)
    one = factories.pattern("Slow", products=[orders])
    two = factories.pattern("Ugly", products=[orders])
    closed = factories.pattern("Old", products=[orders], status="closed-unresolved")
    for contact, pattern, ch in [
        ("ann@example.com", one, channel),
        ("ANN@example.com", two, channel),
        ("bob@example.com", two, quiet),
        ("@handle", one, channel),
        ("", one, channel),
    ]:
        services.link_feedback(
            alice, factories.feedback(author_contact=contact, channel=ch, product=orders), pattern
        )
    improvement = factories.improvement(products=[orders], patterns=[one, two, closed])
    other = factories.improvement("Prettier", products=[orders], patterns=[two])
    _walk(alice, improvement, *TO_WORK)
    one.refresh_from_db()
    assert one.status == "improvement-in-progress"  # work started on it
    with django_capture_on_commit_callbacks(execute=True):
        services.move_improvement(alice, improvement, "completed")
    improvement.refresh_from_db()
    assert improvement.completed_at is not None
    statuses = dict(Pattern.objects.values_list("title", "status"))
    assert statuses == {
        "Slow": "resolved-pending-review",
        "Ugly": "partially-resolved",  # `Prettier` is still open on it
        "Old": "closed-unresolved",  # a person closed it: shipping does not undo that
    }
    automatic = [r for r in _records("pattern") if (r.after or {}).get("automatic")]
    assert {r.after["status"] for r in automatic} >= {"partially-resolved"}
    assert all("completed" in r.reason or "implementation" in r.reason for r in automatic)
    # Ann once (case-folded), bob not (his channel has e-mail off), the handle is no address.
    assert [m.to for m in mail.outbox] == [["ann@example.com"]]
    assert "Faster checkout" in mail.outbox[0].subject
    sent = Notification.objects.get()
    assert (sent.medium, sent.status, sent.improvement) == ("email", "sent", improvement)
    assert other.status == "proposed"


def test_a_completed_improvement_never_reopens(world: World, alice: Actor) -> None:
    improvement = factories.improvement(products=[world.catalog["orders"]], status="completed")
    with pytest.raises(services.StatusMoveError, match="nothing"):
        services.move_improvement(alice, improvement, "proposed", reason="regression")


def test_owners_edit_improvements_and_people(world: World, alice: Actor, carol: Actor) -> None:
    improvement = factories.improvement(products=[world.catalog["orders"]])
    with pytest.raises(PermissionDenied):
        services.update_improvement(carol, improvement, title="mine now")
    services.update_improvement(alice, improvement, effort_weeks=2, confidence=0.8)
    with pytest.raises(services.LoopError) as caught:
        services.update_improvement(alice, improvement, products=["price-watch"])
    assert caught.value.field == "products"
    improvement.refresh_from_db()
    assert [p.slug for p in improvement.products.all()] == ["orders"]
    services.set_improvement_people(
        alice, improvement, [("alice", "owner"), ("bob", "contributor"), ("alice", "owner")]
    )
    assert sorted(improvement.people.values_list("person__slug", "role")) == [
        ("alice", "owner"),
        ("bob", "contributor"),
    ]
    with pytest.raises(services.LoopError) as caught:
        services.set_improvement_people(alice, improvement, [("bob", "boss")])
    assert caught.value.field == "people[0].role"


# --- milestones ----------------------------------------------------------------------------


def test_milestones_order_dependencies_and_completion(
    world: World, alice: Actor, mia: Actor
) -> None:
    improvement = factories.improvement(products=[world.catalog["orders"]])
    with pytest.raises(PermissionDenied):
        services.add_milestone(mia, improvement, title="x")
    design = services.add_milestone(alice, improvement, title="Design")
    build = services.add_milestone(alice, improvement, title="Build", depends_on=[design])
    polish = services.add_milestone(alice, improvement, title="Polish", kind="stretch")
    assert [design.position, build.position, polish.position] == [0, 1, 2]
    with pytest.raises(services.LoopError, match="circle"):
        services.update_milestone(alice, design, depends_on=[build])
    with pytest.raises(services.LoopError, match="first finish"):
        services.complete_milestone(alice, build)
    services.complete_milestone(alice, design)
    services.complete_milestone(alice, build)
    with pytest.raises(services.LoopError, match="depends on this one"):
        services.complete_milestone(alice, design, done=False)
    services.reorder_milestones(alice, improvement, [polish.pk, design.pk, build.pk])
    assert list(
        Milestone.objects.filter(improvement=improvement).values_list("title", flat=True)
    ) == ["Polish", "Design", "Build"]
    with pytest.raises(services.LoopError):
        services.reorder_milestones(alice, improvement, [polish.pk])
    other = factories.improvement("Other", products=[world.catalog["orders"]])
    with pytest.raises(services.LoopError, match="in this improvement"):
        services.add_milestone(alice, other, title="x", depends_on=[design])


# --- roadmap -------------------------------------------------------------------------------


def test_roadmap_placement_moves_and_override(world: World, alice: Actor, carol: Actor) -> None:
    orders = world.catalog["orders"]
    a, b, c = (factories.improvement(t, products=[orders]) for t in ("A", "B", "C"))
    elsewhere = factories.improvement("D", products=[world.catalog["payments"]])
    with pytest.raises(PermissionDenied):
        services.place_on_roadmap(carol, orders, a, "now")
    ea = services.place_on_roadmap(alice, orders, a, "now", rationale="Most asked for")
    eb = services.place_on_roadmap(alice, orders, b, "now", 0)
    ec = services.place_on_roadmap(alice, orders, c, "later")
    services.place_on_roadmap(alice, orders, elsewhere, "next")
    assert orders in elsewhere.products.all()  # placing links the product
    with pytest.raises(services.LoopError) as caught:
        services.place_on_roadmap(alice, orders, a, "next")
    assert caught.value.code == "conflict"

    def board() -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for entry in RoadmapEntry.objects.filter(product=orders).order_by("column", "position"):
            out.setdefault(entry.column, []).append(entry.improvement.title)
        return out

    assert board() == {"now": ["B", "A"], "later": ["C"], "next": ["D"]}
    services.move_on_roadmap(alice, ec, "now", 1)
    services.move_on_roadmap(alice, eb, "next", 0)
    # C went between B and A; B then left for `next`, so `now` closed the gap.
    assert board() == {"now": ["C", "A"], "next": ["B", "D"]}
    positions = dict(RoadmapEntry.objects.filter(product=orders).values_list("pk", "position"))
    assert positions[ec.pk] == 0 and positions[ea.pk] == 1
    with pytest.raises(services.LoopError) as caught:
        services.override_priority(alice, ea, 9.5)
    assert caught.value.field == "reason"
    services.override_priority(alice, ea, 9.5, reason="contract deadline")
    ea.refresh_from_db()
    assert (ea.priority_override, ea.override_reason) == (9.5, "contract deadline")
    services.override_priority(alice, ea, None)
    ea.refresh_from_db()
    assert ea.priority_override is None and ea.override_reason == ""
    services.remove_from_roadmap(alice, eb)
    assert board() == {"now": ["C", "A"], "next": ["D"]}
    assert RoadmapEntry.objects.get(improvement__title="D").position == 0
    assert [r.action for r in _records("roadmap-entry")].count("create") == 4
