"""Pattern suggestions: propose patterns from unpatterned feedback, and links to existing ones.

`refresh_suggestions` runs the framework-free grouping (`domain.loop.suggest`) over the
feedback no pattern claims yet — one product's, or the organisation's — and replaces the open
suggestions of that scope with fresh ones. A person then accepts (optionally with another
title or fewer members: an edit), or dismisses; a dismissed group is remembered by its
members, so the same group is not proposed again until it has grown into something new.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from productize.accounts.permissions import FEEDBACK_TRIAGE, SUGGESTION_ACCEPT
from productize.audit.models import Action
from productize.audit.services import Actor, Change, record_change, record_changes
from productize.catalog.models import Product
from productize.domain.loop.states import PatternStatus
from productize.domain.loop.suggest import (
    LinkSuggestion,
    PatternProfile,
    PatternSuggestion,
    SuggestParams,
    TextItem,
    filter_dismissed,
    suggest_links,
    suggest_patterns,
)
from productize.loop.models import (
    Feedback,
    Pattern,
    PatternFeedback,
    Suggestion,
    SuggestionKind,
    SuggestionStatus,
)
from productize.loop.services.common import LoopError

MAX_ITEMS = 20_000  # newest unpatterned items looked at per refresh (grouping time grows)
MAX_MEMBER_TEXTS = 20  # linked items that describe an existing pattern for linking
LINK_THRESHOLD = 0.2  # tuned on the labelled set (bench/bench_suggest.py --sweep)
CLOSED = (PatternStatus.CLOSED_RESOLVED.value, PatternStatus.CLOSED_UNRESOLVED.value)


@dataclass(slots=True)
class RefreshOutcome:
    """What a refresh did."""

    items: int = 0  # unpatterned feedback items looked at
    patterns: int = 0  # new-pattern suggestions stored
    links: int = 0  # link suggestions stored
    hidden: int = 0  # groups like a dismissed one, not proposed again
    replaced: int = 0  # open suggestions of the scope that the fresh ones replaced


def fingerprint(member_ids: Sequence[int | str], pattern_id: int | None = None) -> str:
    """sha256 of the sorted member ids (and the pattern, for a link): finds the same proposal."""
    ids = ",".join(str(i) for i in sorted(int(m) for m in member_ids))
    suffix = f"|pattern:{pattern_id}" if pattern_id is not None else ""
    return hashlib.sha256((ids + suffix).encode("ascii")).hexdigest()


def _may_triage(actor: Actor, product: Product | None) -> None:
    if not actor.can(FEEDBACK_TRIAGE, product):
        where = f"product {product.slug}" if product is not None else "the whole organisation"
        raise PermissionDenied(f"{actor.label} may not refresh suggestions for {where}")


def unpatterned(product: Product | None = None) -> QuerySet[Feedback]:
    """Feedback no pattern claims yet (of one product, or all), newest first."""
    linked = PatternFeedback.objects.filter(feedback=OuterRef("pk"))
    rows = Feedback.objects.filter(~Exists(linked))
    if product is not None:
        rows = rows.filter(product=product)
    return rows.order_by("-created_at", "-id")


def _scope(product: Product | None) -> Q:
    # Org-wide refreshes look at everything, so they replace every open suggestion.
    return Q(product=product) if product is not None else Q()


def refresh_suggestions(
    actor: Actor,
    *,
    product: Product | None = None,
    params: SuggestParams | None = None,
    link_threshold: float = LINK_THRESHOLD,
) -> RefreshOutcome:
    """Propose patterns and links for one product's unpatterned feedback (or everyone's).

    Owners of the product (and admins) may refresh it; an organisation-wide refresh is for
    admins. The open suggestions of the scope are replaced; accepted and dismissed ones stay.
    The newest MAX_ITEMS (20,000) unpatterned items are grouped; older ones wait for triage.
    """
    _may_triage(actor, product)
    outcome = RefreshOutcome()
    rows = list(unpatterned(product).values_list("id", "title", "text", "product_id")[:MAX_ITEMS])
    outcome.items = len(rows)
    items = [
        TextItem(str(pk), f"{title}\n{text}" if title else text) for pk, title, text, _ in rows
    ]
    product_of: dict[int, int | None] = {pk: product_id for pk, _, _, product_id in rows}
    proposals = suggest_patterns(items, params) if len(items) >= 2 else []
    dismissed = Suggestion.objects.filter(
        _scope(product) | Q(product__isnull=True),
        kind=SuggestionKind.NEW_PATTERN,
        status=SuggestionStatus.DISMISSED,
    ).values_list("member_ids", flat=True)
    remembered = [[str(m) for m in members] for members in dismissed]
    kept = filter_dismissed(proposals, remembered)
    outcome.hidden = len(proposals) - len(kept)
    links = _links(items, product, params, link_threshold) if items else []
    dismissed_links = set(
        Suggestion.objects.filter(
            kind=SuggestionKind.LINK, status=SuggestionStatus.DISMISSED
        ).values_list("fingerprint", flat=True)
    )
    now = timezone.now()
    fresh: list[tuple[Suggestion, list[int]]] = []
    for proposal in kept:
        members = [int(m) for m in proposal.member_ids]
        fresh.append((_pattern_row(proposal, members, product, product_of, now), members))
    for link in links:
        key = fingerprint([link.feedback_id], int(link.pattern_id))
        if key in dismissed_links:
            outcome.hidden += 1
            continue
        member = int(link.feedback_id)
        row = Suggestion(
            kind=SuggestionKind.LINK,
            product_id=product.pk if product is not None else product_of.get(member),
            pattern_id=int(link.pattern_id),
            member_ids=[member],
            score=link.similarity,
            fingerprint=key,
            created_at=now,
        )
        fresh.append((row, [member]))
    with transaction.atomic():
        stale = Suggestion.objects.filter(_scope(product), status=SuggestionStatus.OPEN)
        stale_ids = list(stale.values_list("id", flat=True))
        outcome.replaced = len(stale_ids)
        if stale_ids:
            Suggestion.objects.filter(id__in=stale_ids).delete()
        created = Suggestion.objects.bulk_create([row for row, _ in fresh], batch_size=500)
        through = Suggestion.members.through
        through.objects.bulk_create(
            [
                through(suggestion_id=row.pk, feedback_id=member)
                for row, (_, members) in zip(created, fresh, strict=True)
                for member in members
            ],
            batch_size=2_000,
        )
        changes = [
            Change(Action.DELETE, "suggestion", str(pk), {"status": "open"}, None, "replaced")
            for pk in stale_ids
        ]
        changes.extend(
            Change(
                Action.CREATE,
                "suggestion",
                str(row.pk),
                None,
                {
                    "kind": row.kind,
                    "product": row.product_id,
                    "pattern": row.pattern_id,
                    "members": len(row.member_ids),
                    "score": row.score,
                },
                row.proposed_title or f"link to pattern {row.pattern_id}",
            )
            for row in created
        )
        record_changes(actor=actor, changes=changes, reason="suggestions refreshed")
    outcome.patterns = sum(1 for row in created if row.kind == SuggestionKind.NEW_PATTERN)
    outcome.links = len(created) - outcome.patterns
    return outcome


def _pattern_row(
    proposal: PatternSuggestion,
    members: list[int],
    product: Product | None,
    product_of: dict[int, int | None],
    now: datetime,
) -> Suggestion:
    if product is not None:
        product_id: int | None = product.pk
    else:
        # Org-wide: the group belongs to a product when all its routed members do.
        counts = Counter(product_of.get(m) for m in members)
        product_id = next(iter(counts)) if len(counts) == 1 else None
    return Suggestion(
        kind=SuggestionKind.NEW_PATTERN,
        product_id=product_id,
        member_ids=members,
        proposed_title=proposal.title[:300],
        terms=list(proposal.terms),
        score=proposal.confidence,
        fingerprint=fingerprint(members),
        created_at=now,
    )


def _links(
    items: list[TextItem],
    product: Product | None,
    params: SuggestParams | None,
    threshold: float,
) -> list[LinkSuggestion]:
    patterns = Pattern.objects.exclude(status__in=CLOSED)
    if product is not None:
        patterns = patterns.filter(products=product)
    chosen = list(
        patterns.order_by("-weight", "-id").values_list("id", "title", "description")[:500]
    )
    if not chosen:
        return []
    texts: dict[int, list[str]] = {pk: [] for pk, _, _ in chosen}
    linked = (
        PatternFeedback.objects.filter(pattern_id__in=list(texts))
        .order_by("pattern_id", "-linked_at")
        .values_list("pattern_id", "feedback__text")
    )
    for pattern_id, text in linked.iterator(chunk_size=2_000):
        if len(texts[pattern_id]) < MAX_MEMBER_TEXTS:
            texts[pattern_id].append(text)
    profiles = [
        PatternProfile(str(pk), f"{title}\n{description}".strip(), texts[pk])
        for pk, title, description in chosen
    ]
    return list(suggest_links(items, profiles, threshold=threshold, limit=1, params=params))


# --- decisions -------------------------------------------------------------------------------


def _open(suggestion: Suggestion) -> None:
    if suggestion.status != SuggestionStatus.OPEN:
        raise LoopError(
            f"this suggestion was {suggestion.status} already ({suggestion.decided_by})",
            field="status",
            code="conflict",
        )


def _may_decide(actor: Actor, suggestion: Suggestion) -> None:
    if not actor.can(SUGGESTION_ACCEPT, suggestion.product):
        raise PermissionDenied(f"{actor.label} may not decide this suggestion")


def accept_suggestion(
    actor: Actor,
    suggestion: Suggestion,
    *,
    title: str | None = None,
    member_ids: Sequence[int] | None = None,
) -> Pattern:
    """Accept a suggestion: create the pattern and link its members (or link to the pattern).

    `title` and `member_ids` edit a new-pattern suggestion before it is accepted (members may
    be dropped or added); the result is the pattern the feedback now belongs to.
    """
    from productize.loop.services.feedback import link_feedback
    from productize.loop.services.patterns import create_pattern

    _may_decide(actor, suggestion)
    _open(suggestion)
    ids = [int(m) for m in (member_ids if member_ids is not None else suggestion.member_ids)]
    if not ids:
        raise LoopError("member_ids: keep at least one feedback item", field="member_ids")
    found = {f.pk: f for f in Feedback.objects.filter(pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise LoopError(f"member_ids: no feedback with id `{missing[0]}`", field="member_ids")
    with transaction.atomic():
        if suggestion.kind == SuggestionKind.LINK:
            if suggestion.pattern is None:
                raise LoopError("the pattern of this suggestion is gone", field="pattern")
            pattern = suggestion.pattern
        else:
            products = {f.product for f in found.values() if f.product is not None}
            if suggestion.product is not None:
                products.add(suggestion.product)
            ordered: list[Product | str] = [p for p in sorted(products, key=_slug)]
            pattern = create_pattern(
                actor,
                title=(title or suggestion.proposed_title).strip(),
                products=ordered,
                reason=f"accepted suggestion {suggestion.pk}",
            )
        for member in ids:
            link_feedback(actor, found[member], pattern, reason=f"suggestion {suggestion.pk}")
        edited = (title is not None and title != suggestion.proposed_title) or (
            member_ids is not None and sorted(ids) != sorted(suggestion.member_ids)
        )
        _decide(actor, suggestion, SuggestionStatus.ACCEPTED, "edited" if edited else "")
        if suggestion.kind == SuggestionKind.NEW_PATTERN:
            suggestion.pattern = pattern
            suggestion.save(update_fields=["pattern"])
    return pattern


def _slug(product: Product) -> str:
    return product.slug


def dismiss_suggestion(actor: Actor, suggestion: Suggestion, *, reason: str = "") -> Suggestion:
    """Dismiss a suggestion; the same group (or link) is not proposed again."""
    _may_decide(actor, suggestion)
    _open(suggestion)
    with transaction.atomic():
        _decide(actor, suggestion, SuggestionStatus.DISMISSED, reason.strip()[:2_000])
    return suggestion


def _decide(actor: Actor, suggestion: Suggestion, status: str, reason: str) -> None:
    suggestion.status = status
    suggestion.decided_at = timezone.now()
    suggestion.decided_by = actor.label[:255]
    suggestion.reason = reason
    suggestion.save(update_fields=["status", "decided_at", "decided_by", "reason"])
    record_change(
        actor=actor,
        action=Action.UPDATE,
        object_type="suggestion",
        object_id=str(suggestion.pk),
        before={"status": SuggestionStatus.OPEN},
        after={"status": status, "reason": reason},
        reason=reason or status,
        object_repr=suggestion.proposed_title or f"link to pattern {suggestion.pattern_id}",
    )
