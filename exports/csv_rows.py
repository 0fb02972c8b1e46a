"""An insight's or query's result as CSV rows, laid out per kind as PostHog's tabular exporter does (spec exports
§1.10): tables, funnels, retention, trends, time-to-convert bins; nested values flattened to `a.b` columns."""

import csv
import io
from typing import Any, cast

OTHER, NULL = "$$_posthog_breakdown_other_$$", "$$_posthog_breakdown_null_$$"
BREAKDOWN_LABELS = {OTHER: "Other (i.e. all remaining values)", NULL: "None (i.e. no value)"}
NO_DATA = "No data available or unable to format for export."
MAX_DISTINCT_IDS = 10


def _breakdown_value(value) -> str:
    if isinstance(value, list):
        return "::".join(str(BREAKDOWN_LABELS.get(v, v)) for v in value)
    return str(BREAKDOWN_LABELS.get(value, value))


def _tabular(response: dict) -> list[dict]:
    columns = response.get("columns") or []
    rows = []
    for values in response["results"]:
        row: dict[str, Any] = {}
        for index, value in enumerate(values):
            key = columns[index] if index < len(columns) else f"column_{index}"
            if isinstance(value, dict) and isinstance(value.get("distinct_ids"), list):
                ids = value["distinct_ids"]
                if len(ids) > MAX_DISTINCT_IDS:
                    value = {**value, "distinct_ids": ids[:MAX_DISTINCT_IDS]}
                    row["distinct_ids.total"] = f"Note: {len(ids)} distinct_ids in total"
            row[key] = value
        rows.append(row)
    return rows


def _funnel(results: list) -> list[dict]:
    groups = results if isinstance(results[0], list) else [results]
    rows = []
    for steps in groups:
        for step in steps:
            breakdown = step.get("breakdown_value")
            rows.append(
                {
                    "name": step.get("custom_name") or step.get("action_id"),
                    "breakdown_value": _breakdown_value(breakdown) if breakdown is not None else "",
                    "action_id": step.get("action_id"),
                    "count": step.get("count"),
                    "median_conversion_time (seconds)": step.get("median_conversion_time") or "",
                    "average_conversion_time (seconds)": step.get("average_conversion_time") or "",
                }
            )
    return rows


def _retention(results: list) -> list[dict]:
    rows = []
    for cohort in results:
        values = cohort.get("values") or []
        row: dict[str, Any] = {
            "cohort": cohort.get("date") or cohort.get("label"),
            "cohort size": (values[0].get("count") if values else 0),
        }
        for index, value in enumerate(values):
            name = value.get("label") if cohort.get("date") and value.get("label") else f"Period {index}"
            row[name] = value.get("count")
        rows.append(row)
    return rows


def _breakdown_properties(query: dict) -> list[str]:
    breakdown = (query or {}).get("breakdownFilter") or {}
    if breakdown.get("breakdowns"):
        return [str(item.get("property")) for item in breakdown["breakdowns"]]
    value = breakdown.get("breakdown")
    if value in (None, ""):
        return []
    return [", ".join(map(str, value)) if isinstance(value, list) else str(value)]


def _trends(results: list, query: dict) -> list[dict]:
    properties = _breakdown_properties(query)
    current = next((row for row in results if row.get("compare_label") != "previous"), results[0])
    labels = current.get("labels") or []
    rows = []
    for index, series in enumerate(results):
        action = series.get("action") or {}
        name = (
            action.get("name") if properties and action.get("name") else series.get("label") or f"Series #{index + 1}"
        )
        if series.get("compare_label"):
            name = f"{name} - {series['compare_label']}"
        row: dict[str, Any] = {"series": name}
        if action.get("custom_name"):
            row["custom name"] = action["custom_name"]
        values = series.get("breakdown_value")
        values = values if isinstance(values, list) else [values]
        for position, prop in enumerate(properties):
            row[prop] = _breakdown_value(values[position]) if position < len(values) else ""
        if series.get("aggregated_value") is not None:
            row["Total Sum"] = series["aggregated_value"]
        else:
            for label, value in zip(labels, series.get("data") or [], strict=False):
                row[label] = value
        rows.append(row)
    return rows


def result_rows(response: dict, query: dict | None = None) -> list[dict]:
    """The rows of a runner response (`results`, else `result`) in the exporter's order of checks."""
    results = response.get("results", response.get("result"))
    if isinstance(results, dict) and "bins" in results:
        return [{"bin": bin_, "value": value} for bin_, value in results["bins"]]
    if not results:
        return []
    # Past the time-to-convert bins every runner's `results` is a list of rows.
    results = cast(list, results)
    first = results[0]
    tabular = isinstance(first, list | tuple) and (response.get("types") is not None or response.get("columns"))
    funnel_steps = isinstance(first, list | tuple) and bool(first) and isinstance(first[0], dict)
    if tabular and not funnel_steps:
        return _tabular({**response, "results": results})
    if isinstance(first, list) or (isinstance(first, dict) and "action_id" in first and "data" not in first):
        return _funnel(results)
    if isinstance(first, dict) and "values" in first and "label" in first:
        return _retention(results)
    if isinstance(first, dict) and (isinstance(first.get("data"), list) or first.get("aggregated_value") is not None):
        return _trends(results, query or {})
    return [row for row in results if isinstance(row, dict)]


def _flatten(value, prefix: str, into: dict) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{prefix}.{key}" if prefix else str(key), into)
    elif (
        isinstance(value, list)
        and value
        and any(isinstance(item, dict | list) for item in value)
        or (isinstance(value, list) and prefix)
    ):
        for index, item in enumerate(value):
            _flatten(item, f"{prefix}.{index}", into)
    else:
        into[prefix] = value


def to_csv(rows: list[dict], columns: list[str] | None = None) -> bytes:
    """CSV with `\\r\\n` line endings; flattened columns in order of first appearance, grouped by prefix."""
    flat = []
    for row in rows:
        out: dict = {}
        for key, value in row.items():
            _flatten(value, str(key), out)
        flat.append(out)
    if columns:
        keys = []
        for column in columns:
            expanded = (
                [key for row in flat for key in row if key.startswith(f"{column}.")]
                if not any(column in row for row in flat)
                else []
            )
            keys += list(dict.fromkeys(expanded)) or [column]
    else:
        seen = list(dict.fromkeys(key for row in flat for key in row))
        order = list(dict.fromkeys(key.split(".", 1)[0] for key in seen))
        keys = [key for prefix in order for key in seen if key.split(".", 1)[0] == prefix]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if not flat and not columns:
        writer.writerows([["error"], [NO_DATA]])
        return buffer.getvalue().encode()
    writer.writerow(keys)
    if not flat:
        writer.writerow(["" for _ in keys])
    for row in flat:
        writer.writerow(["" if row.get(key) is None else row.get(key) for key in keys])
    return buffer.getvalue().encode()
