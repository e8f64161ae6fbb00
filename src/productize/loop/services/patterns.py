"""Patterns: propose, edit, move through their states; the cached weight behind the sorting."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from productize.accounts.permissions import LOOP_EDIT, PROPOSE
from productize.audit.models import Action
from productize.audit.services import Actor
from productize.catalog.models import Interface, Person, Product
from productize.domain.loop.states import PatternStatus, TransitionError, transition
from productize.domain.loop.weight import FeedbackSignal, Weight, pattern_weight
from productize.loop.models import Feedback, Pattern
from productize.loop.services.common import (
    LoopError,
    StatusMoveError,
    audit,
    pattern_state,
    require,
    text,
)

_UNSET: Any = object()
PATTERN_FIELDS = (
    "title",
    "description",
    "workaround",
    "owner",
    "products",
    "interfaces",
    "related",
)


def author_key(name: str, contact: str, person_id: int | None) -> str | None:
    """Who gave an item, for counting distinct authors (None: anonymous)."""
    if person_id is not None:
        return f"person:{person_id}"
    return (contact or name or "").strip().casefold() or None


def weight_of(pattern: Pattern, *, now: datetime | None = None) -> Weight:
    """The domain weight of a pattern over its linked feedback, read in one query."""
    rows = Feedback.objects.filter(pattern_links__pattern=pattern).values_list(
        "created_at", "author_name", "author_contact", "author_person_id"
    )
    signals = (FeedbackSignal(created, author_key(n, c, p)) for created, n, c, p in rows.iterator())
    return pattern_weight(signals, now=now)


def recompute_weight(pattern: Pattern, *, now: datetime | None = None) -> Weight:
    """Refresh a pattern's cached weight fields from its links (a cache: not audited)."""
    weight = weight_of(pattern, now=now)
    pattern.weight = weight.total
    pattern.feedback_count = weight.count
    pattern.distinct_authors = weight.distinct_authors
    pattern.last_feedback_at = weight.newest
    pattern.weight_computed_at = now or timezone.now()
    Pattern.objects.filter(pk=pattern.pk).update(
        weight=pattern.weight,
        feedback_count=pattern.feedback_count,
        distinct_authors=pattern.distinct_authors,
        last_feedback_at=pattern.last_feedback_at,
        weight_computed_at=pattern.weight_computed_at,
    )
    return weight


def recompute_weights(
    pattern_ids: Iterable[int] | None = None, *, now: datetime | None = None
) -> int:
    """Refresh the cached weight of many patterns (all open ones when not given): recency decays."""
    patterns = Pattern.objects.all()
    if pattern_ids is not None:
        patterns = patterns.filter(pk__in=list(pattern_ids))
    count = 0
    for pattern in patterns.only("pk").iterator():
        recompute_weight(pattern, now=now)
        count += 1
    return count


def _products(values: Sequence[Product | str], field: str = "products") -> list[Product]:
    found: list[Product] = []
    slugs = [v for v in values if isinstance(v, str)]
    by_slug = {p.slug: p for p in Product.objects.filter(slug__in=slugs)}
    for value in values:
        if isinstance(value, Product):
            found.append(value)
        elif value in by_slug:
            found.append(by_slug[value])
        else:
            raise LoopError(f"{field}: no product with id `{value}`", field=field)
    return found


def _interfaces(values: Sequence[Interface | str]) -> list[Interface]:
    found: list[Interface] = []
    refs = [v for v in values if isinstance(v, str)]
    by_ref = {i.ref: i for i in Interface.objects.filter(ref__in=refs)}
    for value in values:
        if isinstance(value, Interface):
            found.append(value)
        elif value in by_ref:
            found.append(by_ref[value])
        else:
            raise LoopError(
                f"interfaces: no interface `{value}` (write it as product/interface)",
                field="interfaces",
            )
    return found


def _person(value: Person | str | None) -> Person | None:
    if value is None or isinstance(value, Person):
        return value
    person = Person.objects.filter(slug=value).first()
    if person is None:
        raise LoopError(f"owner: no person with id `{value}`", field="owner")
    return person


