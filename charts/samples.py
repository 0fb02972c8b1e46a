"""Example queries and results of every kind, shaped exactly as the runners answer (for tests, bench, gallery)."""

from __future__ import annotations

import itertools
import math
from datetime import date, timedelta

NULL = "$$_posthog_breakdown_null_$$"
BROWSERS = ["Chrome", "Safari", "Firefox", "Edge", "$$_posthog_breakdown_other_$$"]


def _days(count: int, start: date = date(2024, 1, 1)) -> list[date]:
    return [start + timedelta(days=index) for index in range(count)]


def _label(day: date) -> str:
    return f"{day.day}-{day.strftime('%b-%Y')}"


def _wave(index: int, seed: int, scale: float) -> int:
    """A deterministic, lively series: weekly rhythm, a trend and some wobble."""
    weekly = 1 + 0.35 * math.sin((index + seed) * 2 * math.pi / 7)
    wobble = 1 + 0.2 * math.sin(index * 1.7 + seed * 3.1)
    return int(round(scale * weekly * wobble * (1 + index / 180)))


def _action(event: str, order: int, custom_name: str | None = None) -> dict:
    return {
        "id": event,
        "type": "events",
        "order": order,
        "name": event,
        "custom_name": custom_name,
        "math": "total",
        "math_property": None,
        "math_hogql": None,
        "math_group_type_index": None,
        "properties": {},
    }


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
    periods = ["current", "previous"] if compare else [None]
    for order in range(series):
        event = ["$pageview", "purchase"][order]
        for position, value in enumerate(breakdowns or [None]):
            for period in periods:
                first = start - timedelta(days=days) if period == "previous" else start
                buckets = _days(days, first)
                scale = (400 if order == 0 else 60) / (position + 1) * (0.8 if period == "previous" else 1)
                data = [
                    _wave(index, position + 3 * order + (5 if period == "previous" else 0), scale)
                    for index in range(days)
                ]
                count = float(sum(data))
                if cumulative:
                    data = list(itertools.accumulate(data))
                    count = float(data[-1])
                label = event if value is None else (f"{event} - {value}" if series > 1 else str(value))
                row = {
                    "data": data,
                    "labels": [_label(day) for day in buckets],
                    "days": [day.isoformat() for day in buckets],
                    "count": count,
                    "label": label,
                    "filter": {"insight": "TRENDS", "interval": "day"},
                    "action": _action(event, order),
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
    for value, total in values.items():
        for period in ["current", "previous"] if compare else [None]:
            aggregated = total if period != "previous" else total // 2
            row = {
                "data": [],
                "days": [],
                "count": 0,
                "aggregated_value": aggregated,
                "label": value,
                "filter": {"insight": "TRENDS"},
                "action": _action("$pageview", 0),
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
    for period, total in [("current", value), ("previous", previous)] if previous is not None else [(None, value)]:
        row = {
            "data": [],
            "days": [],
            "count": 0,
            "aggregated_value": total,
            "label": "$pageview",
            "filter": {"insight": "TRENDS"},
            "action": _action("$pageview", 0),
            "order": 0,
        }
        if period:
            row.update({"compare": True, "compare_label": period})
        results.append(row)
    return {"results": results}


def _step(order: int, event: str, count: int, average: float | None, median: float | None) -> dict:
    return {
        "action_id": event,
        "name": event,
        "custom_name": None,
        "order": order,
        "people": [],
        "count": count,
        "type": "events",
        "average_conversion_time": average,
        "median_conversion_time": median,
    }


FUNNEL_EVENTS = ["$pageview", "signed_up", "purchase"]


def funnel_query(viz: str = "steps", breakdown: bool = False) -> dict:
    """An InsightVizNode around a three-step FunnelsQuery."""
    source: dict = {
        "kind": "FunnelsQuery",
        "series": [{"kind": "EventsNode", "event": e} for e in FUNNEL_EVENTS],
        "funnelsFilter": {"funnelVizType": viz},
    }
    if breakdown:
        source["breakdownFilter"] = {"breakdown": "$browser", "breakdown_type": "event"}
    return {"kind": "InsightVizNode", "source": source}


def funnel_steps_result(breakdown: bool = False) -> dict:
    """Funnel steps: a list of step dicts, or one list per breakdown value with `breakdown` and `breakdown_value`."""
    counts = {"Chrome": [820, 410, 123], "Safari": [390, 140, 61], "Other": [120, 30, 4]}
    if not breakdown:
        steps = [
            _step(0, FUNNEL_EVENTS[0], 1330, None, None),
            _step(1, FUNNEL_EVENTS[1], 580, 5400.5, 3600.0),
            _step(2, FUNNEL_EVENTS[2], 188, 86000.0, 43200.0),
        ]
        return {"results": steps, "isUdf": False}
    results = []
    for value, numbers in counts.items():
        steps = [
            _step(
                index,
                FUNNEL_EVENTS[index],
                count,
                None if index == 0 else 3600.0 * index,
                None if index == 0 else 1800.0 * index,
            )
            for index, count in enumerate(numbers)
        ]
        for step in steps:
            step["breakdown"] = [value]
            step["breakdown_value"] = [value]
        results.append(steps)
    return {"results": results}


def funnel_time_result() -> dict:
    """Time to convert: bins of [seconds from, actors] and the average."""
    bins = [[60, 12], [3660, 40], [7260, 31], [10860, 17], [14460, 9], [18060, 4], [21660, 0]]
    return {"results": {"bins": bins, "average_conversion_time": 6020.5}}


def funnel_trends_result(days: int = 14, breakdown: bool = False) -> dict:
    """Funnel trends: conversion % per entrance period, one object per breakdown value."""
    buckets = _days(days)
    results = []
    for position, value in enumerate(["Chrome", "Safari"] if breakdown else [None]):
        data = [round(20 + 10 * math.sin(index / 2 + position) + position * 5, 2) for index in range(days)]
        row = {
            "count": days,
            "data": data,
            "days": [d.isoformat() for d in buckets],
            "labels": [_label(d) for d in buckets],
        }
        if value:
            row["breakdown_value"] = [value]
        results.append(row)
    return {"results": results}


def retention_query(period: str = "Day", intervals: int = 8) -> dict:
    """An InsightVizNode around a RetentionQuery of `$pageview`."""
    entity = {"id": "$pageview", "type": "events"}
    retention = {
        "period": period,
        "totalIntervals": intervals,
        "retentionType": "retention_first_time",
        "targetEntity": entity,
        "returningEntity": entity,
    }
    return {"kind": "InsightVizNode", "source": {"kind": "RetentionQuery", "retentionFilter": retention}}


def retention_result(intervals: int = 8, start: date = date(2024, 1, 1)) -> dict:
    """Retention cohorts: cohort i has `intervals - i` values, missing cells being 0 as the runner writes them."""
    results = []
    for cohort in range(intervals):
        size = 100 + 13 * ((cohort * 7) % 5)
        values = []
        for index in range(intervals):
            count = size if index == 0 else int(size * 0.55 * (0.8**index)) if index < intervals - cohort else 0
            values.append({"count": count, "label": f"Day {index}"})
        day = start + timedelta(days=cohort)
        results.append(
            {
                "date": f"{day.isoformat()}T00:00:00Z",
                "label": f"Day {cohort}",
                "breakdown_value": None,
                "values": values,
            }
        )
    return {"results": results}


def lifecycle_result(days: int = 14) -> dict:
    """Lifecycle: new, returning, resurrecting and dormant (negative), as the runner orders them."""
    buckets = _days(days)
    results = []
    for position, status in enumerate(["new", "returning", "resurrecting", "dormant"]):
        sign = -1 if status == "dormant" else 1
        data = [float(sign * _wave(index, position, [30, 50, 12, 25][position])) for index in range(days)]
        results.append(
            {
                "action": {**_action("$pageview", 0)},
                "data": data,
                "count": float(sum(data)),
                "labels": [_label(d) for d in buckets],
                "days": [d.isoformat() for d in buckets],
                "label": f"$pageview - {status}",
                "status": status,
            }
        )
    return {"results": results}


def lifecycle_query() -> dict:
    return {
        "kind": "InsightVizNode",
        "source": {
            "kind": "LifecycleQuery",
            "series": [{"kind": "EventsNode", "event": "$pageview"}],
            "interval": "day",
        },
    }


def stickiness_query(display: str | None = None) -> dict:
    source = {"kind": "StickinessQuery", "series": [{"kind": "EventsNode", "event": "$pageview"}], "interval": "day"}
    if display:
        source["stickinessFilter"] = {"display": display}
    return {"kind": "InsightVizNode", "source": source}


def stickiness_result(size: int = 7) -> dict:
    """Stickiness: actors active on exactly N days."""
    data = [int(300 / (n**1.3)) for n in range(1, size + 1)]
    return {
        "results": [
            {
                "count": sum(data),
                "data": data,
                "days": list(range(1, size + 1)),
                "label": "$pageview",
                "labels": [f"{n} day{'' if n == 1 else 's'}" for n in range(1, size + 1)],
                "action": {"order": 0, "type": "events", "name": "$pageview", "id": "$pageview", "custom_name": None},
            }
        ]
    }


def paths_query() -> dict:
    return {
        "kind": "InsightVizNode",
        "source": {"kind": "PathsQuery", "pathsFilter": {"includeEventTypes": ["$pageview"], "stepLimit": 4}},
    }


PATH_EDGES = [
    ("1_/home", "2_/pricing", 57),
    ("1_/home", "2_/docs", 41),
    ("1_/home", "2_/blog", 22),
    ("1_/blog", "2_/home", 12),
    ("2_/pricing", "3_/signup", 30),
    ("2_/pricing", "3_/docs", 11),
    ("2_/docs", "3_/docs/install", 25),
    ("2_/blog", "3_/pricing", 8),
    ("2_/home", "3_/pricing", 6),
    ("3_/signup", "4_/onboarding", 21),
    ("3_/docs/install", "4_/signup", 9),
    ("3_/pricing", "4_/signup", 5),
]


def paths_result() -> dict:
    """Path edges sorted by value: `<step>_<item>` source and target, transitions and average ms between them."""
    edges = sorted(PATH_EDGES, key=lambda edge: (-edge[2], edge[0], edge[1]))
    return {
        "results": [
            {"source": s, "target": t, "value": v, "average_conversion_time": 1000.0 * v * 11} for s, t, v in edges
        ]
    }


def hogql_query() -> dict:
    sql = "SELECT event, count() AS total, max(timestamp) AS last_seen FROM events GROUP BY event ORDER BY total DESC"
    return {"kind": "DataVisualizationNode", "source": {"kind": "HogQLQuery", "query": sql}}


def hogql_result() -> dict:
    """A HogQL response: rows, column names and ClickHouse types."""
    rows = [
        ["$pageview", 48213, "2024-03-30T23:59:01Z"],
        ["$autocapture", 20117, "2024-03-30T23:58:44Z"],
        ["signed_up", 912, "2024-03-30T21:12:09Z"],
        ["purchase", 188, "2024-03-29T17:40:00Z"],
    ]
    return {
        "results": rows,
        "columns": ["event", "total", "last_seen"],
        "types": [["event", "String"], ["total", "UInt64"], ["last_seen", "DateTime64(6, 'UTC')"]],
    }


def events_query() -> dict:
    return {
        "kind": "DataTableNode",
        "source": {
            "kind": "EventsQuery",
            "select": ["*", "event", "person_display_name -- Person", "timestamp"],
            "orderBy": ["timestamp DESC"],
        },
    }


def events_result() -> dict:
    """An EventsQuery response with a `*` dict, a person display name and a timestamp."""
    rows = []
    for index, (event, person) in enumerate(
        [("$pageview", "alice@example.com"), ("signed_up", "bob@example.com"), ("purchase", "carol@example.com")]
    ):
        moment = f"2024-01-0{index + 1}T1{index}:00:00Z"
        star = {
            "uuid": f"0000-{index}",
            "event": event,
            "properties": {"$browser": "Chrome"},
            "timestamp": moment,
            "distinct_id": person.split("@")[0],
            "elements_chain": "",
        }
        rows.append([star, event, {"display_name": person, "id": f"uuid-{index}"}, moment])
    return {
        "results": rows,
        "columns": ["*", "event", "person_display_name -- Person", "timestamp"],
        "types": ["Tuple", "String", "Tuple", "DateTime64(6, 'UTC')"],
        "hasMore": False,
    }


def hogql_chart_query(display: str = "ActionsLineGraph") -> dict:
    """A SQL insight drawn as a chart: pageviews and users per day."""
    sql = "SELECT toStartOfDay(timestamp) AS day, count() AS pageviews, count(DISTINCT person_id) AS users ..."
    settings = {"xAxis": {"column": "day"}, "yAxis": [{"column": "pageviews"}, {"column": "users"}]}
    return {
        "kind": "DataVisualizationNode",
        "source": {"kind": "HogQLQuery", "query": sql},
        "display": display,
        "chartSettings": settings,
    }


def hogql_chart_result(days: int = 14) -> dict:
    """Rows of (day, pageviews, users) with ClickHouse types, as the HogQL runner returns them."""
    rows = [[f"{day.isoformat()}T00:00:00Z", _wave(i, 0, 500), _wave(i, 2, 120)] for i, day in enumerate(_days(days))]
    return {
        "results": rows,
        "columns": ["day", "pageviews", "users"],
        "types": [["day", "DateTime('UTC')"], ["pageviews", "UInt64"], ["users", "UInt64"]],
    }
