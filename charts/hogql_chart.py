"""SQL insights drawn as charts (a DataVisualizationNode with a line, bar or area display)."""

from __future__ import annotations

from functools import partial

from matplotlib.figure import Figure

from charts.format import axis_value, number
from charts.kinds import Insight
from charts.palette import series_color
from charts.series import Series, as_number
from charts.style import Canvas
from charts.tables import cell_text, column_title, column_types, render_table
from charts.timeseries import Chart, draw
from charts.totals import big_number

MODES = {
    "ActionsLineGraph": "line",
    "ActionsBar": "bar_unstacked",
    "ActionsUnstackedBar": "bar_unstacked",
    "ActionsStackedBar": "bar",
    "ActionsAreaGraph": "area",
}


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _axes(columns: list[str], rows: list, settings: dict) -> tuple[int, list[int]]:
    """(x column, y columns): the chart settings' columns when they name real ones, else the first non-numeric
    column against every numeric one."""
    numeric = [i for i in range(len(columns)) if rows and all(_is_number(row[i]) for row in rows if row[i] is not None)]
    x_name = ((settings.get("xAxis") or {}).get("column")) if isinstance(settings.get("xAxis"), dict) else None
    x = columns.index(x_name) if x_name in columns else next((i for i in range(len(columns)) if i not in numeric), 0)
    named = [axis.get("column") for axis in settings.get("yAxis") or [] if isinstance(axis, dict)]
    ys = [columns.index(name) for name in named if name in columns]
    return x, ys or [i for i in numeric if i != x]


def render_hogql_chart(insight: Insight, canvas: Canvas) -> Figure:
    """The query's rows as a chart over the x column; a table when no column holds numbers."""
    rows = [list(row) for row in insight.results if isinstance(row, list | tuple)]
    columns = [str(column) for column in insight.response.get("columns") or []]
    width = min((len(row) for row in rows), default=0)
    columns = (columns + [f"column {i + 1}" for i in range(len(columns), width)])[:width]
    settings = insight.node.get("chartSettings") or {}
    x, ys = _axes(columns, rows, settings) if rows and columns else (0, [])
    if not ys:
        return render_table(insight, canvas)
    series = [
        Series(column_title(columns[y]), tuple(as_number(row[y]) for row in rows), series_color(index))
        for index, y in enumerate(ys)
    ]
    types = column_types(insight.response, len(columns))
    labels = [cell_text(row[x], types[x], canvas.timezone).removesuffix(":00") for row in rows]
    dated = types[x].startswith(("DateTime", "Date", "Nullable(Date"))
    if dated and all(label.endswith(" 00:00") for label in labels):
        labels = [label.removesuffix(" 00:00") for label in labels]
    chart = Chart(
        labels,
        series,
        mode=MODES.get(insight.node.get("display") or "", "line"),
        formatter=partial(axis_value, settings={}),
        show_legend=len(series) > 1,
        caption=f"Timezone: {canvas.timezone}" if dated else None,
    )
    return draw(chart, canvas)


def render_hogql_bold_number(insight: Insight, canvas: Canvas) -> Figure:
    """A SQL insight's first number in large type under its column's name (PostHog's BoldNumber for SQL)."""
    rows = [list(row) for row in insight.results if isinstance(row, list | tuple)]
    columns = [str(column) for column in insight.response.get("columns") or []]
    for row in rows[:1]:
        for index, value in enumerate(row):
            if _is_number(value):
                label = column_title(columns[index]) if index < len(columns) else ""
                return big_number(canvas, number(round(float(value), 2)), label)
    return render_table(insight, canvas)
