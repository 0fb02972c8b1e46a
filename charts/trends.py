"""Trends and stickiness over time: line, cumulative line, stacked area, stacked and side-by-side bars."""

from __future__ import annotations

import math
from dataclasses import replace
from functools import partial

from matplotlib.figure import Figure

from charts.format import axis_value, number
from charts.kinds import Insight
from charts.series import as_number, trend_series, x_labels
from charts.style import Canvas
from charts.timeseries import Chart, draw

MODE_BY_KIND = {
    "trends_line": "line",
    "trends_area": "area",
    "trends_bar": "bar",
    "trends_bar_unstacked": "bar_unstacked",
}
DURATION_UNITS = {"duration": 1.0, "duration_ms": 1000.0}
STICKINESS_MODES = {
    "ActionsBar": "bar",
    "ActionsStackedBar": "bar",
    "ActionsUnstackedBar": "bar_unstacked",
    "ActionsAreaGraph": "area",
}


def goal_lines(lines) -> tuple[tuple[str, float], ...]:
    """A filter's `goalLines` ([{label, value}]) that carry a number."""
    found = []
    for line in lines if isinstance(lines, list) else []:
        value = as_number(line.get("value")) if isinstance(line, dict) else math.nan
        if not math.isnan(value):
            found.append((str(line.get("label") or ""), value))
    return tuple(found)


def time_series_chart(insight: Insight, canvas: Canvas, mode: str, filter_key: str, dated: bool) -> Chart:
    """The Chart of a trends-shaped result under the source's display settings."""
    settings = insight.filter(filter_key)
    results = insight.results if isinstance(insight.results, list) else []
    return Chart(
        x_labels=x_labels(results),
        series=trend_series(results, settings.get("hiddenLegendIndexes")),
        mode=mode,
        formatter=partial(axis_value, settings=settings),
        caption=f"Timezone: {canvas.timezone}" if dated else None,
        show_legend=True if settings.get("showLegend") else None,
        show_values=bool(settings.get("showValuesOnSeries")),
        log_scale=settings.get("yAxisScaleType") == "log10",
        percent_stack=bool(settings.get("showPercentStackView")),
        duration_unit=DURATION_UNITS.get(settings.get("aggregationAxisFormat", "")),
        goal_lines=goal_lines(settings.get("goalLines")),
    )


def render_trends(insight: Insight, canvas: Canvas) -> Figure:
    """A trends time series drawn as its display asks (the cumulative display's data is already cumulative)."""
    return draw(time_series_chart(insight, canvas, MODE_BY_KIND[insight.kind], "trendsFilter", dated=True), canvas)


def render_stickiness(insight: Insight, canvas: Canvas) -> Figure:
    """Actors by number of active intervals: a line, or bars when the display says so."""
    mode = STICKINESS_MODES.get(insight.display or "", "line")
    chart = time_series_chart(insight, canvas, mode, "stickinessFilter", dated=False)
    return draw(replace(chart, formatter=lambda value: number(round(value, 2))), canvas)
