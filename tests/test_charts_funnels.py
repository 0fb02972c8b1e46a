"""Funnel pictures: steps with counts and conversion, breakdowns, time to convert, conversion trends."""

from charts import samples as s
from tests.charts_helpers import texts_of


def test_funnel_steps_show_names_counts_and_conversion():
    texts = texts_of(s.funnel_query(), s.funnel_steps_result())
    assert texts[:3] == ["1. $pageview", "2. signed_up", "3. purchase"]
    assert texts[-7:-1] == ["1,330", "100%", "580", "43.6%", "188", "14.1%"]
    assert texts[-1] == "Total conversion rate: 14.1%    Average time to convert: 1d 1h"


def test_funnel_steps_relative_to_previous_step():
    query = s.funnel_query()
    query["source"]["funnelsFilter"]["funnelStepReference"] = "previous"
    texts = texts_of(query, s.funnel_steps_result())
    assert texts[-7:-1] == ["1,330", "100%", "580", "43.6%", "188", "32.4%"]  # 188 / 580


def test_funnel_steps_with_breakdown_group_bars_and_legend():
    texts = texts_of(s.funnel_query(breakdown=True), s.funnel_steps_result(breakdown=True))
    assert texts[-4:] == ["Total conversion rate: 14.1%", "Chrome", "Safari", "Other"]
    assert {"820", "410", "50%", "123", "15%", "390", "61", "15.6%", "120", "4", "3.3%"} <= set(texts)


def test_funnel_steps_use_custom_names_and_unordered_generic_steps():
    steps = s.funnel_steps_result()["results"]
    steps[1]["custom_name"] = "Signed up"
    unordered = [
        {**step, "name": f"Completed {i + 1} step{'s' if i else ''}", "action_id": None, "custom_name": None}
        for i, step in enumerate(steps)
    ]
    assert texts_of(s.funnel_query(), {"results": steps})[1] == "2. Signed up"
    assert texts_of(s.funnel_query(), {"results": unordered})[:2] == ["1. Completed 1 step", "2. Completed 2 steps"]


def test_funnel_time_to_convert_histogram():
    texts = texts_of(s.funnel_query("time_to_convert"), s.funnel_time_result())
    assert texts[:7] == ["1m", "1h 1m", "2h 1m", "3h 1m", "4h 1m", "5h 1m", "6h 1m"]
    assert {"10.6%", "35.4%", "27.4%", "3.5%"} <= set(texts)  # 12, 40, 31 and 4 of 113
    assert "Average time to convert: 1h 40m" in texts and "113 conversions" in texts


def test_funnel_trends_lines_per_breakdown_on_a_percent_axis():
    texts = texts_of(s.funnel_query("trends", breakdown=True), s.funnel_trends_result(breakdown=True))
    assert {"Chrome", "Safari", "0%", "100%", "1-Jan-2024", "Timezone: UTC"} <= set(texts)


def test_funnel_empty_time_to_convert_is_no_data():
    texts = texts_of(s.funnel_query("time_to_convert"), {"results": {"bins": [], "average_conversion_time": None}})
    assert "There are no matching events for this query" in texts


def test_funnel_top_to_bottom_layout_lays_steps_down_with_counts_and_conversion():
    query = s.funnel_query()
    query["source"]["funnelsFilter"]["layout"] = "horizontal"
    texts = texts_of(query, s.funnel_steps_result())
    assert texts[:5] == ["0%", "25%", "50%", "75%", "100%"]
    assert texts[5:8] == ["1. $pageview", "2. signed_up", "3. purchase"]
    assert texts[8:11] == ["1,330 · 100%", "580 · 43.6%", "188 · 14.1%"]
