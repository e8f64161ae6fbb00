"""The loop, written (continued): improvements, their people and milestones, roadmaps.

Imported by api/loop_writes.py, which app.py mounts; see its docstring for the rules.
"""

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Schema, Status

from productize.api.auth import actor_for
from productize.api.errors import not_found
from productize.api.loop import improvement_detail_out, roadmap_out, router
from productize.api.loop_schemas import (
    ImprovementDetailOut,
    MilestoneOut,
    RoadmapOut,
    milestone_out,
)
from productize.api.loop_write_common import (
    WRITE_ERRORS,
    Done,
    MoveIn,
    Reason,
    get_or_404,
    guard,
    sent_fields,
)
from productize.api.params import strict_query
from productize.catalog.models import Product
from productize.loop import services
from productize.loop.models import (
    Improvement,
    Milestone,
    RoadmapEntry,
)

# --- improvements --------------------------------------------------------------------------


class ImprovementIn(Reason):
    """A proposed improvement; its specification is pre-filled from the patterns if left out."""

    title: str = Field(max_length=300)
    patterns: list[int] = Field(default_factory=list, description="Pattern ids it addresses.")
    products: list[str] = Field(
        default_factory=list, description="Product ids; left out: the patterns' products."
    )
    specification: str | None = Field(None, description="Markdown; left out: pre-filled.")
    effort_weeks: float | None = Field(None, gt=0, description="Estimated person-weeks.")
    confidence: float | None = Field(None, ge=0, le=1, description="0-1.")


class ImprovementChange(Reason):
    """Fields of an improvement to change; left-out fields stay."""

    title: str | None = None
    specification: str | None = None
    patterns: list[int] | None = None
    products: list[str] | None = None
    effort_weeks: float | None = Field(None, gt=0)
    confidence: float | None = Field(None, ge=0, le=1)


class PersonRole(Schema):
    """A person in a role."""

    person: str = Field(description="A person id.")
    role: str = Field(description="owner, guide, dedicated, contributor or observer.")


class PeopleIn(Reason):
    """Everyone on the improvement (replaces the list)."""

    people: list[PersonRole]


@router.post(
    "/improvements",
    response={201: ImprovementDetailOut, **WRITE_ERRORS},
    url_name="improvement-create",
    summary="Propose an improvement",
)
@strict_query()
def create_improvement(request: HttpRequest, payload: ImprovementIn) -> Status:
    """Propose an improvement (anyone signed in); it starts `proposed`."""
    improvement = guard(
        lambda: services.create_improvement(
            actor_for(request),
            title=payload.title,
            patterns=payload.patterns,
            products=payload.products,
            specification=payload.specification,
            effort_weeks=payload.effort_weeks,
            confidence=payload.confidence,
            reason=payload.reason,
        )
    )
    return Status(201, improvement_detail_out(improvement.pk))


@router.patch(
    "/improvements/{improvement_id}",
    response={200: ImprovementDetailOut, **WRITE_ERRORS},
    url_name="improvement-update",
    summary="Change an improvement",
)
@strict_query()
def update_improvement(
    request: HttpRequest, improvement_id: int, payload: ImprovementChange
) -> dict[str, Any]:
    """Change an improvement's title, specification, patterns, products or estimates."""
    improvement = get_or_404(Improvement, improvement_id, "improvement")
    changes = sent_fields(payload)
    guard(lambda: services.update_improvement(actor_for(request), improvement, **changes))
    return improvement_detail_out(improvement_id)


@router.post(
    "/improvements/{improvement_id}/status",
    response={200: ImprovementDetailOut, **WRITE_ERRORS},
    url_name="improvement-move",
    summary="Move an improvement",
)
@strict_query()
def move_improvement(request: HttpRequest, improvement_id: int, payload: MoveIn) -> dict[str, Any]:
    """Move an improvement; `completed` closes the loop: its patterns move to resolved pending
    review (or partially resolved) and the people behind their feedback are told."""
    improvement = get_or_404(Improvement, improvement_id, "improvement")
    guard(
        lambda: services.move_improvement(
            actor_for(request), improvement, payload.status, reason=payload.reason or None
        )
    )
    return improvement_detail_out(improvement_id)


