"""A pattern's weight from its linked feedback: count, distinct authors and recency.

weight = count_factor * count + author_factor * distinct authors + recency_factor * recent,
where `recent` is the count with each item decayed by its age (half of it after one half-life).
Distinct authors weigh more than raw count so that one loud voice does not outweigh many
quiet ones; recency lets old, possibly solved, problems sink.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True, slots=True)
class FeedbackSignal:
    """What the weight needs to know about one linked feedback item."""

    created_at: datetime
    author: str | None = None  # None: anonymous, counts towards `count` but not authors


@dataclass(frozen=True, slots=True)
class WeightParams:
    """The knobs of the weight formula (an organisation may tune them)."""

    half_life_days: float = 90.0
    count_factor: float = 0.5
    author_factor: float = 1.0
    recency_factor: float = 1.5

    def __post_init__(self) -> None:
        if self.half_life_days <= 0:
            raise ValueError("half_life_days must be positive")


@dataclass(frozen=True, slots=True)
class Weight:
    """A weight with its components, so people can see why a pattern is heavy."""

    count: int
    distinct_authors: int
    recent: float  # count decayed by age
    params: WeightParams
    newest: datetime | None

    @property
    def terms(self) -> dict[str, float]:
        """Each term's contribution to the total."""
        p = self.params
        return {
            "count": p.count_factor * self.count,
            "distinct_authors": p.author_factor * self.distinct_authors,
            "recency": p.recency_factor * self.recent,
        }

    @property
    def total(self) -> float:
        """The weight: the sum of the terms."""
        return round(sum(self.terms.values()), 6)

    def explain(self) -> str:
        """The formula with the numbers filled in, for a tooltip or an API field."""
        p = self.params
        return (
            f"{p.count_factor:g} * {self.count} items + {p.author_factor:g} * "
            f"{self.distinct_authors} distinct authors + {p.recency_factor:g} * "
            f"{self.recent:.2f} recent (half-life {p.half_life_days:g} days) = {self.total:.2f}"
        )

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready dictionary with the components and the total."""
        return {
            "total": self.total,
            "count": self.count,
            "distinct_authors": self.distinct_authors,
            "recent": round(self.recent, 6),
            "terms": {k: round(v, 6) for k, v in self.terms.items()},
            "half_life_days": self.params.half_life_days,
            "newest": self.newest.isoformat() if self.newest else None,
            "explain": self.explain(),
        }


def _aware(moment: datetime) -> datetime:
    # Naive times are taken as UTC, the way the importers store them.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def pattern_weight(
    feedback: Iterable[FeedbackSignal],
    *,
    now: datetime | None = None,
    params: WeightParams | None = None,
) -> Weight:
    """The weight of a pattern from its linked feedback, with its components."""
    params = params or WeightParams()
    now = _aware(now or datetime.now(UTC))
    count = 0
    recent = 0.0
    authors: set[str] = set()
    newest: datetime | None = None
    for item in feedback:
        count += 1
        created = _aware(item.created_at)
        # Items from the future (clock skew) count as new rather than more than new.
        age_days = max(0.0, (now - created).total_seconds() / 86_400)
        recent += 0.5 ** (age_days / params.half_life_days)
        if item.author and item.author.strip():
            authors.add(item.author.strip().casefold())
        newest = created if newest is None or created > newest else newest
    return Weight(count, len(authors), recent, params, newest)
