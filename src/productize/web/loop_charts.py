"""Loop charts drawn on the server as inline SVG: weekly feedback columns, no script.

The geometry lives here (plain numbers in, plain numbers out) so the templates only place
shapes, and the same columns serve the product's trend and a pattern's before/after view.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

WIDTH = 560
HEIGHT = 150
LEFT = 40  # room for the y-axis numbers
BOTTOM = 22  # room for the first and last week under the axis
TOP = 10
GAP_RATIO = 0.25  # space between columns, as a share of each column's slot


@dataclass(frozen=True, slots=True)
class Column:
    """One week's column: its count, geometry, and the words a screen reader says."""

    week: date
    count: int
    x: float
    y: float
    width: float
    height: float
    after: bool
    label: str


@dataclass(frozen=True, slots=True)
class Tick:
    """A horizontal grid line with its value."""

    y: float
    value: int

    @property
    def text_y(self) -> float:
        """Where its number sits (centred on the line)."""
        return round(self.y + 4, 1)


@dataclass(frozen=True, slots=True)
class ColumnChart:
    """Weekly columns, grid lines and an optional marker (the week an improvement shipped)."""

    columns: list[Column]
    ticks: list[Tick]
    width: int
    height: int
    left: int
    baseline: float
    marker_x: float | None
    total: int
    largest: int
    first_week: date | None
    last_week: date | None

    @property
    def tick_x(self) -> int:
        """Where the grid numbers end (right-aligned left of the plot)."""
        return self.left - 6

    @property
    def label_y(self) -> int:
        """Where the first and last week's dates sit, under the axis."""
        return self.height - 5

    @property
    def marker_text_x(self) -> float | None:
        """Where the marker's label starts."""
        return None if self.marker_x is None else round(self.marker_x + 4, 1)

    @property
    def summary(self) -> str:
        """One sentence for people who cannot see the chart."""
        if not self.columns:
            return "No feedback in this period."
        busiest = max(self.columns, key=lambda c: (c.count, c.week))
        return (
            f"{self.total} feedback item{'s' if self.total != 1 else ''} over "
            f"{len(self.columns)} weeks from {self.first_week:%d %b %Y}; busiest week "
            f"{busiest.week:%d %b %Y} with {busiest.count}."
        )


def monday(day: date) -> date:
    """The Monday of the week `day` is in (weeks start on Monday, as in verification)."""
    return day - timedelta(days=day.weekday())


def week_series(counts: Mapping[date, int], *, weeks: int, until: date) -> list[tuple[date, int]]:
    """The last `weeks` weeks up to the week of `until`, oldest first, zero where no count."""
    last = monday(until)
    by_week: dict[date, int] = {}
    for day, count in counts.items():
        by_week[monday(day)] = by_week.get(monday(day), 0) + count
    return [
        (week, by_week.get(week, 0))
        for week in (last - timedelta(weeks=n) for n in range(weeks - 1, -1, -1))
    ]


def _nice_top(largest: int) -> int:
    """A round, even number at or above the largest count, so the grid reads 0 / half / top."""
    magnitude = 1
    while True:
        for step in (4, 6, 8, 10, 12, 16, 20, 30, 40, 50, 60, 80):
            top = step * magnitude
            if top >= largest:
                return top
        magnitude *= 10


def column_chart(
    weeks: Iterable[tuple[date, int]] | Iterable[tuple[date, int, bool]],
    *,
    marker: date | None = None,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> ColumnChart:
    """Columns for (week, count[, after marker]) rows, oldest first; `marker` draws a line."""
    rows: list[tuple[date, int, bool]] = []
    for row in weeks:
        week, count = row[0], int(row[1])
        flags = tuple(row[2:])
        after = bool(flags[0]) if flags else marker is not None and week >= monday(marker)
        rows.append((week, max(count, 0), after))
    largest = max((c for _, c, _ in rows), default=0)
    top = _nice_top(largest)
    plot_height = height - TOP - BOTTOM
    baseline = float(height - BOTTOM)
    slot = (width - LEFT) / max(len(rows), 1)
    bar = max(slot * (1 - GAP_RATIO), 1.0)
    columns = []
    for index, (week, count, after) in enumerate(rows):
        h = plot_height * count / top if top else 0.0
        if count and h < 2:
            h = 2.0  # a week with one item among hundreds stays visible
        x = LEFT + index * slot + (slot - bar) / 2
        noun = "item" if count == 1 else "items"
        columns.append(
            Column(
                week=week,
                count=count,
                x=round(x, 1),
                y=round(baseline - h, 1),
                width=round(bar, 1),
                height=round(h, 1),
                after=after,
                label=f"Week of {week:%d %b %Y}: {count} {noun}"
                + (" (after it shipped)" if marker is not None and after else ""),
            )
        )
    ticks = [Tick(round(baseline - plot_height * v / top, 1), v) for v in (0, top // 2, top)]
    marker_x = None
    if marker is not None and rows:
        ship_week = monday(marker)
        first_after = next((i for i, (w, _, _) in enumerate(rows) if w >= ship_week), None)
        if first_after is not None:
            marker_x = round(LEFT + first_after * slot, 1)
    return ColumnChart(
        columns=columns,
        ticks=ticks,
        width=width,
        height=height,
        left=LEFT,
        baseline=baseline,
        marker_x=marker_x,
        total=sum(c for _, c, _ in rows),
        largest=largest,
        first_week=rows[0][0] if rows else None,
        last_week=rows[-1][0] if rows else None,
    )
