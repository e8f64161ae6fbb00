"""The loop, written: channels, routing and linking, patterns, improvements, milestones, roadmap.

Each endpoint calls one service of productize.loop.services, which checks permission and
records the change. Anyone signed in may propose a pattern or an improvement; the owners of
the products involved decide the rest. Errors: 403 when the caller may not, 422 for bad
input (with the field), 409 for a refused status move (naming the allowed ones) or a
duplicate.

The endpoints join api/loop.py's router: a path (`/channels`) is served by one router, so the
reads and writes of a path must live on the same one.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Schema, Status

# Registers the improvement, milestone and roadmap writes on the same router.
from productize.api import loop_plan_writes  # noqa: F401
from productize.api.auth import actor_for
from productize.api.errors import ApiError
from productize.api.loop import router
from productize.api.loop_schemas import (
    ChannelOut,
    FeedbackOut,
    PatternOut,
    channel_out,
    pattern_out,
)
from productize.api.loop_write_common import (
    WRITE_ERRORS,
    Done,
    MoveIn,
    Reason,
    get_or_404,
    guard,
    product_or_422,
    sent_fields,
)
from productize.api.params import strict_query
from productize.catalog.models import Loop
from productize.loop import services
from productize.loop.models import (
    Feedback,
    FeedbackChannel,
    Pattern,
)

# --- channels ------------------------------------------------------------------------------


class ChannelIn(Reason):
    """A new feedback channel. Give a product or a loop (neither: organisation-wide, admins)."""

    name: str = Field(max_length=200)
    kind: str = Field("other", description="support, sales, forum, chat, issue-tracker, ...")
    product: str = Field("", description="The product it belongs to (its id).")
    loop: str = Field("", description="The loop it belongs to (its id).")
    description: str = ""
    url: str = Field("", description="Where people reach it.")
    routing_rules: list[dict[str, Any]] = Field(default_factory=list)
    default_product: str = Field("", description="Where items no rule matches go.")
    notify_email: bool = True
    webhook_url: str = ""
    webhook_secret: str = Field("", description="Left out: one is generated.")


class ChannelChange(Reason):
    """Fields of a channel to change; left-out fields stay."""

    name: str | None = None
    kind: str | None = None
    description: str | None = None
    url: str | None = None
    is_active: bool | None = None
    routing_rules: list[dict[str, Any]] | None = None
    default_product: str | None = Field(None, description="A product id; empty string clears.")
    notify_email: bool | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None


class ChannelCreatedOut(ChannelOut):
    """A new channel, with its secrets: shown this once (later only by rotating them)."""

    inbound_secret: str = Field(description="Signs calls to the channel's inbound webhook.")
    webhook_secret: str = Field(description="Signs the notices sent to `webhook_url` (if set).")


class SecretOut(Schema):
    """A new secret: shown this once."""

    secret: str
    which: str


class RotateIn(Reason):
    """Which secret to replace."""

    which: str = Field("inbound", description="`inbound` (webhook in) or `webhook` (out).")


def _loop(slug: str) -> Loop | None:
    if not slug:
        return None
    loop = Loop.objects.filter(slug=slug).first()
    if loop is None:
        raise ApiError(422, "invalid_request", f"loop: no loop with id `{slug}`", field="loop")
    return loop


@router.post(
    "/channels",
    response={201: ChannelCreatedOut, **WRITE_ERRORS},
    url_name="channel-create",
    summary="Create a channel",
)
@strict_query()
def create_channel(request: HttpRequest, payload: ChannelIn) -> Status:
    """Create a feedback channel for a product or a loop (its owners). The answer shows the
    channel's secrets this once; afterwards only rotating one shows it again."""
    channel = guard(
        lambda: services.create_channel(
            actor_for(request),
            name=payload.name,
            kind=payload.kind,
            product=product_or_422(payload.product),
            loop=_loop(payload.loop),
            description=payload.description,
            url=payload.url,
            routing_rules=payload.routing_rules,
            default_product=product_or_422(payload.default_product, "default_product"),
            notify_email=payload.notify_email,
            webhook_url=payload.webhook_url,
            webhook_secret=payload.webhook_secret,
            reason=payload.reason,
        )
    )
    secrets = {"inbound_secret": channel.inbound_secret, "webhook_secret": channel.webhook_secret}
    return Status(201, {**channel_out(channel), **secrets})


