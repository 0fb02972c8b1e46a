"""Pictures of insights: `render_svg` and `render_png` pick a renderer from a registry by the query's kind."""

from __future__ import annotations

import logging
from collections.abc import Callable

from matplotlib.figure import Figure

from charts import messages
from charts.funnels import render_funnel_steps, render_funnel_time_to_convert, render_funnel_trends
from charts.hogql_chart import render_hogql_bold_number, render_hogql_chart
from charts.kinds import Insight, UnsupportedQuery, resolve
from charts.lifecycle import render_lifecycle
from charts.paths import render_paths
from charts.retention import render_retention
from charts.style import LOCK, Canvas, settings, write_png, write_svg
from charts.tables import render_table
from charts.totals import render_bar_value, render_bold_number, render_pie, render_value_table
from charts.trends import render_stickiness, render_trends

logger = logging.getLogger(__name__)

Renderer = Callable[[Insight, Canvas], Figure]

RENDERERS: dict[str, Renderer] = {
    "trends_line": render_trends,
    "trends_area": render_trends,
    "trends_bar": render_trends,
    "trends_bar_unstacked": render_trends,
    "stickiness": render_stickiness,
    "bold_number": render_bold_number,
    "pie": render_pie,
    "bar_value": render_bar_value,
    "value_table": render_value_table,
    "table": render_table,
    "funnel_steps": render_funnel_steps,
    "funnel_time_to_convert": render_funnel_time_to_convert,
    "funnel_trends": render_funnel_trends,
    "retention": render_retention,
    "lifecycle": render_lifecycle,
    "paths": render_paths,
    "hogql_chart": render_hogql_chart,
    "hogql_bold_number": render_hogql_bold_number,
}

UNSUPPORTED_INPUT = "This insight could not be drawn."
MIN_SIZE, MAX_SIZE = 200, 4000


def _is_empty(results) -> bool:
    if results is None or results == [] or results == {}:
        return True
    if isinstance(results, dict) and "bins" in results:
        return not results.get("bins")
    return isinstance(results, list) and all(row in ([], {}, None) for row in results)


def build_figure(query, result, canvas: Canvas, error: str | None = None) -> Figure:
    """The figure for a query and its result; the error or no-data picture when there is nothing to draw.

    Never raises for bad input: an unknown kind or a malformed result becomes the error picture (logged)."""
    if error:
        return messages.error(canvas, error)
    try:
        insight = resolve(query, result)
        status = insight.response.get("query_status") or {}
        if isinstance(status, dict) and status.get("error"):
            return messages.error(canvas, status.get("error_message") or UNSUPPORTED_INPUT)
        if _is_empty(insight.results):
            return messages.no_data(canvas)
        renderer = RENDERERS.get(insight.kind)
        if renderer is None:
            raise UnsupportedQuery(f"Pictures of {insight.kind} are not supported yet.")
        return renderer(insight, canvas)
    except UnsupportedQuery as exc:
        return messages.error(canvas, str(exc))
    except Exception:
        logger.exception("chart_render_failed", extra={"query_kind": _kind_of(query)})
        return messages.error(canvas, UNSUPPORTED_INPUT)


def _kind_of(query) -> str | None:
    return query.get("kind") if isinstance(query, dict) else None


def _pixels(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _canvas(width, height, timezone, title, result) -> Canvas:
    if timezone is None and isinstance(result, dict):
        timezone = result.get("timezone")
    width = min(max(_pixels(width, Canvas.width), MIN_SIZE), MAX_SIZE)
    height = min(max(_pixels(height, Canvas.height), MIN_SIZE), MAX_SIZE)
    return Canvas(width=width, height=height, timezone=str(timezone or "UTC"), title=title or None)


def _render[Picture: (str, bytes)](
    query, result, canvas: Canvas, error: str | None, writer: Callable[[Figure, Canvas], Picture]
) -> Picture:
    with LOCK, settings():
        fig = build_figure(query, result, canvas, error)
        try:
            return writer(fig, canvas)
        except Exception:
            logger.exception("chart_write_failed", extra={"query_kind": _kind_of(query)})
            return writer(messages.error(canvas, UNSUPPORTED_INPUT), canvas)


def render_svg(
    query: dict,
    result: dict | list | None,
    *,
    timezone: str | None = None,
    error: str | None = None,
    width: int = 800,
    height: int = 450,
    title: str | None = None,
) -> str:
    """An SVG picture of an insight.

    `query` is the saved query (an InsightVizNode, DataTableNode, DataVisualizationNode or a bare source query);
    `result` is the runner's response dict or its `results`; `timezone` is the project's (default: the response's
    `timezone`, else UTC); `error` draws the error picture instead. Width and height are in pixels (200..4000).
    Labels and numbers are real <text>; the same input always gives the same bytes."""
    return _render(query, result, _canvas(width, height, timezone, title, result), error, write_svg)


def render_png(
    query: dict,
    result: dict | list | None,
    *,
    timezone: str | None = None,
    error: str | None = None,
    width: int = 800,
    height: int = 450,
    title: str | None = None,
) -> bytes:
    """A PNG picture of an insight, `width` x `height` pixels; the arguments are those of `render_svg`."""
    return _render(query, result, _canvas(width, height, timezone, title, result), error, write_png)
