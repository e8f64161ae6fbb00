"""Improvements: propose (spec pre-filled), edit, move; completion closes the loop; people."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from productize.accounts.permissions import IMPROVEMENT_EDIT, PROPOSE
from productize.audit.models import Action
from productize.audit.services import Actor
from productize.catalog.models import Person, Product
from productize.domain.loop.spec_template import PatternBrief, prefilled_specification
from productize.domain.loop.states import (
    ImprovementStatus,
    LinkedFeedback,
    LoopClosure,
    PatternLink,
    PatternStatus,
    TransitionError,
    close_loop,
    transition,
)
from productize.loop.models import (
    Feedback,
    Improvement,
    ImprovementPerson,
    ImprovementRole,
    Pattern,
)
from productize.loop.services.common import (
    LoopError,
    StatusMoveError,
    audit,
    improvement_state,
    require,
    text,
)
from productize.loop.services.patterns import _patterns, _products, set_pattern_status

_UNSET: Any = object()
QUOTES = 3
# When work starts, patterns still being discussed move on with it (a rule, not a person).
STARTS_WORK = {PatternStatus.OPEN.value, PatternStatus.BRAINSTORMING.value}


def specification_for(patterns: Sequence[Pattern], *, title: str | None = None) -> str:
    """The improvement template as Markdown, pre-filled from the patterns and their feedback."""
    briefs = []
    for pattern in patterns:
        quotes = tuple(
            Feedback.objects.filter(pattern_links__pattern=pattern)
            .order_by("-created_at")
            .values_list("text", flat=True)[:QUOTES]
        )
        briefs.append(
            PatternBrief(
                id=str(pattern.pk),
                statement=pattern.title,
                feedback_count=pattern.feedback_count,
                distinct_authors=pattern.distinct_authors,
                workaround=pattern.workaround or None,
                products=tuple(pattern.products.values_list("slug", flat=True)),
                quotes=quotes,
            )
        )
    return prefilled_specification(briefs, title=title).to_markdown()


def _estimates(effort_weeks: float | None, confidence: float | None) -> None:
    if effort_weeks is not None and not 0 < effort_weeks <= 10_000:
        raise LoopError("effort_weeks: a positive number of person-weeks", field="effort_weeks")
    if confidence is not None and not 0 <= confidence <= 1:
        raise LoopError("confidence: a fraction between 0 and 1", field="confidence")


def create_improvement(
    actor: Actor,
    *,
    title: str,
    patterns: Sequence[Pattern | int] = (),
    products: Sequence[Product | str] = (),
    specification: str | None = None,
    effort_weeks: float | None = None,
    confidence: float | None = None,
    reason: str = "",
) -> Improvement:
    """Propose an improvement (anyone signed in), its specification pre-filled from patterns.

    Products default to the patterns' products, so the owners who decide are known.
    """
    require(actor, PROPOSE, None, "improvements")
    title = text(title, field="title", limit=300, required=True)
    _estimates(effort_weeks, confidence)
    pattern_rows = _patterns(patterns, "patterns")
    product_rows = _products(products)
    if not product_rows:
        product_rows = list(
            Product.objects.filter(patterns__in=[p.pk for p in pattern_rows]).distinct()
        )
    spec = (
        text(specification, field="specification", limit=200_000)
        if specification is not None
        else specification_for(pattern_rows, title=title)
    )
    improvement = Improvement(
        title=title,
        specification=spec,
        effort_weeks=effort_weeks,
        confidence=confidence,
        proposed_by=actor.user if getattr(actor.user, "is_authenticated", False) else None,  # type: ignore[misc]
    )
    with transaction.atomic():
        improvement.save()
        improvement.patterns.set(pattern_rows)
        improvement.products.set(product_rows)
        audit(
            actor,
            Action.CREATE,
            improvement,
            object_type="improvement",
            before=None,
            after=improvement_state(improvement),
            reason=reason,
        )
    return improvement


def update_improvement(
    actor: Actor,
    improvement: Improvement,
    *,
    title: str = _UNSET,
    specification: str = _UNSET,
    patterns: Sequence[Pattern | int] = _UNSET,
    products: Sequence[Product | str] = _UNSET,
    effort_weeks: float | None = _UNSET,
    confidence: float | None = _UNSET,
    reason: str = "",
) -> Improvement:
    """Change an improvement's title, specification, patterns, products or estimates (owners)."""
    require(actor, IMPROVEMENT_EDIT, improvement, "this improvement")
    with transaction.atomic():
        improvement = Improvement.objects.select_for_update().get(pk=improvement.pk)
        before = improvement_state(improvement)
        if title is not _UNSET:
            improvement.title = text(title, field="title", limit=300, required=True)
        if specification is not _UNSET:
            improvement.specification = text(specification, field="specification", limit=200_000)
        if effort_weeks is not _UNSET:
            _estimates(effort_weeks, None)
            improvement.effort_weeks = effort_weeks
        if confidence is not _UNSET:
            _estimates(None, confidence)
            improvement.confidence = confidence
        improvement.save()
        if patterns is not _UNSET:
            improvement.patterns.set(_patterns(patterns, "patterns"))
        if products is not _UNSET:
            rows = _products(products)
            # Removing a product takes away its owners' say: only someone who still owns
            # the improvement afterwards may do that, or nobody could manage it.
            improvement.products.set(rows)
            if not actor.can(IMPROVEMENT_EDIT, improvement):
                raise LoopError(
                    "products: you would no longer own this improvement; keep one of yours",
                    field="products",
                )
        after = improvement_state(improvement)
        if after != before:
            audit(
                actor,
                Action.UPDATE,
                improvement,
                object_type="improvement",
                before=before,
                after=after,
                reason=reason,
            )
    return improvement


