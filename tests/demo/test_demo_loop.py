"""The demo organisation's living loop (src/productize/demo/loop/) keeps its promises.

The data files are checked without a database (every reference resolves, every status move
is one the state machines allow, the story's dates are in order); then the whole loop is
replayed into the demo catalog through the services, and the result is what a newcomer
should see: hundreds of feedback items over months, patterns at every status, improvements
at several with milestones, roadmaps, open suggestions — and an audit trail of it all.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.utils import timezone

from productize.audit.models import ChangeRecord
from productize.demo.loop.data import DATA_DIR, DemoDataError, read_demo_loop
from productize.domain.loop.states import ImprovementStatus, PatternStatus, transition
from productize.domain.loop.verification import verify
from productize.loop.models import (
    Feedback,
    FeedbackChannel,
    Improvement,
    Milestone,
    Notification,
    Pattern,
    RoadmapEntry,
    Suggestion,
)
from tests.conftest import DEMO_ORG

DATA = read_demo_loop()


def _catalog_ids() -> tuple[set[str], set[str], set[str], set[str]]:
    """Product, interface, loop and person ids of the demo organisation's descriptors."""
    products, interfaces, loops, people = set(), set(), set(), set()
    for path in DEMO_ORG.rglob("*"):
        if not path.is_file() or path.suffix not in (".yaml", ".yml"):
            continue
        if not (path.name.startswith("product.") or ".productize." in path.name):
            continue
        for doc in yaml.safe_load_all(path.read_text()):
            if not isinstance(doc, dict) or "id" not in doc:
                continue
            kind = doc.get("kind", "product")
            if kind == "product":
                products.add(doc["id"])
                for iface in (doc.get("interfaces") or {}).get("provides") or []:
                    interfaces.add(f"{doc['id']}/{iface['name']}")
            elif kind == "loop":
                loops.add(doc["id"])
            elif kind == "person":
                people.add(doc["id"])
    return products, interfaces, loops, people


def test_every_reference_in_the_data_resolves() -> None:
    products, interfaces, loops, people = _catalog_ids()
    channels = {c.key for c in DATA.channels}
    patterns = {p.key for p in DATA.patterns}
    improvements = {i.key for i in DATA.improvements}
    assert len(channels) == len(DATA.channels) and len(patterns) == len(DATA.patterns)
    keys = Counter((f.channel, f.key) for f in DATA.feedback)
    assert max(keys.values()) == 1, "a source key repeats within a channel"
    for c in DATA.channels:
        assert (c.product in products) if c.product else (c.loop in loops), c.key
        for rule in c.routing_rules:
            assert rule["product"] in products
    for f in DATA.feedback:
        where = f"feedback.jsonl:{f.line}"
        assert f.channel in channels, where
        assert f.product is None or f.product in products, where
        assert f.interface is None or (
            f.interface in interfaces and f.interface.startswith(f"{f.product}/")
        ), where
        assert f.pattern is None or f.pattern in patterns, where
        assert f.text.strip() and 0 <= f.days_ago <= 366, where
    for p in DATA.patterns:
        assert set(p.products) <= products and (p.owner is None or p.owner in people), p.key
        assert p.interface is None or p.interface in interfaces, p.key
    for i in DATA.improvements:
        assert set(i.products) <= products and set(i.patterns) <= patterns, i.key
        assert {who for names in i.people.values() for who in names} <= people, i.key
        assert set(i.people) <= {"owner", "guide", "dedicated", "contributor", "observer"}
    for entry in DATA.roadmap:
        assert entry.product in products and entry.improvement in improvements
        assert entry.column in ("now", "next", "later") and entry.rationale


def test_the_story_is_in_order_and_every_move_is_allowed() -> None:
    opened = {p.key: p.opened for p in DATA.patterns}
    for i in DATA.improvements:
        # Proposed after its patterns were recognised; moves in time order, each allowed.
        assert all(i.proposed < opened[p] for p in i.patterns), i.key
        status = ImprovementStatus.PROPOSED.value
        last = i.proposed
        for move in i.history:
            assert move.days_ago <= last, (i.key, move)
            status = transition(status, move.to, reason=move.reason or None).target
            last = move.days_ago
        for m in i.milestones:
            assert (m.done is None) != (m.due is None), (i.key, m.title)
            assert m.done is None or m.done < i.proposed
    for p in DATA.patterns:
        days = [m.days_ago for m in p.history]
        assert days == sorted(days, reverse=True) and all(d < p.opened for d in days), p.key
        assert all(m.to in {s.value for s in PatternStatus} for m in p.history)
    for f in DATA.feedback:
        hours, minutes = (int(x) for x in f.time.split(":"))
        assert 0 <= hours < 24 and 0 <= minutes < 60


def test_a_broken_data_file_is_named_with_its_line(tmp_path: Path) -> None:
    for name in ("channels.yaml", "patterns.yaml", "improvements.yaml", "roadmaps.yaml"):
        (tmp_path / name).write_text((DATA_DIR / name).read_text())
    lines = (DATA_DIR / "feedback.jsonl").read_text().splitlines()
    (tmp_path / "feedback.jsonl").write_text("\n".join([lines[0], "{not json", *lines[1:3]]))
    with pytest.raises(DemoDataError, match=r"feedback\.jsonl:2:"):
        read_demo_loop(tmp_path)
    extra = json.loads(lines[0]) | {"colour": "red"}
    (tmp_path / "feedback.jsonl").write_text(json.dumps(extra))
    with pytest.raises(DemoDataError, match="unknown field `colour`"):
        read_demo_loop(tmp_path)


