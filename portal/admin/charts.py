"""Bar-chart geometry for server-rendered SVG: the template draws what these functions place."""

from dataclasses import dataclass

LABEL_WIDTH = 140
BAR_HEIGHT = 18
GAP = 6


@dataclass(frozen=True)
class Bar:
    """One bar: its label and value, and where it sits in the SVG."""

    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    """A whole chart: its size and its bars."""

    width: int
    height: int
    bars: list[Bar]
    horizontal: bool


def bar_chart(rows: list[tuple[str, int]], width: int = 480) -> Chart:
    """Horizontal bars, one per (label, value), scaled to the largest value."""
    top = max((value for _, value in rows), default=0) or 1
    room = width - LABEL_WIDTH - 50  # space for the value after the bar
    bars = [
        Bar(label, value, LABEL_WIDTH, i * (BAR_HEIGHT + GAP), room * value / top, BAR_HEIGHT)
        for i, (label, value) in enumerate(rows)
    ]
    return Chart(width, max(len(rows) * (BAR_HEIGHT + GAP), BAR_HEIGHT), bars, True)


def column_chart(rows: list[tuple[str, int]], width: int = 600, height: int = 160) -> Chart:
    """Vertical columns, one per (label, value) in order, e.g. a count per day."""
    top = max((value for _, value in rows), default=0) or 1
    slot = width / max(len(rows), 1)
    bars = []
    for i, (label, value) in enumerate(rows):
        bar_height = (height - 20) * value / top
        bars.append(Bar(label, value, i * slot + 1, height - bar_height, slot - 2, bar_height))
    return Chart(width, height, bars, False)
