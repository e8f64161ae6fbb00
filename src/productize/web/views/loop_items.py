"""Pattern and improvement pages, their owner actions, and the forms that propose new ones.

Anyone signed in may propose; the owners decide. Each POST checks the permission the
service checks (403 and nothing written for anyone else), then calls the service; a refused
input comes back on the same page with the message and what was typed kept.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from productize.accounts.middleware import request_id
from productize.accounts.permissions import IMPROVEMENT_EDIT, LOOP_EDIT, PROPOSE
from productize.audit.services import Actor
from productize.loop import services
from productize.loop.models import Improvement, Milestone, Pattern
from productize.loop.services.common import LoopError
from productize.web import loop_forms as forms
from productize.web import loop_items_reads as reads
from productize.web.views.common import page_request, pagination

FEEDBACK_PAGE = 20


def actor_of(request: HttpRequest) -> Actor:
    """The signed-in person (or anonymous reader) making this request."""
    return Actor.for_user(request.user, request_id=request_id(request))


def _require(actor: Actor, permission: str, obj: object, what: str) -> None:
    if not actor.can(permission, obj):
        raise PermissionDenied(f"Only the owners of its products may {what}.")


def _pk_or_404(model: type, pk: int) -> Any:
    found = model.objects.filter(pk=pk).first()  # type: ignore[attr-defined]
    if found is None:
        raise Http404(f"No {model.__name__.lower()} #{pk}.")
    return found


# --- pattern ---------------------------------------------------------------------------------


def _pattern_context(request: HttpRequest, pk: int, **extra: Any) -> dict[str, Any]:
    actor = actor_of(request)
    view = reads.pattern_view(pk, home=request.GET.get("product", ""))
    if view is None:
        raise Http404(f"No pattern #{pk}.")
    page = reads.linked_feedback(view.model, page_request(request, size=FEEDBACK_PAGE))
    may_decide = actor.can(LOOP_EDIT, view.model)
    moves = reads.moves_for(view.status, machine="pattern") if may_decide else []
    kept = [(k, v) for k, v in request.GET.items() if isinstance(v, str)]
    context: dict[str, Any] = {
        "pattern": view,
        "home_product": view.home_product,
        "weight": view.weight,
        "weight_terms": reads.weight_terms(view.weight),
        "feedback_page": page.page,
        "feedback_rows": page.rows,
        "feedback_pagination": pagination(page.page, request.path, kept),
        "improvements": view.improvements,
        "related": view.related,
        "moves": moves,
        "reason_needed": any(m.reason_required for m in moves),
        "may_decide": may_decide,
        "may_propose": actor.can(PROPOSE),
        "edit": forms.PatternEdit.of(view.model) if may_decide else None,
        **reads.verification_context(view.model),
        **extra,
    }
    edit = context["edit"]
    context["edit_rows"] = edit.rows() if edit is not None else []
    return context


@require_GET
def pattern_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A pattern: problem, workaround, weight explained, status moves, evidence, feedback."""
    return render(request, "web/loop/pattern.html", _pattern_context(request, pk))


@require_POST
def pattern_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the statement, workaround, owner, products, interfaces or related patterns."""
    pattern = _pk_or_404(Pattern, pk)
    actor = actor_of(request)
    _require(actor, LOOP_EDIT, pattern, "edit this pattern")
    edit = forms.PatternEdit.from_post(request.POST)
    try:
        services.update_pattern(actor, pattern, **edit.service_arguments())
    except LoopError as error:
        edit.fail(error)
        context = _pattern_context(request, pk, edit=edit)
        return render(request, "web/loop/pattern.html", context, status=400)
    messages.success(request, "Pattern saved.")
    return redirect("web:pattern", pk)


@require_POST
def pattern_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a pattern to another status (owners; a reason where the domain needs one)."""
    pattern = _pk_or_404(Pattern, pk)
    actor = actor_of(request)
    _require(actor, LOOP_EDIT, pattern, "move this pattern")
    status = request.POST.get("status", "")
    try:
        services.move_pattern(actor, pattern, status, reason=request.POST.get("reason") or None)
    except LoopError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Moved to “{reads.status_label(status)}”.")
    return redirect("web:pattern", pk)


