"""Shaping funnel rows into PostHog's response: step dicts, breakdown lists, time-to-convert bins, trends series."""

import math
from datetime import datetime

from queries.runners.common.date_range import QueryDateRange
from queries.runners.common.labels import format_day, format_label_date

OTHER = "Other"
MAX_TIME_TO_CONVERT_BINS = 90
DEFAULT_MAX_BINS = 60
EMPTY_BIN_WIDTH_SECONDS = 60


def _number(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def step_name(node) -> str:
    event = getattr(node, "event", None)
    return event if event is not None else "All events"


def step_dicts(
    series, counts: list[int], averages: list, medians: list, unordered: bool, identities: list[dict] | None = None
) -> list[dict]:
    """One dict per step (spec §2.3); unordered funnels name steps by how many were completed.

    `identities` are the steps' `{id, type, name}` (actions are named after the action).
    """
    steps = []
    for order, node in enumerate(series):
        identity = identities[order] if identities else {"id": getattr(node, "event", None), "type": "events"}
        if unordered:
            action_id, name = None, f"Completed {order + 1} step{'s' if order else ''}"
        else:
            action_id, name = identity["id"], identity.get("name") or step_name(node)
        steps.append(
            {
                "action_id": action_id,
                "name": name,
                "custom_name": None if unordered else node.custom_name,
                "order": order,
                "people": [],
                "count": counts[order],
                "type": identity["type"],
                "average_conversion_time": _number(averages[order - 1]) if order else None,
                "median_conversion_time": _number(medians[order - 1]) if order else None,
            }
        )
    return steps


def parse_step_row(row: list, steps: int) -> tuple[list[int], list, list]:
    """(counts, average times, median times) from `step_0.., average_time_1, median_time_1, ...`."""
    counts = [int(value) for value in row[:steps]]
    times = row[steps:]
    return counts, times[0::2], times[1::2]


def rank_key(counts: list[int], value) -> tuple:
    """Breakdown rows: most actors at the last step first, then at earlier steps; the value breaks ties."""
    return (tuple(-count for count in reversed(counts)), [str(v) for v in value])


def is_other(value) -> bool:
    return value == [OTHER] * len(value) if isinstance(value, list) else value == OTHER


def breakdown_steps(series, rows: list, unordered: bool, identities: list[dict] | None = None) -> list[list[dict]]:
    """One list of step dicts per breakdown value, in rank order, `Other` last."""
    steps = len(series)
    parsed = []
    for row in rows:
        value = list(row[0])
        counts, averages, medians = parse_step_row(row[1:], steps)
        parsed.append((is_other(value), rank_key(counts, value), value, counts, averages, medians))
    parsed.sort(key=lambda item: (item[0], item[1]))
    results = []
    for _other, _key, value, counts, averages, medians in parsed:
        dicts = step_dicts(series, counts, averages, medians, unordered, identities)
        for step in dicts:
            step["breakdown"] = value
            step["breakdown_value"] = value
        results.append(dicts)
    return results


def time_to_convert_bins(samples: list[float], bin_count: int | None) -> dict:
    """Histogram of conversion times (spec §3.9): `bins+1` rows of `[bin start in seconds, actors]`."""
    if not samples:
        return {"bins": [], "average_conversion_time": None}
    if bin_count is not None:
        bins = min(max(int(bin_count), 1), MAX_TIME_TO_CONVERT_BINS)
    else:
        bins = min(max(math.ceil(len(samples) ** (1 / 3) - 1e-9), 1), DEFAULT_MAX_BINS)
    low, high = math.floor(min(samples)), math.ceil(max(samples))
    width = math.ceil((high - low) / bins) or EMPTY_BIN_WIDTH_SECONDS
    counts = [0] * (bins + 1)
    for sample in samples:
        index = int(math.floor((sample - low) / width))
        if 0 <= index <= bins:
            counts[index] += 1
    average = round(sum(samples) / len(samples), 2)
    return {
        "bins": [[low + index * width, counts[index]] for index in range(bins + 1)],
        "average_conversion_time": average,
    }


def _bucket_key(value) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def trends_series(rows: list, date_range: QueryDateRange, breakdown: bool) -> list[dict]:
    """Conversion rate per entrance period, every period present (zero-filled); one series per breakdown value."""
    buckets = date_range.buckets()
    date_from, date_to = date_range.date_from(), date_range.date_to()
    interval = date_range.interval
    per_value: dict = {}
    order: list = []
    for row in rows:
        period, rest = row[0], row[1:]
        value = list(rest[0]) if breakdown else None
        reached_from, reached_to = (rest[1], rest[2]) if breakdown else (rest[0], rest[1])
        key = tuple(value) if value is not None else None
        if key not in per_value:
            per_value[key] = {}
            order.append(key)
        per_value[key][_bucket_key(period)] = (int(reached_from), int(reached_to))
    if not order:
        order = [None] if not breakdown else []
        per_value.setdefault(None, {})
    series = []
    for key in order:
        data = []
        for bucket in buckets:
            reached_from, reached_to = per_value[key].get(_bucket_key(bucket), (0, 0))
            data.append(round(reached_to / reached_from * 100, 2) if reached_from > 0 else 0)
        item = {
            "count": len(buckets),
            "data": data,
            "days": [format_day(bucket, interval) for bucket in buckets],
            "labels": [format_label_date(bucket, interval, date_from, date_to) for bucket in buckets],
        }
        if breakdown:
            item["breakdown_value"] = list(key)
        series.append(item)
    return series
