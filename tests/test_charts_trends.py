"""Trends pictures: time series in every display, compare, breakdowns, and the total-value displays."""

import pytest

from charts import render_svg
from charts import samples as s
from charts.palette import DATA_COLORS
from tests.charts_helpers import svg_texts, texts_of


def test_trends_line_with_breakdowns_shows_legend_dates_and_timezone():
    result = s.trends_result(days=90, breakdowns=s.BROWSERS)
    svg = render_svg(s.trends_query(), result, timezone="Europe/Berlin")
    texts = svg_texts(svg)
    assert [t for t in texts if t in s.BROWSERS[:4] + ["Other"]] == ["Chrome", "Safari", "Firefox", "Edge", "Other"]
    assert "1-Jan-2024" in texts and "Timezone: Europe/Berlin" in texts
    assert "$$_posthog_breakdown_other_$$" not in svg
    for color in DATA_COLORS[:5]:
        assert f"stroke: {color}" in svg


def test_trends_line_y_axis_ticks_cover_the_values():
    result = s.trends_result(days=5)
    texts = texts_of(s.trends_query(breakdown=None), result)
    ticks = [int(t.replace(",", "")) for t in texts if t.replace(",", "").isdigit()]
    assert ticks[0] == 0 and max(ticks) >= max(result["results"][0]["data"]) * 0.7
    assert texts[:5] == ["1-Jan-2024", "2-Jan-2024", "3-Jan-2024", "4-Jan-2024", "5-Jan-2024"]
    assert "$pageview" not in texts  # one series: no legend


def test_trends_compare_marks_periods_and_dashes_the_previous_one():
    svg = render_svg(s.trends_query(compare=True, breakdown=None), s.trends_result(days=30, compare=True))
    texts = svg_texts(svg)
    assert "$pageview (current)" in texts and "$pageview (previous)" in texts
    assert "stroke-dasharray" in svg
    assert "1-Jan-2024" in texts and "2-Dec-2023" not in texts  # the axis is the current period's


@pytest.mark.parametrize("display", ["ActionsBar", "ActionsStackedBar", "ActionsUnstackedBar", "ActionsAreaGraph"])
def test_trends_bar_and_area_displays_draw_every_series(display):
    query = s.trends_query(display)
    query["source"]["trendsFilter"]["showValuesOnSeries"] = True
    result = s.trends_result(days=3, breakdowns=["Chrome", "Safari"])
    texts = texts_of(query, result)
    assert "Chrome" in texts and "Safari" in texts
    if display != "ActionsAreaGraph":
        values = [f"{value:,}" for row in result["results"] for value in row["data"]]
        assert all(value in texts for value in values)


def test_trends_cumulative_axis_reaches_the_running_total():
    result = s.trends_result(days=10, cumulative=True)
    texts = texts_of(s.trends_query("ActionsLineGraphCumulative", breakdown=None), result)
    ticks = [int(t.replace(",", "")) for t in texts if t.replace(",", "").isdigit()]
    assert max(ticks) >= result["results"][0]["data"][-1] * 0.7


def test_trends_axis_format_percentage_and_duration():
    query = s.trends_query(breakdown=None)
    query["source"]["trendsFilter"].update({"aggregationAxisFormat": "percentage", "decimalPlaces": 0})
    ticks = [t for t in texts_of(query, s.trends_result(days=4)) if "Jan" not in t and "Timezone" not in t]
    assert ticks[0] == "0%" and len(ticks) >= 3 and all(t.endswith("%") for t in ticks)
    query["source"]["trendsFilter"].update({"aggregationAxisFormat": "duration"})
    texts = texts_of(query, {"results": [{**s.trends_result(days=2)["results"][0], "data": [3600, 7200]}]})
    assert "1h" in texts and "2h" in texts


def test_trends_hidden_legend_indexes_leave_series_out():
    query = s.trends_query()
    query["source"]["trendsFilter"]["hiddenLegendIndexes"] = [1]
    texts = texts_of(query, s.trends_result(days=5, breakdowns=["Chrome", "Safari", "Firefox"]))
    assert "Chrome" in texts and "Firefox" in texts and "Safari" not in texts


def test_trends_two_series_with_breakdown_use_runner_labels():
    result = s.trends_result(days=5, breakdowns=["Chrome"], series=2)
    texts = texts_of(s.trends_query(series=2), result)
    assert "$pageview - Chrome" in texts and "purchase - Chrome" in texts


