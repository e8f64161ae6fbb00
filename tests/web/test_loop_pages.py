"""The product loop pages: loop tab, pattern, improvement, roadmap board, proposal forms.

Rows are written through the loop services (as the system), except bulk feedback, which the
read side may create directly (as the catalog factories do). Signed-in clients enforce CSRF,
as a browser does; every owner action is checked to be refused (403, nothing changed) for a
member who does not own the product.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from productize.audit.models import ChangeRecord
from productize.audit.services import Actor
from productize.loop import services
from productize.loop.models import (
    Feedback,
    FeedbackChannel,
    Improvement,
    Milestone,
    Pattern,
    RoadmapEntry,
)
from productize.web.loop_charts import column_chart, monday, week_series
from tests.accounts.conftest import make_user, session_client
from tests.web import factories

SYSTEM = Actor.system("tests")


@dataclass
class Loop:
    """A product with a living loop, and the people around it."""

    catalog: dict[str, Any]
    product: Any
    channel: FeedbackChannel
    heavy: Pattern
    light: Pattern
    closed: Pattern
    improvement: Improvement
    shipped: Improvement
    later: Improvement
    owner: Any
    member: Any


def feedback(product: Any, channel: Any, text: str, *, days_ago: float, author: str = "",
             title: str = "") -> Feedback:  # fmt: skip
    """One feedback item (test-only direct row; the intake service is another helper's)."""
    when = timezone.now() - timedelta(days=days_ago)
    return Feedback.objects.create(
        product=product,
        channel=channel,
        author_name=author,
        author_contact=f"{author.lower()}@example.com" if author else "",
        title=title,
        text=text,
        created_at=when,
        received_at=when,
    )


def link(items: list[Feedback], pattern: Pattern) -> None:
    """Link feedback to a pattern through the service (recomputes the weight)."""
    for item in items:
        services.link_feedback(SYSTEM, item, pattern)


@pytest.fixture
def loop(db: Any, settings: Any) -> Loop:
    """Orders (owned by alice) with a channel, feedback, patterns, improvements and a roadmap."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    catalog = factories.demo_catalog()
    alice = catalog["alice"]
    alice.email = "alice@example.com"
    alice.save(update_fields=["email"])
    orders = catalog["orders"]
    channel = services.create_channel(SYSTEM, name="Support desk", kind="support", product=orders)
    heavy = services.create_pattern(
        SYSTEM,
        title="Customers cannot change a box after ordering",
        description="People write in **every week** to change their box.",
        workaround="Care staff cancel and re-create the order.",
        products=["orders"],
        owner="alice",
    )
    light = services.create_pattern(SYSTEM, title="Order e-mails arrive late", products=["orders"])
    closed = services.create_pattern(SYSTEM, title="Old checkout bug", products=["orders"])
    services.move_pattern(SYSTEM, closed, "closed-resolved", reason="fixed long ago")
    link(
        [
            feedback(orders, channel, f"I need to change my box ({n})", days_ago=n, author=f"P{n}")
            for n in range(1, 13)
        ],
        heavy,
    )
    link([feedback(orders, channel, "The mail came a day late", days_ago=3, author="Ann")], light)
    feedback(
        orders,
        channel,
        "<script>alert(1)</script> **bold** and [a link](javascript:alert(2))",
        days_ago=0.5,
        author="Mallory",
        title="Hostile",
    )
    improvement = services.create_improvement(
        SYSTEM, title="Let customers edit their box", patterns=[heavy.pk], effort_weeks=2,
        confidence=0.8,
    )  # fmt: skip
    services.add_milestone(SYSTEM, improvement, title="Edit screen", kind="mvp")
    services.add_milestone(SYSTEM, improvement, title="Undo", kind="stretch")
    shipped = services.create_improvement(SYSTEM, title="Faster mails", patterns=[light.pk])
    later = services.create_improvement(SYSTEM, title="Box templates", products=["orders"])
    services.place_on_roadmap(SYSTEM, orders, improvement, "now", rationale="Most asked for.")
    services.place_on_roadmap(SYSTEM, orders, later, "later", rationale="Nice to have.")
    services.place_on_roadmap(SYSTEM, orders, shipped, "now", rationale="Quick win.")
    return Loop(
        catalog=catalog,
        product=orders,
        channel=channel,
        heavy=heavy,
        light=light,
        closed=closed,
        improvement=improvement,
        shipped=shipped,
        later=later,
        owner=make_user("alice", email="alice@example.com"),
        member=make_user("mia", email="mia@example.com"),
    )


def html(response: Any) -> str:
    """The response body as text."""
    return response.content.decode()


def changes() -> int:
    """How many audit records exist (a refused POST adds none)."""
    return ChangeRecord.objects.count()


# --- loop tab --------------------------------------------------------------------------------


def test_loop_tab_shows_channels_feedback_patterns_improvements_roadmap_and_trend(loop: Loop):
    response = Client().get("/products/orders/loop/")
    assert response.status_code == 200
    body = html(response)
    assert "Support desk" in body
    # Patterns by weight: the heavy one first, the closed one not among the open ones.
    heavy, light = body.index(loop.heavy.title), body.index(loop.light.title)
    assert heavy < light
    assert "Old checkout bug" not in body
    # Improvements grouped by status; the roadmap's columns in order.
    assert "Let customers edit their box" in body and "Proposed" in body
    assert body.index(">Now <") < body.index(">Next <") < body.index(">Later <")
    # The trend chart is inline SVG with one column per week that had feedback.
    assert re.search(r'<svg class="column-chart"', body)
    assert body.count('class="col"') >= 1
    assert "14 feedback items over 26 weeks" in body


def test_loop_tab_renders_feedback_text_safely(loop: Loop):
    body = html(Client().get("/products/orders/loop/"))
    assert "<script>alert(1)</script>" not in body
    assert 'href="javascript' not in body.lower()
    assert "<strong>bold</strong>" in body


def test_loop_tab_offers_proposals_only_to_signed_in_people(loop: Loop):
    anonymous = html(Client().get("/products/orders/loop/"))
    assert "Propose a pattern" not in anonymous
    member = html(session_client(loop.member).get("/products/orders/loop/"))
    assert "Propose a pattern" in member and "Propose an improvement" in member


def test_loop_tab_of_an_unknown_product_is_404(loop: Loop):
    assert Client().get("/products/nope/loop/").status_code == 404


def test_loop_tab_query_count_does_not_grow_with_feedback(
    loop: Loop, django_assert_max_num_queries
):
    extra = [
        Feedback(product=loop.product, channel=loop.channel, text=f"more {n}",
                 created_at=timezone.now() - timedelta(hours=n))
        for n in range(300)
    ]  # fmt: skip
    Feedback.objects.bulk_create(extra)
    for n in range(15):
        services.create_pattern(SYSTEM, title=f"Pattern {n}", products=["orders"])
    with django_assert_max_num_queries(14):
        response = Client().get("/products/orders/loop/")
    assert response.status_code == 200


def test_product_page_has_a_loop_section_loaded_after_the_page(loop: Loop):
    body = html(Client().get("/products/orders/"))
    assert 'href="#loop"' in body
    assert 'hx-get="/products/orders/loop/panel/"' in body
    panel = html(Client().get("/products/orders/loop/panel/"))
    assert 'id="loop-summary"' in panel
    assert loop.heavy.title in panel
    assert "Let customers edit their box" in panel  # on the roadmap now


# --- pattern page ----------------------------------------------------------------------------


def test_pattern_page_explains_its_weight_and_shows_problem_and_feedback(loop: Loop):
    body = html(Client().get(f"/patterns/{loop.heavy.pk}/?product=orders"))
    assert loop.heavy.title in body
    assert "<strong>every week</strong>" in body
    assert "Care staff cancel and re-create the order." in body
    assert "12 feedback items from 12 people" in body
    # The formula with the numbers filled in, from the domain.
    assert "0.5 * 12 items + 1 * 12 distinct authors" in body
    assert "I need to change my box (1)" in body
    assert "Let customers edit their box" in body  # the improvement on it
    assert 'href="/products/orders/loop/"' in body  # breadcrumbs back to the product's loop


def test_pattern_feedback_is_paginated(loop: Loop):
    # Twenty per page; 27 linked items need a second page, the oldest on it.
    more = [feedback(loop.product, loop.channel, f"again {n}", days_ago=20 + n) for n in range(15)]
    link(more, loop.heavy)
    first = html(Client().get(f"/patterns/{loop.heavy.pk}/"))
    second = html(Client().get(f"/patterns/{loop.heavy.pk}/?page=2"))
    assert "page 1 of 2" in first and "page 2 of 2" in second
    assert "again 14" in second and "again 14" not in first


def test_pattern_moves_are_buttons_for_owners_only(loop: Loop):
    owner = html(session_client(loop.owner).get(f"/patterns/{loop.heavy.pk}/"))
    assert 'name="status" value="brainstorming"' in owner
    assert 'value="closed-resolved"' in owner and "(reason)" in owner
    member = html(session_client(loop.member).get(f"/patterns/{loop.heavy.pk}/"))
    assert 'name="status"' not in member
    assert "Only its owners move it on." in member


def test_owner_moves_a_pattern_and_a_member_cannot(loop: Loop):
    url = f"/patterns/{loop.heavy.pk}/move/"
    before = changes()
    denied = session_client(loop.member).post(url, {"status": "brainstorming"})
    assert denied.status_code == 403
    assert Pattern.objects.get(pk=loop.heavy.pk).status == "open"
    assert changes() == before

    owner = session_client(loop.owner)
    page = owner.get(f"/patterns/{loop.heavy.pk}/")
    token = page.cookies["csrftoken"].value
    moved = owner.post(url, {"status": "brainstorming", "csrfmiddlewaretoken": token})
    assert moved.status_code == 302
    assert Pattern.objects.get(pk=loop.heavy.pk).status == "brainstorming"
    assert changes() == before + 1


def test_closing_a_pattern_needs_a_reason(loop: Loop):
    owner = session_client(loop.owner)
    token = owner.get(f"/patterns/{loop.light.pk}/").cookies["csrftoken"].value
    url = f"/patterns/{loop.light.pk}/move/"
    refused = owner.post(
        url, {"status": "closed-resolved", "csrfmiddlewaretoken": token}, follow=True
    )
    assert "needs a reason" in html(refused)
    assert Pattern.objects.get(pk=loop.light.pk).status == "open"
    owner.post(url, {"status": "closed-resolved", "reason": "Mails are fast now.",
                     "csrfmiddlewaretoken": token})  # fmt: skip
    assert Pattern.objects.get(pk=loop.light.pk).status == "closed-resolved"


def test_a_post_without_the_csrf_token_is_refused(loop: Loop):
    response = session_client(loop.owner).post(
        f"/patterns/{loop.heavy.pk}/move/", {"status": "brainstorming"}
    )
    assert response.status_code == 403
    assert Pattern.objects.get(pk=loop.heavy.pk).status == "open"


def test_verification_compares_feedback_before_and_after_shipping(loop: Loop):
    pattern = services.create_pattern(SYSTEM, title="Search is slow", products=["orders"])
    link(
        [feedback(loop.product, loop.channel, f"slow {n}", days_ago=30 + n * 2) for n in range(12)]
        + [feedback(loop.product, loop.channel, "still slow", days_ago=5)],
        pattern,
    )
    fix = services.create_improvement(SYSTEM, title="Faster search", patterns=[pattern.pk])
    for status in ("awaiting-approval", "ready", "in-implementation", "completed"):
        services.move_improvement(SYSTEM, fix, status)
    Improvement.objects.filter(pk=fix.pk).update(completed_at=timezone.now() - timedelta(days=28))
    body = html(Client().get(f"/patterns/{pattern.pk}/"))
    assert "Did it work?" in body
    assert "Feedback dropped" in body
    assert 'class="marker"' in body  # the ship date on the chart
    assert "Faster search" in body


def test_no_verification_before_anything_shipped(loop: Loop):
    body = html(Client().get(f"/patterns/{loop.heavy.pk}/"))
    assert "Did it work?" not in body


def test_unknown_pattern_is_404(loop: Loop):
    assert Client().get("/patterns/999999/").status_code == 404


# --- improvement page ------------------------------------------------------------------------


def test_improvement_page_shows_spec_milestones_progress_and_patterns(loop: Loop):
    first = Milestone.objects.filter(improvement=loop.improvement).order_by("position").first()
    assert first is not None
    services.complete_milestone(SYSTEM, first)
    body = html(Client().get(f"/improvements/{loop.improvement.pk}/"))
    assert "Problem and who has it" in body  # the pre-filled specification, rendered
    assert "Customers cannot change a box after ordering" in body
    assert "50% · 1 of 2 milestones · MVP 1/1" in body
    assert body.index("Edit screen") < body.index("Undo")
    assert "Stretch" in body
    assert 'name="direction"' not in body  # anonymous: no owner tools


def test_improvement_owner_tools_only_for_owners(loop: Loop):
    url = f"/improvements/{loop.improvement.pk}/"
    owner = html(session_client(loop.owner).get(url))
    for tool in ("Add a milestone", "Mark done", "Set people", "Edit the specification",
                 'value="researching"'):  # fmt: skip
        assert tool in owner
    member = html(session_client(loop.member).get(url))
    for tool in ("Add a milestone", "Mark done", "Set people", 'value="researching"'):
        assert tool not in member


def _owner_post(client: Client, url: str, data: dict[str, Any], page: str) -> Any:
    token = client.get(page).cookies["csrftoken"].value
    return client.post(url, {**data, "csrfmiddlewaretoken": token})


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("move/", {"status": "researching"}),
        ("edit/", {"title": "Hijacked", "specification": "x"}),
        ("milestones/", {"title": "Sneaky", "kind": "mvp"}),
        ("people/", {"owner": ["bob"]}),
    ],
)
def test_members_cannot_change_an_improvement(loop: Loop, path: str, data: dict[str, Any]):
    member = session_client(loop.member)
    page = f"/improvements/{loop.improvement.pk}/"
    before = changes()
    response = _owner_post(member, page + path, data, page)
    assert response.status_code == 403
    fresh = Improvement.objects.get(pk=loop.improvement.pk)
    assert (fresh.status, fresh.title) == ("proposed", "Let customers edit their box")
    assert fresh.milestones.count() == 2 and fresh.people.count() == 0
    assert changes() == before


def test_owner_adds_completes_and_reorders_milestones(loop: Loop):
    owner = session_client(loop.owner)
    page = f"/improvements/{loop.improvement.pk}/"
    added = _owner_post(owner, page + "milestones/", {"title": "Emails", "kind": "stretch",
                                                      "due": "2026-12-31"}, page)  # fmt: skip
    assert added.status_code == 302
    emails = Milestone.objects.get(improvement=loop.improvement, title="Emails")
    assert emails.kind == "stretch" and emails.due_date == date(2026, 12, 31)
    _owner_post(owner, f"{page}milestones/{emails.pk}/move/", {"direction": "up"}, page)
    order = list(loop.improvement.milestones.order_by("position").values_list("title", flat=True))
    assert order == ["Edit screen", "Emails", "Undo"]
    _owner_post(owner, f"{page}milestones/{emails.pk}/done/", {}, page)
    assert Milestone.objects.get(pk=emails.pk).done_at is not None


def test_a_bad_milestone_keeps_the_page_and_says_why(loop: Loop):
    owner = session_client(loop.owner)
    page = f"/improvements/{loop.improvement.pk}/"
    response = _owner_post(owner, page + "milestones/", {"title": "Due", "due": "soon"}, page)
    assert response.status_code == 400
    assert "due: a date such as 2026-12-31" in html(response)
    assert not Milestone.objects.filter(title="Due").exists()


def test_owner_sets_people_and_moves_the_improvement(loop: Loop):
    owner = session_client(loop.owner)
    page = f"/improvements/{loop.improvement.pk}/"
    _owner_post(owner, page + "people/", {"owner": ["alice"], "contributor": ["bob"]}, page)
    body = html(owner.get(page))
    assert "Alice Archer" in body and "Bob Baker" in body
    _owner_post(owner, page + "move/", {"status": "researching"}, page)
    assert Improvement.objects.get(pk=loop.improvement.pk).status == "researching"


# --- roadmap board ---------------------------------------------------------------------------


def test_roadmap_board_orders_columns_and_explains_priority(loop: Loop):
    body = html(Client().get("/products/orders/roadmap/"))
    now = body.index('id="col-now"')
    assert now < body.index("Let customers edit their box") < body.index("Faster mails")
    assert body.index("Faster mails") < body.index('id="col-next"') < body.index("Box templates")
    assert "score = impact * reach factor * confidence / effort" in body
    assert "effort = 2 person-weeks" in body
    assert "Most asked for." in body
    assert 'name="to"' not in body  # anonymous: no moves


def test_owner_moves_cards_with_htmx_and_without(loop: Loop):
    owner = session_client(loop.owner)
    page = "/products/orders/roadmap/"
    assert 'name="to"' in html(owner.get(page))
    entry = RoadmapEntry.objects.get(improvement=loop.shipped)
    token = owner.get(page).cookies["csrftoken"].value
    fragment = owner.post(
        f"{page}{entry.pk}/move/",
        {"to": "up", "csrfmiddlewaretoken": token},
        HTTP_HX_REQUEST="true",
    )
    assert fragment.status_code == 200
    text = html(fragment)
    assert text.lstrip().startswith("{#") is False and 'id="board"' in text and "<html" not in text
    assert text.index("Faster mails") < text.index("Let customers edit their box")
    plain = owner.post(f"{page}{entry.pk}/move/", {"to": "next", "csrfmiddlewaretoken": token})
    assert plain.status_code == 302 and plain["Location"].endswith(f"#card-{entry.pk}")
    assert RoadmapEntry.objects.get(pk=entry.pk).column == "next"


def test_members_cannot_change_the_roadmap(loop: Loop):
    member = session_client(loop.member)
    page = "/products/orders/roadmap/"
    entry = RoadmapEntry.objects.get(improvement=loop.improvement)
    before = changes()
    attempts: list[tuple[str, dict[str, Any]]] = [
        (f"{page}{entry.pk}/move/", {"to": "down"}),
        (f"{page}{entry.pk}/override/", {"score": "99", "reason": "mine"}),
        (f"{page}place/", {"improvement": loop.later.pk, "column": "now", "rationale": "x"}),
    ]
    for url, data in attempts:
        assert _owner_post(member, url, data, page).status_code == 403
    fresh = RoadmapEntry.objects.get(pk=entry.pk)
    assert (fresh.column, fresh.position, fresh.priority_override) == ("now", 0, None)
    assert changes() == before


def test_owner_overrides_the_priority_with_a_reason(loop: Loop):
    owner = session_client(loop.owner)
    page = "/products/orders/roadmap/"
    entry = RoadmapEntry.objects.get(improvement=loop.later)
    _owner_post(owner, f"{page}{entry.pk}/override/", {"score": "42", "reason": "CEO ask"}, page)
    body = html(owner.get(page))
    assert "overridden by the owner: 42.00 — CEO ask" in body
    _owner_post(owner, f"{page}{entry.pk}/override/", {"clear": "1"}, page)
    assert RoadmapEntry.objects.get(pk=entry.pk).priority_override is None


def test_owner_places_an_improvement_on_the_roadmap(loop: Loop):
    owner = session_client(loop.owner)
    extra = services.create_improvement(SYSTEM, title="Gift boxes", products=["orders"])
    page = "/products/orders/roadmap/"
    assert "Gift boxes" in html(owner.get(page))  # offered in the form
    _owner_post(owner, page + "place/", {"improvement": extra.pk, "column": "next",
                                         "rationale": "Season"}, page)  # fmt: skip
    entry = RoadmapEntry.objects.get(improvement=extra)
    assert (entry.column, entry.rationale) == ("next", "Season")


# --- proposing -------------------------------------------------------------------------------


def test_a_member_proposes_a_pattern(loop: Loop):
    member = session_client(loop.member)
    page = "/patterns/new/?product=orders"
    form = html(member.get(page))
    assert 'value="orders"' in form
    response = _owner_post(member, "/patterns/new/", {"title": "Totals are confusing",
                                                      "products": "orders"}, page)  # fmt: skip
    pattern = Pattern.objects.get(title="Totals are confusing")
    assert response["Location"] == f"/patterns/{pattern.pk}/"
    assert list(pattern.products.values_list("slug", flat=True)) == ["orders"]


def test_a_refused_proposal_keeps_what_was_typed(loop: Loop):
    member = session_client(loop.member)
    response = _owner_post(member, "/patterns/new/", {"title": "Kept words", "products": "nope"},
                           "/patterns/new/")  # fmt: skip
    assert response.status_code == 400
    body = html(response)
    assert "no product with id `nope`" in body and 'value="Kept words"' in body


def test_anonymous_readers_cannot_propose(loop: Loop):
    assert Client().get("/patterns/new/").status_code == 403
    assert Client().get("/improvements/new/").status_code == 403


def test_a_member_proposes_an_improvement_prefilled_from_a_pattern(loop: Loop):
    member = session_client(loop.member)
    page = f"/improvements/new/?pattern={loop.light.pk}&product=orders"
    form = html(member.get(page))
    assert f'value="{loop.light.pk}" checked' in form
    response = _owner_post(member, "/improvements/new/", {"title": "Mail queue",
                           "patterns": [loop.light.pk], "products": "orders",
                           "effort_weeks": "1"}, page)  # fmt: skip
    improvement = Improvement.objects.get(title="Mail queue")
    assert response["Location"] == f"/improvements/{improvement.pk}/"
    assert "Order e-mails arrive late" in improvement.specification
    bad = _owner_post(member, "/improvements/new/", {"title": "X", "confidence": "lots"}, page)
    assert bad.status_code == 400 and "confidence: write a number" in html(bad)


# --- charts ----------------------------------------------------------------------------------


def test_week_series_fills_empty_weeks_oldest_first():
    series = week_series({date(2026, 11, 25): 2, date(2026, 11, 10): 1}, weeks=4,
                         until=date(2026, 11, 26))  # fmt: skip
    assert [w for w, _ in series] == [date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16),
                                      date(2026, 11, 23)]  # fmt: skip
    assert [c for _, c in series] == [0, 1, 0, 2]


def test_column_chart_scales_to_a_round_top_and_marks_the_ship_week():
    weeks = [(monday(date(2026, 1, 5)) + timedelta(weeks=n), n * 3) for n in range(10)]
    chart = column_chart(weeks, marker=date(2026, 2, 4))
    assert chart.largest == 27 and chart.ticks[-1].value == 30
    tallest = chart.columns[-1]
    assert tallest.y == pytest.approx(chart.baseline - (chart.height - 32) * 27 / 30, abs=0.2)
    assert chart.columns[0].height == 0
    shipped = [c for c in chart.columns if c.after]
    assert shipped[0].week == date(2026, 2, 2) and chart.marker_x == pytest.approx(
        chart.left + 4 * (chart.width - chart.left) / 10, abs=0.1
    )
    assert "after it shipped" in shipped[0].label
    assert "135 feedback items over 10 weeks" in chart.summary


def test_a_single_item_among_many_stays_visible():
    chart = column_chart([(date(2026, 1, 5), 1000), (date(2026, 1, 12), 1)])
    assert chart.columns[1].height >= 2


def test_an_impossible_board_move_says_so_in_the_board(loop: Loop):
    owner = session_client(loop.owner)
    page = "/products/orders/roadmap/"
    entry = RoadmapEntry.objects.get(improvement=loop.improvement)  # first in Now
    token = owner.get(page).cookies["csrftoken"].value
    before = changes()
    answer = owner.post(
        f"{page}{entry.pk}/move/",
        {"to": "up", "csrfmiddlewaretoken": token},
        HTTP_HX_REQUEST="true",
    )
    assert answer.status_code == 200
    assert 'role="alert">That move is not possible.' in html(answer)
    assert changes() == before


def test_a_product_without_feedback_invites_a_loop(db: Any):
    factories.demo_catalog()
    panel = html(Client().get("/products/ledger/loop/panel/"))
    assert "No feedback yet" in panel
    tab = html(Client().get("/products/ledger/loop/"))
    assert "No feedback channel yet" in tab and "No patterns yet" in tab


def test_weekly_counts_split_at_monday_midnight(loop: Loop):
    from datetime import UTC, datetime

    from productize.loop.selectors.feedback import feedback_counts

    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday
    for when in (
        datetime(2026, 11, 23, 0, 0, 1, tzinfo=UTC),  # this Monday, just after midnight
        datetime(2026, 11, 22, 23, 59, 59, tzinfo=UTC),  # last Sunday, just before
        datetime(2026, 11, 16, 0, 0, 0, tzinfo=UTC),  # last Monday at midnight exactly
        datetime(2026, 5, 1, tzinfo=UTC),  # before the window
    ):
        Feedback.objects.create(product=loop.catalog["ledger"], text="x", created_at=when)
    counts = feedback_counts(loop.catalog["ledger"], now, weeks=3)
    assert counts.weeks == [
        (date(2026, 11, 9), 0),
        (date(2026, 11, 16), 2),
        (date(2026, 11, 23), 1),
    ]
    assert (counts.total, counts.unpatterned) == (4, 4)


def test_owner_edits_a_pattern_and_bad_input_is_kept(loop: Loop):
    owner = session_client(loop.owner)
    page = f"/patterns/{loop.light.pk}/"
    assert "Edit the pattern" in html(owner.get(page))
    assert "Edit the pattern" not in html(session_client(loop.member).get(page))
    data = {"title": "Order e-mails arrive late", "workaround": "Check the app instead.",
            "owner": "alice", "products": "orders", "related": f"#{loop.heavy.pk}"}  # fmt: skip
    assert _owner_post(owner, page + "edit/", data, page).status_code == 302
    fresh = Pattern.objects.get(pk=loop.light.pk)
    assert fresh.workaround == "Check the app instead." and fresh.owner.slug == "alice"
    assert list(fresh.related.values_list("pk", flat=True)) == [loop.heavy.pk]
    bad = _owner_post(
        owner, page + "edit/", {**data, "workaround": "Kept text", "products": "nope"}, page
    )
    assert bad.status_code == 400
    body = html(bad)
    assert "no product with id <code>nope</code>" in body and "Kept text" in body
    assert Pattern.objects.get(pk=loop.light.pk).workaround == "Check the app instead."


def test_members_cannot_edit_a_pattern(loop: Loop):
    page = f"/patterns/{loop.light.pk}/"
    before = changes()
    denied = _owner_post(session_client(loop.member), page + "edit/", {"title": "Mine"}, page)
    assert denied.status_code == 403
    assert Pattern.objects.get(pk=loop.light.pk).title == "Order e-mails arrive late"
    assert changes() == before


def test_owner_estimates_effort_and_the_score_follows(loop: Loop):
    owner = session_client(loop.owner)
    page = f"/improvements/{loop.later.pk}/"
    assert "Not estimated (the score assumes 4 weeks)" in html(owner.get(page))
    _owner_post(owner, page + "estimates/", {"effort_weeks": "0.5", "confidence": "0.9"}, page)
    fresh = Improvement.objects.get(pk=loop.later.pk)
    assert (fresh.effort_weeks, fresh.confidence) == (0.5, 0.9)
    board = html(owner.get("/products/orders/roadmap/"))
    assert "effort = 0.5 person-weeks" in board and "confidence = 0.90" in board
    bad = _owner_post(owner, page + "estimates/", {"effort_weeks": "a lot"}, page)
    assert bad.status_code == 302
    assert "effort_weeks: write a number" in html(owner.get(page))
    member = _owner_post(
        session_client(loop.member), page + "estimates/", {"effort_weeks": "9"}, page
    )
    assert member.status_code == 403
    assert Improvement.objects.get(pk=loop.later.pk).effort_weeks == 0.5


def test_owner_rewrites_a_rationale_and_takes_a_card_off(loop: Loop):
    owner = session_client(loop.owner)
    page = "/products/orders/roadmap/"
    entry = RoadmapEntry.objects.get(improvement=loop.later)
    _owner_post(owner, f"{page}{entry.pk}/rationale/", {"rationale": "Regulars ask for it."}, page)
    assert "Regulars ask for it." in html(owner.get(page))
    _owner_post(owner, f"{page}{entry.pk}/remove/", {}, page)
    assert not RoadmapEntry.objects.filter(pk=entry.pk).exists()
    assert Improvement.objects.filter(pk=loop.later.pk).exists()
    member = session_client(loop.member)
    other = RoadmapEntry.objects.get(improvement=loop.improvement)
    assert _owner_post(member, f"{page}{other.pk}/remove/", {}, page).status_code == 403
    assert RoadmapEntry.objects.filter(pk=other.pk).exists()
