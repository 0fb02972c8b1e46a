"""Plain-language summaries of an insight's computed results: totals, trend direction, peaks, conversion, retention."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from insights.assistant.analysis_funnels import analyze_funnels
from insights.assistant.describe import series_name
from insights.assistant.labels import (
    ADDITIVE_MATHS,
    breakdown_label,
    breakdown_value_label,
    capitalize,
    entity_label,
    format_number,
    format_percent,
    join_words,
    plural,
)
from insights.assistant.source import validated_source

logger = logging.getLogger(__name__)

NO_RESULTS = "There is no computed result for this insight yet. Refresh the insight to calculate it, then ask again."
EMPTY_RESULTS = "The insight was calculated but returned no data for the selected date range and filters."
UNREADABLE_RESULTS = "The cached result of this insight has an unexpected shape. Refresh the insight and try again."
# A change smaller than this (relative) is reported as flat.
FLAT_THRESHOLD = 0.05
MAX_BREAKDOWN_LEADERS = 3


def analyze_results(query: dict, response: dict | None) -> str:
    """A few sentences about `response` (the runner's response dict, `results` or `result`) for `query`.

    Returns "" when `query` is not a valid query, NO_RESULTS when nothing was computed yet.
    """
    try:
        _, source = validated_source(query)
    except ValueError:
        return ""
    results = _results(response)
    if results is None:
        return NO_RESULTS
    if not results:
        return EMPTY_RESULTS
    analyzer = ANALYZERS.get(source.get("kind") or "", _analyze_rows)
    try:
        return analyzer(source, results) or EMPTY_RESULTS
    except (TypeError, ValueError, KeyError, AttributeError, IndexError, ZeroDivisionError) as error:
        # A cached result from an older or foreign runner: say so rather than fail the request.
        logger.warning("insights_analyze_unreadable_result kind=%s error=%r", source.get("kind"), error)
        return UNREADABLE_RESULTS


def _results(response: dict | None) -> list | dict | None:
    if not isinstance(response, dict):
        return None
    for key in ("results", "result"):
        if response.get(key) is not None:
            return response[key]
    return None


# --- trends ---------------------------------------------------------------------------------------------------


def _analyze_trends(source: dict, results: list) -> str:
    rows = [row for row in results if isinstance(row, dict)]
    current = [row for row in rows if row.get("compare_label") in (None, "current")]
    previous = {_series_key(row): row for row in rows if row.get("compare_label") == "previous"}
    by = breakdown_label(source.get("breakdownFilter"))
    groups: dict[Any, list[dict]] = defaultdict(list)
    for row in current:
        groups[(row.get("action") or {}).get("order", row.get("order"))].append(row)
    series = source.get("series") or []
    sentences = []
    for order, group in groups.items():
        node = series[order] if isinstance(order, int) and order < len(series) and not _is_formula(group) else None
        sentences.append(_trend_series_summary(source, node, group, previous, by))
    return " ".join(sentence for sentence in sentences if sentence)


def _is_formula(rows: list[dict]) -> bool:
    return any(not row.get("action") for row in rows)


def _series_key(row: dict) -> tuple:
    breakdown = row.get("breakdown_value")
    return ((row.get("action") or {}).get("order", row.get("order")), str(breakdown) if breakdown is not None else None)


def _row_total(row: dict) -> float:
    if row.get("aggregated_value") is not None:
        return float(row["aggregated_value"])
    return float(row.get("count") or sum(row.get("data") or []))


def _trend_series_summary(source: dict, node: dict | None, rows: list[dict], previous: dict, by: str | None) -> str:
    interval = source.get("interval") or "day"
    math = (node or {}).get("math")
    name = series_name(node) if node is not None else str(rows[0].get("label") or "Formula")
    additive = math in ADDITIVE_MATHS
    data = _summed_data(rows)
    labels = rows[0].get("labels") or rows[0].get("days") or []
    parts = []
    total = sum(_row_total(row) for row in rows)
    if not data or len(data) < 2:
        parts.append(f"{name}: {format_number(total)}.")
    elif additive:
        average = total / len(data)
        parts.append(
            f"{name}: {format_number(total)} in total over {plural(len(data), interval)} "
            f"(about {format_number(round(average, 1))} per {interval})."
        )
    else:
        average = sum(data) / len(data)
        parts.append(
            f"{name}: averages {format_number(round(average, 1))} per {interval} over {plural(len(data), interval)}, "
            f"latest {format_number(data[-1])}."
        )
    if len(data) >= 2:
        parts.append(_direction_sentence(data))
        parts.append(_peak_sentence(data, labels))
    previous_rows = [previous[key] for key in (_series_key(row) for row in rows) if key in previous]
    if previous_rows:
        parts.append(_compare_sentence(total, sum(_row_total(row) for row in previous_rows)))
    if by and len(rows) > 1:
        parts.append(_leaders_sentence(rows, by, total if additive else None))
    return " ".join(part for part in parts if part)


def _summed_data(rows: list[dict]) -> list[float]:
    series = [row.get("data") or [] for row in rows if row.get("data")]
    if not series:
        return []
    length = max(len(values) for values in series)
    return [float(sum(values[index] for values in series if index < len(values))) for index in range(length)]


def _direction_sentence(data: list[float]) -> str:
    """Compares the mean of the second half with the first half of the series (odd middle value left out)."""
    half = len(data) // 2
    first, second = sum(data[:half]) / half, sum(data[-half:]) / half
    if first == 0 and second == 0:
        return "It stayed at zero throughout."
    if first == 0:
        return "It went up from zero in the first half of the period."
    change = (second - first) / first
    if abs(change) < FLAT_THRESHOLD:
        return f"It was roughly flat ({_signed_percent(change)} in the second half of the period vs the first)."
    direction = "up" if change > 0 else "down"
    return f"It trended {direction}: {_signed_percent(change)} in the second half of the period vs the first."


def _peak_sentence(data: list[float], labels: list[str]) -> str:
    high = max(range(len(data)), key=lambda index: data[index])
    low = min(range(len(data)), key=lambda index: data[index])
    if data[high] == data[low]:
        return ""

    def at(index: int) -> str:
        return f" on {labels[index]}" if index < len(labels) else ""

    return f"Peak: {format_number(data[high])}{at(high)}; low: {format_number(data[low])}{at(low)}."


def _compare_sentence(current: float, previous: float) -> str:
    if previous == 0:
        return f"The previous period had none, against {format_number(current)} now."
    change = (current - previous) / previous
    if change == 0:
        return f"That is the same as the previous period ({format_number(previous)})."
    more = "more" if change > 0 else "less"
    return f"That is {format_percent(abs(change))} {more} than the previous period ({format_number(previous)})."


def _leaders_sentence(rows: list[dict], by: str, total: float | None) -> str:
    ranked = sorted(rows, key=_row_total, reverse=True)[:MAX_BREAKDOWN_LEADERS]

    def item(row: dict) -> str:
        value = breakdown_value_label(row.get("breakdown_value"))
        share = f", {format_percent(_row_total(row) / total)}" if total else ""
        return f"{value} ({format_number(_row_total(row))}{share})"

    leader, *others = ranked
    sentence = f"By {by}, {item(leader)} leads"
    if others:
        sentence += f", followed by {join_words([item(row) for row in others])}"
    return sentence + "."


def _signed_percent(ratio: float) -> str:
    return f"{'+' if ratio >= 0 else '-'}{format_percent(abs(ratio))}"


# --- retention, lifecycle, stickiness, paths ------------------------------------------------------------------


def _analyze_retention(source: dict, cohorts: list[dict]) -> str:
    period = ((source.get("retentionFilter") or {}).get("period") or "Day").lower()
    count = len(cohorts)
    starting = sum(float((cohort.get("values") or [{}])[0].get("count") or 0) for cohort in cohorts)
    rates = []  # (cohort label, period-1 rate) for cohorts whose next period is already over
    for position, cohort in enumerate(cohorts):
        values = cohort.get("values") or []
        size = float(values[0].get("count") or 0) if values else 0
        if size > 0 and len(values) > 1 and position + 1 < count:
            rates.append((cohort.get("label") or cohort.get("date"), float(values[1].get("count") or 0) / size))
    if starting == 0:
        return "No users entered any retention cohort in this date range."
    text = f"{plural(count, 'cohort')} with {plural(starting, 'user')} in total."
    if not rates:
        return text + f" No cohort is old enough yet to measure {period} 1 retention."
    sizes = [float(cohort["values"][0].get("count") or 0) for cohort in cohorts[: len(rates)] if cohort.get("values")]
    returned = sum(rate * size for (_, rate), size in zip(rates, sizes, strict=False))
    text += f" {capitalize(period)} 1 retention is {format_percent(returned / sum(sizes))} on average"
    if len(rates) >= 2:
        half = len(rates) // 2
        early = sum(rate for _, rate in rates[:half]) / half
        late = sum(rate for _, rate in rates[-half:]) / half
        if abs(late - early) < 0.01:
            text += ", stable between earlier and later cohorts"
        else:
            trend = "improving" if late > early else "declining"
            text += f", {trend} from {format_percent(early)} in earlier cohorts to {format_percent(late)} in later ones"
    best = max(rates, key=lambda item: item[1])
    return text + f". The best cohort is {best[0]} at {format_percent(best[1])}."


def _analyze_lifecycle(source: dict, rows: list[dict]) -> str:
    totals: dict[str, float] = defaultdict(float)
    for row in rows:
        totals[row.get("status") or str(row.get("label", "")).rsplit(" - ", 1)[-1]] += float(
            row.get("count") or sum(row.get("data") or [])
        )
    gained = totals["new"] + totals["resurrecting"]
    lost = abs(totals["dormant"])
    text = (
        f"Over the period: {format_number(totals['new'])} new, {format_number(totals['returning'])} returning, "
        f"{format_number(totals['resurrecting'])} resurrecting and {format_number(lost)} dormant users."
    )
    if lost == 0:
        return text + " No users went dormant."
    ratio = gained / lost
    verdict = "growing" if ratio > 1 else "shrinking" if ratio < 1 else "holding steady"
    return text + f" The quick ratio (new + resurrecting vs dormant) is {ratio:.2f}, so the active base is {verdict}."


def _analyze_stickiness(source: dict, rows: list[dict]) -> str:
    interval = source.get("interval") or "day"
    parts = []
    for row in rows:
        data = [float(value) for value in row.get("data") or []]
        users = sum(data)
        if not users:
            continue
        order = (row.get("action") or {}).get("order")
        series = source.get("series") or []
        name = entity_label(series[order]) if isinstance(order, int) and order < len(series) else row.get("label")
        average = sum((index + 1) * value for index, value in enumerate(data)) / users
        frequent = sum(data[(len(data) + 1) // 2 :]) / users
        mode = max(range(len(data)), key=lambda index: data[index]) + 1
        parts.append(
            f"{name}: {format_number(users)} users, active on {average:.1f} {interval}s on average; most were "
            f"active on {plural(mode, interval)}, and {format_percent(frequent)} on at least half of the {interval}s."
        )
    return " ".join(parts)


def _strip_step(node: str) -> str:
    prefix, _, rest = str(node).partition("_")
    return rest if prefix.isdigit() and rest else str(node)


def _analyze_paths(source: dict, edges: list[dict]) -> str:
    edges = [edge for edge in edges if isinstance(edge, dict)]
    if not edges:
        return ""
    top = max(edges, key=lambda edge: edge.get("value") or 0)
    starts: dict[str, float] = defaultdict(float)
    for edge in edges:
        if str(edge.get("source", "")).startswith("1_"):
            starts[_strip_step(edge["source"])] += edge.get("value") or 0
    text = (
        f"The most travelled step is {_strip_step(top['source'])} → {_strip_step(top['target'])} "
        f"({format_number(top.get('value') or 0)} users)."
    )
    if starts:
        first = max(starts, key=lambda step: starts[step])
        text += f" Most paths start at {first} ({format_number(starts[first])} users)."
    return text + f" The chart shows {plural(len(edges), 'path step')}."


def _analyze_rows(source: dict, results: list) -> str:
    more = "" if len(results) < 100 else " (possibly more)"
    return f"The query returned {plural(len(results), 'row')}{more}."


# Each takes the source and the runner's `results` (a list, or a dict for some kinds); a shape it does not expect
# raises, and analyze_results answers UNREADABLE_RESULTS.
ANALYZERS: dict[str, Callable[[dict, Any], str]] = {
    "TrendsQuery": _analyze_trends,
    "FunnelsQuery": analyze_funnels,
    "RetentionQuery": _analyze_retention,
    "LifecycleQuery": _analyze_lifecycle,
    "StickinessQuery": _analyze_stickiness,
    "PathsQuery": _analyze_paths,
}
