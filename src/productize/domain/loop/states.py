"""Pattern and improvement state machines, and the rule that closes the loop.

The transition tables are data: each status maps to the statuses it may move to. Two kinds
of move need a written reason, because a reviewer must be able to see why later: closing a
pattern (resolved or unresolved) and reopening anything that had ended. Reopen rules:

- A closed pattern (resolved or unresolved) may go back to `open` only, with a reason —
  new feedback showed the problem is still there, or a wrong close.
- A denied or failed improvement may go back to `proposed` only, with a reason.
- A completed improvement never reopens: a regression is new feedback and a new pattern or
  improvement, so the record of what shipped stays true.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class PatternStatus(StrEnum):
    """Where a pattern (a recurring problem statement) is in the loop."""

    OPEN = "open"
    BRAINSTORMING = "brainstorming"
    IMPROVEMENT_IN_PROGRESS = "improvement-in-progress"
    PARTIALLY_RESOLVED = "partially-resolved"
    RESOLVED_PENDING_REVIEW = "resolved-pending-review"
    CLOSED_RESOLVED = "closed-resolved"
    CLOSED_UNRESOLVED = "closed-unresolved"


class ImprovementStatus(StrEnum):
    """Where an improvement (the work addressing patterns) is."""

    PROPOSED = "proposed"
    RESEARCHING = "researching"
    AWAITING_APPROVAL = "awaiting-approval"
    READY = "ready"
    IN_IMPLEMENTATION = "in-implementation"
    COMPLETED = "completed"
    DENIED = "denied"
    FAILED = "failed"


Status = PatternStatus | ImprovementStatus

P = PatternStatus
I = ImprovementStatus  # noqa: E741 - a short alias keeps the tables readable

PATTERN_TRANSITIONS: Mapping[PatternStatus, frozenset[PatternStatus]] = {
    # A pattern may be closed straight from open: a duplicate, out of scope, or fixed elsewhere.
    P.OPEN: frozenset(
        {P.BRAINSTORMING, P.IMPROVEMENT_IN_PROGRESS, P.CLOSED_RESOLVED, P.CLOSED_UNRESOLVED}
    ),
    P.BRAINSTORMING: frozenset({P.OPEN, P.IMPROVEMENT_IN_PROGRESS, P.CLOSED_UNRESOLVED}),
    # Back to brainstorming/open when the improvement is denied or fails.
    P.IMPROVEMENT_IN_PROGRESS: frozenset(
        {P.OPEN, P.BRAINSTORMING, P.PARTIALLY_RESOLVED, P.RESOLVED_PENDING_REVIEW}
    ),
    P.PARTIALLY_RESOLVED: frozenset(
        {
            P.BRAINSTORMING,
            P.IMPROVEMENT_IN_PROGRESS,
            P.RESOLVED_PENDING_REVIEW,
            P.CLOSED_RESOLVED,
            P.CLOSED_UNRESOLVED,
        }
    ),
    # The review decides on evidence (the feedback rate after shipping): close, or go again.
    P.RESOLVED_PENDING_REVIEW: frozenset(
        {P.CLOSED_RESOLVED, P.CLOSED_UNRESOLVED, P.OPEN, P.IMPROVEMENT_IN_PROGRESS}
    ),
    P.CLOSED_RESOLVED: frozenset({P.OPEN}),
    P.CLOSED_UNRESOLVED: frozenset({P.OPEN}),
}

IMPROVEMENT_TRANSITIONS: Mapping[ImprovementStatus, frozenset[ImprovementStatus]] = {
    # Small improvements may skip research and go straight to approval.
    I.PROPOSED: frozenset({I.RESEARCHING, I.AWAITING_APPROVAL, I.DENIED}),
    I.RESEARCHING: frozenset({I.PROPOSED, I.AWAITING_APPROVAL, I.DENIED}),
    # The approver may send it back for more research.
    I.AWAITING_APPROVAL: frozenset({I.RESEARCHING, I.READY, I.DENIED}),
    I.READY: frozenset({I.AWAITING_APPROVAL, I.IN_IMPLEMENTATION, I.DENIED}),
    # Pausing implementation returns it to ready rather than losing the approval.
    I.IN_IMPLEMENTATION: frozenset({I.READY, I.COMPLETED, I.FAILED}),
    I.COMPLETED: frozenset(),
    I.DENIED: frozenset({I.PROPOSED}),
    I.FAILED: frozenset({I.PROPOSED}),
}

PATTERN_CLOSED: frozenset[PatternStatus] = frozenset({P.CLOSED_RESOLVED, P.CLOSED_UNRESOLVED})
IMPROVEMENT_ENDED: frozenset[ImprovementStatus] = frozenset({I.COMPLETED, I.DENIED, I.FAILED})

# Moves that must carry a reason: closing a pattern, and reopening anything that had ended.
REASON_REQUIRED: frozenset[tuple[str, str]] = frozenset(
    {(str(s), str(t)) for s in P for t in PATTERN_CLOSED if t in PATTERN_TRANSITIONS[s]}
    | {(str(s), str(P.OPEN)) for s in PATTERN_CLOSED}
    | {(str(s), str(I.PROPOSED)) for s in (I.DENIED, I.FAILED)}
)


class TransitionError(ValueError):
    """A move the state machine does not allow; names the allowed targets."""

    def __init__(self, current: str, target: str, allowed: Iterable[str], why: str) -> None:
        self.current = current
        self.target = target
        self.allowed = tuple(sorted(allowed))
        choices = ", ".join(f"`{a}`" for a in self.allowed) or "nothing (it is final)"
        super().__init__(f"cannot move from `{current}` to `{target}`: {why}; allowed: {choices}")


@dataclass(frozen=True, slots=True)
class Transition:
    """One allowed move, with the reason given for it."""

    machine: str  # "pattern" or "improvement"
    source: str
    target: str
    reason: str | None = None
    automatic: bool = False  # made by a rule (loop closing), not by a person


def allowed_targets(current: PatternStatus | ImprovementStatus) -> frozenset[str]:
    """The statuses `current` may move to."""
    if isinstance(current, PatternStatus):
        return frozenset(str(t) for t in PATTERN_TRANSITIONS[current])
    return frozenset(str(t) for t in IMPROVEMENT_TRANSITIONS[current])


def _coerce(current: Status | str, target: Status | str) -> tuple[Status, Status]:
    """Turn strings into the enum of the right machine (the one both values belong to)."""
    for enum in (PatternStatus, ImprovementStatus):
        values = {str(v) for v in enum}
        if str(current) in values:
            if str(target) not in values:
                raise TransitionError(
                    str(current),
                    str(target),
                    allowed_targets(enum(str(current))),
                    f"`{target}` is not a {_machine(enum(str(current)))} status",
                )
            return enum(str(current)), enum(str(target))
    known = sorted({str(v) for v in PatternStatus} | {str(v) for v in ImprovementStatus})
    raise TransitionError(str(current), str(target), known, f"`{current}` is not a status")


def _machine(status: PatternStatus | ImprovementStatus) -> str:
    return "pattern" if isinstance(status, PatternStatus) else "improvement"


def transition(
    current: Status | str,
    target: Status | str,
    *,
    reason: str | None = None,
) -> Transition:
    """Check a move and return it; raise `TransitionError` naming the allowed targets."""
    source, goal = _coerce(current, target)
    allowed = allowed_targets(source)
    if source == goal:
        raise TransitionError(str(source), str(goal), allowed, "it is already there")
    if str(goal) not in allowed:
        raise TransitionError(str(source), str(goal), allowed, "not an allowed move")
    text = reason.strip() if reason else None
    if (str(source), str(goal)) in REASON_REQUIRED and not text:
        raise TransitionError(
            str(source), str(goal), allowed, "this move needs a reason (say why, for the record)"
        )
    return Transition(_machine(source), str(source), str(goal), text or None)


# --- Closing the loop --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LinkedFeedback:
    """A feedback item linked to a pattern, as far as notifying its author needs."""

    feedback_id: str
    author: str | None = None
    author_contact: str | None = None


@dataclass(frozen=True, slots=True)
class PatternLink:
    """A pattern addressed by the completing improvement, with its other improvements."""

    pattern_id: str
    status: PatternStatus
    # Other improvements on this pattern (not the completing one): id -> status.
    other_improvements: Mapping[str, ImprovementStatus] = field(default_factory=dict)
    feedback: Sequence[LinkedFeedback] = ()


@dataclass(frozen=True, slots=True)
class Recipient:
    """Someone to tell that work on their feedback shipped."""

    contact: str
    author: str | None
    pattern_ids: tuple[str, ...]
    feedback_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LoopClosure:
    """What completing an improvement does: pattern moves, untouched patterns, people to tell."""

    improvement_id: str
    transitions: dict[str, Transition]  # pattern id -> move
    unchanged: dict[str, str]  # pattern id -> why it does not move
    notify: list[Recipient]


@dataclass(slots=True)
class _Pending:
    contact: str
    author: str | None = None
    pattern_ids: list[str] = field(default_factory=list)
    feedback_ids: list[str] = field(default_factory=list)


def pattern_status_after_completion(link: PatternLink) -> PatternStatus | None:
    """The status a pattern moves to when one of its improvements completes (None: stays)."""
    if link.status in PATTERN_CLOSED:
        return None  # a closed pattern is a decision a person made; shipping does not undo it
    still_open = any(s not in IMPROVEMENT_ENDED for s in link.other_improvements.values())
    return P.PARTIALLY_RESOLVED if still_open else P.RESOLVED_PENDING_REVIEW


def close_loop(improvement_id: str, patterns: Sequence[PatternLink]) -> LoopClosure:
    """Apply the loop-closing rule for a completed improvement (pure: nothing is written)."""
    moves: dict[str, Transition] = {}
    unchanged: dict[str, str] = {}
    reason = f"improvement {improvement_id} completed"
    # Keyed by the case-folded contact so one person hears once, however many items they sent.
    people: dict[str, _Pending] = {}
    for link in patterns:
        new = pattern_status_after_completion(link)
        if new is None:
            unchanged[link.pattern_id] = f"pattern is {link.status}; a person closed it"
            continue
        if new == link.status:
            unchanged[link.pattern_id] = f"already {new}"
        else:
            # A rule, not a person, makes this move, so it may skip steps the table asks of
            # people (a pattern still `open` when work on it ships is still resolved by it).
            moves[link.pattern_id] = Transition(
                "pattern", str(link.status), str(new), reason, automatic=True
            )
        for item in link.feedback:
            contact = (item.author_contact or "").strip()
            if not contact:
                continue  # nobody to tell: anonymous, or no way to reach them
            pending = people.setdefault(contact.casefold(), _Pending(contact))
            pending.author = pending.author or item.author or None
            if link.pattern_id not in pending.pattern_ids:
                pending.pattern_ids.append(link.pattern_id)
            if item.feedback_id not in pending.feedback_ids:
                pending.feedback_ids.append(item.feedback_id)
    notify = [
        Recipient(p.contact, p.author, tuple(p.pattern_ids), tuple(p.feedback_ids))
        for p in people.values()
    ]
    return LoopClosure(improvement_id, moves, unchanged, notify)