@router.put(
    "/improvements/{improvement_id}/people",
    response={200: ImprovementDetailOut, **WRITE_ERRORS},
    url_name="improvement-people",
    summary="Set who is on an improvement",
)
@strict_query()
def set_people(request: HttpRequest, improvement_id: int, payload: PeopleIn) -> dict[str, Any]:
    """Replace the people on an improvement and their roles."""
    improvement = get_or_404(Improvement, improvement_id, "improvement")
    pairs = [(p.person, p.role) for p in payload.people]
    guard(
        lambda: services.set_improvement_people(
            actor_for(request), improvement, pairs, reason=payload.reason
        )
    )
    return improvement_detail_out(improvement_id)


# --- milestones ----------------------------------------------------------------------------


class MilestoneIn(Reason):
    """A new milestone (added at the end)."""

    title: str = Field(max_length=300)
    kind: str = Field("mvp", description="`mvp` or `stretch`.")
    description: str = ""
    due_date: date | None = None
    depends_on: list[int] = Field(default_factory=list, description="Milestone ids it waits for.")


class MilestoneChange(Reason):
    """Fields of a milestone to change; left-out fields stay."""

    title: str | None = None
    kind: str | None = None
    description: str | None = None
    due_date: date | None = None
    depends_on: list[int] | None = None


class DoneIn(Reason):
    """Done or not done."""

    done: bool = True


class OrderIn(Reason):
    """Every milestone id of the improvement, in the new order."""

    order: list[int]


def _milestone_out(m: Milestone) -> dict[str, Any]:
    return milestone_out(m, sorted(m.depends_on.values_list("pk", flat=True)))


@router.post(
    "/improvements/{improvement_id}/milestones",
    response={201: MilestoneOut, **WRITE_ERRORS},
    url_name="milestone-create",
    summary="Add a milestone",
)
@strict_query()
def add_milestone(request: HttpRequest, improvement_id: int, payload: MilestoneIn) -> Status:
    """Add a milestone at the end of the improvement's list."""
    improvement = get_or_404(Improvement, improvement_id, "improvement")
    milestone = guard(
        lambda: services.add_milestone(
            actor_for(request),
            improvement,
            title=payload.title,
            kind=payload.kind,
            description=payload.description,
            due_date=payload.due_date,
            depends_on=payload.depends_on,
            reason=payload.reason,
        )
    )
    return Status(201, _milestone_out(milestone))


@router.put(
    "/improvements/{improvement_id}/milestone-order",
    response={200: ImprovementDetailOut, **WRITE_ERRORS},
    url_name="milestone-order",
    summary="Reorder milestones",
)
@strict_query()
def reorder_milestones(
    request: HttpRequest, improvement_id: int, payload: OrderIn
) -> dict[str, Any]:
    """Put the improvement's milestones in this order (list every one once)."""
    improvement = get_or_404(Improvement, improvement_id, "improvement")
    guard(
        lambda: services.reorder_milestones(
            actor_for(request), improvement, payload.order, reason=payload.reason
        )
    )
    return improvement_detail_out(improvement_id)


@router.patch(
    "/milestones/{milestone_id}",
    response={200: MilestoneOut, **WRITE_ERRORS},
    url_name="milestone-update",
    summary="Change a milestone",
)
@strict_query()
def update_milestone(
    request: HttpRequest, milestone_id: int, payload: MilestoneChange
) -> dict[str, Any]:
    """Change a milestone's title, kind, description, due date or dependencies."""
    milestone = get_or_404(Milestone, milestone_id, "milestone")
    changes = sent_fields(payload)
    updated = guard(lambda: services.update_milestone(actor_for(request), milestone, **changes))
    return _milestone_out(updated)


@router.post(
    "/milestones/{milestone_id}/done",
    response={200: MilestoneOut, **WRITE_ERRORS},
    url_name="milestone-done",
    summary="Complete a milestone",
)
@strict_query()
def complete_milestone(request: HttpRequest, milestone_id: int, payload: DoneIn) -> dict[str, Any]:
    """Mark a milestone done (or, with `done: false`, not done); dependencies come first."""
    milestone = get_or_404(Milestone, milestone_id, "milestone")
    updated = guard(
        lambda: services.complete_milestone(
            actor_for(request), milestone, done=payload.done, reason=payload.reason
        )
    )
    return _milestone_out(updated)


