"""Running an alert's insight fresh and judging the result (spec sharing-alerts-auth-activity §2.8-2.9): the
threshold path and the detector path. Reads the insight, runs queries, writes nothing."""

from dataclasses import dataclass, field

from alerts.conditions import evaluate, is_time_series, trends_check_date_from, unsupported_kind_message
from alerts.detectors import detect, parse_detector_config, required_samples
from alerts.detectors.config import EnsembleConfig
from alerts.errors import AlertCheckError
from alerts.models import AlertConfiguration
from alerts.validation import SUPPORTED_KINDS, runnable_query, validate_alert_config
from insights.results import stored_or_converted_query
from queries.runners.registry import get_runner
from queries.schema import parse_query

# Alerts must see the data as it is now, never a cached answer.
CHECK_MODE = "force_blocking"
MAX_BREAKDOWN_VALUES = 25
INTERVAL_UNITS = {"day": "d", "week": "w", "month": "m"}
INSIGHT_WITHOUT_QUERY = "The alert's insight has no query."


@dataclass
class CheckOutcome:
    """What a check found; detector fields stay None on the threshold path."""

    value: float | None
    breaches: list[str] = field(default_factory=list)
    anomaly_scores: list | None = None
    triggered_points: list[int] | None = None
    triggered_dates: list[str] | None = None
    interval: str | None = None
    triggered_metadata: dict | None = None


def _run(query: dict, team) -> dict:
    return get_runner(parse_query(query), team).run(CHECK_MODE)


def _with_date_from(query: dict, date_from: str | None) -> dict:
    if date_from is None:
        return query
    return {**query, "dateRange": {"date_from": date_from, "date_to": None}, "compareFilter": None}


def alert_query(alert: AlertConfiguration) -> dict:
    """The runnable query of the alert's insight. Raises AlertCheckError for missing or unsupported queries."""
    query = runnable_query(stored_or_converted_query(alert.insight))
    if query is None:
        raise AlertCheckError(INSIGHT_WITHOUT_QUERY)
    if query.get("kind") not in SUPPORTED_KINDS:
        raise AlertCheckError(unsupported_kind_message(query.get("kind")))
    return query


def evaluate_alert(alert: AlertConfiguration) -> CheckOutcome:
    """Evaluate the alert now: its detector when it has one, else its threshold.

    Raises AlertCheckError (and the engine's DomainErrors) when the alert cannot be evaluated; the caller records
    them on an Errored check.
    """
    query = alert_query(alert)
    threshold = alert.threshold
    threshold_configuration = threshold.configuration if threshold is not None else None
    # A config that stopped fitting its insight raises AlertConfigError: an Errored check, not a crash.
    settings = validate_alert_config(
        query, alert.condition, alert.config, threshold_configuration, alert.calculation_interval, alert.detector_config
    )
    if alert.detector_config:
        return _evaluate_detector(alert, query, settings.config)
    checked = _with_date_from(query, trends_check_date_from(query, settings.condition)) if _is_trends(query) else query
    response = _run(checked, alert.team)
    evaluation = evaluate(checked, response, settings.condition, settings.threshold, settings.config)
    return CheckOutcome(evaluation.value, evaluation.breaches)


def _is_trends(query: dict) -> bool:
    return query.get("kind") == "TrendsQuery"


def _detector_message(label: str, value: float, result, config) -> str:
    message = (
        f"Anomaly detected in {label}: value {value:.2f} (anomaly probability: {result.latest_score or 0:.0%}) "
        f"using {config.type} detector"
    )
    if isinstance(config, EnsembleConfig) and result.sub_detector_scores:
        last = len(result.anomaly_scores) - 1
        parts = []
        for name, scores in result.sub_detector_scores.items():
            score = scores[last] or 0
            fired = " fired" if score > getattr(config.detectors[int(name.rsplit("_", 1)[1])], "threshold", 0.5) else ""
            parts.append(f"{name.rsplit('_', 1)[0]}: {score:.0%}{fired}")
        message += " | sub-detectors: " + ", ".join(parts)
    return message


def _evaluate_detector(alert: AlertConfiguration, query: dict, trends_config) -> CheckOutcome:
    """Score the latest completed point of the series (or of each breakdown value, first anomaly fires).

    1. Fetch `required_samples` intervals of history in the query's interval unit.
    2. Drop the ongoing interval; run the detector over the rest.
    3. Fire when the last completed point is anomalous; record scores, points and dates on the outcome.
    """
    if not _is_trends(query) or not is_time_series(query):
        raise AlertCheckError(unsupported_kind_message(query.get("kind")))
    config = parse_detector_config(alert.detector_config)
    interval = query.get("interval") or "day"
    date_from = f"-{required_samples(config)}{INTERVAL_UNITS.get(interval, 'h')}"
    response = _run(_with_date_from(query, date_from), alert.team)
    rows = [row for row in response.get("results") or [] if row.get("compare_label") in (None, "current")]
    breakdown = any("breakdown_value" in row for row in rows)
    if breakdown:
        candidates = [row for row in rows if (row.get("action") or {}).get("order") == trends_config.series_index]
        candidates = candidates[:MAX_BREAKDOWN_VALUES]
    else:
        candidates = rows[trends_config.series_index : trends_config.series_index + 1]
    outcome = None
    for position, row in enumerate(candidates):
        data = [0.0 if value is None else float(value) for value in (row.get("data") or [])][:-1]
        dates = list(row.get("days") or [])[:-1]
        result = detect(config, data, dates)
        value = data[-1] if data else None
        label = str(row.get("label"))
        current = CheckOutcome(
            value,
            # No data has no score, so it never triggers.
            [_detector_message(label, value, result, config)] if value is not None and result.latest_triggered else [],
            result.anomaly_scores,
            result.triggered_points,
            result.triggered_dates,
            interval,
            {"series_index": position} if breakdown else None,
        )
        if outcome is None or current.breaches:
            outcome = current
        if current.breaches:
            break
    return outcome or CheckOutcome(None, [], [], [], [], interval)