# --- improvement -----------------------------------------------------------------------------


def _improvement_context(request: HttpRequest, pk: int, **extra: Any) -> dict[str, Any]:
    actor = actor_of(request)
    view = reads.improvement_view(pk, home=request.GET.get("product", ""))
    if view is None:
        raise Http404(f"No improvement #{pk}.")
    may_edit = actor.can(IMPROVEMENT_EDIT, view.model)
    moves = reads.moves_for(view.status, machine="improvement") if may_edit else []
    return {
        "improvement": view,
        "home_product": view.home_product,
        "progress": view.progress,
        "milestones": view.milestones,
        "patterns": view.patterns,
        "people": view.people,
        "spec_missing": view.spec_missing,
        "moves": moves,
        "final": not reads.moves_for(view.status, machine="improvement"),
        "reason_needed": any(m.reason_required for m in moves),
        "may_edit": may_edit,
        "roles": reads.role_choices(view) if may_edit else [],
        "person_options": reads.person_options(view) if may_edit else [],
        **extra,
    }


@require_GET
def improvement_page(request: HttpRequest, pk: int) -> HttpResponse:
    """An improvement: specification, status, milestones and progress, patterns, people."""
    return render(request, "web/loop/improvement.html", _improvement_context(request, pk))


def _owner_post(request: HttpRequest, pk: int, what: str) -> tuple[Actor, Improvement]:
    improvement = _pk_or_404(Improvement, pk)
    actor = actor_of(request)
    _require(actor, IMPROVEMENT_EDIT, improvement, what)
    return actor, improvement


def _back(pk: int, anchor: str = "") -> HttpResponse:
    return redirect(reverse("web:improvement", args=[pk]) + (f"#{anchor}" if anchor else ""))


@require_POST
def improvement_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move an improvement to another status (completing it closes the loop)."""
    actor, improvement = _owner_post(request, pk, "move this improvement")
    status = request.POST.get("status", "")
    try:
        services.move_improvement(
            actor, improvement, status, reason=request.POST.get("reason") or None
        )
    except LoopError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Moved to “{reads.status_label(status)}”.")
    return _back(pk)


@require_POST
def improvement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the title and the specification."""
    actor, improvement = _owner_post(request, pk, "edit this improvement")
    try:
        services.update_improvement(
            actor,
            improvement,
            title=request.POST.get("title", ""),
            specification=request.POST.get("specification", ""),
        )
    except LoopError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Specification saved.")
    return _back(pk, "spec")


@require_POST
def improvement_estimates(request: HttpRequest, pk: int) -> HttpResponse:
    """Set (or clear, when left empty) the effort and confidence estimates behind the priority."""
    actor, improvement = _owner_post(request, pk, "estimate this improvement")
    try:
        services.update_improvement(actor, improvement, **forms.estimates_input(request.POST))
    except LoopError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Estimates saved; the roadmap's score follows them.")
    return _back(pk, "estimates-heading")


