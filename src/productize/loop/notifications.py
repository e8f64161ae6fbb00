"""Telling people their feedback was addressed: e-mail and a signed outgoing webhook.

Completing an improvement queues one `Notification` row per delivery inside the
transaction (so the record is there whatever happens next) and delivers them once the
transaction commits. A delivery that fails is recorded as failed with its error; it never
undoes or breaks the completion. `deliver_pending()` retries queued rows (a command or worker
may call it).

Webhook requests are signed the way docs/loop.md describes, as the inbound webhook is:
`X-Productize-Timestamp: <unix seconds>` and `X-Productize-Signature: sha256=<hex
HMAC-SHA256 of "<timestamp>.<body>">`, keyed with the channel's webhook secret.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from productize.domain.loop.states import LoopClosure
from productize.loop.models import (
    Feedback,
    FeedbackChannel,
    Improvement,
    Notification,
    NotificationMedium,
    NotificationStatus,
)

logger = logging.getLogger("productize.loop")

SIGNATURE_HEADER = "X-Productize-Signature"
TIMESTAMP_HEADER = "X-Productize-Timestamp"
EVENT_HEADER = "X-Productize-Event"
WEBHOOK_TIMEOUT = 5.0  # seconds: a slow receiver must not hold the request for long
SIGNATURE_TOLERANCE = 300  # seconds a receiver should accept between `t` and its clock
EVENT = "improvement.completed"
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
MAX_ERROR = 2000


def sign(secret: str, body: bytes, timestamp: int | None = None) -> tuple[str, str]:
    """The timestamp and signature headers for `body`: `sha256=<hex>` over `<t>.<body>`."""
    moment = str(int(time.time()) if timestamp is None else int(timestamp))
    mac = hmac.new(secret.encode(), moment.encode() + b"." + body, hashlib.sha256).hexdigest()
    return moment, f"sha256={mac}"


def verify_signature(
    secret: str,
    body: bytes,
    timestamp: str,
    signature: str,
    *,
    now: float | None = None,
    tolerance: int = SIGNATURE_TOLERANCE,
) -> bool:
    """Check the signature (constant-time) and that the timestamp is within `tolerance`."""
    if not timestamp.isdigit():
        return False
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > tolerance:
        return False
    expected = sign(secret, body, int(timestamp))[1]
    return hmac.compare_digest(expected, signature.strip())


def _payload(
    improvement: Improvement, closure: LoopClosure, feedback: Iterable[Feedback]
) -> dict[str, Any]:
    return {
        "event": EVENT,
        "improvement": {
            "id": improvement.pk,
            "title": improvement.title,
            "completed_at": improvement.completed_at.isoformat()
            if improvement.completed_at
            else None,
        },
        "patterns": [
            {"id": int(pid), "status": move.target} for pid, move in closure.transitions.items()
        ],
        "feedback": [
            {
                "id": item.pk,
                "source_kind": item.source_kind,
                "source_key": item.source_key,
                "source_url": item.source_url,
                "author_name": item.author_name,
                "author_contact": item.author_contact,
            }
            for item in feedback
        ],
    }


def _email_body(improvement: Improvement, author: str | None) -> tuple[str, str]:
    greeting = f"Hello {author}," if author else "Hello,"
    subject = f"Your feedback was addressed: {improvement.title}"[:200]
    body = (
        f"{greeting}\n\nYou told us about a problem, and the work that addresses it has "
        f"shipped: {improvement.title}.\n\nIf it does not solve it for you, reply or send "
        "new feedback through the same channel, so the owners know.\n"
    )
    return subject, body


def queue_closure(improvement: Improvement, closure: LoopClosure) -> list[Notification]:
    """Record the notices a completed improvement sends, and send them after commit.

    E-mail goes to each person with an e-mail address once (from a channel with e-mail on, or
    feedback given without a channel); each channel with a webhook gets one signed request
    listing its items.
    """
    wanted_ids = {int(fid) for r in closure.notify for fid in r.feedback_ids}
    linked_ids = set(
        Feedback.objects.filter(pattern_links__pattern__improvements=improvement).values_list(
            "pk", flat=True
        )
    )
    items = {
        f.pk: f
        for f in Feedback.objects.filter(pk__in=wanted_ids | linked_ids).select_related(
            "channel", "author_person"
        )
    }
    rows: list[Notification] = []
    for recipient in closure.notify:
        mine = [items[int(fid)] for fid in recipient.feedback_ids if int(fid) in items]
        by_email = [f for f in mine if f.channel is None or f.channel.notify_email]
        if not by_email or not _EMAIL.match(recipient.contact):
            continue
        subject, body = _email_body(improvement, recipient.author)
        first = by_email[0]
        rows.append(
            Notification(
                medium=NotificationMedium.EMAIL,
                event=EVENT,
                target=recipient.contact,
                channel=first.channel,
                feedback=first,
                person=first.author_person,
                improvement=improvement,
                payload={
                    "subject": subject,
                    "body": body,
                    "feedback_ids": [f.pk for f in by_email],
                },
            )
        )
    per_channel: dict[int, list[Feedback]] = {}
    for item in items.values():
        if item.pk in linked_ids and item.channel is not None and item.channel.webhook_url:
            per_channel.setdefault(item.channel.pk, []).append(item)
    for channel_items in per_channel.values():
        channel = channel_items[0].channel
        assert channel is not None
        channel_items.sort(key=lambda f: f.pk)
        rows.append(
            Notification(
                medium=NotificationMedium.WEBHOOK,
                event=EVENT,
                target=channel.webhook_url,
                channel=channel,
                improvement=improvement,
                payload=_payload(improvement, closure, channel_items),
            )
        )
    created = Notification.objects.bulk_create(rows)
    ids = [row.pk for row in created]
    if ids:
        transaction.on_commit(lambda: deliver(ids))
    return created


def _send_email(row: Notification) -> None:
    send_mail(
        row.payload.get("subject", "Your feedback was addressed"),
        row.payload.get("body", ""),
        settings.DEFAULT_FROM_EMAIL,
        [row.target],
    )


def _send_webhook(row: Notification, channel: FeedbackChannel) -> None:
    body = json.dumps(row.payload, sort_keys=True, separators=(",", ":")).encode()
    timestamp, signature = sign(channel.webhook_secret, body)
    request = urllib.request.Request(  # noqa: S310 - the URL was checked to be http(s)
        row.target,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "productize-loop",
            EVENT_HEADER: row.event,
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: signature,
        },
    )
    if not row.target.startswith(("http://", "https://")):
        raise ValueError("webhook URL must be http(s)")
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:  # noqa: S310
        if not 200 <= response.status < 300:
            raise RuntimeError(f"receiver answered HTTP {response.status}")


def deliver_one(row: Notification) -> Notification:
    """Send one queued notice and record the outcome (never raises on delivery failure)."""
    row.attempts += 1
    try:
        if row.medium == NotificationMedium.EMAIL:
            _send_email(row)
        else:
            channel = row.channel
            if channel is None or not channel.webhook_secret:
                raise RuntimeError("the channel or its webhook secret is gone")
            _send_webhook(row, channel)
    except (OSError, urllib.error.URLError, ValueError, RuntimeError) as error:
        row.status = NotificationStatus.FAILED
        row.error = f"{type(error).__name__}: {error}"[:MAX_ERROR]
        logger.warning("loop notice %s to %s failed: %s", row.pk, row.target, row.error)
    except Exception as error:  # a broken backend must not break the completion either
        row.status = NotificationStatus.FAILED
        row.error = f"{type(error).__name__}: {error}"[:MAX_ERROR]
        logger.exception("loop notice %s to %s failed", row.pk, row.target)
    else:
        row.status = NotificationStatus.SENT
        row.error = ""
        row.sent_at = timezone.now()
    row.save(update_fields=["status", "error", "attempts", "sent_at"])
    return row


def deliver(ids: Iterable[int]) -> list[Notification]:
    """Deliver the given queued notices (called after the completing transaction commits)."""
    rows = Notification.objects.filter(pk__in=list(ids), status=NotificationStatus.QUEUED)
    return [deliver_one(row) for row in rows.select_related("channel")]


def deliver_pending(limit: int = 500) -> list[Notification]:
    """Retry queued notices (oldest first), e.g. after a crash between commit and delivery."""
    rows = Notification.objects.filter(status=NotificationStatus.QUEUED).order_by("created_at")
    return [deliver_one(row) for row in rows.select_related("channel")[:limit]]
