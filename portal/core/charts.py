"""Bar-chart geometry for server-rendered SVG, for the guides and the admin dashboard alike:
these functions place the bars, one template macro (templates/_macros/charts.html) draws them."""

from dataclasses import dataclass
from decimal import Decimal

Number = int | float | Decimal
# Horizontal charts: room for the labels on the left and the values on the right.
LABEL_WIDTH = 140
VALUE_WIDTH = 50
BAR_HEIGHT = 18
GAP = 6
# Column charts: room under the baseline for the labels.
LABEL_ROOM = 40


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value as shown, and where it sits in the SVG."""

    label: str
    value: str
    x: float
    y: float
    width: float
    height: float
    highlight: bool = False

    @property
    def center(self) -> float:
        """The x coordinate of the bar's middle, where a column's labels go."""
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True)
class Chart:
    """A whole chart: its size, its bars, which way they run, and where columns stand."""

    width: int
    height: int
    bars: tuple[Bar, ...]
    horizontal: bool
    baseline: float = 0
    labelled: bool = True


def _scale(rows) -> float:
    """The largest value (1 when there is none, so nothing divides by zero)."""
    return float(max((value for _, value, _ in rows), default=0)) or 1.0


def column_chart(
    rows: list[tuple[str, Number, str]],
    width: int = 600,
    baseline: int = 200,
    plot_top: int = 28,
    bar_share: float = 0.62,
    highlight: int | None = None,
    labelled: bool = True,
) -> Chart:
    """Columns side by side, one per (label, value, value as shown), scaled to the largest.

    Each column takes `bar_share` of its slot, centred; the tallest reaches `plot_top`, all
    stand on `baseline`. The column at index `highlight` is marked.
    """
    largest = _scale(rows)
    slot = width / max(len(rows), 1)
    bar_width = round(slot * bar_share, 1)
    bars = []
    for index, (label, value, text) in enumerate(rows):
        height = round(float(value) / largest * (baseline - plot_top), 1)
        x = round(index * slot + (slot - bar_width) / 2, 1)
        y = round(baseline - height, 1)
        bars.append(Bar(label, text, x, y, bar_width, height, index == highlight))
    height = baseline + (LABEL_ROOM if labelled else 0)
    return Chart(width, height, tuple(bars), False, baseline, labelled)


def bar_chart(rows: list[tuple[str, Number, str]], width: int = 480) -> Chart:
    """Horizontal bars, one per (label, value, value as shown), scaled to the largest value."""
    largest = _scale(rows)
    room = width - LABEL_WIDTH - VALUE_WIDTH
    bars = tuple(
        Bar(
            label,
            text,
            LABEL_WIDTH,
            i * (BAR_HEIGHT + GAP),
            round(room * float(value) / largest, 1),
            BAR_HEIGHT,
        )
        for i, (label, value, text) in enumerate(rows)
    )
    height = max(len(rows) * (BAR_HEIGHT + GAP), BAR_HEIGHT)
    return Chart(width, height, bars, True)


def counted(rows: list[tuple[str, int]]) -> list[tuple[str, int, str]]:
    """(label, count) rows as chart rows, each count shown as it is."""
    return [(label, count, f"{count:,}") for label, count in rows]
