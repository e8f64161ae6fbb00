"""Test-only loop rows (feedback, channels, patterns, improvements) written straight to tables.

Product code writes only through services; tests that need feedback to exist (intake is
another module's job) build it here. Other test modules import these: keep the signatures
stable, add keyword arguments only.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.utils import timezone

from productize.catalog.models import Interface, Loop, Person, Product
from productize.loop.models import (
    Feedback,
    FeedbackChannel,
    Improvement,
    Milestone,
    Pattern,
    PatternFeedback,
)

_counter = itertools.count(1)


def channel(
    name: str = "Support desk",
    *,
    product: Product | None = None,
    loop: Loop | None = None,
    kind: str = "support",
    routing_rules: Sequence[dict[str, Any]] = (),
    default_product: Product | None = None,
    notify_email: bool = True,
    webhook_url: str = "",
    webhook_secret: str = "",
    inbound_secret: str = "inbound-secret",  # noqa: S107 - a test value
) -> FeedbackChannel:
    """A feedback channel."""
    return FeedbackChannel.objects.create(
        name=name,
        kind=kind,
        product=product,
        loop=loop,
        routing_rules=list(routing_rules),
        default_product=default_product,
        notify_email=notify_email,
        webhook_url=webhook_url,
        webhook_secret=webhook_secret or ("hook-secret" if webhook_url else ""),
        inbound_secret=inbound_secret,
    )


def feedback(
    text: str = "It does not work",
    *,
    product: Product | None = None,
    interface: Interface | None = None,
    channel: FeedbackChannel | None = None,
    author_name: str = "",
    author_contact: str = "",
    author_person: Person | None = None,
    created_at: datetime | None = None,
    title: str = "",
    tags: Iterable[str] = (),
    source_kind: str = "test",
    source_key: str | None = None,
) -> Feedback:
    """One feedback item (a unique source key unless given)."""
    now = timezone.now()
    return Feedback.objects.create(
        text=text,
        title=title,
        product=product,
        interface=interface,
        channel=channel,
        author_name=author_name,
        author_contact=author_contact,
        author_person=author_person,
        created_at=created_at or now,
        received_at=now,
        tags=list(tags),
        source_kind=source_kind,
        source_key=source_key if source_key is not None else f"t-{next(_counter)}",
        text_hash=hashlib.sha256(text.encode()).hexdigest(),
        routed_at=now if product is not None else None,
    )


def many_feedback(count: int, *, product: Product | None = None, **fields: Any) -> list[Feedback]:
    """`count` items at once (bulk insert), numbered in their text and source key."""
    now = timezone.now()
    start = next(_counter)
    rows = [
        Feedback(
            text=f"item {i}",
            product=product,
            created_at=fields.get("created_at", now),
            received_at=now,
            source_kind="test",
            source_key=f"bulk-{start}-{i}",
            author_name=fields.get("author_name", f"author {i % 50}"),
        )
        for i in range(count)
    ]
    return Feedback.objects.bulk_create(rows, batch_size=1000)


def pattern(
    title: str = "Checkout times out",
    *,
    products: Iterable[Product] = (),
    status: str = "open",
    owner: Person | None = None,
    feedback: Iterable[Feedback] = (),
) -> Pattern:
    """A pattern with products and linked feedback (weight not recomputed: call the service)."""
    row = Pattern.objects.create(title=title, status=status, owner=owner)
    row.products.set(list(products))
    PatternFeedback.objects.bulk_create(PatternFeedback(pattern=row, feedback=f) for f in feedback)
    return row


def improvement(
    title: str = "Faster checkout",
    *,
    products: Iterable[Product] = (),
    patterns: Iterable[Pattern] = (),
    status: str = "proposed",
) -> Improvement:
    """An improvement with products and patterns."""
    row = Improvement.objects.create(title=title, status=status)
    row.products.set(list(products))
    row.patterns.set(list(patterns))
    return row


def milestone(
    improvement: Improvement, title: str = "MVP", *, kind: str = "mvp", done: bool = False
) -> Milestone:
    """A milestone at the end of the improvement's list."""
    position = Milestone.objects.filter(improvement=improvement).count()
    return Milestone.objects.create(
        improvement=improvement,
        title=title,
        kind=kind,
        position=position,
        done_at=timezone.now() if done else None,
    )


def personas() -> Any:
    """tests/accounts' World: the demo catalog, and admin root, owner alice (orders, payments,
    the market loop), other owner carol (refund-desk) and member mia (owns nothing)."""
    from tests.accounts.conftest import World, make_user
    from tests.web import factories as catalog

    rows = catalog.demo_catalog()
    alice = rows["alice"]
    alice.email = "alice@example.com"
    alice.save(update_fields=["email"])
    return World(
        catalog=rows,
        admin=make_user("root", admin=True),
        owner=make_user("alice", email="Alice@Example.com"),
        other_owner=make_user("carol", person="carol"),
        member=make_user("mia", email="mia@example.com"),
    )


def matrix_rows(world: Any) -> dict[str, str]:
    """Path values for the loop endpoints in tests/accounts' permission matrix: one channel,
    feedback item, pattern, improvement, milestone and roadmap entry on `orders` (made once
    per world)."""
    from productize.loop.models import RoadmapEntry

    cached = world.catalog.get("loop_path_values")
    if cached is not None:
        return dict(cached)
    orders = world.catalog["orders"]
    ch = channel("Orders desk", product=orders)
    item = feedback("Checkout spins", product=orders, channel=ch, author_contact="x@example.com")
    row = pattern(products=[orders], feedback=[item])
    work = improvement(products=[orders], patterns=[row])
    step = milestone(work)
    entry = RoadmapEntry.objects.create(product=orders, improvement=work, column="next")
    values = {
        "channel_id": str(ch.pk),
        "feedback_id": str(item.pk),
        "pattern_id": str(row.pk),
        "improvement_id": str(work.pk),
        "milestone_id": str(step.pk),
        "entry_id": str(entry.pk),
    }
    world.catalog["loop_path_values"] = values
    return dict(values)
