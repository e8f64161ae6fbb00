"""Pattern and improvement state machines, and the loop-closing rule."""

from __future__ import annotations

import pytest

from productize.domain.loop.states import (
    IMPROVEMENT_TRANSITIONS,
    PATTERN_TRANSITIONS,
    ImprovementStatus,
    LinkedFeedback,
    PatternLink,
    PatternStatus,
    TransitionError,
    allowed_targets,
    close_loop,
    pattern_status_after_completion,
    transition,
)

P = PatternStatus
I = ImprovementStatus  # noqa: E741

PATTERN_ALLOWED = {
    P.OPEN: {P.BRAINSTORMING, P.IMPROVEMENT_IN_PROGRESS, P.CLOSED_RESOLVED, P.CLOSED_UNRESOLVED},
    P.BRAINSTORMING: {P.OPEN, P.IMPROVEMENT_IN_PROGRESS, P.CLOSED_UNRESOLVED},
    P.IMPROVEMENT_IN_PROGRESS: {
        P.OPEN,
        P.BRAINSTORMING,
        P.PARTIALLY_RESOLVED,
        P.RESOLVED_PENDING_REVIEW,
    },
    P.PARTIALLY_RESOLVED: {
        P.BRAINSTORMING,
        P.IMPROVEMENT_IN_PROGRESS,
        P.RESOLVED_PENDING_REVIEW,
        P.CLOSED_RESOLVED,
        P.CLOSED_UNRESOLVED,
    },
    P.RESOLVED_PENDING_REVIEW: {
        P.CLOSED_RESOLVED,
        P.CLOSED_UNRESOLVED,
        P.OPEN,
        P.IMPROVEMENT_IN_PROGRESS,
    },
    P.CLOSED_RESOLVED: {P.OPEN},
    P.CLOSED_UNRESOLVED: {P.OPEN},
}
IMPROVEMENT_ALLOWED = {
    I.PROPOSED: {I.RESEARCHING, I.AWAITING_APPROVAL, I.DENIED},
    I.RESEARCHING: {I.PROPOSED, I.AWAITING_APPROVAL, I.DENIED},
    I.AWAITING_APPROVAL: {I.RESEARCHING, I.READY, I.DENIED},
    I.READY: {I.AWAITING_APPROVAL, I.IN_IMPLEMENTATION, I.DENIED},
    I.IN_IMPLEMENTATION: {I.READY, I.COMPLETED, I.FAILED},
    I.COMPLETED: set(),
    I.DENIED: {I.PROPOSED},
    I.FAILED: {I.PROPOSED},
}
NEEDS_REASON = {
    (P.OPEN, P.CLOSED_RESOLVED),
    (P.OPEN, P.CLOSED_UNRESOLVED),
    (P.BRAINSTORMING, P.CLOSED_UNRESOLVED),
    (P.PARTIALLY_RESOLVED, P.CLOSED_RESOLVED),
    (P.PARTIALLY_RESOLVED, P.CLOSED_UNRESOLVED),
    (P.RESOLVED_PENDING_REVIEW, P.CLOSED_RESOLVED),
    (P.RESOLVED_PENDING_REVIEW, P.CLOSED_UNRESOLVED),
    (P.CLOSED_RESOLVED, P.OPEN),
    (P.CLOSED_UNRESOLVED, P.OPEN),
    (I.DENIED, I.PROPOSED),
    (I.FAILED, I.PROPOSED),
}


def test_the_tables_are_the_documented_ones() -> None:
    assert {k: set(v) for k, v in PATTERN_TRANSITIONS.items()} == PATTERN_ALLOWED
    assert {k: set(v) for k, v in IMPROVEMENT_TRANSITIONS.items()} == IMPROVEMENT_ALLOWED


ALL_MOVES = [(s, t) for s in P for t in P] + [(s, t) for s in I for t in I]


@pytest.mark.parametrize(("source", "target"), ALL_MOVES, ids=lambda v: str(v))
def test_every_move_is_allowed_or_refused_by_the_table(
    source: PatternStatus | ImprovementStatus, target: PatternStatus | ImprovementStatus
) -> None:
    table: dict = PATTERN_ALLOWED if isinstance(source, PatternStatus) else IMPROVEMENT_ALLOWED
    if target in table[source]:
        move = transition(source, target, reason="checked")
        assert (move.source, move.target, move.reason) == (str(source), str(target), "checked")
        assert move.machine == ("pattern" if isinstance(source, PatternStatus) else "improvement")
        assert not move.automatic
    else:
        with pytest.raises(TransitionError) as caught:
            transition(source, target, reason="checked")
        assert caught.value.allowed == tuple(sorted(str(t) for t in table[source]))


