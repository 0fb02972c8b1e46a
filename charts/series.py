"""Series read from trends-shaped results: legend label, values, colour and compare period."""

from __future__ import annotations

import math
from dataclasses import dataclass

from charts.format import breakdown_label, clean_label
from charts.palette import series_color


@dataclass(frozen=True)
class Series:
    """One line, area or bar group: `previous` marks the compared-to period (drawn dashed and faded)."""

    label: str
    values: tuple[float, ...]
    color: str
    previous: bool = False


def as_number(value) -> float:
    """A data point as a float; missing, infinite or non-numeric points become NaN (a gap)."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return math.nan
    return number if math.isfinite(number) else math.nan


def _color_key(row: dict) -> tuple:
    action = row.get("action")
    if not isinstance(action, dict):
        action = {}
    order = action.get("order", row.get("order"))
    value = row.get("breakdown_value")
    return order, breakdown_label(value) if value is not None else None, row.get("status")


def _label(row: dict, comparing: bool) -> str:
    action = row.get("action")
    if not isinstance(action, dict):
        action = {}
    label = clean_label(row.get("label") or action.get("name") or "Series")
    if action.get("custom_name") and "breakdown_value" not in row:
        label = str(action["custom_name"])
    if "breakdown_value" in row and not row.get("label"):
        label = breakdown_label(row["breakdown_value"])
    if comparing:
        label += " (previous)" if row.get("compare_label") == "previous" else " (current)"
    return label


def trend_series(results: list, hidden: list | None = None) -> list[Series]:
    """The visible series of a trends, stickiness or funnel-trends result, coloured as PostHog colours them:
    by series and breakdown value in order of appearance, the compared period sharing its current colour."""
    hidden_indexes = set(hidden or [])
    rows = [row for index, row in enumerate(results) if isinstance(row, dict) and index not in hidden_indexes]
    comparing = any(row.get("compare") for row in rows)
    colors: dict[tuple, int] = {}
    series = []
    for row in rows:
        color = series_color(colors.setdefault(_color_key(row), len(colors)))
        values = tuple(as_number(value) for value in row.get("data") or [])
        series.append(Series(_label(row, comparing), values, color, row.get("compare_label") == "previous"))
    return series


def x_labels(results: list) -> list[str]:
    """The x-axis labels: the current period's `labels`, else its `days`, else positions."""
    rows = [row for row in results if isinstance(row, dict)]
    current = [row for row in rows if row.get("compare_label") != "previous"] or rows
    for key in ("labels", "days"):
        for row in current:
            if row.get(key):
                return [clean_label(label) for label in row[key]]
    size = max((len(row.get("data") or []) for row in rows), default=0)
    return [str(index + 1) for index in range(size)]


@dataclass(frozen=True)
class Total:
    """One total-value row: legend label, aggregated value, colour, and whether it is the compared period."""

    label: str
    value: float
    color: str
    previous: bool = False


def totals(results: list, hidden: list | None = None) -> list[Total]:
    """Total-value rows (`aggregated_value`, or the sum of `data`), coloured like `trend_series`."""
    series = trend_series(results, hidden)
    hidden_indexes = set(hidden or [])
    rows = [row for index, row in enumerate(results) if isinstance(row, dict) and index not in hidden_indexes]
    values = []
    for row in rows:
        value = row.get("aggregated_value")
        if value is None:
            value = sum(v for v in (as_number(point) for point in row.get("data") or []) if not math.isnan(v))
        values.append(as_number(value))
    return [Total(item.label, value, item.color, item.previous) for item, value in zip(series, values, strict=True)]