@pytest.fixture(scope="module")
def loaded(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """The demo catalog with its loop replayed (once for this module; rolled back after)."""
    from django.db import transaction

    from productize.demo.loop.loader import load_demo_loop
    from productize.ingest.runner import ingest_path

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            ingest_path(location=DEMO_ORG)
            now = timezone.now()
            steps: list[int] = []
            summary = load_demo_loop(now=now, progress=lambda done, total: steps.append(total))
            yield {"summary": summary, "now": now, "steps": steps}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def demo_loop(loaded: Any, db: Any) -> Any:
    """The replayed demo loop; each test's own writes are rolled back after it."""
    return loaded


def test_the_demo_loop_is_alive(demo_loop: Any) -> None:
    summary = demo_loop["summary"]
    assert summary.feedback == len(DATA.feedback) >= 300
    assert summary.channels == len(DATA.channels)
    assert demo_loop["steps"] and demo_loop["steps"][-1] > summary.feedback  # progress reported
    # Feedback spread over several products, channels and months.
    assert Feedback.objects.values("product").distinct().count() >= 8
    assert Feedback.objects.values("channel").distinct().count() == len(DATA.channels)
    now = demo_loop["now"]
    months = {(f.year, f.month) for f in Feedback.objects.values_list("created_at", flat=True)}
    assert len(months) >= 7
    assert Feedback.objects.filter(created_at__gte=now - timedelta(days=7)).exists()
    assert Feedback.objects.filter(product__isnull=True, pattern_links__isnull=True).count() >= 10
    # Patterns at every status; improvements at several, with milestones done and due.
    assert {p.value for p in PatternStatus} == set(Pattern.objects.values_list("status", flat=True))
    statuses = set(Improvement.objects.values_list("status", flat=True))
    assert {"completed", "in-implementation", "awaiting-approval", "proposed", "denied"} <= statuses
    assert Milestone.objects.filter(done_at__isnull=False).count() >= 5
    assert Milestone.objects.filter(done_at__isnull=True, due_date__lt=now.date()).exists()
    assert Milestone.objects.filter(done_at__isnull=True, due_date__gte=now.date()).exists()
    assert RoadmapEntry.objects.values("product").distinct().count() >= 5
    assert {"now", "next", "later"} == set(RoadmapEntry.objects.values_list("column", flat=True))
    assert Suggestion.objects.filter(status="open").count() >= 3
    dismissed = Suggestion.objects.get(status="dismissed")
    assert dismissed.reason
    # Patterns no product claims, for the organisation view.
    assert Pattern.objects.filter(products__isnull=True).count() == 2


def test_the_shipped_improvement_shows_fewer_reports_after(demo_loop: Any) -> None:
    improvement = Improvement.objects.get(title__startswith="Tell households about substitutions")
    assert improvement.status == "completed" and improvement.completed_at is not None
    assert demo_loop["now"] - improvement.completed_at > timedelta(weeks=8)
    pattern = improvement.patterns.get()
    assert pattern.status == PatternStatus.RESOLVED_PENDING_REVIEW.value  # the loop closed itself
    created = Feedback.objects.filter(pattern_links__pattern=pattern).values_list(
        "created_at", flat=True
    )
    result = verify(created, shipped_at=improvement.completed_at, now=demo_loop["now"])
    assert result.after.per_week < result.before.per_week / 2
    # The people behind the feedback are told (sent once the load commits; mail goes nowhere).
    assert Notification.objects.filter(improvement=improvement, medium="email").count() >= 20
    # Payouts: one improvement shipped, another still open, so the pattern is partly resolved.
    assert Pattern.objects.get(title__startswith="Farms cannot tell").status == "partially-resolved"


def test_the_audit_trail_tells_the_story(demo_loop: Any) -> None:
    records = ChangeRecord.objects.filter(actor_label="demo")
    kinds = set(records.values_list("object_type", flat=True))
    assert {
        "feedback-channel",
        "feedback",
        "pattern",
        "pattern-feedback",
        "improvement",
        "milestone",
        "roadmap-entry",
        "suggestion",
    } <= kinds
    assert records.filter(object_type="feedback").count() == len(DATA.feedback)
    # Written on the day each step happened, not all at load time, and never in the future.
    assert not records.filter(at__gt=demo_loop["now"]).exists()
    first = records.order_by("at").first()
    assert first is not None and demo_loop["now"] - first.at > timedelta(days=200)
    completed = records.filter(object_type="improvement", after__status="completed")
    assert completed.count() == 3
    assert all(demo_loop["now"] - r.at > timedelta(days=30) for r in completed)
    # The clock is real again once the load is done.
    assert abs((timezone.now() - demo_loop["now"]).total_seconds()) < 600
    closing = records.filter(object_type="pattern", after__status="closed-unresolved").get()
    assert "second depot shift" in closing.reason


def test_the_demo_loop_shows_on_the_pages(demo_loop: Any, client: Any) -> None:
    from django.contrib.auth import get_user_model

    from productize.accounts.bootstrap import create_demo_users

    create_demo_users()
    jonas = get_user_model().objects.get(username="jonas")
    client.force_login(jonas)
    my_loop = client.get("/my-loop/").content.decode()
    assert "Households cannot change their delivery slot" in my_loop
    assert "Repeat last week" in my_loop  # awaiting his approval
    assert "overdue" in my_loop
    overview = client.get("/feedback/").content.decode()
    assert "Nobody knows where to report a problem" in overview
    assert "Grower" in overview.split('id="quiet"')[1]  # the handbook has gone quiet
    triage = client.get("/triage/?mine=1").content.decode()
    assert 'action="/triage/' in triage
    # The help desk's routing rules routed a billing complaint without a person.
    routed = Feedback.objects.get(text__startswith="I was charged twice")
    assert routed.product is not None and routed.product.slug == "payments"
    assert FeedbackChannel.objects.get(name="Customer care help desk").routing_rules
