"""Form cases of the loop desk (tests/accounts/form_matrix.py): feedback forms, triage, suggestions.

The catalog is tests/web/factories.demo_catalog: alice (the owner) owns `orders` and the
`market` loop, carol (the other owner) owns `refund-desk` only, mia (the member) owns nothing.
"""

from __future__ import annotations

from typing import Any

from productize.audit.services import Actor
from productize.loop import services
from productize.loop.intake import give_feedback
from productize.loop.models import Feedback, Pattern, PatternFeedback, Suggestion
from productize.loop.suggestions import refresh_suggestions
from tests.accounts.form_matrix import EVERYONE, OWNERS, SIGNED_IN, Ctx, FormCase

SYSTEM = Actor.system("tests")
DARK = (
    "Please add a dark mode to the order page",
    "Dark mode for the order page please",
    "Could the order page get a dark mode?",
    "Dark mode on the order page would help at night",
)


def _feedback(ctx: Ctx) -> list[tuple[Any, ...]]:
    return sorted(
        Feedback.objects.values_list(
            "pk", "text", "title", "product_id", "interface_id", "author_name"
        )
    )


def _loop(ctx: Ctx) -> tuple[list[Any], list[Any], list[Any]]:
    return (
        sorted(Feedback.objects.values_list("pk", "product_id", "interface_id")),
        sorted(Pattern.objects.values_list("pk", "title")),
        sorted(PatternFeedback.objects.values_list("pattern_id", "feedback_id")),
    )


def _suggestions(ctx: Ctx) -> tuple[Any, ...]:
    return (
        _loop(ctx),
        sorted(Suggestion.objects.values_list("pk", "status", "reason", "pattern_id")),
    )


def _unrouted_in_market(ctx: Ctx) -> None:
    channel = services.create_channel(
        SYSTEM, name="Market desk", kind="support", loop=ctx.catalog["market"]
    )
    ctx.objs["item"] = give_feedback(SYSTEM, text="The van was late again.", channel=channel)


def _on_orders(ctx: Ctx) -> None:
    ctx.objs["item"] = give_feedback(SYSTEM, text="Order e-mails arrive late.", product="orders")
    ctx.objs["pattern"] = services.create_pattern(
        SYSTEM, title="Order e-mails are slow", products=["orders"]
    )


def _suggested(ctx: Ctx) -> None:
    for text in DARK:
        give_feedback(SYSTEM, text=text, product="orders")
    refresh_suggestions(SYSTEM, product=ctx.catalog["orders"])
    found = Suggestion.objects.filter(kind="new-pattern", status="open").order_by("-score").first()
    assert found is not None, "the grouping proposes the dark-mode group"
    ctx.objs["suggestion"] = found


def _latest_pattern_page(ctx: Ctx) -> list[str]:
    pattern = Pattern.objects.order_by("-pk").first()
    return [f"/patterns/{pattern.pk}/"] if pattern else []


CASES = [
    FormCase(
        id="loopdesk-feedback-on-product",
        url_name="web:feedback-give",
        url="/products/orders/feedback/",
        data={"text": "The order page is slow", "title": "Slow", "interface": "orders-api"},
        allowed=SIGNED_IN,
        state=_feedback,
        text_fields=("text", "title"),
        shows_text_at=lambda ctx: ["/triage/"],
    ),
    FormCase(
        id="loopdesk-feedback-general",
        url_name="web:feedback-new",
        url="/feedback/new/",
        data={"text": "Where do I report a broken crate?", "title": "Crates"},
        allowed=SIGNED_IN,
        state=_feedback,
        text_fields=("text", "title"),
        shows_text_at=lambda ctx: ["/triage/?state=unrouted"],
    ),
    FormCase(
        id="loopdesk-feedback-public",
        url_name="web:feedback-public",
        url="/feedback/public/orders/",
        data={
            "text": "Tracking link is broken",
            "title": "Tracking",
            "author": "Sam",
            "author_contact": "sam@mail.example",
            "website": "",
        },
        allowed=EVERYONE,
        state=_feedback,
        settings={"PUBLIC_FEEDBACK": True},
        text_fields=("text", "title", "author"),
        shows_text_at=lambda ctx: ["/triage/"],
    ),
    FormCase(
        id="loopdesk-triage-route-unrouted",
        url_name="web:triage-route",
        url=lambda ctx: f"/triage/{ctx.objs['item'].pk}/route/",
        data={"product": "orders", "interface": "orders/orders-api"},
        allowed=OWNERS,  # the market loop's owner (its channel) and admins; carol owns neither
        state=_loop,
        setup=_unrouted_in_market,
    ),
    FormCase(
        id="loopdesk-triage-route-routed",
        url_name="web:triage-route",
        url=lambda ctx: f"/triage/{ctx.objs['item'].pk}/route/",
        data={"product": "payments"},
        allowed=OWNERS,
        state=_loop,
        setup=_on_orders,
    ),
    FormCase(
        id="loopdesk-triage-link",
        url_name="web:triage-link",
        url=lambda ctx: f"/triage/{ctx.objs['item'].pk}/link/",
        data=lambda ctx: {"pattern": ctx.objs["pattern"].pk},
        allowed=OWNERS,
        state=_loop,
        setup=_on_orders,
    ),
    FormCase(
        id="loopdesk-triage-new-pattern",
        url_name="web:triage-new-pattern",
        url=lambda ctx: f"/triage/{ctx.objs['item'].pk}/new-pattern/",
        data={"title": "Households wait for their order e-mail"},
        allowed=OWNERS,
        state=_loop,
        setup=_on_orders,
        text_fields=("title",),
        shows_text_at=_latest_pattern_page,
    ),
    FormCase(
        id="loopdesk-suggestions-refresh",
        url_name="web:suggestions-refresh",
        url="/suggestions/refresh/",
        data={"product": "orders"},
        allowed=OWNERS,
        state=lambda ctx: sorted(Suggestion.objects.values_list("member_ids", "status")),
        setup=lambda ctx: [give_feedback(SYSTEM, text=t, product="orders") for t in DARK] and None,
    ),
    FormCase(
        id="loopdesk-suggestion-accept",
        url_name="web:suggestion-accept",
        url=lambda ctx: f"/suggestions/{ctx.objs['suggestion'].pk}/accept/",
        data={},
        allowed=OWNERS,
        state=_suggestions,
        setup=_suggested,
    ),
    FormCase(
        id="loopdesk-suggestion-edit-accept",
        url_name="web:suggestion-accept",
        url=lambda ctx: f"/suggestions/{ctx.objs['suggestion'].pk}/accept/",
        data=lambda ctx: {
            "edited": "1",
            "title": "The order page is too bright at night",
            "member": [str(m) for m in ctx.objs["suggestion"].member_ids][:2],
        },
        allowed=OWNERS,
        state=_suggestions,
        setup=_suggested,
        text_fields=("title",),
        shows_text_at=_latest_pattern_page,
    ),
    FormCase(
        id="loopdesk-suggestion-dismiss",
        url_name="web:suggestion-dismiss",
        url=lambda ctx: f"/suggestions/{ctx.objs['suggestion'].pk}/dismiss/",
        data={"reason": "Not a problem we solve"},
        allowed=OWNERS,
        state=_suggestions,
        setup=_suggested,
        text_fields=("reason",),
        shows_text_at=lambda ctx: ["/suggestions/?show=dismissed"],
    ),
]
