"""Feedback channels: create, change, rotate the inbound secret, delete (owners of the scope)."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction

from productize.accounts.permissions import LOOP_EDIT
from productize.audit.models import Action
from productize.audit.services import Actor
from productize.catalog.models import Loop, Product
from productize.domain.loop.routing import RoutingRuleError, parse_rules
from productize.loop.models import ChannelKind, FeedbackChannel
from productize.loop.services.common import LoopError, audit, channel_state, require, text

_UNSET: Any = object()
CHANNEL_FIELDS = (
    "name",
    "kind",
    "description",
    "url",
    "is_active",
    "routing_rules",
    "default_product",
    "notify_email",
    "webhook_url",
    "webhook_secret",
)


def new_secret() -> str:
    """A fresh random secret for signing webhooks (48 URL-safe characters)."""
    return secrets.token_urlsafe(36)


def _kind(value: str) -> str:
    if value not in ChannelKind.values:
        allowed = ", ".join(f"`{k}`" for k in ChannelKind.values)
        raise LoopError(
            f"kind: `{value}` is not a channel kind; use one of {allowed}", field="kind"
        )
    return value


def _webhook_url(value: str) -> str:
    value = text(value, field="webhook_url", limit=2000)
    if value:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise LoopError(
                "webhook_url: an http(s) URL with a host, e.g. https://example.com/hooks/loop",
                field="webhook_url",
            )
    return value


def _rules(value: Any, products: dict[str, Product] | None = None) -> list[dict[str, Any]]:
    try:
        rules = parse_rules(value)
    except RoutingRuleError as error:
        raise LoopError(str(error), field=error.field) from error
    known = set(
        Product.objects.filter(slug__in={r.product for r in rules}).values_list("slug", flat=True)
    )
    for i, rule in enumerate(rules):
        if rule.product not in known:
            raise LoopError(
                f"routing_rules[{i}].product: no product with id `{rule.product}`",
                field=f"routing_rules[{i}].product",
            )
    return [rule.as_dict() for rule in rules]


def _apply(channel: FeedbackChannel, changes: dict[str, Any]) -> None:
    for name, value in changes.items():
        if value is _UNSET:
            continue
        if name == "name":
            value = text(value, field="name", limit=200, required=True)
        elif name == "kind":
            value = _kind(value)
        elif name in {"description"}:
            value = text(value, field=name, limit=10_000)
        elif name == "url":
            value = text(value, field="url", limit=2000)
        elif name == "routing_rules":
            value = _rules(value)
        elif name == "webhook_url":
            value = _webhook_url(value)
        elif name == "webhook_secret":
            value = text(value, field="webhook_secret", limit=128)
        elif name in {"is_active", "notify_email"}:
            value = bool(value)
        setattr(channel, name, value)
    if channel.webhook_url and not channel.webhook_secret:
        channel.webhook_secret = new_secret()  # a webhook is never sent unsigned


def create_channel(
    actor: Actor,
    *,
    name: str,
    kind: str = ChannelKind.OTHER,
    product: Product | None = None,
    loop: Loop | None = None,
    description: str = "",
    url: str = "",
    routing_rules: Any = (),
    default_product: Product | None = None,
    notify_email: bool = True,
    webhook_url: str = "",
    webhook_secret: str = "",
    reason: str = "",
) -> FeedbackChannel:
    """Create a channel for a product or a loop (neither: organisation-wide, admins only)."""
    if product is not None and loop is not None:
        raise LoopError("a channel belongs to a product or a loop, not both", field="loop")
    require(actor, LOOP_EDIT, product or loop, "this channel's product or loop")
    channel = FeedbackChannel(product=product, loop=loop, inbound_secret=new_secret())
    _apply(
        channel,
        {
            "name": name,
            "kind": kind,
            "description": description,
            "url": url,
            "routing_rules": list(routing_rules),
            "default_product": default_product,
            "notify_email": notify_email,
            "webhook_url": webhook_url,
            "webhook_secret": webhook_secret,
        },
    )
    with transaction.atomic():
        channel.save()
        audit(
            actor,
            Action.CREATE,
            channel,
            object_type="feedback-channel",
            before=None,
            after=channel_state(channel),
            reason=reason,
        )
    return channel


def update_channel(
    actor: Actor, channel: FeedbackChannel, *, reason: str = "", **changes: Any
) -> FeedbackChannel:
    """Change a channel's fields (any of CHANNEL_FIELDS); the owners of its scope only."""
    unknown = sorted(set(changes) - set(CHANNEL_FIELDS))
    if unknown:
        raise LoopError(f"{unknown[0]}: not a channel field you can change", field=unknown[0])
    require(actor, LOOP_EDIT, channel, "this channel")
    with transaction.atomic():
        channel = FeedbackChannel.objects.select_for_update().get(pk=channel.pk)
        before = channel_state(channel)
        _apply(channel, changes)
        after = channel_state(channel)
        if after == before and "webhook_secret" not in changes:
            return channel
        channel.save()
        audit(
            actor,
            Action.UPDATE,
            channel,
            object_type="feedback-channel",
            before=before,
            after=after,
            reason=reason,
        )
    return channel


def rotate_channel_secret(
    actor: Actor, channel: FeedbackChannel, *, which: str = "inbound", reason: str = ""
) -> str:
    """Replace the inbound (or webhook) secret with a new random one; return it once."""
    if which not in {"inbound", "webhook"}:
        raise LoopError("which: `inbound` or `webhook`", field="which")
    require(actor, LOOP_EDIT, channel, "this channel")
    secret = new_secret()
    with transaction.atomic():
        channel = FeedbackChannel.objects.select_for_update().get(pk=channel.pk)
        setattr(channel, f"{which}_secret", secret)
        channel.save(update_fields=[f"{which}_secret", "updated_at"])
        audit(
            actor,
            Action.UPDATE,
            channel,
            object_type="feedback-channel",
            before={f"{which}_secret": "(old secret)"},
            after={f"{which}_secret": "(new secret)"},
            reason=reason or f"{which} secret rotated",
        )
    return secret


def delete_channel(actor: Actor, channel: FeedbackChannel, *, reason: str = "") -> None:
    """Delete a channel; its feedback stays (without a channel)."""
    require(actor, LOOP_EDIT, channel, "this channel")
    with transaction.atomic():
        before = channel_state(channel)
        pk = channel.pk
        audit(
            actor,
            Action.DELETE,
            channel,
            object_type="feedback-channel",
            before=before,
            after=None,
            reason=reason,
        )
        FeedbackChannel.objects.filter(pk=pk).delete()
