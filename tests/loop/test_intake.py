"""Feedback intake: one item, many items, validation, routing, idempotency and the audit log."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from productize.audit.models import ChangeRecord
from productize.audit.services import Actor
from productize.domain.loop.importers.common import MAX_TEXT
from productize.loop.intake import (
    FeedbackItem,
    FeedbackRejected,
    bulk_give_feedback,
    give_feedback,
)
from productize.loop.models import Feedback
from tests.loop.flow_helpers import SYSTEM, catalog, channel, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    return catalog()


def test_one_item_is_stored_as_given_with_one_audit_record(world: dict[str, Any]) -> None:
    user = member()
    actor = Actor.for_user(user)
    before = ChangeRecord.objects.filter(object_type="feedback").count()
    fb = give_feedback(
        actor,
        text="  Checkout <b>fails</b> when the basket has 40 items  ",
        title="Checkout fails",
        product="orders",
        interface="orders-api",
        author="Ann",
        author_contact="ann@example.org",
        tags=["checkout", "checkout", "bug"],
    )
    assert fb.text == "Checkout <b>fails</b> when the basket has 40 items"
    assert fb.product == world["orders"] and fb.interface is not None
    assert fb.interface.name == "orders-api"
    assert fb.tags == ["checkout", "bug"]
    assert fb.submitted_by == user and fb.source_kind == "api"
    assert fb.routed_at is not None and len(fb.text_hash) == 64
    records = ChangeRecord.objects.filter(object_type="feedback", object_id=str(fb.pk))
    assert (
        records.count() == 1 == ChangeRecord.objects.filter(object_type="feedback").count() - before
    )
    assert records[0].after["product"] == world["orders"].pk
    assert records[0].actor_label == "mia"


@pytest.mark.parametrize(
    ("given", "field", "words"),
    [
        ({"text": ""}, "text", "required"),
        ({"text": "   \n "}, "text", "not blank"),
        ({"text": "x" * (MAX_TEXT + 1)}, "text", "at most 50,000 characters"),
        ({"text": "ok", "title": "t" * 501}, "title", "at most 500"),
        ({"text": "ok", "product": "oders"}, "product", "did you mean `orders`"),
        ({"text": "ok", "product": "orders", "interface": "orders-apx"}, "interface", "orders-api"),
        ({"text": "ok", "interface": "nobody-knows"}, "interface", "name the product too"),
        ({"text": "ok", "created_at": "yesterday"}, "created_at", "ISO 8601"),
        ({"text": "ok", "tags": [f"t{i}" for i in range(30)]}, "tags", "at most 20 tags"),
        ({"text": "ok", "tags": {"a": 1}}, "tags", "expected a list"),
    ],
)
def test_bad_items_are_rejected_naming_the_field(
    world: dict[str, Any], given: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(FeedbackRejected) as caught:
        give_feedback(SYSTEM, **given)
    assert field in caught.value.message_dict
    assert words in " ".join(caught.value.message_dict[field])
    assert not Feedback.objects.exists()


def test_a_bulk_call_with_one_bad_item_stores_nothing_and_lists_every_problem(
    world: dict[str, Any],
) -> None:
    items = [{"text": "fine"}, {"text": ""}, {"text": "ok", "colour": "red"}]
    with pytest.raises(FeedbackRejected) as caught:
        bulk_give_feedback(SYSTEM, items)
    where = {(p.index, p.field) for p in caught.value.problems}
    assert where == {(1, "text"), (2, "colour")}
    assert not Feedback.objects.exists()


def test_bulk_is_idempotent_by_source_key_and_reports_why(world: dict[str, Any]) -> None:
    desk = channel()
    items = [
        {"text": "Refund took two weeks", "external_id": "T-1"},
        {"text": "Cannot log in", "external_id": "T-2"},
        {"text": "No id: never deduplicated"},
    ]
    first = bulk_give_feedback(SYSTEM, items, channel=desk)
    assert [i for i, _ in first.created] == [0, 1, 2] and not first.skipped
    records = ChangeRecord.objects.filter(object_type="feedback").count()
    second = bulk_give_feedback(
        SYSTEM, [*items[:2], {"text": "new", "external_id": "T-3"}], channel=desk
    )
    assert [i for i, _ in second.created] == [2]
    assert [s.index for s in second.skipped] == [0, 1]
    assert "already received as feedback" in second.skipped[0].reason
    assert second.skipped[0].existing_id == first.created[0][1]
    assert Feedback.objects.count() == 4
    assert ChangeRecord.objects.filter(object_type="feedback").count() == records + 1
    # The same external id in another channel is another item.
    other = bulk_give_feedback(SYSTEM, items[:1], channel=channel("forum", kind="forum"))
    assert len(other.created) == 1


def test_repeats_inside_one_call_are_skipped(world: dict[str, Any]) -> None:
    outcome = bulk_give_feedback(
        SYSTEM, [{"text": "a", "external_id": "1"}, {"text": "b", "external_id": "1"}]
    )
    assert len(outcome.created) == 1
    assert outcome.skipped[0].index == 1 and "item 0" in outcome.skipped[0].reason


def test_without_a_product_the_channel_rules_route_it(world: dict[str, Any]) -> None:
    desk = channel(
        rules=[
            {"product": "payments", "keywords": ["refund", "card"]},
            {"product": "orders", "interface": "orders-api", "tags": ["api"]},
        ],
        default_product=world["ledger"],
    )
    outcome = bulk_give_feedback(
        SYSTEM,
        [
            {"text": "My card was charged twice"},
            {"text": "Timeouts", "tags": ["API"]},
            {"text": "Something else entirely"},
            {"text": "Explicit wins over rules: refund", "product": "orders"},
        ],
        channel=desk,
    )
    rows = {i: Feedback.objects.get(pk=pk) for i, pk in outcome.created}
    assert rows[0].product == world["payments"]
    assert rows[1].product == world["orders"] and rows[1].interface.name == "orders-api"
    assert rows[2].product == world["ledger"]
    assert rows[3].product == world["orders"]
    assert outcome.routed == 3


def test_no_rule_and_no_default_leaves_it_for_triage(world: dict[str, Any]) -> None:
    fb = give_feedback(SYSTEM, text="where does this go?", channel=channel("general"))
    assert fb.product is None and fb.routed_at is None


def test_a_rule_naming_a_missing_product_leaves_the_item_unrouted(world: dict[str, Any]) -> None:
    desk = channel(rules=[{"product": "gone", "keywords": ["refund"]}])
    outcome = bulk_give_feedback(SYSTEM, [{"text": "refund please"}], channel=desk)
    assert Feedback.objects.get(pk=outcome.created[0][1]).product is None
    assert "does not exist" in outcome.notes[0].message


def test_without_all_or_nothing_good_items_are_stored(world: dict[str, Any]) -> None:
    outcome = bulk_give_feedback(
        SYSTEM, [{"text": "ok"}, {"text": ""}, FeedbackItem(text="typed")], all_or_nothing=False
    )
    assert [i for i, _ in outcome.created] == [0, 2]
    assert [(p.index, p.field) for p in outcome.invalid] == [(1, "text")]


def test_control_characters_are_removed_and_noted(world: dict[str, Any]) -> None:
    outcome = bulk_give_feedback(SYSTEM, [{"text": "nul\x00byte", "title": "bell\x07"}])
    fb = Feedback.objects.get(pk=outcome.created[0][1])
    assert fb.text == "nulbyte" and fb.title == "bell"
    assert {n.field for n in outcome.notes} == {"text", "title"}


def test_anonymous_and_read_tokens_may_not_give_feedback(world: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        give_feedback(Actor.for_user(AnonymousUser()), text="hello")
    user = member("rita")
    user._productize_token_scope = "read"
    with pytest.raises(PermissionDenied):
        bulk_give_feedback(Actor.for_token("t-read", user), [{"text": "hello"}])
    user._productize_token_scope = "write"
    assert bulk_give_feedback(Actor.for_token("t-write", user), [{"text": "hello"}]).created


def test_a_re_given_single_item_returns_the_stored_one(world: dict[str, Any]) -> None:
    first = give_feedback(SYSTEM, text="same", external_id="F-9")
    again = give_feedback(SYSTEM, text="same, edited", external_id="F-9")
    assert again.pk == first.pk and again.text == "same"


def test_a_signed_in_giver_without_an_author_is_the_author(world: dict[str, Any]) -> None:
    from tests.accounts.conftest import make_user

    alice = make_user("alice", email="alice@example.com", person="alice")
    fb = give_feedback(Actor.for_user(alice), text="I would like CSV export")
    assert fb.author_person == world["alice"] and fb.author_name == "Alice Archer"
    assert fb.author_contact == "alice@example.com"
    named = give_feedback(Actor.for_user(alice), text="for a customer", author="Cy")
    assert named.author_person is None and named.author_name == "Cy"


def test_ids_of_deleted_feedback_are_never_given_again(world: dict[str, Any]) -> None:
    first = bulk_give_feedback(SYSTEM, [{"text": "a"}, {"text": "b"}])
    highest = max(pk for _, pk in first.created)
    Feedback.objects.filter(pk=highest).delete()
    again = bulk_give_feedback(SYSTEM, [{"text": "c"}])
    assert again.created[0][1] > highest
    records = ChangeRecord.objects.filter(
        object_type="feedback", object_id=str(again.created[0][1])
    )
    assert records.get().after["characters"] == 1