@router.patch(
    "/channels/{channel_id}",
    response={200: ChannelOut, **WRITE_ERRORS},
    url_name="channel-update",
    summary="Change a channel",
)
@strict_query()
def update_channel(request: HttpRequest, channel_id: int, payload: ChannelChange) -> dict[str, Any]:
    """Change a channel's name, kind, routing rules or notification settings (its owners)."""
    channel = get_or_404(FeedbackChannel, channel_id, "channel")
    changes = sent_fields(payload)
    reason = changes.pop("reason", "")
    if "default_product" in changes:
        changes["default_product"] = product_or_422(changes["default_product"], "default_product")
    updated = guard(
        lambda: services.update_channel(actor_for(request), channel, reason=reason, **changes)
    )
    return channel_out(updated)


@router.post(
    "/channels/{channel_id}/rotate-secret",
    response={200: SecretOut, **WRITE_ERRORS},
    url_name="channel-rotate",
    summary="Rotate a channel secret",
)
@strict_query()
def rotate_secret(request: HttpRequest, channel_id: int, payload: RotateIn) -> dict[str, Any]:
    """Replace the channel's inbound (or outgoing webhook) secret; the new one is shown once."""
    channel = get_or_404(FeedbackChannel, channel_id, "channel")
    secret = guard(
        lambda: services.rotate_channel_secret(
            actor_for(request), channel, which=payload.which, reason=payload.reason
        )
    )
    return {"secret": secret, "which": payload.which}


@router.delete(
    "/channels/{channel_id}",
    response={200: Done, **WRITE_ERRORS},
    url_name="channel-delete",
    summary="Delete a channel",
)
@strict_query()
def delete_channel(request: HttpRequest, channel_id: int) -> dict[str, Any]:
    """Delete a channel (its owners); its feedback stays, without a channel."""
    channel = get_or_404(FeedbackChannel, channel_id, "channel")
    guard(lambda: services.delete_channel(actor_for(request), channel))
    return {"ok": True}


# --- routing and linking -------------------------------------------------------------------


class RouteIn(Reason):
    """Where an item belongs."""

    product: str = Field("", description="A product id; empty sends it back to triage.")
    interface: str = Field("", description="An interface: its name or `product/interface`.")


class LinkIn(Reason):
    """The pattern to link an item to."""

    pattern: int = Field(description="The pattern's id.")


@router.post(
    "/feedback/{feedback_id}/route",
    response={200: FeedbackOut, **WRITE_ERRORS},
    url_name="feedback-route",
    summary="Route feedback",
)
@strict_query()
def route_feedback(request: HttpRequest, feedback_id: int, payload: RouteIn) -> dict[str, Any]:
    """Route an item to a product (and interface); unrouted items may be claimed by the target
    product's owners, routed ones are moved by their product's owners."""
    from productize.api.loop import feedback_items

    item = get_or_404(Feedback, feedback_id, "feedback")
    product = product_or_422(payload.product)
    routed = guard(
        lambda: services.route_feedback(
            actor_for(request), item, product, payload.interface or None, reason=payload.reason
        )
    )
    return feedback_items([routed])[0]


@router.post(
    "/feedback/{feedback_id}/links",
    response={201: Done, **WRITE_ERRORS},
    url_name="feedback-link",
    summary="Link feedback to a pattern",
)
@strict_query()
def link_feedback(request: HttpRequest, feedback_id: int, payload: LinkIn) -> Status:
    """Link an item to a pattern (the pattern's weight is recomputed)."""
    item = get_or_404(Feedback, feedback_id, "feedback")
    pattern = get_or_404(Pattern, payload.pattern, "pattern")
    guard(lambda: services.link_feedback(actor_for(request), item, pattern, reason=payload.reason))
    return Status(201, {"ok": True})


