"""Threshold evaluation of an insight result (spec sharing-alerts-auth-activity §2.8): the value an alert watches
and the breach messages, for trends (PostHog's baseline), funnels and SQL insights (ours).

Pure: a query dict and its runner's response in, an `Evaluation` out. No database, no query execution.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeGuard

from alerts.errors import AlertCheckError
from alerts.schema import (
    AlertCondition,
    ConditionType,
    FunnelsAlertConfig,
    HogQLAlertConfig,
    InsightThreshold,
    ThresholdType,
    TrendsAlertConfig,
)

# Trends displays that show one aggregated number per series instead of a time series.
NON_TIME_SERIES_DISPLAYS = frozenset(
    {"BoldNumber", "ActionsPie", "ActionsBarValue", "ActionsTable", "WorldMap", "CalendarHeatmap"}
)
EMPTY_RESULT_LABEL = "empty result"

ABSOLUTE_NEEDS_ABSOLUTE_THRESHOLD = (
    "Absolute value alerts require an absolute threshold, but a percentage threshold was configured"
)
NOT_ENOUGH_DATA_POINTS = "The insight has too few data points for this alert condition"


def unsupported_kind_message(kind: str | None) -> str:
    return f"Alerts for {kind} are not supported yet"


def unsupported_config_message(config) -> str:
    return f"Unsupported alert config type: {config}"


def relative_not_time_series_message(condition_type: str) -> str:
    return f"Relative alert condition '{condition_type}' is not compatible with non time series trends"


def only_absolute_value_message(kind: str) -> str:
    return f"Only absolute_value conditions are supported for {kind} alerts"


def missing_column_message(column: str) -> str:
    return f"Column '{column}' is not in the insight's columns"


def not_numeric_message(column: str, value) -> str:
    return f"Column '{column}' has a non-numeric value: {value!r}"


def series_out_of_range_message(index: int, count: int) -> str:
    return f"series_index {index} is out of range (query has {count} series)"


def step_out_of_range_message(index: int, count: int) -> str:
    return f"step_index {index} is out of range (funnel has {count} steps)"


@dataclass(frozen=True)
class Evaluation:
    """What a check found: the watched value (None when breakdown rows were evaluated and none breached)."""

    value: float | None
    breaches: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Observed:
    label: str
    value: float
    period: str  # "current interval", "previous week", "conversion rate", ...
    verb: str  # "is", "increased", "decreased"


def breach_messages(observed: _Observed, threshold: InsightThreshold) -> list[str]:
    """At most one message: below the lower bound, else above the upper bound."""
    bounds = threshold.bounds
    if bounds is None:
        return []
    percentage = threshold.type == ThresholdType.PERCENTAGE

    def shown(number: float) -> str:
        return f"{number:.2%}" if percentage else str(number)

    head = f"The insight value ({observed.label}) for {observed.period} ({shown(observed.value)}) {observed.verb}"
    if bounds.lower is not None and observed.value < bounds.lower:
        return [f"{head} less than lower threshold ({shown(bounds.lower)})"]
    if bounds.upper is not None and observed.value > bounds.upper:
        return [f"{head} more than upper threshold ({shown(bounds.upper)})"]
    return []


def _has_bounds(threshold: InsightThreshold | None) -> TypeGuard[InsightThreshold]:
    bounds = threshold.bounds if threshold is not None else None
    return bounds is not None and (bounds.lower is not None or bounds.upper is not None)


def _ratio(difference: float, base: float) -> float:
    """A relative change: 0 when nothing changed from nothing, infinity from a zero base."""
    if base == 0:
        return 0.0 if difference == 0 else math.inf
    return difference / base


# ---- trends ---------------------------------------------------------------------------------------------------


def trends_display(query: dict) -> str:
    return ((query.get("trendsFilter") or {}).get("display")) or "ActionsLineGraph"


def is_time_series(query: dict) -> bool:
    return trends_display(query) not in NON_TIME_SERIES_DISPLAYS


def trends_series_count(query: dict) -> int:
    """How many series an alert can pick from: the formulas when there are any, else the query's series."""
    trends_filter = query.get("trendsFilter") or {}
    formulas = list(trends_filter.get("formulaNodes") or [])
    if not formulas and trends_filter.get("formula"):
        formulas = [trends_filter["formula"]]
    if not formulas and trends_filter.get("formulas"):
        formulas = list(trends_filter["formulas"])
    return len(formulas) or len(query.get("series") or [])


