"""Pattern weight and roadmap priority: the maths and the explanations."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from productize.domain.loop.priority import (
    DEFAULT_CONFIDENCE,
    DEFAULT_EFFORT,
    compute_priority,
    with_override,
)
from productize.domain.loop.weight import FeedbackSignal, WeightParams, pattern_weight

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def test_weight_components_and_total() -> None:
    feedback = [
        FeedbackSignal(NOW, "Ana"),
        FeedbackSignal(NOW - timedelta(days=90), "ana "),  # same author, one half-life old
        FeedbackSignal(NOW - timedelta(days=180), "Ben"),  # two half-lives old
        FeedbackSignal(NOW - timedelta(days=180), None),  # anonymous
    ]
    weight = pattern_weight(feedback, now=NOW)
    assert weight.count == 4
    assert weight.distinct_authors == 2
    assert weight.recent == pytest.approx(1 + 0.5 + 0.25 + 0.25)
    assert weight.terms == pytest.approx(
        {"count": 0.5 * 4, "distinct_authors": 1.0 * 2, "recency": 1.5 * 2.0}
    )
    assert weight.total == pytest.approx(7.0)
    assert weight.newest == NOW
    assert "= 7.00" in weight.explain()
    assert weight.as_dict()["terms"] == {"count": 2.0, "distinct_authors": 2.0, "recency": 3.0}


def test_weight_of_no_feedback_is_zero() -> None:
    weight = pattern_weight([], now=NOW)
    assert (weight.total, weight.count, weight.newest) == (0.0, 0, None)


def test_future_items_count_as_new_and_naive_times_as_utc() -> None:
    weight = pattern_weight(
        [FeedbackSignal(NOW + timedelta(days=3)), FeedbackSignal(datetime(2026, 6, 1))], now=NOW
    )
    assert weight.recent == pytest.approx(2.0)


def test_more_distinct_authors_weigh_more_than_one_loud_voice() -> None:
    loud = pattern_weight([FeedbackSignal(NOW, "Ana") for _ in range(4)], now=NOW)
    many = pattern_weight([FeedbackSignal(NOW, name) for name in "ABCD"], now=NOW)
    assert many.total > loud.total


def test_half_life_is_a_parameter() -> None:
    old = [FeedbackSignal(NOW - timedelta(days=30))]
    short = pattern_weight(old, now=NOW, params=WeightParams(half_life_days=30))
    assert short.recent == pytest.approx(0.5)
    with pytest.raises(ValueError, match="half_life_days"):
        WeightParams(half_life_days=0)


def test_priority_formula_and_explanation() -> None:
    priority = compute_priority(pattern_weights=[6.0, 2.0], reach=3, effort=2, confidence=0.8)
    assert priority.impact == 8.0
    assert priority.reach_factor == pytest.approx(1 + math.log2(4))  # 3.0
    assert priority.computed == pytest.approx(8.0 * 3.0 * 0.8 / 2)
    assert priority.effective == priority.computed
    lines = priority.explain()
    assert lines[0] == "score = impact * reach factor * confidence / effort"
    assert any("reach factor = 1 + log2(1 + 3) = 3.00" in line for line in lines)
    assert lines[-1].endswith("= 9.60")


def test_missing_estimates_take_defaults_and_say_so() -> None:
    priority = compute_priority(pattern_weights=[4.0], reach=0)
    assert (priority.effort, priority.confidence) == (DEFAULT_EFFORT, DEFAULT_CONFIDENCE)
    assert priority.defaults_used == ("effort", "confidence")
    assert priority.computed == pytest.approx(4.0 * 1.0 * 0.5 / 4.0)
    assert sum("default: not estimated" in line for line in priority.explain()) == 2


def test_reach_grows_the_score_but_slowly() -> None:
    def score(reach: int) -> float:
        return compute_priority(pattern_weights=[1], reach=reach, effort=1, confidence=1).computed

    assert score(0) < score(1) < score(100)
    assert score(100) < 10 * score(0)


def test_tiny_effort_is_floored() -> None:
    priority = compute_priority(pattern_weights=[1], reach=0, effort=0.001, confidence=1)
    assert priority.effort == 0.1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"reach": -1}, "reach"),
        ({"effort": 0}, "effort"),
        ({"confidence": 1.5}, "confidence"),
        ({"pattern_weights": [-1.0]}, "weights"),
    ],
)
def test_bad_estimates_are_refused(kwargs: dict, message: str) -> None:
    arguments: dict = {"pattern_weights": [1.0], "reach": 1, **kwargs}
    with pytest.raises(ValueError, match=message):
        compute_priority(**arguments)


def test_override_is_kept_beside_the_computed_value() -> None:
    priority = compute_priority(pattern_weights=[2.0], reach=1, effort=1, confidence=1)
    overridden = with_override(priority, 99.0, " contract deadline ")
    assert overridden.effective == 99.0
    assert overridden.computed == priority.computed
    assert overridden.explain()[-1] == "overridden by the owner: 99.00 — contract deadline"
    assert overridden.as_dict()["override_reason"] == "contract deadline"
    cleared = with_override(overridden, None)
    assert (cleared.override, cleared.override_reason, cleared.effective) == (
        None,
        None,
        priority.computed,
    )
    with pytest.raises(ValueError):
        with_override(priority, -1)
    with pytest.raises(ValueError):
        with_override(priority, float("nan"))
