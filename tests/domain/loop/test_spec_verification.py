"""The pre-filled improvement specification and the before/after verification."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from productize.domain.loop.spec_template import (
    SECTIONS,
    PatternBrief,
    Specification,
    prefilled_specification,
)
from productize.domain.loop.verification import verify

SHIP = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday


def test_template_has_the_sections_of_the_concept() -> None:
    assert [s.heading for s in SECTIONS] == [
        "Problem and who has it",
        "How it is solved today",
        "The new solution, as the user sees it",
        "Implementation",
        "Migration",
        "Release plan",
        "Resources",
        "Risks",
    ]


def test_specification_is_prefilled_from_patterns() -> None:
    spec = prefilled_specification(
        [
            PatternBrief(
                "p1",
                "Drivers lose deliveries when offline",
                feedback_count=12,
                distinct_authors=9,
                workaround="Mark stops   again\nwhen back in coverage.",
                products=("driver-app",),
                quotes=("I had to redo six stops from memory.", "x" * 400, "third", "fourth"),
            ),
            PatternBrief("p2", "Proof photos fail to upload", feedback_count=1),
        ]
    )
    assert spec.title == "Improvement"
    problem = spec.sections["problem"]
    assert "**Drivers lose deliveries when offline** — 12 feedback items from 9 people" in problem
    assert "(products: driver-app)" in problem
    assert "> I had to redo six stops from memory." in problem
    assert "fourth" not in problem  # three quotes at most
    assert "…" in problem  # the long quote is cut
    assert "1 feedback item." in problem
    assert "2 patterns, 13 feedback items in all." in problem
    today = spec.sections["today"]
    assert "Mark stops again when back in coverage." in today
    assert "Proof photos fail to upload: no workaround is known." in today
    assert spec.missing() == [
        "solution",
        "implementation",
        "migration",
        "release",
        "resources",
        "risks",
    ]


def test_each_quote_stays_its_own_paragraph() -> None:
    brief = PatternBrief("p1", "Exports time out", feedback_count=2, quotes=("first", "second"))
    problem = prefilled_specification([brief]).sections["problem"]
    # A bare `>` line separates the quotes, so Markdown does not run them into one paragraph.
    assert "  > first\n  >\n  > second" in problem


def test_markdown_shows_prompts_for_empty_sections() -> None:
    spec = prefilled_specification([PatternBrief("p1", "Slots are always full")])
    assert spec.title == "Slots are always full"
    text = spec.to_markdown()
    assert text.startswith("# Slots are always full\n\n## Problem and who has it\n\n- **Slots")
    assert "## Risks\n\n_What could go wrong, and what we do if it does._" in text
    assert Specification("T", {"risks": "None."}).to_markdown().endswith("## Risks\n\nNone.\n")


def _times(start: datetime, count: int, step: timedelta) -> list[datetime]:
    return [start + step * i for i in range(count)]


def test_feedback_rate_drops_after_shipping() -> None:
    before = _times(SHIP - timedelta(weeks=8), 16, timedelta(days=3, hours=12))  # 2 a week
    after = _times(SHIP + timedelta(days=1), 2, timedelta(weeks=3))
    old = [SHIP - timedelta(weeks=20)]  # outside the window
    result = verify(before + after + old, shipped_at=SHIP, now=SHIP + timedelta(weeks=10))
    assert result.before.count == 16
    assert result.before.per_week == pytest.approx(2.0)
    assert result.after.weeks == pytest.approx(8.0)
    assert result.after.per_week == pytest.approx(2 / 8)
    assert result.change == pytest.approx(-0.875)
    assert result.verdict == "dropped"
    assert len(result.weekly) == 16
    assert sum(w.count for w in result.weekly) == 18
    assert [w.after_ship for w in result.weekly] == [False] * 8 + [True] * 8
    data = result.as_dict()
    assert data["verdict"] == "dropped"
    weekly = data["weekly"]
    assert isinstance(weekly, list)
    assert weekly[0] == {"week": "2026-01-05", "count": 2, "after_ship": False}


def test_after_window_is_cut_at_now_and_too_early_is_said() -> None:
    result = verify([SHIP - timedelta(days=1)], shipped_at=SHIP, now=SHIP + timedelta(days=5))
    assert result.after.weeks == pytest.approx(5 / 7)
    assert result.verdict == "too-early"


@pytest.mark.parametrize(
    ("before", "after", "verdict"),
    [(0, 0, "no-feedback"), (0, 3, "rose"), (8, 8, "unchanged"), (4, 12, "rose")],
)
def test_verdicts(before: int, after: int, verdict: str) -> None:
    times = _times(SHIP - timedelta(weeks=8), before, timedelta(days=1)) + _times(
        SHIP, after, timedelta(days=1)
    )
    now = SHIP + timedelta(weeks=8)
    result = verify(times, shipped_at=SHIP, now=now)
    assert result.verdict == verdict
    assert (result.change is None) == (before == 0)


def test_window_must_be_a_week_or_more() -> None:
    with pytest.raises(ValueError):
        verify([], shipped_at=SHIP, window_weeks=0)
