"""Backtest of a detector over an insight's history (`POST /alerts/simulate`): runs the insight, scores every
point, writes nothing."""

from rest_framework.exceptions import ValidationError

from alerts.conditions import is_time_series
from alerts.detectors import detect
from alerts.validation import runnable_query
from insights.results import stored_or_converted_query
from queries.runners.registry import get_runner
from queries.schema import QueryValidationError, parse_query

SIMULATION_NEEDS_TIME_SERIES_TRENDS = "Simulation needs an insight with a time-series trends query."
MAX_BREAKDOWN_VALUES = 25


def series_out_of_range(index: int) -> str:
    return f"series_index {index} is out of range."


def _scored(config, row: dict) -> dict:
    data = [0.0 if value is None else float(value) for value in row.get("data") or []]
    dates = list(row.get("days") or [])
    result = detect(config, data, dates)
    scored = {
        "data": data,
        "dates": dates,
        "scores": result.anomaly_scores,
        "triggered_indices": result.triggered_points,
        "triggered_dates": result.triggered_dates,
        "total_points": len(data),
        "anomaly_count": len(result.triggered_points),
    }
    if result.sub_detector_scores is not None:
        scored["sub_detector_scores"] = result.sub_detector_scores
    return scored


def alert_simulate(team, insight, detector_config, series_index: int = 0, date_from: str | None = None) -> dict:
    """Score every point of one series of a time-series trends insight with `detector_config` (parsed).

    1. The insight's query, with `date_from` replacing its range start when given, runs through its runner
       (cached results are fine: nothing is stored).
    2. Without breakdown, the series at `series_index` is scored; with one, each of its first 25 breakdown
       values is scored into `breakdown_results` and the first is also the top-level answer.
    Returns `{data, dates, scores, triggered_indices, triggered_dates, interval, total_points, anomaly_count,
    sub_detector_scores?, breakdown_results?}`. Raises ValidationError for other insights or a bad index.
    """
    query = runnable_query(stored_or_converted_query(insight))
    if not query or query.get("kind") != "TrendsQuery" or not is_time_series(query):
        raise ValidationError({"insight": [SIMULATION_NEEDS_TIME_SERIES_TRENDS]})
    if date_from:
        query = {**query, "dateRange": {**(query.get("dateRange") or {}), "date_from": date_from, "date_to": None}}
    try:
        node = parse_query(query)
    except QueryValidationError as error:
        raise ValidationError({"date_from": [error.detail]}) from None
    response = get_runner(node, team).run("blocking")
    rows = [row for row in response.get("results") or [] if row.get("compare_label") in (None, "current")]
    interval = query.get("interval") or "day"
    if any("breakdown_value" in row for row in rows):
        rows = [row for row in rows if (row.get("action") or {}).get("order") == series_index]
        if not rows:
            raise ValidationError({"series_index": [series_out_of_range(series_index)]})
        breakdowns = [
            {"label": row.get("label"), "breakdown_value": row.get("breakdown_value"), **_scored(detector_config, row)}
            for row in rows[:MAX_BREAKDOWN_VALUES]
        ]
        first = {key: value for key, value in breakdowns[0].items() if key not in ("label", "breakdown_value")}
        return {**first, "interval": interval, "breakdown_results": breakdowns}
    if not 0 <= series_index < len(rows):
        raise ValidationError({"series_index": [series_out_of_range(series_index)]})
    return {**_scored(detector_config, rows[series_index]), "interval": interval}