@pytest.mark.parametrize(("source", "target"), sorted(NEEDS_REASON, key=str), ids=str)
def test_closing_and_reopening_need_a_reason(
    source: PatternStatus | ImprovementStatus, target: PatternStatus | ImprovementStatus
) -> None:
    with pytest.raises(TransitionError, match="needs a reason"):
        transition(source, target)
    with pytest.raises(TransitionError, match="needs a reason"):
        transition(source, target, reason="   ")
    assert transition(source, target, reason=" duplicate of #12 ").reason == "duplicate of #12"


def test_ordinary_moves_need_no_reason() -> None:
    assert transition(P.OPEN, P.BRAINSTORMING).reason is None
    assert transition("proposed", "researching").target == "researching"


def test_the_error_names_the_allowed_targets() -> None:
    with pytest.raises(TransitionError) as caught:
        transition("open", "resolved-pending-review")
    message = str(caught.value)
    assert "cannot move from `open` to `resolved-pending-review`" in message
    for target in ("brainstorming", "improvement-in-progress", "closed-resolved"):
        assert f"`{target}`" in message


def test_a_completed_improvement_is_final() -> None:
    assert allowed_targets(I.COMPLETED) == frozenset()
    with pytest.raises(TransitionError, match=r"nothing \(it is final\)"):
        transition("completed", "proposed", reason="regression")


def test_staying_put_is_not_a_move() -> None:
    with pytest.raises(TransitionError, match="already there"):
        transition("open", "open")


def test_statuses_of_different_machines_do_not_mix() -> None:
    with pytest.raises(TransitionError, match="not a pattern status"):
        transition("open", "completed")
    with pytest.raises(TransitionError, match="not a status"):
        transition("opened", "closed-resolved")


def _feedback(*items: tuple[str, str | None, str | None]) -> tuple[LinkedFeedback, ...]:
    return tuple(LinkedFeedback(fid, author, contact) for fid, author, contact in items)


def test_completion_resolves_a_pattern_with_no_other_open_improvement() -> None:
    link = PatternLink(
        "p1", P.IMPROVEMENT_IN_PROGRESS, {"imp-old": I.DENIED, "imp-older": I.COMPLETED}
    )
    assert pattern_status_after_completion(link) == P.RESOLVED_PENDING_REVIEW


@pytest.mark.parametrize("other", [I.PROPOSED, I.RESEARCHING, I.READY, I.IN_IMPLEMENTATION])
def test_completion_partially_resolves_while_other_improvements_are_open(
    other: ImprovementStatus,
) -> None:
    link = PatternLink("p1", P.IMPROVEMENT_IN_PROGRESS, {"imp-2": other})
    assert pattern_status_after_completion(link) == P.PARTIALLY_RESOLVED


def test_close_loop_moves_patterns_and_notifies_each_person_once() -> None:
    patterns = [
        PatternLink(
            "p1",
            P.IMPROVEMENT_IN_PROGRESS,
            {},
            _feedback(
                ("f1", "Ana", "ana@example.org"),
                ("f2", "Ben", None),  # no way to reach Ben
                ("f3", None, "  "),  # blank contact
                ("f4", "Ana", "ANA@example.org"),  # same person, other spelling
            ),
        ),
        PatternLink(
            "p2",
            P.IMPROVEMENT_IN_PROGRESS,
            {"imp-9": I.READY},
            _feedback(("f5", None, "ana@example.org"), ("f6", "Cy", "cy@example.org")),
        ),
        PatternLink("p3", P.CLOSED_UNRESOLVED, {}, _feedback(("f7", "Dee", "dee@example.org"))),
        PatternLink("p4", P.PARTIALLY_RESOLVED, {"imp-5": I.IN_IMPLEMENTATION}),
    ]
    closure = close_loop("imp-1", patterns)
    assert {pid: t.target for pid, t in closure.transitions.items()} == {
        "p1": "resolved-pending-review",
        "p2": "partially-resolved",
    }
    assert all(
        t.automatic and t.reason == "improvement imp-1 completed"
        for t in closure.transitions.values()
    )
    assert set(closure.unchanged) == {"p3", "p4"}
    people = {r.contact: r for r in closure.notify}
    assert set(people) == {"ana@example.org", "cy@example.org"}  # not Dee: p3 was closed
    assert people["ana@example.org"].author == "Ana"
    assert people["ana@example.org"].pattern_ids == ("p1", "p2")
    assert people["ana@example.org"].feedback_ids == ("f1", "f4", "f5")


def test_close_loop_moves_a_pattern_that_was_still_open() -> None:
    closure = close_loop("imp-1", [PatternLink("p1", P.OPEN)])
    move = closure.transitions["p1"]
    assert (move.source, move.target) == ("open", "resolved-pending-review")
    assert closure.notify == []
