"""The loop desk: giving feedback, the triage inbox, suggestions, My loop, the organisation view.

Reads go through `web.loopdesk_reads` / `web.loopdesk_overview`; every write calls the loop's
intake, services or suggestions, which check permission and audit. Buttons are shown only to
the people the services accept (see `loopdesk_reads.Scope`); a forged post gets the service's
PermissionDenied (a 403 page) and changes nothing.

Triage and suggestion actions answer an htmx request with the updated row alone and a plain
form post with a redirect back to where the person was, so every action works without
JavaScript. Who may triage what:

* an item routed to a product: the owners of that product (and admins) — they may route it
  anywhere, link it to any open pattern or start a new pattern from it;
* an item not routed yet: the owners of its channel (a loop's or a product's) and admins, as
  above; besides them, any product owner may claim it for a product of their own;
* the owner named on a pattern may link feedback to that pattern.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from productize.accounts.permissions import FEEDBACK_TRIAGE
from productize.catalog.models import Product
from productize.loop import services
from productize.loop.models import Feedback, Pattern, Suggestion, SuggestionStatus
from productize.loop.services import LoopError
from productize.loop.suggestions import (
    accept_suggestion,
    dismiss_suggestion,
    refresh_suggestions,
)
from productize.web import loopdesk_myloop, loopdesk_overview, loopdesk_reads
from productize.web.loopdesk_reads import Scope, TriageFilters, scope_for
from productize.web.views.common import page_request, pagination, with_query
from productize.web.views.loop_desk_feedback import (
    actor_of,
    feedback_new,
    feedback_product,
    feedback_public,
    product_or_404,
)

TRIAGE_PAGE = 20
SUGGESTION_PAGE = 10


def _back(request: HttpRequest, fallback: str) -> str:
    """Where to return after a plain form post: `next` when it is a local path."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError) and hasattr(error, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
    return str(getattr(error, "message", None) or error)


# --- the triage inbox -------------------------------------------------------------------------


def _triage_context(request: HttpRequest, scope: Scope) -> dict[str, Any]:
    filters = TriageFilters.from_query(request.GET)
    qs = loopdesk_reads.triage_queryset(filters, scope)
    from productize.catalog.selectors.paging import paginate

    page = paginate(qs, page_request(request, size=TRIAGE_PAGE))
    items = list(page.items)
    options = loopdesk_reads.triage_options(scope, items)
    path_ = reverse("web:triage")
    products, channels = loopdesk_reads.triage_facets(filters)
    rows = [loopdesk_reads.triage_row(item, scope, options) for item in items]
    by_id = any(row.route_by_id for row in rows)
    return {
        "filters": filters,
        "page": page,
        "rows": rows,
        "route_datalist": options.all_products[: loopdesk_reads.ROUTE_LIMIT] if by_id else [],
        "pagination": pagination(page, path_, filters.params()),
        "channels": channels,
        "products": products,
        "here": with_query(
            path_, [*filters.params(), *([("page", str(page.page))] if page.page > 1 else [])]
        ),
        "scope": scope,
        "states": [
            ("untriaged", "Not in a pattern"),
            ("unrouted", "Not routed"),
            ("unpatterned", "Routed, not in a pattern"),
        ],
    }


@login_required
@require_GET
def triage(request: HttpRequest) -> HttpResponse:
    """Feedback no pattern claims yet, newest first, with one-click routing and linking."""
    return render(
        request, "web/loopdesk/triage.html", _triage_context(request, scope_for(request.user))
    )


def _row_response(
    request: HttpRequest, item: Feedback, *, done: str = "", error: str = ""
) -> HttpResponse:
    """The htmx answer: the item's row, as it is now."""
    scope = scope_for(request.user)
    item = Feedback.objects.select_related("channel", "product", "interface").get(pk=item.pk)
    options = loopdesk_reads.triage_options(scope, [item])
    context = {
        "row": loopdesk_reads.triage_row(item, scope, options),
        "done": done,
        "error": error,
        "here": _back(request, reverse("web:triage")),
        "patterns_of_item": list(item.patterns.values_list("pk", "title")),
    }
    return render(request, "web/loopdesk/_triage_row.html", context)


def _finish(
    request: HttpRequest, item: Feedback, *, done: str = "", error: str = ""
) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return _row_response(request, item, done=done, error=error)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect(_back(request, reverse("web:triage")))


