"""validate_alert_config: which alert settings fit which insight query (spec sharing-alerts-auth-activity §2.5)."""

import pytest

from alerts.conditions import only_absolute_value_message, relative_not_time_series_message
from alerts.validation import (
    DETECTOR_NEEDS_TIME_SERIES_TRENDS,
    FUNNEL_NEEDS_STEPS,
    AlertConfigError,
    invalid_config_message,
    invalid_query_message,
    invalid_threshold_message,
    runnable_query,
    supports_alerts,
    unsupported_query_kind_message,
    validate_alert_config,
)

TRENDS = {"kind": "TrendsQuery", "series": [{"kind": "EventsNode", "event": "a"}], "interval": "day"}
FUNNEL = {
    "kind": "FunnelsQuery",
    "series": [{"kind": "EventsNode", "event": "a"}, {"kind": "EventsNode", "event": "b"}],
}
HOGQL = {"kind": "HogQLQuery", "query": "select 1 as n"}
ABSOLUTE = {"type": "absolute_value"}
TRENDS_CONFIG = {"type": "TrendsAlertConfig", "series_index": 0}


def message(query, condition=ABSOLUTE, config=TRENDS_CONFIG, threshold=None, interval="daily", detector=None) -> str:
    with pytest.raises(AlertConfigError) as error:
        validate_alert_config(query, condition, config, threshold, interval, detector)
    return error.value.detail


def test_interface_nodes_are_unwrapped():
    wrapped = {"kind": "InsightVizNode", "source": {"kind": "DataTableNode", "source": TRENDS}}
    assert runnable_query(wrapped) == TRENDS
    assert supports_alerts(wrapped) and supports_alerts({"kind": "DataVisualizationNode", "source": HOGQL})
    assert not supports_alerts({"kind": "InsightVizNode", "source": {"kind": "RetentionQuery"}})
    assert not supports_alerts(None)


def test_valid_settings_are_parsed():
    settings = validate_alert_config(
        TRENDS, ABSOLUTE, TRENDS_CONFIG, {"type": "absolute", "bounds": {"upper": 2}}, "hourly"
    )
    assert (settings.condition.type.value, settings.config.series_index, settings.threshold.bounds.upper) == (
        "absolute_value",
        0,
        2.0,
    )
    assert validate_alert_config(TRENDS, ABSOLUTE, TRENDS_CONFIG, {}, "daily").threshold is None


def test_formulas_count_as_the_series():
    query = {**TRENDS, "series": TRENDS["series"] * 3, "trendsFilter": {"formulaNodes": [{"formula": "A+B"}]}}
    assert message(query, config={"type": "TrendsAlertConfig", "series_index": 1}) == (
        "series_index 1 is out of range (query has 1 series)"
    )


def test_relative_conditions_need_a_time_series():
    pie = {**TRENDS, "trendsFilter": {"display": "ActionsPie"}}
    assert message(pie, condition={"type": "relative_decrease"}) == relative_not_time_series_message(
        "relative_decrease"
    )


def test_detectors_need_time_series_trends():
    detector = {"type": "zscore"}
    assert message({**TRENDS, "trendsFilter": {"display": "BoldNumber"}}, detector=detector) == (
        DETECTOR_NEEDS_TIME_SERIES_TRENDS
    )
    assert (
        message(FUNNEL, config={"type": "FunnelsAlertConfig"}, detector=detector) == DETECTOR_NEEDS_TIME_SERIES_TRENDS
    )


def test_other_kinds_and_configs():
    assert message({"kind": "PathsQuery"}) == unsupported_query_kind_message("PathsQuery")
    assert message(TRENDS, config={"type": "TrendsAlertConfig", "series_index": "x"}) == invalid_config_message(
        {"type": "TrendsAlertConfig", "series_index": "x"}
    )
    assert message({"kind": "TrendsQuery", "series": 3}).startswith(invalid_query_message("TrendsQuery", ""))
    assert message(TRENDS, threshold={"type": "weird"}) == invalid_threshold_message({"type": "weird"})


def test_funnels_take_absolute_values_of_step_funnels():
    config = {"type": "FunnelsAlertConfig", "metric": "step_count", "step_index": 1}
    assert validate_alert_config(FUNNEL, ABSOLUTE, config, None, "daily").config.step_index == 1
    assert message(FUNNEL, condition={"type": "relative_increase"}, config=config) == only_absolute_value_message(
        "funnel"
    )
    trends_viz = {**FUNNEL, "funnelsFilter": {"funnelVizType": "trends"}}
    assert message(trends_viz, config=config) == FUNNEL_NEEDS_STEPS


def test_sql_insights_take_a_value_column():
    config = {"type": "HogQLAlertConfig", "value_column": "n", "label_column": None}
    assert validate_alert_config(HOGQL, ABSOLUTE, config, None, "weekly").config.value_column == "n"
    assert message(HOGQL, condition={"type": "relative_increase"}, config=config) == only_absolute_value_message("SQL")


def test_model_clean_rules():
    from django.core.exceptions import ValidationError

    from alerts.detectors.config import INVALID_DETECTOR_CONFIG
    from alerts.models import INVALID_THRESHOLD_PREFIX, LOWER_ABOVE_UPPER, AlertConfiguration, Threshold
    from alerts.schedule import INVALID_SCHEDULE_RESTRICTION

    def clean_message(instance) -> str:
        with pytest.raises(ValidationError) as error:
            instance.clean()
        return error.value.messages[0]

    assert clean_message(Threshold(configuration={"type": "absolute", "bounds": {"lower": 3, "upper": 1}})) == (
        LOWER_ABOVE_UPPER
    )
    assert clean_message(Threshold(configuration={"type": "nope"})).startswith(INVALID_THRESHOLD_PREFIX)
    Threshold(configuration={"type": "percentage", "bounds": {"lower": 0.1, "upper": 0.1}}).clean()
    assert clean_message(AlertConfiguration(detector_config={"type": "x"})) == INVALID_DETECTOR_CONFIG
    bad_window = {"blocked_windows": [{"start": "01:00", "end": "01:10"}]}
    assert clean_message(AlertConfiguration(schedule_restriction=bad_window)) == INVALID_SCHEDULE_RESTRICTION
    alert = AlertConfiguration(schedule_restriction={"blocked_windows": []})
    alert.clean()
    assert alert.schedule_restriction is None
