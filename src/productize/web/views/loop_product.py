"""A product's loop tab and roadmap board (reads through loop_reads, writes through services).

Every POST asks the same permission question the service asks before anything else, so a
person who may not gets a 403 page and nothing changes; the service checks again and audits.
Roadmap moves answer an htmx request with the board alone and a plain form post with a
redirect back to the card, so the board works without JavaScript.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST

from productize.accounts.permissions import PROPOSE, ROADMAP_EDIT
from productize.audit.services import Actor
from productize.catalog.models import Product
from productize.loop import services
from productize.loop.models import RoadmapEntry
from productize.loop.services.common import LoopError
from productize.web import loop_board, loop_reads
from productize.web.views import loop_items
from productize.web.views.loop_items import actor_of


def _product(slug: str) -> Product:
    product = Product.objects.select_related("loop").filter(slug=slug).first()
    if product is None:
        raise Http404(f"No product with the id `{slug}`.")
    return product


@require_GET
def product_loop(request: HttpRequest, slug: str) -> HttpResponse:
    """The loop tab: channels, feedback trend, recent feedback, patterns, improvements, roadmap."""
    product = _product(slug)
    actor = actor_of(request)
    tab = loop_reads.loop_tab(product)
    context = {
        "product": product,
        "tab": "loop",
        "numbers": tab.numbers,
        "trend": tab.trend,
        "trend_weeks": loop_reads.TREND_WEEKS,
        "channels": tab.channels,
        "recent_feedback": tab.recent_feedback,
        "patterns": tab.patterns,
        "pattern_count": tab.pattern_count,
        "improvement_groups": tab.improvement_groups,
        "roadmap": tab.roadmap,
        "may_propose": actor.can(PROPOSE),
    }
    return render(request, "web/loop/loop_tab.html", context)


@require_GET
def product_loop_panel(request: HttpRequest, slug: str) -> HttpResponse:
    """The loop section of the product page, loaded after the page by htmx."""
    product = _product(slug)
    summary = loop_reads.loop_summary(product)
    context = {
        "product": product,
        "numbers": summary.numbers,
        "patterns": summary.patterns,
        "now": summary.now,
    }
    return render(request, "web/loop/product_panel.html", context)


def _board_context(request: HttpRequest, product: Product, **extra: Any) -> dict[str, Any]:
    actor = actor_of(request)
    may_edit = actor.can(ROADMAP_EDIT, product)
    return {
        "product": product,
        "tab": "roadmap",
        "board": loop_board.roadmap_board(product),
        "may_edit": may_edit,
        "may_propose": actor.can(PROPOSE),
        "unplaced": loop_board.unplaced_improvements(product) if may_edit else [],
        **extra,
    }


@require_GET
def product_roadmap(request: HttpRequest, slug: str) -> HttpResponse:
    """The roadmap board: now / next / later, ordered, with rationale and priority."""
    product = _product(slug)
    return render(request, "web/loop/roadmap.html", _board_context(request, product))


def _entry(product: Product, entry_id: int) -> RoadmapEntry:
    return get_object_or_404(
        RoadmapEntry.objects.select_related("improvement", "product"),
        pk=entry_id,
        product=product,
    )


def _require(actor: Actor, permission: str, obj: object) -> None:
    if not actor.can(permission, obj):
        raise PermissionDenied("Only the product's owners change its roadmap.")


def _board_answer(
    request: HttpRequest, product: Product, entry_id: int, error: str = ""
) -> HttpResponse:
    if request.headers.get("HX-Request"):
        context = _board_context(request, product, moved=entry_id, board_error=error)
        return render(request, "web/loop/_board.html", context)
    if error:
        messages.error(request, error)
    return redirect(reverse("web:product-roadmap", args=[product.slug]) + f"#card-{entry_id}")


@require_POST
def roadmap_move(request: HttpRequest, slug: str, entry_id: int) -> HttpResponse:
    """Move a card up or down in its column, or to another column (appended at its end)."""
    product = _product(slug)
    actor = actor_of(request)
    _require(actor, ROADMAP_EDIT, product)
    entry = _entry(product, entry_id)
    target = loop_board.move_target(entry, request.POST.get("to", ""))
    if target is None:
        return _board_answer(request, product, entry_id, "That move is not possible.")
    column, position = target
    try:
        services.move_on_roadmap(actor, entry, column, position)
    except LoopError as error:
        return _board_answer(request, product, entry_id, error.message)
    return _board_answer(request, product, entry_id)


@require_POST
def roadmap_override(request: HttpRequest, slug: str, entry_id: int) -> HttpResponse:
    """Set or clear the owner's priority override (with a reason)."""
    product = _product(slug)
    actor = actor_of(request)
    _require(actor, ROADMAP_EDIT, product)
    entry = _entry(product, entry_id)
    reason = request.POST.get("reason", "")
    value: float | None = None
    if not request.POST.get("clear"):
        try:
            value = float(request.POST.get("score", "").strip())
        except ValueError:
            messages.error(request, "Override score: write a number, such as 12.5.")
            return redirect(reverse("web:product-roadmap", args=[slug]) + f"#card-{entry_id}")
    try:
        services.override_priority(actor, entry, value, reason=reason)
    except LoopError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            "Override cleared: the computed score orders it again."
            if value is None
            else f"Score overridden to {value:g}.",
        )
    return redirect(reverse("web:product-roadmap", args=[slug]) + f"#card-{entry_id}")