def _pattern_links(improvement: Improvement) -> list[PatternLink]:
    """What close_loop needs: each pattern, its other improvements, and its feedback authors."""
    patterns = list(improvement.patterns.all())
    others: dict[int, dict[str, ImprovementStatus]] = {p.pk: {} for p in patterns}
    rows = Improvement.patterns.through.objects.filter(pattern_id__in=list(others)).exclude(
        improvement_id=improvement.pk
    )
    for pattern_id, other_id, status in rows.values_list(
        "pattern_id", "improvement_id", "improvement__status"
    ):
        others[pattern_id][str(other_id)] = ImprovementStatus(status)
    feedback: dict[int, list[LinkedFeedback]] = {p.pk: [] for p in patterns}
    items = Feedback.objects.filter(pattern_links__pattern_id__in=list(others)).values_list(
        "pattern_links__pattern_id", "pk", "author_name", "author_contact", "author_person__email"
    )
    for pattern_id, feedback_id, name, contact, person_email in items.iterator():
        feedback[pattern_id].append(
            LinkedFeedback(str(feedback_id), name or None, (contact or person_email or None))
        )
    return [
        PatternLink(str(p.pk), PatternStatus(p.status), others[p.pk], tuple(feedback[p.pk]))
        for p in patterns
    ]


def _close_the_loop(actor: Actor, improvement: Improvement) -> LoopClosure:
    """Move the patterns per the domain rule and queue the notices (inside the transaction)."""
    from productize.loop import notifications

    closure = close_loop(str(improvement.pk), _pattern_links(improvement))
    patterns = {str(p.pk): p for p in improvement.patterns.select_for_update()}
    for pattern_id, move in closure.transitions.items():
        set_pattern_status(
            actor, patterns[pattern_id], move.target, reason=move.reason, automatic=True
        )
    notifications.queue_closure(improvement, closure)
    return closure


