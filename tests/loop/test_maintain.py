"""`productize manage loop_maintain`: weights catch up with time; queued notices go out."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from productize.loop.models import Notification, Pattern
from productize.loop.services import recompute_weight
from tests.loop import factories


def test_weights_are_recomputed_and_queued_notices_sent(db: Any, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    old = factories.feedback(created_at=timezone.now() - timedelta(days=400))
    pattern = factories.pattern(feedback=[old])
    closed = factories.pattern("Closed", status="closed-resolved", feedback=[old])
    recompute_weight(pattern, now=timezone.now() - timedelta(days=400))  # as if long ago
    stale = Pattern.objects.get(pk=pattern.pk).weight
    Notification.objects.create(
        medium="email", target="ann@example.com", payload={"subject": "s", "body": "b"}
    )
    out = StringIO()
    call_command("loop_maintain", stdout=out)
    assert Pattern.objects.get(pk=pattern.pk).weight < stale  # the old feedback decayed
    assert Pattern.objects.get(pk=closed.pk).weight_computed_at is None  # closed: skipped
    assert "recomputed the weight of 1 patterns" in out.getvalue()
    assert "delivered 1 of 1" in out.getvalue()
    assert [m.to for m in mail.outbox] == [["ann@example.com"]]
    assert Notification.objects.get().status == "sent"
