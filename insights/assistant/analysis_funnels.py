"""Summaries of funnel results: overall conversion and the biggest drop-off, breakdowns, time to convert, trends."""

from __future__ import annotations

from insights.assistant.labels import (
    breakdown_label,
    breakdown_value_label,
    entity_label,
    format_duration,
    format_number,
    format_percent,
    plural,
)


def analyze_funnels(source: dict, results: list | dict) -> str:
    """Steps results, one list of steps per breakdown value, time-to-convert bins, or conversion trends."""
    viz_type = (source.get("funnelsFilter") or {}).get("funnelVizType") or "steps"
    if isinstance(results, dict) or viz_type == "time_to_convert":
        return _time_to_convert(results if isinstance(results, dict) else (results[0] if results else {}))
    if viz_type == "trends":
        return _funnel_trends(results)
    if results and isinstance(results[0], list):  # a breakdown: one list of steps per breakdown value
        return _funnel_breakdown(source, results)
    return _funnel_steps(source, results)


def _step_name(source: dict, step: dict, index: int) -> str:
    series = source.get("series") or []
    if index < len(series):
        return entity_label(series[index])
    return str(step.get("custom_name") or step.get("name") or f"Step {index + 1}")


def _funnel_steps(source: dict, steps: list[dict]) -> str:
    counts = [float(step.get("count") or 0) for step in steps]
    names = [_step_name(source, step, index) for index, step in enumerate(steps)]
    if not counts or counts[0] == 0:
        return f"No users entered the funnel at {names[0] if names else 'the first step'}."
    parts = [
        f"{format_number(counts[0])} users entered at {names[0]} and {format_number(counts[-1])} reached "
        f"{names[-1]}: {format_percent(counts[-1] / counts[0])} overall conversion."
    ]
    drops = [(index, counts[index] - counts[index + 1]) for index in range(len(counts) - 1) if counts[index] > 0]
    if len(counts) > 2 and drops:
        worst, lost = max(drops, key=lambda drop: drop[1] / counts[drop[0]])
        parts.append(
            f"The biggest drop-off is from {names[worst]} to {names[worst + 1]}, where "
            f"{format_percent(lost / counts[worst])} ({format_number(lost)} users) did not continue."
        )
    elif drops:
        parts.append(f"{format_number(drops[0][1])} users dropped off between the two steps.")
    average = steps[-1].get("average_conversion_time") if len(steps) > 1 else None
    if average:
        parts.append(f"Those who converted took {format_duration(average)} on average to reach the last step.")
    return " ".join(parts)


def _funnel_breakdown(source: dict, groups: list[list[dict]]) -> str:
    rates = []
    for steps in groups:
        if not steps:
            continue
        first, last = float(steps[0].get("count") or 0), float(steps[-1].get("count") or 0)
        if first > 0:
            rates.append(
                (breakdown_value_label(steps[0].get("breakdown_value", steps[0].get("breakdown"))), last / first)
            )
    if not rates:
        return "No users entered the funnel."
    rates.sort(key=lambda item: item[1], reverse=True)
    by = breakdown_label(source.get("breakdownFilter")) or "breakdown"
    best, worst = rates[0], rates[-1]
    text = f"By {by}, {best[0]} converts best ({format_percent(best[1])})"
    if len(rates) > 1:
        text += f" and {worst[0]} worst ({format_percent(worst[1])})"
    return text + f", across {plural(len(rates), 'breakdown value')}."


def _time_to_convert(result: dict) -> str:
    bins = result.get("bins") or []
    average = result.get("average_conversion_time")
    total = sum(count for _, count in bins)
    if not total:
        return "No users converted in this funnel during the date range."
    text = f"{format_number(total)} users converted, taking {format_duration(average)} on average."
    busiest = max(bins, key=lambda item: item[1])
    return text + f" The most common time to convert is around {format_duration(busiest[0])} ({busiest[1]} users)."


def _funnel_trends(results: list[dict]) -> str:
    parts = []
    for row in results:
        data = [float(value) for value in row.get("data") or []]
        if not data:
            continue
        labels = row.get("labels") or row.get("days") or []
        average = sum(data) / len(data)
        text = f"Conversion averaged {average:.1f}% over {plural(len(data), 'period')}, latest {data[-1]:.1f}%."
        high = max(range(len(data)), key=lambda index: data[index])
        if index_label := (labels[high] if high < len(labels) else None):
            text += f" Best: {data[high]:.1f}% on {index_label}."
        parts.append(text)
    return " ".join(parts)