def _trends_value(query, row, config, condition, threshold) -> tuple[float, str, str]:
    """(value, period word, verb) of one result row under the alert's condition."""
    interval = query.get("interval") or "day"
    if not is_time_series(query):
        value = row.get("aggregated_value")
        return (value if value is not None else 0), "current interval", "is"
    data = list(row.get("data") or [])
    ongoing = bool(config.check_ongoing_interval)
    percentage = threshold.type == ThresholdType.PERCENTAGE

    def point(back: int) -> float:
        if len(data) < back:
            raise AlertCheckError(NOT_ENOUGH_DATA_POINTS)
        return data[-back]

    if condition.type == ConditionType.ABSOLUTE_VALUE:
        if ongoing:
            return point(1), f"current {interval}", "is"
        return point(2), f"previous {interval}", "is"
    if condition.type == ConditionType.RELATIVE_INCREASE:
        current, base = (point(1), point(2)) if ongoing else (point(2), point(3))
        difference = current - base
        value = _ratio(difference, base) if percentage else difference
        return value, f"{'current' if ongoing else 'previous'} {interval}", "increased"
    previous, base = point(2), point(3)
    difference = base - previous
    value = _ratio(difference, base) if percentage else difference
    return value, f"previous {interval}", "decreased"


def _breakdown_label(query: dict, row: dict) -> str:
    """`<series> - <breakdown value>` (the runner prefixes the series name only when there are several)."""
    label = str(row.get("label"))
    action = row.get("action") or {}
    series_name = action.get("custom_name") or action.get("name")
    if len(query.get("series") or []) > 1 or not series_name:
        return label
    return f"{series_name} - {label}"


def evaluate_trends(
    query: dict, results: list[dict], condition: AlertCondition, threshold: InsightThreshold | None, config
) -> Evaluation:
    """Evaluate a TrendsQuery response (rows in the runner's order) against the alert's threshold.

    1. No bounds: value 0, never fires.
    2. Compare results keep only the current period.
    3. Without breakdown: the row at `series_index` (an empty result is value 0 labelled "empty result").
    4. With breakdown: each breakdown row of that series in turn; the first that breaches fires, and the value is
       None when none breaches.
    """
    if not isinstance(config, TrendsAlertConfig):
        raise AlertCheckError(unsupported_config_message(config))
    if not _has_bounds(threshold):
        return Evaluation(0, [])
    if condition.type == ConditionType.ABSOLUTE_VALUE and threshold.type != ThresholdType.ABSOLUTE:
        raise AlertCheckError(ABSOLUTE_NEEDS_ABSOLUTE_THRESHOLD)
    if condition.type != ConditionType.ABSOLUTE_VALUE and not is_time_series(query):
        raise AlertCheckError(relative_not_time_series_message(condition.type.value))
    rows = [row for row in results if row.get("compare_label") in (None, "current")]
    if not rows:
        observed = _Observed(EMPTY_RESULT_LABEL, 0, *_period_of_empty(query, config, condition))
        return Evaluation(0, breach_messages(observed, threshold))
    if any("breakdown_value" in row for row in rows):
        has_formula = trends_series_count(query) != len(query.get("series") or [])
        chosen = [row for row in rows if has_formula or (row.get("action") or {}).get("order") == config.series_index]
        for row in chosen:
            value, period, verb = _trends_value(query, row, config, condition, threshold)
            if is_time_series(query):
                value = float(value)
            breaches = breach_messages(_Observed(_breakdown_label(query, row), value, period, verb), threshold)
            if breaches:
                return Evaluation(value, breaches)
        return Evaluation(None, [])
    if config.series_index >= len(rows) or config.series_index < 0:
        raise AlertCheckError(series_out_of_range_message(config.series_index, len(rows)))
    row = rows[config.series_index]
    value, period, verb = _trends_value(query, row, config, condition, threshold)
    return Evaluation(value, breach_messages(_Observed(str(row.get("label")), value, period, verb), threshold))


def _period_of_empty(query: dict, config, condition) -> tuple[str, str]:
    verb = {"absolute_value": "is", "relative_increase": "increased", "relative_decrease": "decreased"}
    if not is_time_series(query):
        return "current interval", "is"
    interval = query.get("interval") or "day"
    ongoing = config.check_ongoing_interval and condition.type != ConditionType.RELATIVE_DECREASE
    return f"{'current' if ongoing else 'previous'} {interval}", verb[condition.type.value]


def trends_check_date_from(query: dict, condition: AlertCondition) -> str | None:
    """The `date_from` a check queries: just enough intervals (2 absolute, 3 relative); None for aggregates."""
    if not is_time_series(query):
        return None
    interval = query.get("interval") or "day"
    unit = {"day": "d", "week": "w", "month": "m"}.get(interval, "h")
    count = 2 if condition.type == ConditionType.ABSOLUTE_VALUE else 3
    return f"-{count}{unit}"


# ---- funnels --------------------------------------------------------------------------------------------------


def _funnel_value(steps: list[dict], config: FunnelsAlertConfig) -> tuple[float, str]:
    index = len(steps) - 1 if config.step_index is None else config.step_index
    if not 0 <= index < len(steps):
        raise AlertCheckError(step_out_of_range_message(index, len(steps)))
    step = steps[index]
    # str(): a step without a name is labelled "None", as the f-strings showing it always did.
    name = str(step.get("custom_name") or step.get("name"))
    if config.metric == "step_count":
        return step.get("count") or 0, name
    first = steps[0].get("count") or 0
    return (round(100 * (step.get("count") or 0) / first, 2) if first else 0.0), name


