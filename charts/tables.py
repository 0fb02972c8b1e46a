"""HogQL, events and data-table results as tables: cells written for reading, times in the project's timezone."""

from __future__ import annotations

import json
import re
from datetime import datetime

from matplotlib.figure import Figure

from charts.format import number, zone
from charts.kinds import Insight
from charts.style import Canvas, figure
from charts.table import Table, draw_table


def column_types(response: dict, count: int) -> list[str]:
    """The ClickHouse type of each column (`types` is [[name, type], ...] or [type, ...]), "" when unknown."""
    types = response.get("types") or []
    names = [item[1] if isinstance(item, list | tuple) and len(item) > 1 else item for item in types]
    return [str(name) if name is not None else "" for name in names] + [""] * (count - len(names))


_TYPE_ZONE = re.compile(r"DateTime(?:64)?\((?:\s*\d+\s*,)?\s*'([^']+)'")


def _time(value: str, column_type: str, timezone: str) -> str:
    """An ISO time shown in the project's timezone; a time without an offset is read in its column's timezone
    (`DateTime64(6, 'UTC')`), or left as written when the column has none."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if parsed.tzinfo is None:
        declared = _TYPE_ZONE.search(column_type)
        if declared is None:
            return parsed.strftime("%Y-%m-%d %H:%M:%S")
        parsed = parsed.replace(tzinfo=zone(declared.group(1)))
    return parsed.astimezone(zone(timezone)).strftime("%Y-%m-%d %H:%M:%S")


def cell_text(value, column_type: str, timezone: str) -> str:
    """One cell as PostHog's tables show it: persons by name, `*` by event, times in the project's timezone."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return number(value, 4)
    if isinstance(value, dict):
        return _record_text(value)
    if isinstance(value, list | tuple):
        return json.dumps(value, default=str)
    text = str(value)
    if column_type.startswith(("DateTime", "Nullable(DateTime")) or (len(text) >= 19 and text[10:11] == "T"):
        return _time(text, column_type, timezone)
    return text


def _record_text(value: dict) -> str:
    """A person, event or group cell by its name: display name, email or name property, event, first distinct id."""
    properties = value.get("properties")
    if not isinstance(properties, dict):
        properties = {}
    ids = value.get("distinct_ids")
    if not isinstance(ids, list):
        ids = []
    candidates = [
        value.get("display_name"),
        properties.get("email"),
        properties.get("name"),
        value.get("event"),
        value.get("name"),
        value.get("distinct_id"),
        *ids[:1],
        value.get("id"),
    ]
    for candidate in candidates:
        if isinstance(candidate, str | int) and not isinstance(candidate, bool) and str(candidate):
            return str(candidate)
    return json.dumps(value, sort_keys=True, default=str)


def column_title(column: str) -> str:
    """A column header: the `-- label` of a select when it has one."""
    text = str(column)
    return text.split("--", 1)[1].strip() if "--" in text else text


def _columns(insight: Insight, width: int) -> list[str]:
    columns = insight.response.get("columns") or insight.node.get("columns") or insight.source.get("select")
    if isinstance(columns, list) and columns:
        return [str(column) for column in columns]
    return [f"column {index + 1}" for index in range(width)]


def result_table(insight: Insight, timezone: str) -> Table:
    """The response's rows as a Table; numeric columns align right."""
    results = insight.results if isinstance(insight.results, list) else [insight.results]  # HogQuery: one value
    rows = [row if isinstance(row, list | tuple) else [row] for row in results]
    width = max((len(row) for row in rows), default=0)
    columns = _columns(insight, width)
    count = max(width, len(columns))
    types = column_types(insight.response, count)
    body = [[cell_text(row[i] if i < len(row) else None, types[i], timezone) for i in range(count)] for row in rows]
    align = []
    for index in range(count):
        values = [row[index] for row in rows if index < len(row) and row[index] is not None]
        numeric = bool(values) and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
        align.append("right" if numeric else "left")
    titles = [column_title(column) for column in columns] + [""] * (count - len(columns))
    return Table(columns=titles, rows=body, align=align)


def render_table(insight: Insight, canvas: Canvas) -> Figure:
    """A HogQL, events, actors or data-table result as a table; rows beyond the picture are counted."""
    fig = figure(canvas)
    table = result_table(insight, canvas.timezone)
    footer = "More rows not loaded" if insight.response.get("hasMore") else None
    draw_table(fig, canvas, table, top=canvas.top + 4, footer=footer)
    return fig
