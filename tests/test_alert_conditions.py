"""Threshold evaluation of trends, funnels and SQL insight results (spec sharing-alerts-auth-activity §2.8)."""

import math

import pytest

from alerts.conditions import (
    ABSOLUTE_NEEDS_ABSOLUTE_THRESHOLD,
    NOT_ENOUGH_DATA_POINTS,
    Evaluation,
    evaluate,
    missing_column_message,
    only_absolute_value_message,
    relative_not_time_series_message,
    trends_check_date_from,
    unsupported_kind_message,
)
from alerts.errors import AlertCheckError
from alerts.schema import AlertCondition, FunnelsAlertConfig, HogQLAlertConfig, InsightThreshold, TrendsAlertConfig

WEEKLY = {"kind": "TrendsQuery", "interval": "week", "series": [{"event": "signed_up"}, {"event": "$pageview"}]}
ONE_SERIES = {"kind": "TrendsQuery", "interval": "week", "series": [{"event": "signed_up"}]}
PIE = {**WEEKLY, "trendsFilter": {"display": "ActionsPie"}}


def condition(kind="absolute_value"):
    return AlertCondition(type=kind)


def threshold(lower=None, upper=None, kind="absolute"):
    return InsightThreshold.model_validate({"type": kind, "bounds": {"lower": lower, "upper": upper}})


def trends_config(series_index=0, ongoing=False):
    return TrendsAlertConfig(type="TrendsAlertConfig", series_index=series_index, check_ongoing_interval=ongoing)


def row(label, data, order=0, **extra):
    return {"label": label, "data": data, "action": {"name": label, "order": order}, **extra}


def breakdown_row(value, data, order=0, name="signed_up"):
    return {"label": value, "data": data, "action": {"name": name, "order": order}, "breakdown_value": value}


def trends(results, cond, thr, config=None, query=WEEKLY):
    return evaluate(query, {"results": results}, cond, thr, config or trends_config())


def test_absolute_value_checks_the_previous_complete_interval_and_fires_below_lower():
    result = trends([row("signed_up", [5, 0, 9])], condition(), threshold(lower=1))
    assert result.value == 0
    assert result.breaches == ["The insight value (signed_up) for previous week (0) is less than lower threshold (1.0)"]


def test_absolute_value_fires_above_upper():
    result = trends([row("signed_up", [0, 2, 0])], condition(), threshold(upper=1))
    assert result.breaches == ["The insight value (signed_up) for previous week (2) is more than upper threshold (1.0)"]


def test_absolute_value_within_bounds_does_not_fire():
    result = trends([row("signed_up", [0, 1, 0])], condition(), threshold(lower=0, upper=2))
    assert (result.value, result.breaches) == (1, [])


def test_check_ongoing_interval_reads_the_current_interval_without_falling_back():
    result = trends([row("signed_up", [0, 2, 1])], condition(), threshold(upper=1), trends_config(ongoing=True))
    assert (result.value, result.breaches) == (1, [])
    fired = trends([row("signed_up", [0, 0, 2])], condition(), threshold(upper=1), trends_config(ongoing=True))
    assert fired.breaches == ["The insight value (signed_up) for current week (2) is more than upper threshold (1.0)"]


def test_series_index_picks_the_series():
    results = [row("signed_up", [0, 0, 0]), row("Pageview", [0, 7, 0], order=1)]
    result = trends(results, condition(), threshold(upper=5), trends_config(series_index=1))
    assert result.breaches == ["The insight value (Pageview) for previous week (7) is more than upper threshold (5.0)"]


def test_no_bounds_never_fires():
    assert trends([row("signed_up", [0, 100, 0])], condition(), threshold()).breaches == []
    assert trends([row("signed_up", [0, 100, 0])], condition(), None).value == 0


def test_empty_result_is_zero_labelled_empty_result():
    result = trends([], condition(), threshold(lower=1))
    assert result.breaches == [
        "The insight value (empty result) for previous week (0) is less than lower threshold (1.0)"
    ]


def test_breakdown_fires_for_the_first_breaching_value_as_a_float():
    results = [breakdown_row("Chrome", [0, 2, 0]), breakdown_row("Firefox", [0, 1, 0])]
    result = trends(results, condition(), threshold(upper=1), query=ONE_SERIES)
    assert result.value == 2.0
    assert result.breaches == [
        "The insight value (signed_up - Chrome) for previous week (2.0) is more than upper threshold (1.0)"
    ]
    low = trends(results, condition(), threshold(lower=2), query=ONE_SERIES)
    assert low.breaches == [
        "The insight value (signed_up - Firefox) for previous week (1.0) is less than lower threshold (2.0)"
    ]


