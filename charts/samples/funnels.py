"""Funnel samples: steps (with breakdown), time to convert, conversion trends."""

from __future__ import annotations

import math

from charts.samples.common import day_label, days_from


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


def funnel_query(viz: str = "steps", breakdown: bool = False, layout: str | None = None) -> dict:
    """An InsightVizNode around a three-step FunnelsQuery."""
    source: dict = {
        "kind": "FunnelsQuery",
        "series": [{"kind": "EventsNode", "event": e} for e in FUNNEL_EVENTS],
        "funnelsFilter": {"funnelVizType": viz, **({"layout": layout} if layout else {})},
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
    buckets = days_from(days)
    results = []
    values: list[str | None] = ["Chrome", "Safari"] if breakdown else [None]
    for position, value in enumerate(values):
        data = [round(20 + 10 * math.sin(index / 2 + position) + position * 5, 2) for index in range(days)]
        row = {
            "count": days,
            "data": data,
            "days": [d.isoformat() for d in buckets],
            "labels": [day_label(d) for d in buckets],
        }
        if value:
            row["breakdown_value"] = [value]
        results.append(row)
    return {"results": results}
