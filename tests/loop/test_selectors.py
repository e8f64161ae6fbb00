"""The loop's reads: summaries, details with verification and progress, my loop, org view."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from productize.catalog.selectors import PageRequest
from productize.loop import selectors
from productize.loop.models import ImprovementPerson, RoadmapEntry
from tests.accounts.conftest import World
from tests.loop import factories


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db: Any) -> World:
    return factories.personas()


def test_feedback_page_filters_and_pages(world: World) -> None:
    orders = world.catalog["orders"]
    channel = factories.channel(product=orders)
    items = [factories.feedback(f"item {i}", product=orders, channel=channel) for i in range(5)]
    factories.feedback("nobody's", product=None)
    pattern = factories.pattern(products=[orders], feedback=items[:2])
    page = selectors.feedback_page(PageRequest(1, 2), product=orders)
    assert page.total == 5 and len(page.items) == 2
    assert page.items[0].text == "item 4"  # newest first (then highest id)
    assert selectors.feedback_page(PageRequest(1, 50), pattern=pattern).total == 2
    assert (
        selectors.feedback_page(PageRequest(1, 50), product=orders, only_unpatterned=True).total
        == 3
    )
    assert [f.text for f in selectors.feedback_page(PageRequest(1, 50), unrouted=True).items] == [
        "nobody's"
    ]
    assert selectors.feedback_page(PageRequest(1, 50), q="ITEM 3").total == 1
    assert selectors.feedback_page(PageRequest(1, 50), loop=world.catalog["market"]).total == 5


def test_weekly_counts_fill_empty_weeks(world: World) -> None:
    now = timezone.now()
    orders = world.catalog["orders"]
    factories.feedback(product=orders, created_at=now)
    factories.feedback(product=orders, created_at=now - timedelta(weeks=2))
    factories.feedback(product=orders, created_at=now - timedelta(weeks=2))
    factories.feedback(product=orders, created_at=now - timedelta(weeks=30))  # outside
    weekly = selectors.weekly_counts(orders, weeks=4, now=now)
    assert [w["count"] for w in weekly] == [0, 2, 0, 1]
    assert date.fromisoformat(weekly[0]["week"]).weekday() == 0


def test_loop_summary_gathers_the_tab(world: World, django_assert_max_num_queries: Any) -> None:
    orders = world.catalog["orders"]
    factories.channel("Orders desk", product=orders)
    factories.channel("Market forum", loop=world.catalog["market"], kind="forum")
    factories.channel("Elsewhere", product=world.catalog["ledger"])
    items = factories.many_feedback(30, product=orders)
    heavy = factories.pattern("Heavy", products=[orders], feedback=items[:10])
    light = factories.pattern("Light", products=[orders], feedback=items[10:12])
    factories.pattern("Closed", products=[orders], status="closed-resolved")
    from productize.loop.services import recompute_weight

    recompute_weight(heavy)
    recompute_weight(light)
    improvement = factories.improvement(products=[orders], patterns=[heavy], status="ready")
    RoadmapEntry.objects.create(product=orders, improvement=improvement, column="now")
    with django_assert_max_num_queries(20):
        summary = selectors.loop_summary(orders)
    assert [c.name for c in summary.channels] == ["Orders desk", "Market forum"]
    assert summary.feedback_total == 30 and summary.unpatterned_total == 18
    assert [p.title for p in summary.patterns] == ["Heavy", "Light"]  # by weight, open only
    assert summary.patterns_open == 2
    assert summary.improvements["ready"]["count"] == 1
    [item] = summary.roadmap["now"]
    assert item.priority.impact == pytest.approx(heavy.weight)
    assert item.priority.reach == 0  # nobody consumes orders-api in the demo catalog
    assert sum(w["count"] for w in summary.weekly) == 30


def test_pattern_detail_verifies_on_the_shipping_date(world: World) -> None:
    orders = world.catalog["orders"]
    shipped = timezone.now() - timedelta(weeks=4)
    before = [shipped - timedelta(days=d) for d in (3, 10, 17, 24)]
    after = [shipped + timedelta(days=5)]
    items = [factories.feedback(product=orders, created_at=t) for t in before + after]
    pattern = factories.pattern(products=[orders], status="resolved-pending-review", feedback=items)
    improvement = factories.improvement(products=[orders], patterns=[pattern], status="completed")
    improvement.completed_at = shipped
    improvement.save()
    detail = selectors.pattern_detail(pattern.pk)
    assert detail is not None
    assert detail.shipped_by == improvement
    assert detail.verification is not None
    assert detail.verification.before.count == 4 and detail.verification.after.count == 1
    assert detail.verification.verdict == "dropped"
    assert detail.weight.count == 5
    assert "closed-resolved" in detail.allowed_moves
    assert selectors.pattern_detail(999_999) is None


def test_improvement_detail_progress_and_priority_override(world: World) -> None:
    orders = world.catalog["orders"]
    improvement = factories.improvement(products=[orders], status="in-implementation")
    improvement.effort_weeks, improvement.confidence = 2.0, 1.0
    improvement.save()
    a = factories.milestone(improvement, "A", done=True)
    b = factories.milestone(improvement, "B")
    factories.milestone(improvement, "C", kind="stretch", done=True)
    b.depends_on.add(a)
    ImprovementPerson.objects.create(
        improvement=improvement, person=world.catalog["alice"], role="owner"
    )
    detail = selectors.improvement_detail(improvement.pk)
    assert detail is not None
    progress = detail.progress.as_dict()
    assert (progress["done"], progress["total"], progress["fraction"]) == (2, 3, 0.6667)
    assert (progress["mvp_done"], progress["mvp_total"], progress["mvp_fraction"]) == (1, 2, 0.5)
    assert detail.depends_on[b.pk] == [a.pk]
    assert [p.person.slug for p in detail.people] == ["alice"]
    assert detail.allowed_moves == ["completed", "failed", "ready"]
    entry = RoadmapEntry.objects.create(
        product=orders, improvement=improvement, priority_override=7.0, override_reason="deadline"
    )
    [item] = selectors.roadmap(orders)["later"]
    assert item.entry == entry and item.priority.effective == 7.0
    assert item.priority.computed == 0.0 and item.priority.effort == 2.0
    assert any("deadline" in line for line in item.priority.explain())


def test_reach_counts_other_consumers(world: World) -> None:
    # payments/charges-api is consumed by orders and refund-desk; payment-events by ledger.
    assert selectors.reach_of(world.catalog["payments"]) == 3
    assert selectors.reach_of(world.catalog["ledger"]) == 0


def test_my_loop_lists_what_waits_on_a_person(world: World) -> None:
    alice, orders = world.catalog["alice"], world.catalog["orders"]
    refunds_channel = factories.channel(product=world.catalog["refunds"])
    factories.feedback("routed to orders", product=orders)
    factories.feedback("unrouted in a channel alice owns", channel=refunds_channel)
    factories.feedback("ledger's", product=world.catalog["ledger"])
    heavy = factories.pattern("Heavy", products=[orders])
    heavy.weight = 5
    heavy.save()
    factories.pattern("Closed", products=[orders], status="closed-resolved")
    factories.improvement("Approve me", products=[orders], status="awaiting-approval")
    ledger_work = factories.improvement("On ledger", products=[world.catalog["ledger"]])
    ImprovementPerson.objects.create(improvement=ledger_work, person=alice, role="guide")
    late = factories.milestone(ledger_work, "Late")
    late.due_date = timezone.localdate() - timedelta(days=1)
    late.save()
    factories.milestone(ledger_work, "Undated")
    mine = selectors.my_loop(alice)
    assert {p.slug for p in mine.products} == {"orders", "payments", "refund-desk"}
    assert {f.text for f in mine.untriaged.items} == {
        "routed to orders",
        "unrouted in a channel alice owns",
    }
    assert [p.title for p in mine.heavy_patterns] == ["Heavy"]
    assert [i.title for i in mine.to_approve] == ["Approve me"]
    assert [m.title for m in mine.milestones_due] == ["Late"]
    assert [i.title for i in mine.my_improvements] == ["On ledger"]


def test_org_loop_shows_piles_unclaimed_and_quiet(world: World) -> None:
    orders, ledger = world.catalog["orders"], world.catalog["ledger"]
    factories.many_feedback(3, product=orders)
    factories.feedback(product=ledger, created_at=timezone.now() - timedelta(days=90))
    factories.feedback("unrouted")
    factories.pattern("Nobody's problem")
    factories.pattern("Orders'", products=[orders])
    org = selectors.org_loop()
    assert org.unrouted_total == 1
    assert [(p["product"], p["unpatterned"]) for p in org.piles] == [("orders", 3), ("ledger", 1)]
    assert {p["loop"]: p["unpatterned"] for p in org.loop_piles} == {"market": 3, "operations": 1}
    assert [p.title for p in org.unclaimed_patterns.items] == ["Nobody's problem"]
    quiet = [q["product"] for q in org.quiet_products]
    assert "ledger" in quiet and "payments" in quiet and "orders" not in quiet
    assert "price-watch" not in quiet  # an idea has no loop to go quiet yet
