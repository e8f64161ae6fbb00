"""A roadmap item's priority: RICE-like, from pattern weight, product reach, effort, confidence.

score = impact * reach factor * confidence / effort, where
- impact is the sum of the weights of the patterns the improvement addresses;
- reach factor is 1 + log2(1 + reach), reach being how many products the graph says depend
  on this one (the log keeps a hub from drowning every other signal; 1 keeps a product with
  no consumers in the race, since it still has users);
- confidence (0-1) and effort (person-weeks, > 0) are the owner's estimates; missing ones
  take cautious defaults, and the explanation says so.
The owner may override the score; the computed value is kept beside the override.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

DEFAULT_EFFORT = 4.0  # person-weeks: an unestimated item is assumed to be a month's work
DEFAULT_CONFIDENCE = 0.5
MIN_EFFORT = 0.1  # a tenth of a week: keeps "no effort" from dividing by ~zero


@dataclass(frozen=True, slots=True)
class Priority:
    """A computed priority with every term, and the owner's override if any."""

    impact: float
    reach: int
    reach_factor: float
    confidence: float
    effort: float
    computed: float
    defaults_used: tuple[str, ...] = ()
    override: float | None = None
    override_reason: str | None = None

    @property
    def effective(self) -> float:
        """The score that orders the roadmap: the override when set, else the computed one."""
        return self.computed if self.override is None else self.override

    def explain(self) -> list[str]:
        """The formula and each term, one line each, for people."""
        lines = [
            "score = impact * reach factor * confidence / effort",
            f"impact = {self.impact:.2f} (sum of linked pattern weights)",
            f"reach factor = 1 + log2(1 + {self.reach}) = {self.reach_factor:.2f}",
            f"confidence = {self.confidence:.2f}"
            + (" (default: not estimated)" if "confidence" in self.defaults_used else ""),
            f"effort = {self.effort:g} person-weeks"
            + (" (default: not estimated)" if "effort" in self.defaults_used else ""),
            f"computed = {self.impact:.2f} * {self.reach_factor:.2f} * {self.confidence:.2f}"
            f" / {self.effort:g} = {self.computed:.2f}",
        ]
        if self.override is not None:
            why = f" — {self.override_reason}" if self.override_reason else ""
            lines.append(f"overridden by the owner: {self.override:.2f}{why}")
        return lines

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready dictionary."""
        return {
            "effective": self.effective,
            "computed": self.computed,
            "override": self.override,
            "override_reason": self.override_reason,
            "terms": {
                "impact": self.impact,
                "reach": self.reach,
                "reach_factor": round(self.reach_factor, 6),
                "confidence": self.confidence,
                "effort": self.effort,
            },
            "defaults_used": list(self.defaults_used),
            "explain": self.explain(),
        }


def compute_priority(
    *,
    pattern_weights: Sequence[float],
    reach: int,
    effort: float | None = None,
    confidence: float | None = None,
) -> Priority:
    """The priority of an improvement from its inputs (pure)."""
    if reach < 0:
        raise ValueError("reach cannot be negative")
    if any(w < 0 for w in pattern_weights):
        raise ValueError("pattern weights cannot be negative")
    defaults: list[str] = []
    if effort is None:
        effort = DEFAULT_EFFORT
        defaults.append("effort")
    if confidence is None:
        confidence = DEFAULT_CONFIDENCE
        defaults.append("confidence")
    if effort <= 0:
        raise ValueError("effort must be positive (person-weeks)")
    if not 0 <= confidence <= 1:
        raise ValueError("confidence is a fraction between 0 and 1")
    effort = max(effort, MIN_EFFORT)
    impact = float(sum(pattern_weights))
    reach_factor = 1 + math.log2(1 + reach)
    computed = round(impact * reach_factor * confidence / effort, 6)
    return Priority(impact, reach, reach_factor, confidence, effort, computed, tuple(defaults))


def with_override(priority: Priority, value: float | None, reason: str | None = None) -> Priority:
    """The same priority with the owner's override set (or cleared with None)."""
    if value is not None and (math.isnan(value) or value < 0):
        raise ValueError("an override is a non-negative number")
    if value is None:
        return replace(priority, override=None, override_reason=None)
    return replace(priority, override=value, override_reason=(reason or "").strip() or None)