@require_POST
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a milestone at the end (MVP or stretch, with a due date and dependencies)."""
    actor, improvement = _owner_post(request, pk, "add milestones")
    try:
        services.add_milestone(actor, improvement, **forms.milestone_input(request.POST))
    except (LoopError, ValueError) as error:
        message = error.message if isinstance(error, LoopError) else str(error)
        context = _improvement_context(request, pk, milestone_errors=[message])
        return render(request, "web/loop/improvement.html", context, status=400)
    messages.success(request, "Milestone added.")
    return _back(pk, "milestones")


def _milestone(improvement: Improvement, milestone_id: int) -> Milestone:
    found = Milestone.objects.filter(pk=milestone_id, improvement=improvement).first()
    if found is None:
        raise Http404(f"No milestone #{milestone_id} on this improvement.")
    return found


@require_POST
def milestone_complete(request: HttpRequest, pk: int, milestone_id: int) -> HttpResponse:
    """Mark a milestone done."""
    actor, improvement = _owner_post(request, pk, "complete milestones")
    milestone = _milestone(improvement, milestone_id)
    try:
        services.complete_milestone(actor, milestone)
    except LoopError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"“{milestone.title}” is done.")
    return _back(pk, f"milestone-{milestone_id}")


@require_POST
def milestone_move(request: HttpRequest, pk: int, milestone_id: int) -> HttpResponse:
    """Move a milestone one place up or down."""
    actor, improvement = _owner_post(request, pk, "reorder milestones")
    milestone = _milestone(improvement, milestone_id)
    order = reads.reordered(improvement, milestone, request.POST.get("direction", ""))
    if order is not None:
        try:
            services.reorder_milestones(actor, improvement, order)
        except LoopError as error:
            messages.error(request, error.message)
    return _back(pk, f"milestone-{milestone_id}")


@require_POST
def improvement_people(request: HttpRequest, pk: int) -> HttpResponse:
    """Set who plays which role."""
    actor, improvement = _owner_post(request, pk, "set people")
    try:
        services.set_improvement_people(actor, improvement, forms.people_pairs(request.POST))
    except LoopError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "People saved.")
    return _back(pk, "people-heading")


# --- proposing -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def pattern_new(request: HttpRequest) -> HttpResponse:
    """Propose a pattern: a problem statement, with a workaround if one is known."""
    actor = actor_of(request)
    _require(actor, PROPOSE, None, "propose patterns")
    form = forms.PatternForm.from_request(request)
    if request.method == "POST":
        try:
            pattern = services.create_pattern(actor, **form.service_arguments())
        except LoopError as error:
            form.fail(error)
        else:
            messages.success(request, "Pattern proposed. Its owners decide what happens next.")
            return redirect("web:pattern", pattern.pk)
    status = 400 if form.errors else 200
    return render(request, "web/loop/pattern_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def improvement_new(request: HttpRequest) -> HttpResponse:
    """Propose an improvement for patterns; its specification starts pre-filled from them."""
    actor = actor_of(request)
    _require(actor, PROPOSE, None, "propose improvements")
    form = forms.ImprovementForm.from_request(request)
    if request.method == "POST":
        try:
            improvement = services.create_improvement(actor, **form.service_arguments())
        except LoopError as error:
            form.fail(error)
        else:
            messages.success(request, "Improvement proposed, with a specification to fill in.")
            return redirect("web:improvement", improvement.pk)
    status = 400 if form.errors else 200
    return render(request, "web/loop/improvement_form.html", {"form": form}, status=status)


urlpatterns = [
    path("patterns/new/", pattern_new, name="pattern-new"),
    path("patterns/<int:pk>/", pattern_page, name="pattern"),
    path("patterns/<int:pk>/move/", pattern_move, name="pattern-move"),
    path("patterns/<int:pk>/edit/", pattern_edit, name="pattern-edit"),
    path("improvements/new/", improvement_new, name="improvement-new"),
    path("improvements/<int:pk>/", improvement_page, name="improvement"),
    path("improvements/<int:pk>/move/", improvement_move, name="improvement-move"),
    path("improvements/<int:pk>/edit/", improvement_edit, name="improvement-edit"),
    path("improvements/<int:pk>/people/", improvement_people, name="improvement-people"),
    path("improvements/<int:pk>/estimates/", improvement_estimates, name="improvement-estimates"),
    path("improvements/<int:pk>/milestones/", milestone_add, name="milestone-add"),
    path(
        "improvements/<int:pk>/milestones/<int:milestone_id>/done/",
        milestone_complete,
        name="milestone-complete",
    ),
    path(
        "improvements/<int:pk>/milestones/<int:milestone_id>/move/",
        milestone_move,
        name="milestone-move",
    ),
]
