"""Template helpers of the loop desk: the feedback form slot on the product page."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

register = template.Library()


@register.inclusion_tag("web/loopdesk/product_slot.html", takes_context=True)
def feedback_slot(context: template.Context, product: Any) -> dict[str, Any]:
    """The product page's "Give feedback" card: the form when signed in, else where to go.

    Anonymous pages are cached (web.page_cache), so for them the card holds links only (no
    CSRF token): to the public form when the organisation allows it, else to sign in.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    interfaces: list[tuple[str, str]] = []
    if signed_in:
        interfaces = list(
            product.interfaces.order_by("position", "name").values_list("name", "ref")
        )
    return {
        "product": product,
        "signed_in": signed_in,
        "public": bool(getattr(settings, "PUBLIC_FEEDBACK", False)),
        "values": {"title": "", "text": "", "interface": ""},
        "errors": {},
        "interfaces": interfaces,
        "thanks": "",
        "given": None,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "messages": context.get("messages"),
    }