def evaluate_funnels(
    query: dict, results: list, condition: AlertCondition, threshold: InsightThreshold | None, config
) -> Evaluation:
    """Evaluate a FunnelsQuery steps response: the conversion rate (percent of the first step reaching
    `step_index`) or that step's count. Breakdowns are evaluated in turn like trends.
    """
    if not isinstance(config, FunnelsAlertConfig):
        raise AlertCheckError(unsupported_config_message(config))
    if condition.type != ConditionType.ABSOLUTE_VALUE:
        raise AlertCheckError(only_absolute_value_message("funnel"))
    if not _has_bounds(threshold):
        return Evaluation(0, [])
    if threshold.type != ThresholdType.ABSOLUTE:
        raise AlertCheckError(ABSOLUTE_NEEDS_ABSOLUTE_THRESHOLD)
    period = config.metric.replace("_", " ")
    if not results:
        return Evaluation(0, breach_messages(_Observed(EMPTY_RESULT_LABEL, 0, period, "is"), threshold))
    if isinstance(results[0], list):
        for steps in results:
            value, name = _funnel_value(steps, config)
            breakdown = steps[0].get("breakdown_value") if steps else None
            shown = "::".join(str(part) for part in breakdown) if isinstance(breakdown, list) else str(breakdown)
            breaches = breach_messages(_Observed(f"{name} - {shown}", value, period, "is"), threshold)
            if breaches:
                return Evaluation(value, breaches)
        return Evaluation(None, [])
    value, name = _funnel_value(results, config)
    return Evaluation(value, breach_messages(_Observed(name, value, period, "is"), threshold))


# ---- SQL (HogQL) insights -------------------------------------------------------------------------------------


def _number(column: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            return float(value)
        except (TypeError, ValueError):
            raise AlertCheckError(not_numeric_message(column, value)) from None
    return value


def evaluate_hogql(
    columns: list[str], rows: list, condition: AlertCondition, threshold: InsightThreshold | None, config
) -> Evaluation:
    """Evaluate a HogQLQuery response: `value_column` of the last row, or of every row (first breach fires)
    labelled by `label_column`."""
    if not isinstance(config, HogQLAlertConfig):
        raise AlertCheckError(unsupported_config_message(config))
    if condition.type != ConditionType.ABSOLUTE_VALUE:
        raise AlertCheckError(only_absolute_value_message("SQL"))
    for column in (config.value_column, config.label_column):
        if column is not None and column not in columns:
            raise AlertCheckError(missing_column_message(column))
    if not _has_bounds(threshold):
        return Evaluation(0, [])
    if threshold.type != ThresholdType.ABSOLUTE:
        raise AlertCheckError(ABSOLUTE_NEEDS_ABSOLUTE_THRESHOLD)
    value_at = columns.index(config.value_column)
    if not rows:
        return Evaluation(0, breach_messages(_Observed(EMPTY_RESULT_LABEL, 0, "last row", "is"), threshold))
    if config.label_column is None:
        value = _number(config.value_column, rows[-1][value_at])
        return Evaluation(value, breach_messages(_Observed(config.value_column, value, "last row", "is"), threshold))
    label_at = columns.index(config.label_column)
    for row in rows:
        value = _number(config.value_column, row[value_at])
        observed = _Observed(f"{config.value_column} - {row[label_at]}", value, "row", "is")
        breaches = breach_messages(observed, threshold)
        if breaches:
            return Evaluation(value, breaches)
    return Evaluation(None, [])


# ---- dispatch -------------------------------------------------------------------------------------------------


def _evaluate_trends_response(query, response, condition, threshold, config) -> Evaluation:
    return evaluate_trends(query, response.get("results") or [], condition, threshold, config)


def _evaluate_funnels_response(query, response, condition, threshold, config) -> Evaluation:
    return evaluate_funnels(query, response.get("results") or [], condition, threshold, config)


def _evaluate_hogql_response(query, response, condition, threshold, config) -> Evaluation:
    columns = list(response.get("columns") or [])
    return evaluate_hogql(columns, response.get("results") or [], condition, threshold, config)


EVALUATORS: dict[str, Callable[..., Evaluation]] = {
    "TrendsQuery": _evaluate_trends_response,
    "FunnelsQuery": _evaluate_funnels_response,
    "HogQLQuery": _evaluate_hogql_response,
}
CONFIG_TYPES: dict[str, type] = {
    "TrendsQuery": TrendsAlertConfig,
    "FunnelsQuery": FunnelsAlertConfig,
    "HogQLQuery": HogQLAlertConfig,
}


def evaluate(
    query: dict, response: dict, condition: AlertCondition, threshold: InsightThreshold | None, config
) -> Evaluation:
    """Evaluate a runner response for the query's kind. Raises AlertCheckError for kinds without alerts."""
    kind = query.get("kind")
    evaluator = EVALUATORS.get(kind) if kind is not None else None
    if evaluator is None:
        raise AlertCheckError(unsupported_kind_message(kind))
    return evaluator(query, response, condition, threshold, config)
