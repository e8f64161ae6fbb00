"""Triage: route feedback to a product (and interface), link it to patterns or unlink it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from productize.accounts.permissions import FEEDBACK_TRIAGE
from productize.audit.models import Action
from productize.audit.services import Actor
from productize.catalog.models import Interface, Product
from productize.domain.loop.routing import RoutingInput, parse_rules, route
from productize.loop.models import Feedback, FeedbackChannel, Pattern, PatternFeedback
from productize.loop.services.common import (
    LoopError,
    audit,
    feedback_state,
    require,
    require_any,
)
from productize.loop.services.patterns import recompute_weight

_UNSET: Any = object()


def _interface(product: Product | None, value: Interface | str | None) -> Interface | None:
    if value is None or value == "":
        return None
    if product is None:
        raise LoopError("interface: route to a product first", field="interface")
    if isinstance(value, str):
        ref = value if "/" in value else f"{product.slug}/{value}"
        found = Interface.objects.filter(ref=ref).first()
        if found is None:
            raise LoopError(f"interface: no interface `{ref}`", field="interface")
        value = found
    if value.product_id != product.pk:
        raise LoopError(
            f"interface: `{value.ref}` belongs to another product than `{product.slug}`",
            field="interface",
        )
    return value


def route_feedback(
    actor: Actor,
    feedback: Feedback,
    product: Product | str | None = None,
    interface: Interface | str | None = None,
    *,
    reason: str = "",
) -> Feedback:
    """Route an item to a product (and interface), or back to triage with product=None.

    Owners of the item's current product (or of its channel) may route it anywhere; an
    unrouted item may also be claimed by the owners of the product it is routed to.
    """
    if isinstance(product, str):
        found = Product.objects.filter(slug=product).first()
        if found is None:
            raise LoopError(f"product: no product with id `{product}`", field="product")
        product = found
    target_interface = _interface(product, interface)
    holders: list[object] = [feedback]
    if feedback.product_id is None and product is not None:
        holders.append(product)
    require_any(actor, FEEDBACK_TRIAGE, holders, "this feedback")
    with transaction.atomic():
        feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
        before = feedback_state(feedback)
        feedback.product = product
        feedback.interface = target_interface
        feedback.routed_at = timezone.now() if product is not None else None
        after = feedback_state(feedback)
        if after == before:
            return feedback
        feedback.save(update_fields=["product", "interface", "routed_at"])
        audit(
            actor,
            Action.UPDATE,
            feedback,
            object_type="feedback",
            before=before,
            after=after,
            reason=reason,
        )
    return feedback


def suggest_route(feedback: Feedback, channel: FeedbackChannel | None = None) -> dict[str, Any]:
    """What the channel's routing rule says for an item (nothing is written)."""
    channel = channel or feedback.channel
    if channel is None:
        return {"product": None, "interface": None, "rule": None, "why": "no channel"}
    rules = parse_rules(channel.routing_rules)
    default = channel.default_product or channel.product
    decision = route(
        RoutingInput(text=feedback.text, title=feedback.title, tags=list(feedback.tags or [])),
        rules,
        default_product=default.slug if default is not None else None,
    )
    return {
        "product": decision.product,
        "interface": decision.interface,
        "rule": decision.rule_index,
        "why": decision.why,
    }


def link_feedback(
    actor: Actor, feedback: Feedback, pattern: Pattern, *, reason: str = ""
) -> PatternFeedback:
    """Link an item to a pattern (its evidence); the pattern's weight is recomputed."""
    require_any(actor, FEEDBACK_TRIAGE, [pattern, feedback], "this pattern or feedback")
    with transaction.atomic():
        link, created = PatternFeedback.objects.get_or_create(
            pattern=pattern, feedback=feedback, defaults={"linked_by": actor.label[:255]}
        )
        if created:
            audit(
                actor,
                Action.CREATE,
                link,
                object_type="pattern-feedback",
                before=None,
                after={"pattern": pattern.pk, "feedback": feedback.pk},
                reason=reason,
            )
            recompute_weight(pattern)
    return link


def unlink_feedback(
    actor: Actor, feedback: Feedback, pattern: Pattern, *, reason: str = ""
) -> bool:
    """Remove an item's link to a pattern; return whether there was one."""
    require_any(actor, FEEDBACK_TRIAGE, [pattern, feedback], "this pattern or feedback")
    with transaction.atomic():
        link = PatternFeedback.objects.filter(pattern=pattern, feedback=feedback).first()
        if link is None:
            return False
        audit(
            actor,
            Action.DELETE,
            link,
            object_type="pattern-feedback",
            before={"pattern": pattern.pk, "feedback": feedback.pk},
            after=None,
            reason=reason,
        )
        link.delete()
        recompute_weight(pattern)
    return True


def require_triage(actor: Actor, feedback: Feedback) -> None:
    """Raise PermissionDenied unless `actor` may triage this item."""
    require(actor, FEEDBACK_TRIAGE, feedback, "this feedback")
