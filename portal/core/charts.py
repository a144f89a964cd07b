"""Bar-chart geometry for server-rendered SVG, for the guides and the admin dashboard alike:
these functions place the bars (and, when asked, a value axis with round ticks and gridlines,
and category labels thinned to fit), one template macro (templates/_macros/charts.html) draws
them."""

import math
from collections.abc import Callable
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
# With an axis: room left of the columns for tick labels, below bars for theirs, and right
# of the plot for the last label's other half.
AXIS_ROOM = 48
TICK_ROOM = 22
RIGHT_ROOM = 24
# Horizontal bars' labels are cut to what fits in LABEL_WIDTH (about 7 px a character).
CHAR_WIDTH = 7.2
# Category labels under columns need about this much width each.
CATEGORY_LABEL_WIDTH = 64


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
class Tick:
    """A value on the value axis: its text, and where its gridline runs (y for columns, x
    for bars)."""

    text: str
    position: float


@dataclass(frozen=True)
class Category:
    """A column's label under the axis, where there is room for it."""

    text: str
    x: float


@dataclass(frozen=True)
class Chart:
    """A whole chart: its size, its bars, which way they run, and where columns stand; with an
    axis, its ticks, the plot's edges and the category labels that fit."""

    width: int
    height: int
    bars: tuple[Bar, ...]
    horizontal: bool
    baseline: float = 0
    labelled: bool = True
    label_chars: int = 22
    ticks: tuple[Tick, ...] = ()
    plot_left: float = 0
    plot_right: float = 0
    plot_top: float = 0
    categories: tuple[Category, ...] = ()


def _scale(rows) -> float:
    """The largest value (1 when there is none, so nothing divides by zero)."""
    return float(max((value for _, value, _ in rows), default=0)) or 1.0


def nice_ticks(largest: float, count: int = 4) -> list[float]:
    """Round tick values from 0 to at least `largest`, about `count` steps of 1, 2, 2.5 or 5
    times a power of ten (whole steps from 1 up)."""
    if largest <= 0:
        return [0.0, 1.0]
    rough = largest / count
    power = 10 ** math.floor(math.log10(rough))
    # 2.5 only where it stays a whole number (25, 250...), so counts get whole ticks.
    multiples = (1, 2, 2.5, 5, 10) if power >= 10 or power < 1 else (1, 2, 5, 10)
    step = next(m * power for m in multiples if m * power >= rough)
    if step < 1 and largest >= 1:
        step = 1.0
    steps = math.ceil(largest / step - 1e-9)
    return [round(i * step, 10) for i in range(steps + 1)]


def _tick_text(value: float, show: Callable[[float], str] | None) -> str:
    """A tick's text: as `show` writes it, else the number with thousands separators."""
    if show is not None:
        return show(value)
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def column_chart(
    rows: list[tuple[str, Number, str]],
    width: int = 600,
    baseline: int = 200,
    plot_top: int = 28,
    bar_share: float = 0.62,
    highlight: int | None = None,
    labelled: bool = True,
    axis: bool = False,
    tick_text: Callable[[float], str] | None = None,
) -> Chart:
    """Columns side by side, one per (label, value, value as shown), scaled to the largest.

    Each column takes `bar_share` of its slot, centred; the tallest reaches `plot_top`, all
    stand on `baseline`. The column at index `highlight` is marked. With `axis`, a value axis
    of round ticks (written by `tick_text`) stands at the left with gridlines, columns scale to
    its top tick, and as many labels as fit go under the columns (instead of every label and
    value, which `labelled` draws).
    """
    left, right = (AXIS_ROOM, RIGHT_ROOM) if axis else (0, 0)
    ticks = nice_ticks(_scale(rows)) if axis else []
    largest = ticks[-1] if ticks else _scale(rows)
    slot = (width - left - right) / max(len(rows), 1)
    bar_width = round(slot * bar_share, 1)
    bars = []
    for index, (label, value, text) in enumerate(rows):
        height = round(float(value) / largest * (baseline - plot_top), 1)
        x = round(left + index * slot + (slot - bar_width) / 2, 1)
        y = round(baseline - height, 1)
        bars.append(Bar(label, text, x, y, bar_width, height, index == highlight))
    if not axis:
        height = baseline + (LABEL_ROOM if labelled else 0)
        return Chart(width, height, tuple(bars), False, baseline, labelled)
    every = max(1, math.ceil(len(rows) * CATEGORY_LABEL_WIDTH / (width - left - right)))
    return Chart(
        width,
        baseline + TICK_ROOM,
        tuple(bars),
        False,
        baseline,
        labelled=False,
        ticks=tuple(
            Tick(
                _tick_text(value, tick_text),
                round(baseline - value / largest * (baseline - plot_top), 1),
            )
            for value in ticks
        ),
        plot_left=left,
        plot_right=width - right,
        plot_top=plot_top,
        categories=tuple(
            Category(bar.label, bar.center)
            for index, bar in enumerate(bars)
            if (len(bars) - 1 - index) % every == 0  # always the last (the newest day)
        ),
    )


def bar_chart(
    rows: list[tuple[str, Number, str]],
    width: int = 480,
    axis: bool = False,
    tick_text: Callable[[float], str] | None = None,
    label_width: int = LABEL_WIDTH,
) -> Chart:
    """Horizontal bars, one per (label, value, value as shown), scaled to the largest value,
    their labels cut to fit `label_width`; with `axis`, to the top of a value axis of round
    ticks along the bottom, with gridlines."""
    ticks = nice_ticks(_scale(rows)) if axis else []
    largest = ticks[-1] if ticks else _scale(rows)
    room = width - label_width - VALUE_WIDTH
    chars = int((label_width - 10) / CHAR_WIDTH)
    bars = tuple(
        Bar(
            label,
            text,
            label_width,
            i * (BAR_HEIGHT + GAP),
            round(room * float(value) / largest, 1),
            BAR_HEIGHT,
        )
        for i, (label, value, text) in enumerate(rows)
    )
    height = max(len(rows) * (BAR_HEIGHT + GAP), BAR_HEIGHT)
    if not axis:
        return Chart(width, height, bars, True, label_chars=chars)
    return Chart(
        width,
        height + TICK_ROOM,
        bars,
        True,
        baseline=height,
        label_chars=chars,
        ticks=tuple(
            Tick(_tick_text(value, tick_text), round(label_width + room * value / largest, 1))
            for value in ticks
        ),
        plot_left=label_width,
        plot_right=label_width + room,
    )


def counted(rows: list[tuple[str, int]]) -> list[tuple[str, int, str]]:
    """(label, count) rows as chart rows, each count shown as it is."""
    return [(label, count, f"{count:,}") for label, count in rows]