@router.delete(
    "/milestones/{milestone_id}",
    response={200: Done, **WRITE_ERRORS},
    url_name="milestone-delete",
    summary="Delete a milestone",
)
@strict_query()
def delete_milestone(request: HttpRequest, milestone_id: int) -> dict[str, Any]:
    """Remove a milestone."""
    milestone = get_or_404(Milestone, milestone_id, "milestone")
    guard(lambda: services.delete_milestone(actor_for(request), milestone))
    return {"ok": True}


# --- roadmap -------------------------------------------------------------------------------


class PlaceIn(Reason):
    """An improvement to put on the roadmap."""

    improvement: int = Field(description="The improvement's id.")
    column: str = Field("later", description="`now`, `next` or `later`.")
    position: int | None = Field(None, ge=0, description="0 is the top; left out: the end.")
    rationale: str = Field("", max_length=5000, description="Why it sits there.")


class RoadmapMoveIn(Reason):
    """Where an entry goes; left-out fields stay."""

    column: str | None = None
    position: int | None = Field(None, ge=0)
    rationale: str | None = Field(None, max_length=5000)


class OverrideIn(Schema):
    """The owner's priority, or null to go back to the computed one."""

    value: float | None = Field(description="A non-negative score, or null to clear.")
    reason: str = Field("", max_length=500, description="Required when setting a value.")


def _entry(entry_id: int) -> RoadmapEntry:
    entry = RoadmapEntry.objects.select_related("product").filter(pk=entry_id).first()
    if entry is None:
        raise not_found("roadmap entry", entry_id)
    return entry


@router.post(
    "/products/{product_id}/roadmap",
    response={201: RoadmapOut, **WRITE_ERRORS},
    url_name="roadmap-place",
    summary="Place on the roadmap",
)
@strict_query()
def place(request: HttpRequest, product_id: str, payload: PlaceIn) -> Status:
    """Place an improvement on the product's roadmap (its owners)."""
    product = Product.objects.filter(slug=product_id).first()
    if product is None:
        raise not_found("product", product_id)
    improvement = get_or_404(Improvement, payload.improvement, "improvement")
    guard(
        lambda: services.place_on_roadmap(
            actor_for(request),
            product,
            improvement,
            payload.column,
            payload.position,
            rationale=payload.rationale,
            reason=payload.reason,
        )
    )
    return Status(201, roadmap_out(product))


@router.patch(
    "/roadmap/{entry_id}",
    response={200: RoadmapOut, **WRITE_ERRORS},
    url_name="roadmap-move",
    summary="Move on the roadmap",
)
@strict_query()
def move(request: HttpRequest, entry_id: int, payload: RoadmapMoveIn) -> dict[str, Any]:
    """Move an entry to another column or position, or rewrite its rationale."""
    entry = _entry(entry_id)
    guard(
        lambda: services.move_on_roadmap(
            actor_for(request),
            entry,
            payload.column,
            payload.position,
            rationale=payload.rationale,
            reason=payload.reason,
        )
    )
    return roadmap_out(entry.product)


@router.put(
    "/roadmap/{entry_id}/override",
    response={200: RoadmapOut, **WRITE_ERRORS},
    url_name="roadmap-override",
    summary="Override a priority",
)
@strict_query()
def override(request: HttpRequest, entry_id: int, payload: OverrideIn) -> dict[str, Any]:
    """Set the owner's priority for an entry (with a reason), or clear it with null."""
    entry = _entry(entry_id)
    guard(
        lambda: services.override_priority(
            actor_for(request), entry, payload.value, reason=payload.reason
        )
    )
    return roadmap_out(entry.product)


@router.delete(
    "/roadmap/{entry_id}",
    response={200: RoadmapOut, **WRITE_ERRORS},
    url_name="roadmap-remove",
    summary="Remove from the roadmap",
)
@strict_query()
def remove(request: HttpRequest, entry_id: int) -> dict[str, Any]:
    """Take an improvement off the roadmap (the improvement stays)."""
    entry = _entry(entry_id)
    guard(lambda: services.remove_from_roadmap(actor_for(request), entry))
    return roadmap_out(entry.product)