def test_breakdown_without_breach_has_no_value():
    results = [breakdown_row("Chrome", [0, 2, 0]), breakdown_row("Firefox", [0, 1, 0])]
    assert trends(results, condition(), threshold(lower=1), query=ONE_SERIES) == Evaluation(None, [])


def test_breakdown_only_evaluates_the_selected_series():
    results = [
        breakdown_row("signed_up - Chrome", [0, 0, 0], order=0),
        breakdown_row("$pageview - Chrome", [0, 50, 0], order=1, name="$pageview"),
    ]
    assert trends(results, condition(), threshold(upper=10)).breaches == []
    fired = trends(results, condition(), threshold(upper=10), trends_config(series_index=1))
    assert fired.breaches == [
        "The insight value ($pageview - Chrome) for previous week (50.0) is more than upper threshold (10.0)"
    ]


def test_aggregated_display_compares_the_current_interval():
    result = trends(
        [{"label": "signed_up", "aggregated_value": 3, "data": []}], condition(), threshold(upper=1), query=PIE
    )
    assert result.breaches == [
        "The insight value (signed_up) for current interval (3) is more than upper threshold (1.0)"
    ]


def test_relative_increase_absolute_and_percentage():
    data = [1, 3, 0]  # previous-previous 1, previous 3, ongoing 0
    absolute = trends([row("signed_up", data)], condition("relative_increase"), threshold(upper=1))
    assert absolute.value == 2
    assert absolute.breaches == [
        "The insight value (signed_up) for previous week (2) increased more than upper threshold (1.0)"
    ]
    percent = trends([row("signed_up", data)], condition("relative_increase"), threshold(upper=0.2, kind="percentage"))
    assert percent.value == 2.0
    assert percent.breaches == [
        "The insight value (signed_up) for previous week (200.00%) increased more than upper threshold (20.00%)"
    ]


def test_relative_increase_negative_is_below_lower():
    result = trends(
        [row("signed_up", [2, 1, 0])], condition("relative_increase"), threshold(lower=0.5, kind="percentage")
    )
    assert result.value == -0.5
    assert result.breaches == [
        "The insight value (signed_up) for previous week (-50.00%) increased less than lower threshold (50.00%)"
    ]


def test_relative_increase_ongoing_compares_current_with_previous():
    result = trends(
        [row("signed_up", [9, 1, 4])], condition("relative_increase"), threshold(upper=2), trends_config(ongoing=True)
    )
    assert result.value == 3
    assert result.breaches[0].startswith("The insight value (signed_up) for current week (3) increased more")


def test_relative_decrease_uses_completed_intervals_and_zero_base_rules():
    result = trends([row("signed_up", [10, 4, 100])], condition("relative_decrease"), threshold(upper=5))
    assert result.breaches == [
        "The insight value (signed_up) for previous week (6) decreased more than upper threshold (5.0)"
    ]
    percent = trends(
        [row("signed_up", [10, 4, 0])], condition("relative_decrease"), threshold(upper=0.5, kind="percentage")
    )
    assert percent.value == pytest.approx(0.6)
    both_zero = trends(
        [row("signed_up", [0, 0, 0])], condition("relative_decrease"), threshold(upper=0.5, kind="percentage")
    )
    assert both_zero.value == 0
    from_zero = trends(
        [row("signed_up", [0, 3, 0])], condition("relative_increase"), threshold(upper=1, kind="percentage")
    )
    assert from_zero.value == math.inf


def test_compare_rows_of_the_previous_period_are_ignored():
    results = [
        row("signed_up", [0, 0, 0], compare_label="current"),
        row("signed_up", [0, 9, 0], compare_label="previous"),
    ]
    assert trends(results, condition(), threshold(upper=1)).breaches == []