@require_POST
def roadmap_rationale(request: HttpRequest, slug: str, entry_id: int) -> HttpResponse:
    """Rewrite why an improvement sits where it does."""
    product = _product(slug)
    actor = actor_of(request)
    _require(actor, ROADMAP_EDIT, product)
    entry = _entry(product, entry_id)
    try:
        services.move_on_roadmap(actor, entry, rationale=request.POST.get("rationale", ""))
    except LoopError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Rationale saved.")
    return redirect(reverse("web:product-roadmap", args=[slug]) + f"#card-{entry_id}")


@require_POST
def roadmap_remove(request: HttpRequest, slug: str, entry_id: int) -> HttpResponse:
    """Take an improvement off the roadmap (the improvement stays)."""
    product = _product(slug)
    actor = actor_of(request)
    _require(actor, ROADMAP_EDIT, product)
    entry = _entry(product, entry_id)
    services.remove_from_roadmap(actor, entry)
    messages.success(request, f"“{entry.improvement.title}” is off the roadmap.")
    return redirect("web:product-roadmap", slug)


@require_POST
def roadmap_place(request: HttpRequest, slug: str) -> HttpResponse:
    """Put one of the product's improvements on its roadmap, at the end of a column."""
    product = _product(slug)
    actor = actor_of(request)
    _require(actor, ROADMAP_EDIT, product)
    improvement = loop_board.improvement_of_product(product, request.POST.get("improvement"))
    column = request.POST.get("column", "")
    if improvement is None or column not in {key for key, _, _ in loop_board.COLUMNS}:
        messages.error(request, "Choose one of the product's improvements and a column.")
        return redirect("web:product-roadmap", slug)
    try:
        entry = services.place_on_roadmap(
            actor,
            product,
            improvement,
            column=column,
            position=None,  # the end of the column
            rationale=request.POST.get("rationale", ""),
        )
    except LoopError as error:
        messages.error(request, error.message)
        return redirect("web:product-roadmap", slug)
    messages.success(request, f"“{improvement.title}” is on the roadmap under {column}.")
    return redirect(reverse("web:product-roadmap", args=[slug]) + f"#card-{entry.pk}")


urlpatterns = [
    path("products/<slug:slug>/loop/", product_loop, name="product-loop"),
    path("products/<slug:slug>/loop/panel/", product_loop_panel, name="product-loop-panel"),
    path("products/<slug:slug>/roadmap/", product_roadmap, name="product-roadmap"),
    path("products/<slug:slug>/roadmap/place/", roadmap_place, name="roadmap-place"),
    path("products/<slug:slug>/roadmap/<int:entry_id>/move/", roadmap_move, name="roadmap-move"),
    path(
        "products/<slug:slug>/roadmap/<int:entry_id>/rationale/",
        roadmap_rationale,
        name="roadmap-rationale",
    ),
    path(
        "products/<slug:slug>/roadmap/<int:entry_id>/remove/",
        roadmap_remove,
        name="roadmap-remove",
    ),
    path(
        "products/<slug:slug>/roadmap/<int:entry_id>/override/",
        roadmap_override,
        name="roadmap-override",
    ),
    *loop_items.urlpatterns,
]