@login_required
@require_POST
def triage_route(request: HttpRequest, pk: int) -> HttpResponse:
    """Route an item to a product (and one of its interfaces)."""
    item = get_object_or_404(Feedback.objects.select_related("product", "channel"), pk=pk)
    slug = request.POST.get("product", "").strip()
    interface = request.POST.get("interface", "").strip()
    product = Product.objects.filter(slug=slug).first() if slug else None
    if product is None:
        wanted = f"There is no product with the id `{slug}`." if slug else ""
        return _finish(request, item, error=wanted or "Choose the product this feedback is about.")
    if interface and not interface.startswith(f"{product.slug}/"):
        interface = ""  # an interface of the product it was routed to before: not this one
    try:
        services.route_feedback(actor_of(request), item, product, interface or None)
    except LoopError as error:
        return _finish(request, item, error=_error_text(error))
    return _finish(request, item, done=f"Routed to {product.name}.")


@login_required
@require_POST
def triage_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Link an item to an existing pattern."""
    item = get_object_or_404(Feedback.objects.select_related("product", "channel"), pk=pk)
    raw = request.POST.get("pattern", "")
    pattern = Pattern.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if pattern is None:
        return _finish(request, item, error="Choose the pattern this feedback belongs to.")
    services.link_feedback(actor_of(request), item, pattern)
    return _finish(request, item, done=f"Linked to “{pattern.title}”.")


@login_required
@require_POST
def triage_new_pattern(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a new pattern from an item (its problem statement), and link the item to it."""
    item = get_object_or_404(Feedback.objects.select_related("product", "channel"), pk=pk)
    actor = actor_of(request)
    if not actor.can(FEEDBACK_TRIAGE, item):
        raise PermissionDenied(
            "Only those who may triage this feedback may start a pattern from it."
        )
    title = request.POST.get("title", "").strip()
    if not title:
        return _finish(request, item, error="Write the problem statement of the new pattern.")
    person = scope_for(request.user).person
    try:
        with transaction.atomic():
            pattern = services.create_pattern(
                actor,
                title=title,
                owner=person,
                products=[item.product] if item.product is not None else [],
                reason=f"started from feedback {item.pk} in triage",
            )
            services.link_feedback(actor, item, pattern)
    except LoopError as error:
        return _finish(request, item, error=_error_text(error))
    return _finish(request, item, done=f"New pattern “{pattern.title}” started from this feedback.")


# --- suggestions ------------------------------------------------------------------------------


@login_required
@require_GET
def suggestions(request: HttpRequest) -> HttpResponse:
    """What the system proposes: new patterns from similar feedback, and links to patterns."""
    from productize.catalog.selectors.paging import paginate

    scope = scope_for(request.user)
    show = request.GET.get("show", "open")
    status = SuggestionStatus.DISMISSED if show == "dismissed" else SuggestionStatus.OPEN
    product = str(request.GET.get("product", ""))[:100]
    mine = request.GET.get("mine") == "1"
    qs = loopdesk_reads.suggestions_queryset(status=status, product=product, scope=scope, mine=mine)
    page = paginate(qs, page_request(request, size=SUGGESTION_PAGE))
    params = [
        (k, v)
        for k, v in (
            ("show", show if show == "dismissed" else ""),
            ("product", product),
            ("mine", "1" if mine else ""),
        )
        if v
    ]
    path_ = reverse("web:suggestions")
    context = {
        "page": page,
        "rows": loopdesk_reads.suggestion_rows(list(page.items), scope),
        "pagination": pagination(page, path_, params),
        "show": show,
        "product": product,
        "mine": mine,
        "scope": scope,
        "here": with_query(path_, params),
        "owned_products": loopdesk_reads.product_choices(scope.products())
        if scope.owns_anything or scope.admin
        else [],
        "open_count": Suggestion.objects.filter(status=SuggestionStatus.OPEN).count(),
        "dismissed_count": Suggestion.objects.filter(status=SuggestionStatus.DISMISSED).count(),
    }
    return render(request, "web/loopdesk/suggestions.html", context)


@login_required
@require_POST
def suggestions_refresh(request: HttpRequest) -> HttpResponse:
    """Ask for fresh suggestions for one product (its owners) or everyone's (admins)."""
    slug = request.POST.get("product", "").strip()
    product = product_or_404(slug) if slug else None
    outcome = refresh_suggestions(actor_of(request), product=product)
    where = product.name if product else "the whole organisation"
    messages.success(
        request,
        f"Looked at {outcome.items} feedback items not in a pattern for {where}: "
        f"{outcome.patterns} new pattern{'s' if outcome.patterns != 1 else ''} and "
        f"{outcome.links} link{'s' if outcome.links != 1 else ''} proposed"
        + (f"; {outcome.hidden} like ones dismissed before stay hidden" if outcome.hidden else "")
        + ".",
    )
    return redirect(_back(request, reverse("web:suggestions")))