def test_errors_name_the_problem():
    with pytest.raises(AlertCheckError) as error:
        trends([row("x", [1])], condition(), threshold(upper=1))
    assert error.value.detail == NOT_ENOUGH_DATA_POINTS
    with pytest.raises(AlertCheckError) as error:
        trends([row("x", [1, 2])], condition(), threshold(upper=1, kind="percentage"))
    assert error.value.detail == ABSOLUTE_NEEDS_ABSOLUTE_THRESHOLD
    with pytest.raises(AlertCheckError) as error:
        trends([row("x", [])], condition("relative_increase"), threshold(upper=1), query=PIE)
    assert error.value.detail == relative_not_time_series_message("relative_increase")
    with pytest.raises(AlertCheckError) as error:
        evaluate({"kind": "RetentionQuery"}, {"results": []}, condition(), threshold(upper=1), trends_config())
    assert error.value.detail == unsupported_kind_message("RetentionQuery")


def test_check_date_from_covers_just_enough_intervals():
    assert trends_check_date_from(WEEKLY, condition()) == "-2w"
    assert trends_check_date_from({**WEEKLY, "interval": "hour"}, condition("relative_increase")) == "-3h"
    assert trends_check_date_from({**WEEKLY, "interval": "month"}, condition()) == "-2m"
    assert trends_check_date_from(PIE, condition()) is None


# ---- funnels ---------------------------------------------------------------------------------------------------

FUNNEL = {"kind": "FunnelsQuery", "series": [{"event": "a"}, {"event": "b"}, {"event": "c"}]}


def steps(*counts, breakdown=None):
    made = [{"name": f"step{i}", "custom_name": None, "count": count, "order": i} for i, count in enumerate(counts)]
    if breakdown is not None:
        for step in made:
            step["breakdown_value"] = [breakdown]
    return made


def funnels_config(**kwargs):
    return FunnelsAlertConfig(type="FunnelsAlertConfig", **kwargs)


def test_funnel_conversion_rate_is_percent_of_first_step():
    result = evaluate(FUNNEL, {"results": steps(200, 100, 30)}, condition(), threshold(lower=20), funnels_config())
    assert result.value == 15.0
    assert result.breaches == [
        "The insight value (step2) for conversion rate (15.0) is less than lower threshold (20.0)"
    ]
    to_step_one = evaluate(
        FUNNEL, {"results": steps(200, 100, 30)}, condition(), threshold(lower=20), funnels_config(step_index=1)
    )
    assert (to_step_one.value, to_step_one.breaches) == (50.0, [])


def test_funnel_step_count_and_breakdowns():
    result = evaluate(
        FUNNEL,
        {"results": [steps(10, 5, 5, breakdown="Chrome"), steps(10, 1, 0, breakdown="Safari")]},
        condition(),
        threshold(lower=1),
        funnels_config(metric="step_count"),
    )
    assert result.value == 0
    assert result.breaches == [
        "The insight value (step2 - Safari) for step count (0) is less than lower threshold (1.0)"
    ]


def test_funnel_alerts_only_take_absolute_values():
    with pytest.raises(AlertCheckError) as error:
        evaluate(FUNNEL, {"results": steps(1, 1)}, condition("relative_increase"), threshold(upper=1), funnels_config())
    assert error.value.detail == only_absolute_value_message("funnel")


# ---- SQL insights ----------------------------------------------------------------------------------------------

HOGQL = {"kind": "HogQLQuery", "query": "select day, n from t"}


def hogql_config(**kwargs):
    return HogQLAlertConfig(type="HogQLAlertConfig", **kwargs)


def test_hogql_last_row_value():
    response = {"columns": ["day", "n"], "results": [["2024-01-01", 3], ["2024-01-02", 12]]}
    result = evaluate(HOGQL, response, condition(), threshold(upper=10), hogql_config(value_column="n"))
    assert result.breaches == ["The insight value (n) for last row (12) is more than upper threshold (10.0)"]


def test_hogql_rows_labelled_by_a_column():
    response = {"columns": ["country", "n"], "results": [["DE", 3], ["FR", 0], ["US", 9]]}
    result = evaluate(
        HOGQL, response, condition(), threshold(lower=1), hogql_config(value_column="n", label_column="country")
    )
    assert result.value == 0
    assert result.breaches == ["The insight value (n - FR) for row (0) is less than lower threshold (1.0)"]


def test_hogql_missing_column_is_an_error():
    with pytest.raises(AlertCheckError) as error:
        evaluate(
            HOGQL, {"columns": ["n"], "results": []}, condition(), threshold(upper=1), hogql_config(value_column="x")
        )
    assert error.value.detail == missing_column_message("x")