def test_bold_number_shows_total_and_change():
    texts = texts_of(s.trends_query("BoldNumber", breakdown=None, compare=True), s.bold_number_result(48213, 40110))
    assert texts == ["48,213", "$pageview", "▲ 20.2% from previous period (40,110)"]
    texts = texts_of(s.trends_query("BoldNumber", breakdown=None), s.bold_number_result(1234.5, None))
    assert texts == ["1,234.5", "$pageview"]
    texts = texts_of(s.trends_query("BoldNumber", breakdown=None, compare=True), s.bold_number_result(50, 100))
    assert texts[-1] == "▼ 50% from previous period (100)"


def test_pie_shows_total_shares_and_labels():
    texts = texts_of(s.trends_query("ActionsPie"), s.trends_total_result())
    assert "Total: 9,365" in texts
    assert texts[texts.index("Chrome") : texts.index("Chrome") + 2] == ["Chrome", "5,120  54.7%"]
    assert "None" in texts and "95  1%" in texts
    assert "54.7%" in texts and "6.8%" in texts  # slice labels; the 1% slice is too small for one


def test_pie_hide_aggregation_drops_total():
    query = s.trends_query("ActionsPie")
    query["vizSpecificOptions"] = {"ActionsPie": {"hideAggregation": True}}
    assert not [t for t in texts_of(query, s.trends_total_result()) if t.startswith("Total")]


def test_bar_value_lists_values_in_runner_order():
    texts = texts_of(s.trends_query("ActionsBarValue"), s.trends_total_result())
    assert [t for t in texts if t in ("Chrome", "Safari", "Firefox", "Edge", "None")] == [
        "Chrome",
        "Safari",
        "Firefox",
        "Edge",
        "None",
    ]
    assert {"5,120", "2,300", "1,210", "640", "95"} <= set(texts)


def test_bar_value_compare_shows_both_periods():
    texts = texts_of(s.trends_query("ActionsBarValue", compare=True), s.trends_total_result(compare=True))
    assert {"5,120", "2,560", "Faded bars: previous period"} <= set(texts)


def test_value_table_rows_and_compare_columns():
    texts = texts_of(s.trends_query("ActionsTable"), s.trends_total_result())
    assert texts[:2] == ["$browser", "Total"]
    assert texts[2:6] == ["Chrome", "5,120", "Safari", "2,300"]
    texts = texts_of(s.trends_query("ActionsTable", compare=True), s.trends_total_result(compare=True))
    assert texts[:8] == ["$browser", "Current", "Previous", "Change", "Chrome", "5,120", "2,560", "100%"]


def test_world_map_renders_as_country_table():
    query = s.trends_query("WorldMap", breakdown="$geoip_country_code")
    texts = texts_of(query, s.trends_total_result({"US": 120, "DE": 45}))
    assert texts == ["Country", "Total", "US", "120", "DE", "45"]


def test_total_value_result_under_a_time_series_display_draws_bars():
    texts = texts_of(s.trends_query("ActionsLineGraph"), s.trends_total_result())
    assert {"Chrome", "5,120"} <= set(texts)


def test_goal_lines_are_drawn_with_their_labels():
    query = s.trends_query(breakdown=None)
    query["source"]["trendsFilter"]["goalLines"] = [{"label": "Target", "value": 1500}, {"label": "bad", "value": "x"}]
    texts = texts_of(query, s.trends_result(days=5))
    assert "Target (1,500)" in texts and not [t for t in texts if t.startswith("bad")]
    ticks = [int(t.replace(",", "")) for t in texts if t.replace(",", "").isdigit()]
    assert max(ticks) >= 1500  # the axis reaches the goal


@pytest.mark.parametrize("days", [7, 31, 61, 91])
def test_the_last_x_label_stays_inside_the_picture(days):
    """A label on the last point used to be centred on it and run past the right edge (cut in PNGs and emails)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from charts.render import _canvas, build_figure

    query, result = s.trends_query(breakdown=None), s.trends_result(days=days)
    canvas = _canvas(800, 450, None, None, result)
    figure = build_figure(query, result, canvas)
    renderer = FigureCanvasAgg(figure).get_renderer()
    labels = [label for ax in figure.axes for label in ax.get_xticklabels() if label.get_text()]
    assert labels, "the chart writes x labels"
    right_edge = figure.bbox.x1
    assert all(label.get_window_extent(renderer).x1 <= right_edge for label in labels), [
        (label.get_text(), label.get_window_extent(renderer).x1, right_edge) for label in labels
    ]