def _suggestion(pk: int) -> Suggestion:
    return get_object_or_404(Suggestion.objects.select_related("product", "pattern"), pk=pk)


def _decided(
    request: HttpRequest, suggestion: Suggestion, text: str, url: str = ""
) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        context = {"suggestion": suggestion, "text": text, "url": url}
        return render(request, "web/loopdesk/_suggestion_done.html", context)
    messages.success(request, text)
    return redirect(url or _back(request, reverse("web:suggestions")))


@login_required
@require_POST
def suggestion_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept a suggestion as proposed (or with the edit form's title and members)."""
    suggestion = _suggestion(pk)
    title = request.POST.get("title")
    members = request.POST.getlist("member") if "edited" in request.POST else None
    try:
        pattern = accept_suggestion(
            actor_of(request),
            suggestion,
            title=title.strip() if title is not None and title.strip() else None,
            member_ids=[int(m) for m in members if m.isdigit()] if members is not None else None,
        )
    except LoopError as error:
        messages.error(request, _error_text(error))
        return redirect(reverse("web:suggestion-edit", args=[suggestion.pk]))
    url = reverse("web:pattern", args=[pattern.pk])
    verb = "Linked to" if suggestion.kind == "link" else "New pattern"
    return _decided(
        request, suggestion, f"{verb} “{pattern.title}”.", url if "edited" in request.POST else ""
    )


@login_required
@require_GET
def suggestion_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a proposed pattern (its title and members) before accepting it."""
    suggestion = _suggestion(pk)
    scope = scope_for(request.user)
    row = loopdesk_reads.suggestion_rows([suggestion], scope)[0]
    if not row.may_decide:
        raise PermissionDenied("Only the owners of its product may decide this suggestion.")
    return render(request, "web/loopdesk/suggestion_edit.html", {"row": row})


@login_required
@require_POST
def suggestion_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    """Dismiss a suggestion, with an optional reason; the same group is not proposed again."""
    suggestion = _suggestion(pk)
    reason = request.POST.get("reason", "").strip()
    try:
        dismiss_suggestion(actor_of(request), suggestion, reason=reason)
    except LoopError as error:
        messages.error(request, _error_text(error))
        return redirect(_back(request, reverse("web:suggestions")))
    return _decided(request, suggestion, "Dismissed; it will not be proposed again.")


# --- My loop and the organisation view --------------------------------------------------------


@login_required
@require_GET
def my_loop(request: HttpRequest) -> HttpResponse:
    """Everything that waits on me across the products I own."""
    scope = scope_for(request.user)
    context = {"scope": scope, "loop": loopdesk_myloop.my_loop(scope) if scope.person else None}
    return render(request, "web/loopdesk/my_loop.html", context)


def _choice(value: Any, allowed: tuple[int, ...], default: int) -> int:
    return int(value) if str(value).isdigit() and int(value) in allowed else default


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """The organisation's loop: where feedback piles up, unclaimed patterns, quiet products."""
    days = _choice(request.GET.get("days"), loopdesk_overview.WINDOW_DAYS, 90)
    weeks = _choice(
        request.GET.get("quiet"), loopdesk_overview.QUIET_CHOICES, loopdesk_overview.QUIET_WEEKS
    )
    context = {
        "o": loopdesk_overview.overview(days=days, quiet_weeks=weeks),
        "windows": loopdesk_overview.WINDOW_DAYS,
        "quiet_choices": loopdesk_overview.QUIET_CHOICES,
    }
    return render(request, "web/loopdesk/overview.html", context)


urlpatterns = [
    path("feedback/", overview, name="feedback-overview"),
    path("feedback/new/", feedback_new, name="feedback-new"),
    path("feedback/public/<slug:slug>/", feedback_public, name="feedback-public"),
    path("products/<slug:slug>/feedback/", feedback_product, name="feedback-give"),
    path("triage/", triage, name="triage"),
    path("triage/<int:pk>/route/", triage_route, name="triage-route"),
    path("triage/<int:pk>/link/", triage_link, name="triage-link"),
    path("triage/<int:pk>/new-pattern/", triage_new_pattern, name="triage-new-pattern"),
    path("suggestions/", suggestions, name="suggestions"),
    path("suggestions/refresh/", suggestions_refresh, name="suggestions-refresh"),
    path("suggestions/<int:pk>/accept/", suggestion_accept, name="suggestion-accept"),
    path("suggestions/<int:pk>/edit/", suggestion_edit, name="suggestion-edit"),
    path("suggestions/<int:pk>/dismiss/", suggestion_dismiss, name="suggestion-dismiss"),
    path("my-loop/", my_loop, name="my-loop"),
]
