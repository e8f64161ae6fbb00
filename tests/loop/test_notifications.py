"""Closing the loop's notices: e-mail through Django's backend, a signed webhook, failures kept."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.core import mail

from productize.audit.services import Actor
from productize.loop import notifications, services
from productize.loop.models import Improvement, Notification, Pattern
from tests.loop import factories
from tests.web import factories as catalog_factories

SECRET = "channel-webhook-secret"


class _Receiver(BaseHTTPRequestHandler):
    """A webhook receiver that checks the signature the way docs/loop.md tells people to."""

    received: list[dict[str, Any]]
    status = 204

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        valid = notifications.verify_signature(
            SECRET,
            body,
            self.headers.get(notifications.TIMESTAMP_HEADER, ""),
            self.headers.get(notifications.SIGNATURE_HEADER, ""),
        )
        self.received.append(
            {
                "valid": valid,
                "event": self.headers.get(notifications.EVENT_HEADER),
                "body": json.loads(body),
            }
        )
        self.send_response(self.status if valid else 401)
        self.end_headers()

    def log_message(self, *args: Any) -> None:  # keep the test output clean
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[str, type[_Receiver]]]:
    handler = type("Handler", (_Receiver,), {"received": [], "status": 204})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", handler
    finally:
        server.shutdown()
        server.server_close()


def _completable(webhook_url: str, **channel: Any) -> tuple[Improvement, Pattern]:
    """An improvement in implementation on one pattern with two items from a webhook channel."""
    product = catalog_factories.product("orders", owners=[])
    ch = factories.channel(
        product=product, webhook_url=webhook_url, webhook_secret=SECRET, **channel
    )
    items = [
        factories.feedback(channel=ch, author_name="Ann", author_contact="ann@example.com"),
        factories.feedback(channel=ch, author_contact="bob@example.com", source_key="GH-7"),
    ]
    factories.feedback(channel=ch, author_contact="carl@example.com")  # not linked: not told
    pattern = factories.pattern(
        products=[product], status="improvement-in-progress", feedback=items
    )
    improvement = factories.improvement(
        products=[product], patterns=[pattern], status="in-implementation"
    )
    return improvement, pattern


@pytest.fixture(autouse=True)
def _locmem(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_completion_sends_email_and_a_signed_webhook(
    db: Any, receiver: Any, django_capture_on_commit_callbacks: Any
) -> None:
    url, handler = receiver
    improvement, pattern = _completable(url)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.move_improvement(Actor.system(), improvement, "completed")
    assert len(callbacks) == 1  # delivery waits for the commit
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@example.com", "bob@example.com"]
    assert "Hello Ann," in next(m.body for m in mail.outbox if m.to == ["ann@example.com"])
    [hook] = handler.received
    assert hook["valid"] and hook["event"] == "improvement.completed"
    body = hook["body"]
    assert body["improvement"]["id"] == improvement.pk
    assert body["patterns"] == [{"id": pattern.pk, "status": "resolved-pending-review"}]
    assert [f["source_key"] for f in body["feedback"]][-1] == "GH-7"
    rows = Notification.objects.order_by("medium", "target")
    assert [(n.medium, n.status) for n in rows] == [
        ("email", "sent"),
        ("email", "sent"),
        ("webhook", "sent"),
    ]
    assert all(n.attempts == 1 and n.sent_at for n in rows)


def test_a_failing_webhook_is_recorded_and_the_completion_stands(
    db: Any, receiver: Any, django_capture_on_commit_callbacks: Any
) -> None:
    url, handler = receiver
    handler.status = 500
    improvement, pattern = _completable(url, notify_email=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.move_improvement(Actor.system(), improvement, "completed")
    improvement.refresh_from_db()
    pattern.refresh_from_db()
    assert improvement.status == "completed" and pattern.status == "resolved-pending-review"
    failed = Notification.objects.get()
    assert failed.status == "failed" and "500" in failed.error
    assert mail.outbox == []  # the channel has e-mail off


def test_an_unreachable_webhook_fails_cleanly(
    db: Any, django_capture_on_commit_callbacks: Any
) -> None:
    improvement, _ = _completable("http://127.0.0.1:9/nothing-listens", notify_email=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.move_improvement(Actor.system(), improvement, "completed")
    failed = Notification.objects.get()
    assert failed.status == "failed" and failed.error


def test_queued_notices_wait_for_the_commit_and_can_be_retried(db: Any, receiver: Any) -> None:
    url, handler = receiver
    improvement, _ = _completable(url, notify_email=False)
    services.move_improvement(Actor.system(), improvement, "completed")
    # The test transaction never commits: nothing was sent yet, the row says so.
    assert handler.received == [] and Notification.objects.get().status == "queued"
    [row] = notifications.deliver_pending()
    assert row.status == "sent" and len(handler.received) == 1


def test_signature_verification_rejects_tampering_and_old_timestamps() -> None:
    body = b'{"a":1}'
    stamp, signature = notifications.sign(SECRET, body, timestamp=1_000_000)
    assert stamp == "1000000" and signature.startswith("sha256=")
    assert notifications.verify_signature(SECRET, body, stamp, signature, now=1_000_010)
    assert not notifications.verify_signature(SECRET, b'{"a":2}', stamp, signature, now=1_000_010)
    assert not notifications.verify_signature("other", body, stamp, signature, now=1_000_010)
    assert not notifications.verify_signature(SECRET, body, stamp, signature, now=1_000_301)
    assert not notifications.verify_signature(SECRET, body, "1000001", signature, now=1_000_010)
    assert not notifications.verify_signature(SECRET, body, "soon", signature, now=1_000_000)
