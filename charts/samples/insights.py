"""Retention, lifecycle, stickiness, paths, SQL and events samples."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from charts.samples.common import action, day_label, days_from, wave


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
    buckets = days_from(days)
    results = []
    for position, status in enumerate(["new", "returning", "resurrecting", "dormant"]):
        sign = -1 if status == "dormant" else 1
        data = [float(sign * wave(index, position, [30, 50, 12, 25][position])) for index in range(days)]
        results.append(
            {
                "action": {**action("$pageview", 0)},
                "data": data,
                "count": float(sum(data)),
                "labels": [day_label(d) for d in buckets],
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
    source: dict[str, Any] = {
        "kind": "StickinessQuery",
        "series": [{"kind": "EventsNode", "event": "$pageview"}],
        "interval": "day",
    }
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
    rows = [[f"{day.isoformat()}T00:00:00Z", wave(i, 0, 500), wave(i, 2, 120)] for i, day in enumerate(days_from(days))]
    return {
        "results": rows,
        "columns": ["day", "pageviews", "users"],
        "types": [["day", "DateTime('UTC')"], ["pageviews", "UInt64"], ["users", "UInt64"]],
    }
