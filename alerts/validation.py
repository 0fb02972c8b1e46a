"""Whether an alert's settings fit its insight (spec sharing-alerts-auth-activity §2.5, `validate_alert_config`).

Pure: the insight's query dict and the alert's JSON in; parsed settings out, or AlertConfigError with the exact
message.
"""

from dataclasses import dataclass

from pydantic import TypeAdapter, ValidationError

from alerts.conditions import (
    ABSOLUTE_NEEDS_ABSOLUTE_THRESHOLD,
    CONFIG_TYPES,
    is_time_series,
    only_absolute_value_message,
    relative_not_time_series_message,
    series_out_of_range_message,
    trends_series_count,
    unsupported_config_message,
)
from alerts.errors import AlertCheckError
from alerts.schema import (
    AlertCondition,
    AlertConfig,
    CalculationInterval,
    ConditionType,
    InsightThreshold,
    ThresholdType,
    TrendsAlertConfig,
)
from insights_server.errors import DomainError
from queries.schema import QueryValidationError, parse_query

INTERFACE_NODES = ("InsightVizNode", "DataTableNode", "DataVisualizationNode")
SUPPORTED_KINDS = tuple(CONFIG_TYPES)
DETECTOR_NEEDS_TIME_SERIES_TRENDS = "Anomaly detection alerts need a time-series trends insight."
FUNNEL_NEEDS_STEPS = "Funnel alerts need a funnel shown as steps."

_config_adapter = TypeAdapter(AlertConfig)


class AlertConfigError(DomainError):
    """The alert's settings do not fit together or do not fit the insight."""


def invalid_interval_message(value) -> str:
    return f"Invalid calculation interval: {value}"


def invalid_condition_message(condition) -> str:
    return f"Alert has invalid condition: {condition}"


def invalid_config_message(config) -> str:
    return f"Alert has invalid {(config or {}).get('type')}: {config}"


def unsupported_query_kind_message(kind) -> str:
    return f"Alert's insight query kind '{kind}' is not supported (only {', '.join(SUPPORTED_KINDS)})"


def invalid_query_message(kind, error) -> str:
    return f"Alert's insight has an invalid {kind}: {error}"


def invalid_threshold_message(configuration) -> str:
    return f"Alert has invalid threshold configuration: {configuration}"


def ongoing_needs_upper_message(condition_type: str) -> str:
    return (
        f"check_ongoing_interval is only supported for alert condition {condition_type} "
        "when upper threshold is specified"
    )


def runnable_query(query: dict | None) -> dict | None:
    """The query that runs: interface nodes (InsightVizNode, DataTableNode, DataVisualizationNode) unwrapped."""
    while isinstance(query, dict) and query.get("kind") in INTERFACE_NODES:
        query = query.get("source")
    return query if isinstance(query, dict) else None


def supports_alerts(query: dict | None) -> bool:
    runnable = runnable_query(query)
    return runnable is not None and runnable.get("kind") in SUPPORTED_KINDS


@dataclass(frozen=True)
class AlertSettings:
    condition: AlertCondition
    config: object
    threshold: InsightThreshold | None


def _parse_threshold(configuration) -> InsightThreshold | None:
    if configuration in (None, {}):
        return None
    try:
        return InsightThreshold.model_validate(configuration)
    except ValidationError:
        raise AlertConfigError(invalid_threshold_message(configuration)) from None


def _check_trends(query: dict, condition: AlertCondition, config: TrendsAlertConfig, threshold, detector) -> None:
    try:
        parse_query(query)
    except QueryValidationError as error:
        raise AlertConfigError(invalid_query_message("TrendsQuery", error.detail)) from None
    if condition.type != ConditionType.ABSOLUTE_VALUE and not is_time_series(query):
        raise AlertConfigError(relative_not_time_series_message(condition.type.value))
    if detector is not None and not is_time_series(query):
        raise AlertConfigError(DETECTOR_NEEDS_TIME_SERIES_TRENDS)
    count = trends_series_count(query)
    if not 0 <= config.series_index < count:
        raise AlertConfigError(series_out_of_range_message(config.series_index, count))
    upper = threshold.bounds.upper if threshold is not None and threshold.bounds is not None else None
    if (
        config.check_ongoing_interval
        and condition.type in (ConditionType.ABSOLUTE_VALUE, ConditionType.RELATIVE_INCREASE)
        and upper is None
    ):
        raise AlertConfigError(ongoing_needs_upper_message(condition.type.value))


def _check_other_kind(query: dict, condition: AlertCondition, detector) -> None:
    if detector is not None:
        raise AlertConfigError(DETECTOR_NEEDS_TIME_SERIES_TRENDS)
    if condition.type != ConditionType.ABSOLUTE_VALUE:
        kind = "funnel" if query.get("kind") == "FunnelsQuery" else "SQL"
        raise AlertConfigError(only_absolute_value_message(kind))
    viz = (query.get("funnelsFilter") or {}).get("funnelVizType") or "steps"
    if query.get("kind") == "FunnelsQuery" and viz != "steps":
        raise AlertConfigError(FUNNEL_NEEDS_STEPS)


def validate_alert_config(
    query: dict | None,
    condition,
    config,
    threshold_configuration,
    calculation_interval,
    detector_config=None,
) -> AlertSettings:
    """Check an alert's interval, condition, config and threshold against its insight's query.

    The checks, in order: interval, condition, config (type must match the query kind), query kind, the kind's
    own rules (trends: valid query, relative conditions need a time series, `series_index` in range,
    `check_ongoing_interval` needs an upper bound; funnels and SQL: absolute values only), threshold shape, and
    absolute conditions need absolute thresholds. Raises AlertConfigError; returns the parsed settings.
    """
    if calculation_interval not in {interval.value for interval in CalculationInterval}:
        raise AlertConfigError(invalid_interval_message(calculation_interval))
    try:
        parsed_condition = AlertCondition.model_validate(condition)
    except ValidationError:
        raise AlertConfigError(invalid_condition_message(condition)) from None
    if not isinstance(config, dict) or config.get("type") not in {kind.__name__ for kind in CONFIG_TYPES.values()}:
        raise AlertConfigError(unsupported_config_message(config))
    try:
        parsed_config = _config_adapter.validate_python(config)
    except ValidationError:
        raise AlertConfigError(invalid_config_message(config)) from None
    runnable = runnable_query(query)
    kind = runnable.get("kind") if runnable else None
    if runnable is None or kind not in CONFIG_TYPES:
        raise AlertConfigError(unsupported_query_kind_message(kind))
    if not isinstance(parsed_config, CONFIG_TYPES[kind]):
        raise AlertConfigError(unsupported_config_message(config))
    threshold = _parse_threshold(threshold_configuration)
    # The config's type matches the query's kind (checked above): a trends config means a trends query.
    if isinstance(parsed_config, TrendsAlertConfig):
        _check_trends(runnable, parsed_condition, parsed_config, threshold, detector_config)
    else:
        _check_other_kind(runnable, parsed_condition, detector_config)
    if (
        parsed_condition.type == ConditionType.ABSOLUTE_VALUE
        and threshold is not None
        and threshold.type == ThresholdType.PERCENTAGE
    ):
        raise AlertConfigError(ABSOLUTE_NEEDS_ABSOLUTE_THRESHOLD)
    return AlertSettings(parsed_condition, parsed_config, threshold)


__all__ = ["AlertCheckError", "AlertConfigError", "AlertSettings", "supports_alerts", "validate_alert_config"]
