"""Server-rendered SVG geometry for assessment charts: history line, level-stacked bars."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from productize.assessment.models import AssessmentHistory
from productize.assessment.selectors import LEVELS, level_title

WIDTH, HEIGHT, PAD = 300, 90, 8
# LABEL is room for about 34 characters at 12px ("Team and company operations" fits); longer
# labels end in an ellipsis and the full name is in the label's tooltip.
ROW, ROW_GAP, LABEL, BAR_WIDTH = 20, 8, 220, 300
LABEL_CHARS = 34


@dataclass(frozen=True, slots=True)
class Point:
    """One history point: where it is drawn and what it says."""

    x: float
    y: float
    label: str


@dataclass(frozen=True, slots=True)
class LineChart:
    """The score over time, as a polyline with one labelled point per change."""

    points: list[Point]
    path: str
    width: int = WIDTH
    height: int = HEIGHT


def history_chart(rows: Sequence[AssessmentHistory]) -> LineChart | None:
    """Score over time (0 to 100), oldest left; None with fewer than one row."""
    if not rows:
        return None
    step = (WIDTH - 2 * PAD) / max(len(rows) - 1, 1)
    points = []
    for index, row in enumerate(rows):
        x = PAD + index * step if len(rows) > 1 else WIDTH / 2
        y = PAD + (HEIGHT - 2 * PAD) * (1 - row.score / 100)
        why = ", ".join(row.why) or "re-assessed"
        label = f"{row.at:%Y-%m-%d %H:%M}: {level_title(row.level)}, score {row.score} ({why})"
        points.append(Point(round(x, 1), round(y, 1), label))
    path = " ".join(f"{p.x},{p.y}" for p in points)
    return LineChart(points, path)


@dataclass(frozen=True, slots=True)
class Segment:
    """One level's part of a stacked bar."""

    level: str
    title: str
    count: int
    x: float
    width: float


@dataclass(frozen=True, slots=True)
class StackedRow:
    """One row (a loop or a stage) of a stacked bar chart."""

    key: str
    label: str
    short_label: str
    total: int
    y: int
    text_y: int
    segments: list[Segment]


@dataclass(frozen=True, slots=True)
class StackedChart:
    """Rows of level-stacked bars, each as wide as its share of the largest row."""

    rows: list[StackedRow]
    width: int
    height: int
    bar_x: int
    count_x: int


def stacked_chart(rows: Sequence[tuple[str, str, Mapping[str, int]]]) -> StackedChart:
    """Counts by level for each (key, label, counts) row, as stacked horizontal bars."""
    largest = max((sum(c.values()) for _, _, c in rows), default=0) or 1
    out = []
    for index, (key, label, counts) in enumerate(rows):
        y = index * (ROW + ROW_GAP)
        x = float(LABEL)
        segments = []
        for level in LEVELS:
            n = counts.get(level, 0)
            if not n:
                continue
            width = BAR_WIDTH * n / largest
            segments.append(Segment(level, level_title(level), n, round(x, 1), round(width, 1)))
            x += width
        total = sum(counts.values())
        short = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"
        out.append(StackedRow(key, label, short, total, y, y + ROW // 2 + 5, segments))
    height = max(len(rows) * (ROW + ROW_GAP) - ROW_GAP, ROW)
    return StackedChart(out, LABEL + BAR_WIDTH + 60, height, LABEL, LABEL + BAR_WIDTH + 8)
