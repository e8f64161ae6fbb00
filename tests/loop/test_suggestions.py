"""Suggestions: refresh proposes groups and links, accept creates patterns, dismissals stick."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from productize.audit.models import ChangeRecord
from productize.audit.services import Actor
from productize.loop.intake import bulk_give_feedback
from productize.loop.models import Pattern, PatternFeedback, Suggestion
from productize.loop.services.common import LoopError
from productize.loop.suggestions import (
    accept_suggestion,
    dismiss_suggestion,
    fingerprint,
    refresh_suggestions,
)
from tests.loop.flow_helpers import SYSTEM, catalog, member

pytestmark = pytest.mark.django_db

REFUNDS = [
    "Refund takes two weeks to arrive on my card",
    "Still waiting for my refund, it has been two weeks",
    "Why does a refund take weeks to reach the card?",
    "Refund to card slow: two weeks and counting",
]
LOGIN = [
    "Cannot log in after the password reset email",
    "Password reset email link does not let me log in",
    "Log in fails after I reset my password",
]
NOISE = ["The new colours are lovely", "Please add a dark mode to the invoice view"]


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    data = catalog()
    texts = REFUNDS + LOGIN + NOISE
    outcome = bulk_give_feedback(SYSTEM, [{"text": t, "product": "orders"} for t in texts])
    data["ids"] = {t: pk for (i, pk), t in zip(outcome.created, texts, strict=True)}
    return data


def _groups() -> list[set[int]]:
    return [set(s.member_ids) for s in Suggestion.objects.filter(kind="new-pattern", status="open")]


def test_refresh_groups_similar_feedback_and_audits(world: dict[str, Any]) -> None:
    outcome = refresh_suggestions(SYSTEM, product=world["orders"])
    ids = world["ids"]
    assert outcome.items == 9 and outcome.patterns == 2
    groups = _groups()
    assert {ids[t] for t in REFUNDS} in groups
    assert {ids[t] for t in LOGIN} in groups
    suggestion = next(s for s in Suggestion.objects.all() if ids[LOGIN[0]] in s.member_ids)
    assert (
        "log" in suggestion.proposed_title.lower()
        or "password" in suggestion.proposed_title.lower()
    )
    assert set(suggestion.members.values_list("id", flat=True)) == set(suggestion.member_ids)
    assert suggestion.fingerprint == fingerprint(suggestion.member_ids)
    assert ChangeRecord.objects.filter(object_type="suggestion", action="create").count() == 2


def test_a_second_refresh_replaces_the_open_ones(world: dict[str, Any]) -> None:
    refresh_suggestions(SYSTEM, product=world["orders"])
    first = set(Suggestion.objects.values_list("id", flat=True))
    again = refresh_suggestions(SYSTEM, product=world["orders"])
    assert again.replaced == 2 and again.patterns == 2
    assert not first & set(Suggestion.objects.values_list("id", flat=True))


def test_accept_creates_the_pattern_and_links_the_members(world: dict[str, Any]) -> None:
    refresh_suggestions(SYSTEM, product=world["orders"])
    ids = world["ids"]
    suggestion = next(s for s in Suggestion.objects.all() if ids[REFUNDS[0]] in s.member_ids)
    pattern = accept_suggestion(SYSTEM, suggestion)
    assert set(pattern.feedback.values_list("id", flat=True)) == {ids[t] for t in REFUNDS}
    assert list(pattern.products.values_list("slug", flat=True)) == ["orders"]
    suggestion.refresh_from_db()
    assert suggestion.status == "accepted" and suggestion.pattern == pattern
    assert pattern.feedback_count == 4
    # The members are patterned now: the next refresh does not propose them again.
    refresh_suggestions(SYSTEM, product=world["orders"])
    assert all(ids[REFUNDS[0]] not in g for g in _groups())
    with pytest.raises(LoopError):
        accept_suggestion(SYSTEM, suggestion)


def test_edit_is_accept_with_another_title_and_fewer_members(world: dict[str, Any]) -> None:
    refresh_suggestions(SYSTEM, product=world["orders"])
    ids = world["ids"]
    suggestion = next(s for s in Suggestion.objects.all() if ids[LOGIN[0]] in s.member_ids)
    keep = [ids[LOGIN[0]], ids[LOGIN[1]]]
    pattern = accept_suggestion(
        SYSTEM, suggestion, title="People cannot sign in after a reset", member_ids=keep
    )
    assert pattern.title == "People cannot sign in after a reset"
    assert sorted(
        PatternFeedback.objects.filter(pattern=pattern).values_list("feedback_id", flat=True)
    ) == sorted(keep)
    suggestion.refresh_from_db()
    assert suggestion.reason == "edited"
    with pytest.raises(LoopError):
        accept_suggestion(
            SYSTEM, next(s for s in Suggestion.objects.filter(status="open")), member_ids=[]
        )


def test_dismissed_groups_are_remembered(world: dict[str, Any]) -> None:
    refresh_suggestions(SYSTEM, product=world["orders"])
    ids = world["ids"]
    suggestion = next(s for s in Suggestion.objects.all() if ids[LOGIN[0]] in s.member_ids)
    dismiss_suggestion(SYSTEM, suggestion, reason="known, tracked elsewhere")
    outcome = refresh_suggestions(SYSTEM, product=world["orders"])
    assert outcome.hidden == 1 and outcome.patterns == 1
    assert {ids[t] for t in LOGIN} not in _groups()
    assert Suggestion.objects.filter(status="dismissed").count() == 1  # kept, not replaced


def test_new_feedback_is_proposed_for_an_existing_pattern(world: dict[str, Any]) -> None:
    refresh_suggestions(SYSTEM, product=world["orders"])
    ids = world["ids"]
    suggestion = next(s for s in Suggestion.objects.all() if ids[REFUNDS[0]] in s.member_ids)
    pattern = accept_suggestion(SYSTEM, suggestion, title="Refunds take weeks to reach the card")
    new = bulk_give_feedback(
        SYSTEM, [{"text": "My refund has still not reached my card", "product": "orders"}]
    )
    outcome = refresh_suggestions(SYSTEM, product=world["orders"])
    assert outcome.links >= 1
    link = Suggestion.objects.get(kind="link", member_ids=[new.created[0][1]])
    assert link.pattern == pattern and link.score >= 0.2
    accept_suggestion(SYSTEM, link)
    assert pattern.feedback.filter(pk=new.created[0][1]).exists()


def test_only_owners_refresh_and_decide(world: dict[str, Any]) -> None:
    outsider = Actor.for_user(member())
    with pytest.raises(PermissionDenied):
        refresh_suggestions(outsider, product=world["orders"])
    with pytest.raises(PermissionDenied):
        refresh_suggestions(outsider)  # organisation-wide: admins only
    refresh_suggestions(SYSTEM, product=world["orders"])
    suggestion = Suggestion.objects.first()
    assert suggestion is not None
    with pytest.raises(PermissionDenied):
        dismiss_suggestion(outsider, suggestion)
    assert not Pattern.objects.exists()


def test_org_wide_refresh_gives_a_group_its_common_product(world: dict[str, Any]) -> None:
    outcome = refresh_suggestions(SYSTEM)
    assert outcome.patterns == 2
    assert set(Suggestion.objects.values_list("product__slug", flat=True)) == {"orders"}
