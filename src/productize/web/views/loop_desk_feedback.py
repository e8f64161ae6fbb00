"""Giving feedback: on a product (signed in), without a product (triage routes it), and the
public per-product form for people who are not signed in (PRODUCTIZE_PUBLIC_FEEDBACK=1).

Every item goes through the intake's `give_feedback`, which checks permission and audits.
The public form is rate limited per address with accounts/ratelimit.py and has a honeypot.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from productize.accounts.middleware import request_id
from productize.accounts.ratelimit import client_ip, minutes_blocked, record_failure
from productize.audit.services import Actor
from productize.catalog.models import Product
from productize.loop.intake import give_feedback
from productize.loop.models import Feedback

PUBLIC_LIMIT_KEY = "~public-feedback"  # not a possible username: shares no sign-in counter
LIMITS = {"title": 500, "text": 20_000, "author": 200, "author_contact": 320}


def actor_of(request: HttpRequest) -> Actor:
    """Who is acting: the signed-in person, or the anonymous visitor."""
    return Actor.for_user(request.user, request_id=request_id(request))


# --- giving feedback --------------------------------------------------------------------------


def _feedback_values(request: HttpRequest, *, public: bool = False) -> dict[str, str]:
    values = {
        "title": request.POST.get("title", "").strip(),
        "text": request.POST.get("text", "").strip(),
        "interface": request.POST.get("interface", "").strip(),
    }
    if public:
        values["author"] = request.POST.get("author", "").strip()
        values["author_contact"] = request.POST.get("author_contact", "").strip()
    return values


def _check(values: dict[str, str]) -> dict[str, str]:
    errors = {}
    if not values["text"]:
        errors["text"] = "Write what happened or what you need: a sentence or two is enough."
    for name, limit in LIMITS.items():
        if len(values.get(name, "")) > limit:
            errors[name] = f"At most {limit:,} characters (this has {len(values[name]):,})."
    return errors


def _give(
    request: HttpRequest, values: dict[str, str], *, product: Product | None, source: str
) -> tuple[Feedback | None, dict[str, str]]:
    """Give the feedback through the intake; (item, {}) or (None, field errors)."""
    errors = _check(values)
    if errors:
        return None, errors
    interface = values.get("interface") or None
    try:
        item = give_feedback(
            actor_of(request),
            text=values["text"],
            title=values["title"],
            product=product,
            interface=f"{product.slug}/{interface}" if product and interface else None,
            author=values.get("author", ""),
            author_contact=values.get("author_contact", ""),
            source=source,
        )
    except ValidationError as error:
        found = getattr(error, "message_dict", {"text": error.messages})
        return None, {k if k in values else "text": " ".join(v) for k, v in found.items()}
    return item, {}


def product_or_404(slug: str) -> Product:
    """The product with this id, or a 404 page."""
    product = Product.objects.select_related("loop").filter(slug=slug).first()
    if product is None:
        raise Http404(f"No product with the id `{slug}`.")
    return product


def _interfaces(product: Product) -> list[tuple[str, str]]:
    return list(product.interfaces.order_by("position", "name").values_list("name", "ref"))


@require_http_methods(["GET", "POST"])
def feedback_product(request: HttpRequest, slug: str) -> HttpResponse:
    """Feedback on one product from a signed-in person (the product page's form posts here)."""
    product = product_or_404(slug)
    if not request.user.is_authenticated:
        if request.method == "POST":
            raise PermissionDenied("Sign in to give feedback.")
        if settings.PUBLIC_FEEDBACK:
            return redirect("web:feedback-public", slug=product.slug)
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
    values = {"title": "", "text": "", "interface": request.GET.get("interface", "")}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = _feedback_values(request)
        item, errors = _give(request, values, product=product, source="web-form")
        if item is not None:
            thanks = f"Thank you: your feedback reached the owners of {product.name}."
            if request.htmx:  # type: ignore[attr-defined]
                return render(
                    request,
                    "web/loopdesk/product_slot.html",
                    _slot_context(request, product, thanks=thanks, given=item),
                )
            messages.success(request, thanks)
            return redirect(reverse("web:product", args=[product.slug]) + "#give-feedback")
        if request.htmx:  # type: ignore[attr-defined]
            context = _slot_context(request, product, values=values, errors=errors)
            return render(request, "web/loopdesk/product_slot.html", context)
    context = {
        "product": product,
        "values": values,
        "errors": errors,
        "interfaces": _interfaces(product),
        "action": reverse("web:feedback-give", args=[product.slug]),
    }
    status = 422 if errors else 200
    return render(request, "web/loopdesk/feedback_page.html", context, status=status)


def _slot_context(
    request: HttpRequest,
    product: Product,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    thanks: str = "",
    given: Feedback | None = None,
) -> dict[str, Any]:
    return {
        "product": product,
        "signed_in": request.user.is_authenticated,
        "public": bool(settings.PUBLIC_FEEDBACK),
        "values": values or {"title": "", "text": "", "interface": ""},
        "errors": errors or {},
        "interfaces": _interfaces(product),
        "thanks": thanks,
        "given": given,
        "request": request,
    }


@login_required
@require_http_methods(["GET", "POST"])
def feedback_new(request: HttpRequest) -> HttpResponse:
    """Feedback without a product: it lands in triage, where an owner routes it."""
    values = {"title": "", "text": ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = _feedback_values(request)
        item, errors = _give(request, values, product=None, source="web-form")
        if item is not None:
            messages.success(
                request,
                "Thank you: your feedback is in the triage inbox; an owner will route it to "
                "the product it is about.",
            )
            return redirect("web:feedback-new")
    context: dict[str, Any] = {
        "product": None,
        "values": values,
        "errors": errors,
        "interfaces": [],
        "action": reverse("web:feedback-new"),
    }
    return render(
        request, "web/loopdesk/feedback_page.html", context, status=422 if errors else 200
    )


@require_http_methods(["GET", "POST"])
def feedback_public(request: HttpRequest, slug: str) -> HttpResponse:
    """The public form for people who are not signed in (when the organisation allows it).

    Someone who signs in on another tab before sending is not turned away: the item is
    given as them (the intake names them as its author).
    """
    if not settings.PUBLIC_FEEDBACK:
        raise Http404("The public feedback form is not turned on.")
    product = product_or_404(slug)
    if request.user.is_authenticated and request.method == "GET":
        return redirect("web:feedback-give", slug=product.slug)
    values = {"title": "", "text": "", "author": "", "author_contact": "", "interface": ""}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        ip = client_ip(request)
        wait = minutes_blocked(PUBLIC_LIMIT_KEY, ip)
        if wait:
            context = {"product": product, "wait": wait}
            return render(request, "web/loopdesk/public_limited.html", context, status=429)
        values = _feedback_values(request, public=True)
        if request.POST.get("website"):
            # Only robots fill the hidden field: thank them and keep nothing.
            record_failure(PUBLIC_LIMIT_KEY, ip)
            return redirect(reverse("web:feedback-public", args=[product.slug]) + "?sent=1")
        item, errors = _give(request, values, product=product, source="public-form")
        if item is not None:
            record_failure(PUBLIC_LIMIT_KEY, ip)  # every item counts toward the limit
            return redirect(reverse("web:feedback-public", args=[product.slug]) + "?sent=1")
        status = 422
    context = {
        "product": product,
        "values": values,
        "errors": errors,
        "interfaces": _interfaces(product),
        "sent": request.GET.get("sent") == "1" and request.method == "GET",
    }
    return render(request, "web/loopdesk/public_form.html", context, status=status)
