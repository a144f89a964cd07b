"""Bar-chart geometry: one set of functions for the guide's charts and the admin dashboard's."""

import pytest

from portal.core.charts import bar_chart, column_chart, counted


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
