"""Trends samples: time series with breakdowns and compare, total values, BoldNumber."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from charts.samples.common import NULL, action, day_label, days_from, wave


def trends_query(
    display: str = "ActionsLineGraph",
    breakdown: str | None = "$browser",
    compare: bool = False,
    series: int = 1,
    interval: str = "day",
) -> dict:
    """An InsightVizNode around a TrendsQuery of `$pageview` (and `purchase` for a second series)."""
    events = ["$pageview", "purchase"][:series]
    source: dict = {
        "kind": "TrendsQuery",
        "series": [{"kind": "EventsNode", "event": event, "name": event} for event in events],
        "interval": interval,
        "dateRange": {"date_from": "-90d"},
        "trendsFilter": {"display": display},
    }
    if breakdown:
        source["breakdownFilter"] = {"breakdown": breakdown, "breakdown_type": "event"}
    if compare:
        source["compareFilter"] = {"compare": True}
    return {"kind": "InsightVizNode", "source": source}


def trends_result(
    days: int = 90,
    breakdowns: list | None = None,
    compare: bool = False,
    series: int = 1,
    cumulative: bool = False,
    start: date = date(2024, 1, 1),
) -> dict:
    """A trends response: one object per series x breakdown value x compare period, as the runner orders them."""
    results = []
    periods: list[str | None] = ["current", "previous"] if compare else [None]
    for order in range(series):
        event = ["$pageview", "purchase"][order]
        for position, value in enumerate(breakdowns or [None]):
            for period in periods:
                first = start - timedelta(days=days) if period == "previous" else start
                buckets = days_from(days, first)
                scale = (400 if order == 0 else 60) / (position + 1) * (0.8 if period == "previous" else 1)
                data = [
                    wave(index, position + 3 * order + (5 if period == "previous" else 0), scale)
                    for index in range(days)
                ]
                count = float(sum(data))
                if cumulative:
                    data = list(itertools.accumulate(data))
                    count = float(data[-1])
                label = event if value is None else (f"{event} - {value}" if series > 1 else str(value))
                row = {
                    "data": data,
                    "labels": [day_label(day) for day in buckets],
                    "days": [day.isoformat() for day in buckets],
                    "count": count,
                    "label": label,
                    "filter": {"insight": "TRENDS", "interval": "day"},
                    "action": action(event, order),
                    "order": order,
                }
                if value is not None:
                    row["breakdown_value"] = value
                if period:
                    row.update({"compare": True, "compare_label": period})
                results.append(row)
    return {"results": results, "hasMore": False, "is_cached": True, "timezone": "UTC"}


def trends_total_result(values: dict | None = None, compare: bool = False) -> dict:
    """A total-value trends response (BoldNumber, pie, bar value, table, world map)."""
    values = values or {"Chrome": 5120, "Safari": 2300, "Firefox": 1210, "Edge": 640, NULL: 95}
    results = []
    periods: list[str | None] = ["current", "previous"] if compare else [None]
    for value, total in values.items():
        for period in periods:
            aggregated = total if period != "previous" else total // 2
            row = {
                "data": [],
                "days": [],
                "count": 0,
                "aggregated_value": aggregated,
                "label": value,
                "filter": {"insight": "TRENDS"},
                "action": action("$pageview", 0),
                "order": 0,
                "breakdown_value": value,
            }
            if period:
                row.update({"compare": True, "compare_label": period})
            results.append(row)
    return {"results": results}


def bold_number_result(value: float = 48213, previous: float | None = 40110) -> dict:
    """A BoldNumber response without breakdown, optionally compared with the previous period."""
    results = []
    totals: list[tuple[str | None, float]] = (
        [("current", value), ("previous", previous)] if previous is not None else [(None, value)]
    )
    for period, total in totals:
        row = {
            "data": [],
            "days": [],
            "count": 0,
            "aggregated_value": total,
            "label": "$pageview",
            "filter": {"insight": "TRENDS"},
            "action": action("$pageview", 0),
            "order": 0,
        }
        if period:
            row.update({"compare": True, "compare_label": period})
        results.append(row)
    return {"results": results}
