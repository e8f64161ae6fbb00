"""Small charts drawn on the server as inline SVG: no script, readable without colour."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from productize.catalog.selectors import StageCount

BAR_HEIGHT = 22
GAP = 10
LABEL_WIDTH = 100
COUNT_WIDTH = 52
CHART_WIDTH = 440
COMPACT_WIDTH = 300


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: its label, count, geometry and where clicking it leads."""

    label: str
    stage: str
    count: int
    y: int
    width: float
    text_y: int
    url: str


@dataclass(frozen=True, slots=True)
class BarChart:
    """A horizontal bar chart's bars and size."""

    bars: list[Bar]
    width: int
    height: int
    bar_x: int
    track_width: int
    count_x: int
    total: int


def stage_bars(stages: list[StageCount], *, compact: bool = False, loop: str = "") -> BarChart:
    """Products by stage as horizontal bars, each linking to the catalog filtered to it.

    `compact` draws it for a side column (text stays readable when the drawing is narrow);
    `loop` narrows the catalog links to one loop.
    """
    chart_width = COMPACT_WIDTH if compact else CHART_WIDTH
    largest = max((s.count for s in stages), default=0) or 1
    room = chart_width - LABEL_WIDTH - COUNT_WIDTH
    bars = []
    for index, stage in enumerate(stages):
        y = index * (BAR_HEIGHT + GAP)
        width = room * stage.count / largest
        bars.append(
            Bar(
                label=stage.stage.capitalize(),
                stage=stage.stage,
                count=stage.count,
                y=y,
                width=max(width, 2.0) if stage.count else 0.0,
                text_y=y + BAR_HEIGHT // 2 + 5,
                url=reverse("web:catalog")
                + "?"
                + urlencode({"stage": stage.stage, **({"loop": loop} if loop else {})}),
            )
        )
    height = len(stages) * (BAR_HEIGHT + GAP) - GAP
    return BarChart(
        bars=bars,
        width=chart_width,
        height=max(height, BAR_HEIGHT),
        bar_x=LABEL_WIDTH,
        track_width=room,
        count_x=chart_width - COUNT_WIDTH + 10,
        total=sum(s.count for s in stages),
    )