@router.delete(
    "/feedback/{feedback_id}/links/{pattern_id}",
    response={200: Done, **WRITE_ERRORS},
    url_name="feedback-unlink",
    summary="Unlink feedback from a pattern",
)
@strict_query()
def unlink_feedback(request: HttpRequest, feedback_id: int, pattern_id: int) -> dict[str, Any]:
    """Remove an item's link to a pattern."""
    item = get_or_404(Feedback, feedback_id, "feedback")
    pattern = get_or_404(Pattern, pattern_id, "pattern")
    removed = guard(lambda: services.unlink_feedback(actor_for(request), item, pattern))
    if not removed:
        raise ApiError(404, "not_found", f"feedback {feedback_id} is not linked to {pattern_id}")
    return {"ok": True}


# --- patterns ------------------------------------------------------------------------------


class PatternIn(Reason):
    """A proposed pattern: a problem statement, not a solution."""

    title: str = Field(max_length=300, description="The problem statement.")
    description: str = ""
    workaround: str = Field("", description="What people can do meanwhile, if anything.")
    owner: str = Field("", description="A person id.")
    products: list[str] = Field(default_factory=list, description="Product ids.")
    interfaces: list[str] = Field(default_factory=list, description="`product/interface` refs.")
    related: list[int] = Field(default_factory=list, description="Related pattern ids.")


class PatternChange(Reason):
    """Fields of a pattern to change; left-out fields stay."""

    title: str | None = None
    description: str | None = None
    workaround: str | None = None
    owner: str | None = Field(None, description="A person id; empty string clears.")
    products: list[str] | None = None
    interfaces: list[str] | None = None
    related: list[int] | None = None


@router.post(
    "/patterns",
    response={201: PatternOut, **WRITE_ERRORS},
    url_name="pattern-create",
    summary="Propose a pattern",
)
@strict_query()
def create_pattern(request: HttpRequest, payload: PatternIn) -> Status:
    """Propose a pattern (anyone signed in); it starts `open` and its products' owners decide."""
    pattern = guard(
        lambda: services.create_pattern(
            actor_for(request),
            title=payload.title,
            description=payload.description,
            workaround=payload.workaround,
            owner=payload.owner or None,
            products=payload.products,
            interfaces=payload.interfaces,
            related=payload.related,
            reason=payload.reason,
        )
    )
    return Status(201, pattern_out(pattern))


@router.patch(
    "/patterns/{pattern_id}",
    response={200: PatternOut, **WRITE_ERRORS},
    url_name="pattern-update",
    summary="Change a pattern",
)
@strict_query()
def update_pattern(request: HttpRequest, pattern_id: int, payload: PatternChange) -> dict[str, Any]:
    """Change a pattern's statement, workaround, owner, products, interfaces or related ones."""
    pattern = get_or_404(Pattern, pattern_id, "pattern")
    changes = sent_fields(payload)
    if "owner" in changes:
        changes["owner"] = changes["owner"] or None
    updated = guard(lambda: services.update_pattern(actor_for(request), pattern, **changes))
    return pattern_out(updated)


@router.post(
    "/patterns/{pattern_id}/status",
    response={200: PatternOut, **WRITE_ERRORS},
    url_name="pattern-move",
    summary="Move a pattern",
)
@strict_query()
def move_pattern(request: HttpRequest, pattern_id: int, payload: MoveIn) -> dict[str, Any]:
    """Move a pattern to another status; a refused move (409) names the allowed ones."""
    pattern = get_or_404(Pattern, pattern_id, "pattern")
    moved = guard(
        lambda: services.move_pattern(
            actor_for(request), pattern, payload.status, reason=payload.reason or None
        )
    )
    return pattern_out(moved)