def _patterns(values: Sequence[Pattern | int], field: str) -> list[Pattern]:
    ids = [v.pk if isinstance(v, Pattern) else int(v) for v in values]
    found = {p.pk: p for p in Pattern.objects.filter(pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise LoopError(f"{field}: no pattern with id `{missing[0]}`", field=field)
    return [found[i] for i in ids]


def create_pattern(
    actor: Actor,
    *,
    title: str,
    description: str = "",
    workaround: str = "",
    owner: Person | str | None = None,
    products: Sequence[Product | str] = (),
    interfaces: Sequence[Interface | str] = (),
    related: Sequence[Pattern | int] = (),
    reason: str = "",
) -> Pattern:
    """Propose a pattern (anyone signed in); it starts `open`. Link feedback with link_feedback."""
    require(actor, PROPOSE, None, "patterns")
    pattern = Pattern(
        title=text(title, field="title", limit=300, required=True),
        description=text(description, field="description", limit=20_000),
        workaround=text(workaround, field="workaround", limit=20_000),
        owner=_person(owner),
        status=PatternStatus.OPEN.value,
        proposed_by=actor.user if getattr(actor.user, "is_authenticated", False) else None,  # type: ignore[misc]
    )
    product_rows = _products(products)
    interface_rows = _interfaces(interfaces)
    related_rows = _patterns(related, "related")
    with transaction.atomic():
        pattern.save()
        pattern.products.set(product_rows)
        pattern.interfaces.set(interface_rows)
        pattern.related.set(related_rows)
        audit(
            actor,
            Action.CREATE,
            pattern,
            object_type="pattern",
            before=None,
            after=pattern_state(pattern),
            reason=reason,
        )
    return pattern


def update_pattern(
    actor: Actor,
    pattern: Pattern,
    *,
    title: str = _UNSET,
    description: str = _UNSET,
    workaround: str = _UNSET,
    owner: Person | str | None = _UNSET,
    products: Sequence[Product | str] = _UNSET,
    interfaces: Sequence[Interface | str] = _UNSET,
    related: Sequence[Pattern | int] = _UNSET,
    reason: str = "",
) -> Pattern:
    """Change a pattern's statement, workaround, owner, products, interfaces or related ones."""
    require(actor, LOOP_EDIT, pattern, "this pattern")
    with transaction.atomic():
        pattern = Pattern.objects.select_for_update().get(pk=pattern.pk)
        before = pattern_state(pattern)
        if title is not _UNSET:
            pattern.title = text(title, field="title", limit=300, required=True)
        if description is not _UNSET:
            pattern.description = text(description, field="description", limit=20_000)
        if workaround is not _UNSET:
            pattern.workaround = text(workaround, field="workaround", limit=20_000)
        if owner is not _UNSET:
            pattern.owner = _person(owner)
        pattern.save()
        if products is not _UNSET:
            pattern.products.set(_products(products))
            # Only someone who still owns it afterwards may change its products, or the
            # pattern could be handed to nobody (or away from its owners) by mistake.
            if not actor.can(LOOP_EDIT, pattern):
                raise LoopError(
                    "products: you would no longer own this pattern; keep one of yours",
                    field="products",
                )
        if interfaces is not _UNSET:
            pattern.interfaces.set(_interfaces(interfaces))
        if related is not _UNSET:
            rows = _patterns(related, "related")
            if any(r.pk == pattern.pk for r in rows):
                raise LoopError("related: a pattern cannot be related to itself", field="related")
            pattern.related.set(rows)
        after = pattern_state(pattern)
        if after != before:
            audit(
                actor,
                Action.UPDATE,
                pattern,
                object_type="pattern",
                before=before,
                after=after,
                reason=reason,
            )
    return pattern


def set_pattern_status(
    actor: Actor, pattern: Pattern, status: str, *, reason: str | None, automatic: bool = False
) -> None:
    """Write a checked status move and its audit record (inside the caller's transaction)."""
    before = pattern_state(pattern)
    pattern.status = status
    pattern.status_changed_at = timezone.now()
    pattern.save(update_fields=["status", "status_changed_at", "updated_at"])
    audit(
        actor,
        Action.UPDATE,
        pattern,
        object_type="pattern",
        before={"status": before["status"]},
        after={"status": status, **({"automatic": True} if automatic else {})},
        reason=reason or "",
    )


def move_pattern(
    actor: Actor, pattern: Pattern, status: str, *, reason: str | None = None
) -> Pattern:
    """Move a pattern to another status (owners); refused moves name the allowed ones."""
    require(actor, LOOP_EDIT, pattern, "this pattern")
    with transaction.atomic():
        pattern = Pattern.objects.select_for_update().get(pk=pattern.pk)
        try:
            move = transition(pattern.status, status, reason=reason)
        except TransitionError as error:
            raise StatusMoveError(error) from error
        set_pattern_status(actor, pattern, move.target, reason=move.reason)
    return pattern
