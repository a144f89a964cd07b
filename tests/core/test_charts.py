"""Bar-chart geometry: one set of functions for the guide's charts and the admin dashboard's."""

import pytest

from portal.core.charts import bar_chart, column_chart, counted, nice_ticks


def test_columns_scale_to_the_largest_value_and_stand_on_the_baseline():
    chart = column_chart([("a", 50, "50"), ("b", 100, "100")], width=200)
    low, high = chart.bars
    assert high.height == 200 - 28 and high.y == 28
    assert low.height == pytest.approx(86) and low.y + low.height == 200
    assert (low.center, high.center) == (50, 150)
    assert chart.height == 240 and not chart.horizontal


def test_a_column_can_be_highlighted():
    chart = column_chart([("2023", 1, "1"), ("2033", 2, "2")], width=300, highlight=1)
    assert [bar.highlight for bar in chart.bars] == [False, True]


def test_bars_scale_to_the_largest_value():
    chart = bar_chart(counted([("a", 10), ("b", 5), ("c", 0)]), width=480)
    widths = [bar.width for bar in chart.bars]
    assert widths[0] == 480 - 140 - 50 and widths[1] == widths[0] / 2 and widths[2] == 0
    assert [bar.y for bar in chart.bars] == [0, 24, 48]
    assert [bar.value for bar in chart.bars] == ["10", "5", "0"]


def test_columns_are_placed_left_to_right_within_their_slots():
    chart = column_chart(counted([("d1", 0), ("d2", 4), ("d3", 2)]), width=300, bar_share=0.9)
    assert [bar.x for bar in chart.bars] == [5, 105, 205]
    assert chart.bars[1].height == 200 - 28 and chart.bars[0].height == 0


def test_charts_of_nothing_do_not_divide_by_zero():
    assert bar_chart([]).bars == () and column_chart(counted([("d", 0)])).bars[0].height == 0


@pytest.mark.parametrize(
    ("largest", "ticks"),
    [
        (0, [0, 1]),
        (3, [0, 1, 2, 3]),
        (7, [0, 2, 4, 6, 8]),
        (13, [0, 5, 10, 15]),
        (99, [0, 25, 50, 75, 100]),
        (1234, [0, 500, 1000, 1500]),
        (0.4, [0, 0.1, 0.2, 0.3, 0.4]),
    ],
)
def test_ticks_are_round_and_reach_the_largest_value(largest, ticks):
    assert nice_ticks(largest) == pytest.approx(ticks)


def test_columns_with_an_axis_scale_to_the_top_tick_and_label_what_fits():
    rows = counted([(f"Nov {day}", day % 7) for day in range(1, 31)])
    chart = column_chart(rows, width=560, baseline=190, plot_top=12, axis=True)
    assert [tick.text for tick in chart.ticks] == ["0", "2", "4", "6"]
    assert chart.ticks[0].position == 190 and chart.ticks[-1].position == 12
    tallest = max(chart.bars, key=lambda bar: bar.height)
    assert tallest.height == pytest.approx(190 - 12)
    assert chart.bars[0].height == pytest.approx((190 - 12) / 6, abs=0.1)
    assert chart.plot_left == 48 and chart.plot_right == 560 - 24
    assert all(
        chart.plot_left <= bar.x and bar.x + bar.width <= chart.plot_right for bar in chart.bars
    )
    # Every seventh label or so fits; the newest day is always labelled.
    assert chart.categories[-1].text == "Nov 30" and 3 <= len(chart.categories) <= 8
    assert not chart.labelled and chart.height == 190 + 22


def test_tick_text_can_be_money():
    chart = column_chart(
        counted([("a", 120), ("b", 450)]), axis=True, tick_text=lambda v: f"${v:,.0f}"
    )
    assert [tick.text for tick in chart.ticks] == ["$0", "$200", "$400", "$600"]


def test_bars_with_an_axis_and_labels_cut_to_fit():
    rows = counted([("Riverside Career Academy of Health Sciences", 58), ("AK", 10)])
    chart = bar_chart(rows, width=560, axis=True, label_width=200)
    assert chart.horizontal and chart.label_chars == 26
    assert [tick.text for tick in chart.ticks] == ["0", "20", "40", "60"]
    assert chart.ticks[-1].position == chart.plot_right == 560 - 50
    assert chart.bars[0].width == pytest.approx((560 - 200 - 50) * 58 / 60, abs=0.1)
    assert chart.height == chart.baseline + 22


def test_charts_without_an_axis_are_drawn_as_before():
    """The guides' charts: no ticks, every label and value."""
    chart = column_chart([("a", 50, "50"), ("b", 100, "100")], width=200)
    assert chart.ticks == () and chart.categories == () and chart.plot_left == 0