def _start_work(actor: Actor, improvement: Improvement) -> None:
    reason = f"improvement {improvement.pk} moved to implementation"
    for pattern in improvement.patterns.select_for_update().filter(status__in=STARTS_WORK):
        set_pattern_status(
            actor,
            pattern,
            PatternStatus.IMPROVEMENT_IN_PROGRESS.value,
            reason=reason,
            automatic=True,
        )


def move_improvement(
    actor: Actor, improvement: Improvement, status: str, *, reason: str | None = None
) -> Improvement:
    """Move an improvement (owners); completing it closes the loop on its patterns.

    Completion moves each pattern to resolved-pending-review (or partially-resolved while
    other improvements on it are open) and, once the transaction commits, tells the people
    behind the linked feedback through their channels.
    """
    require(actor, IMPROVEMENT_EDIT, improvement, "this improvement")
    with transaction.atomic():
        improvement = Improvement.objects.select_for_update().get(pk=improvement.pk)
        try:
            move = transition(improvement.status, status, reason=reason)
        except TransitionError as error:
            raise StatusMoveError(error) from error
        before = improvement.status
        improvement.status = move.target
        improvement.status_changed_at = timezone.now()
        if move.target == ImprovementStatus.COMPLETED.value:
            improvement.completed_at = improvement.status_changed_at
        improvement.save(
            update_fields=["status", "status_changed_at", "completed_at", "updated_at"]
        )
        audit(
            actor,
            Action.UPDATE,
            improvement,
            object_type="improvement",
            before={"status": before},
            after={"status": move.target},
            reason=move.reason or "",
        )
        if move.target == ImprovementStatus.IN_IMPLEMENTATION.value:
            _start_work(actor, improvement)
        elif move.target == ImprovementStatus.COMPLETED.value:
            _close_the_loop(actor, improvement)
    return improvement


def set_improvement_people(
    actor: Actor,
    improvement: Improvement,
    people: Iterable[tuple[Person | str, str]],
    *,
    reason: str = "",
) -> list[ImprovementPerson]:
    """Replace who is on an improvement: (person, role) pairs; roles as in ImprovementRole."""
    require(actor, IMPROVEMENT_EDIT, improvement, "this improvement")
    pairs: list[tuple[Person | str, str]] = list(people)
    slugs = [p for p, _ in pairs if isinstance(p, str)]
    by_slug = {p.slug: p for p in Person.objects.filter(slug__in=slugs)}
    wanted: list[tuple[Person, str]] = []
    for i, (who, role) in enumerate(pairs):
        if role not in ImprovementRole.values:
            allowed = ", ".join(f"`{r}`" for r in ImprovementRole.values)
            raise LoopError(
                f"people[{i}].role: `{role}` is not a role; use {allowed}",
                field=f"people[{i}].role",
            )
        person = who if isinstance(who, Person) else by_slug.get(who)
        if person is None:
            raise LoopError(
                f"people[{i}].person: no person with id `{who}`", field=f"people[{i}].person"
            )
        if (person, role) not in wanted:
            wanted.append((person, role))
    with transaction.atomic():
        current = ImprovementPerson.objects.filter(improvement=improvement)
        before = sorted(
            f"{slug}:{role}" for slug, role in current.values_list("person__slug", "role")
        )
        current.delete()
        rows = ImprovementPerson.objects.bulk_create(
            ImprovementPerson(improvement=improvement, person=person, role=role)
            for person, role in wanted
        )
        after = sorted(f"{person.slug}:{role}" for person, role in wanted)
        if after != before:
            audit(
                actor,
                Action.UPDATE,
                improvement,
                object_type="improvement",
                before={"people": before},
                after={"people": after},
                reason=reason,
            )
    return rows


def open_improvements_on(pattern: Pattern) -> int:
    """How many improvements on a pattern have not ended."""
    ended = [
        ImprovementStatus.COMPLETED.value,
        ImprovementStatus.DENIED.value,
        ImprovementStatus.FAILED.value,
    ]
    return pattern.improvements.aggregate(n=Count("pk", filter=~Q(status__in=ended)))["n"]
