"""Did it work? The rate of new feedback on a pattern before and after its improvement shipped.

Two windows of equal length meet at the ship date: [ship - window, ship) and
[ship, ship + window), the second cut at `now` while it is still running. Rates are per week
so windows of different lengths compare. The verdict is a hint for the owner, who closes the
pattern resolved or unresolved; it never closes anything itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

WEEK = timedelta(weeks=1)
DROP = 0.5  # the after-rate at most half the before-rate counts as a drop
RISE = 1.5


@dataclass(frozen=True, slots=True)
class RateWindow:
    """Feedback counted in one window, and the rate per week."""

    start: datetime
    end: datetime
    count: int

    @property
    def weeks(self) -> float:
        """The window's length in weeks."""
        return (self.end - self.start) / WEEK

    @property
    def per_week(self) -> float:
        """Items per week (0 for an empty window)."""
        return self.count / self.weeks if self.weeks > 0 else 0.0


@dataclass(frozen=True, slots=True)
class WeekCount:
    """Feedback in one calendar week (Monday first), for a chart."""

    week_start: date
    count: int
    after_ship: bool


@dataclass(frozen=True, slots=True)
class Verification:
    """Before and after rates, the change, a verdict hint and the weekly series."""

    shipped_at: datetime
    before: RateWindow
    after: RateWindow
    weekly: tuple[WeekCount, ...]
    verdict: str  # dropped, unchanged, rose, too-early or no-feedback

    @property
    def change(self) -> float | None:
        """after ÷ before - 1 (e.g. -0.75 for a 75 % drop); None without a before-rate."""
        if self.before.per_week == 0:
            return None
        return self.after.per_week / self.before.per_week - 1

    def as_dict(self) -> dict[str, object]:
        """Plain data for a chart and the pattern page."""

        def window(w: RateWindow) -> dict[str, object]:
            return {
                "start": w.start.isoformat(),
                "end": w.end.isoformat(),
                "weeks": round(w.weeks, 3),
                "count": w.count,
                "per_week": round(w.per_week, 3),
            }

        return {
            "shipped_at": self.shipped_at.isoformat(),
            "before": window(self.before),
            "after": window(self.after),
            "change": None if self.change is None else round(self.change, 3),
            "verdict": self.verdict,
            "weekly": [
                {"week": w.week_start.isoformat(), "count": w.count, "after_ship": w.after_ship}
                for w in self.weekly
            ],
        }


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _monday(moment: datetime) -> date:
    day = moment.date()
    return day - timedelta(days=day.weekday())


def verify(
    created: Iterable[datetime],
    *,
    shipped_at: datetime,
    now: datetime | None = None,
    window_weeks: int = 8,
    min_after_weeks: int = 2,
) -> Verification:
    """Compare the feedback rate before and after `shipped_at` (times of linked feedback)."""
    if window_weeks < 1:
        raise ValueError("window_weeks must be at least 1")
    shipped = _aware(shipped_at)
    now = _aware(now or datetime.now(UTC))
    window = WEEK * window_weeks
    start = shipped - window
    end = max(shipped, min(now, shipped + window))
    times = sorted(t for t in map(_aware, created) if start <= t < end)
    before = RateWindow(start, shipped, sum(1 for t in times if t < shipped))
    after = RateWindow(shipped, end, sum(1 for t in times if t >= shipped))
    weeks: dict[date, int] = {}
    monday = _monday(start)
    while monday < end.date():
        weeks[monday] = 0
        monday += timedelta(weeks=1)
    for t in times:
        weeks[_monday(t)] = weeks.get(_monday(t), 0) + 1
    weekly = tuple(
        WeekCount(day, count, day >= _monday(shipped)) for day, count in sorted(weeks.items())
    )
    return Verification(shipped, before, after, weekly, _verdict(before, after, min_after_weeks))


def _verdict(before: RateWindow, after: RateWindow, min_after_weeks: int) -> str:
    if after.weeks < min_after_weeks:
        return "too-early"  # a week of silence after a release proves little
    if before.count == 0 and after.count == 0:
        return "no-feedback"
    if before.per_week == 0:
        return "rose"
    ratio = after.per_week / before.per_week
    if ratio <= DROP:
        return "dropped"
    if ratio >= RISE:
        return "rose"
    return "unchanged"
