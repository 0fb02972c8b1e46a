"""Line, area and bar charts over a category axis (dates, stickiness days), shared by trends-like renderers."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MultipleLocator

from charts import palette
from charts.format import shorten
from charts.series import Series
from charts.style import (
    CHAR_PX,
    LINE_PX,
    Canvas,
    area_box,
    bars,
    bottom_legend,
    caption,
    figure,
    label_width,
    legend_height,
    nice_limits,
    plot_area,
    value_axis,
)

MODES = ("line", "area", "bar", "bar_unstacked")


@dataclass(frozen=True)
class Chart:
    """What to draw: `mode` is one of MODES; `caption` is small text at the top right (the timezone)."""

    x_labels: list[str]
    series: list[Series]
    mode: str = "line"
    formatter: Callable[[float], str] = str
    caption: str | None = None
    show_legend: bool | None = None
    show_values: bool = False
    log_scale: bool = False
    percent_stack: bool = False
    y_max: float | None = None
    duration_unit: float | None = None  # values per second (1 or 1000) when the axis shows durations
    goal_lines: tuple[tuple[str, float], ...] = ()  # (label, value): dashed lines across the chart


def draw(chart: Chart, canvas: Canvas) -> Figure:
    """The chart on a new figure: legend at the bottom, values on the y axis, thinned labels on the x axis."""
    if chart.percent_stack and chart.mode in ("area", "bar"):
        chart = _as_percent_of_total(chart)
    fig = figure(canvas)
    series = chart.series
    bar = chart.mode.startswith("bar")
    legend = chart.show_legend if chart.show_legend is not None else len(series) > 1
    entries = [(item.label, item.color, _legend_kind(item, bar)) for item in series]
    bottom = (legend_height(canvas, [label for label, _, _ in entries]) if legend else 0) + LINE_PX + 14
    top = canvas.top + (caption(fig, canvas, chart.caption) if chart.caption else 0)
    ax = plot_area(fig, canvas, left=60, bottom=bottom, top=top)
    size = len(chart.x_labels)
    if bar:
        _bars(ax, chart, size)
    elif chart.mode == "area":
        _areas(ax, chart, size)
    else:
        _lines(ax, chart, size)
    _style(ax, chart, size, canvas)
    left = label_width([chart.formatter(tick) for tick in _visible_ticks(ax)], extra=22)
    first_label = min(label_width(chart.x_labels[:1]), 22 * CHAR_PX) / 2 + 8
    ax.set_position(area_box(canvas, left=max(left, 36, first_label), bottom=bottom, top=top))
    if legend:
        bottom_legend(fig, canvas, entries)
    return fig


def _legend_kind(item: Series, bar: bool) -> str:
    if bar:
        return "faded" if item.previous else "box"
    return "dashed" if item.previous else "line"


def _visible_ticks(ax: Axes) -> list[float]:
    low, high = sorted(ax.get_ylim())
    return [tick for tick in ax.get_yticks() if low - 1e-9 <= tick <= high + 1e-9]


def _values(item: Series, size: int) -> np.ndarray:
    values = np.full(size, np.nan)
    count = min(size, len(item.values))
    values[:count] = item.values[:count]
    return values


def _lines(ax: Axes, chart: Chart, size: int) -> None:
    positions = np.arange(size)
    marker = "o" if size <= 20 else None
    for index, item in enumerate(chart.series):
        values = _values(item, size)
        ax.plot(
            positions,
            values,
            color=item.color,
            linewidth=2 if size <= 31 else 1.6,
            marker=marker,
            markersize=4,
            linestyle="--" if item.previous else "-",
            alpha=0.55 if item.previous else 1,
            zorder=3 + len(chart.series) - index,
            solid_joinstyle="round",
        )
        if chart.show_values and size <= 20:
            for x, y in zip(positions, values, strict=True):
                if not math.isnan(y):
                    ax.annotate(
                        chart.formatter(y),
                        (x, y),
                        xytext=(0, 6),
                        textcoords="offset points",
                        ha="center",
                        fontsize=7.5,
                        color=item.color,
                    )


def _areas(ax: Axes, chart: Chart, size: int) -> None:
    positions = np.arange(size)
    base = np.zeros(size)
    for item in chart.series:
        values = np.nan_to_num(_values(item, size))
        if item.previous:
            ax.plot(positions, values, color=item.color, linewidth=1.5, linestyle="--", alpha=0.55, zorder=4)
            continue
        ax.fill_between(positions, base, base + values, color=item.color, alpha=0.5, linewidth=0, zorder=2)
        ax.plot(positions, base + values, color=item.color, linewidth=1.5, zorder=3)
        base = base + values


def _bars(ax: Axes, chart: Chart, size: int) -> None:
    periods = [False, True] if any(item.previous for item in chart.series) else [False]
    stacked = chart.mode == "bar"
    groups = [[item for item in chart.series if item.previous == period] for period in periods]
    slots = len(groups) if stacked else sum(len(group) for group in groups)
    width = 0.8 / max(slots, 1)
    positions = np.arange(size)
    slot = 0
    for group in groups:
        base = np.zeros(size)
        for item in group:
            values = np.nan_to_num(_values(item, size))
            offset = -0.4 + width * (slot + 0.5)
            bottom = base if stacked else None
            bars(ax, positions + offset, values, width * 0.92, item.color, bottom, 0.5 if item.previous else 1)
            if chart.show_values and size * len(chart.series) <= 40:
                for x, y, b in zip(positions + offset, values, base, strict=True):
                    if y:
                        ax.annotate(
                            chart.formatter(y),
                            (x, b + y if stacked else y),
                            xytext=(0, 3),
                            textcoords="offset points",
                            ha="center",
                            fontsize=7.5,
                        )
            if stacked:
                base = base + values
            else:
                slot += 1
        if stacked:
            slot += 1


def _style(ax: Axes, chart: Chart, size: int, canvas: Canvas) -> None:
    if chart.log_scale:
        ax.set_yscale("symlog", linthresh=1)
    values = [value for item in chart.series for value in item.values if not math.isnan(value)]
    integer = all(float(value).is_integer() for value in values)
    value_axis(ax, chart.formatter, integer=integer and not chart.percent_stack)
    if not chart.log_scale and (not values or min(values) >= 0):
        ax.set_ylim(bottom=0)
        if not values or max(values) == 0:
            ax.set_ylim(0, 1)
        if chart.y_max is not None:
            ax.set_ylim(0, max([chart.y_max, *values]))
    if chart.duration_unit and values and max(values) > 0:
        ax.yaxis.set_major_locator(
            MultipleLocator(duration_step(max(values) / chart.duration_unit) * chart.duration_unit)
        )
    for _, value in chart.goal_lines:
        low, high = ax.get_ylim()
        ax.set_ylim(min(low, value), max(high, value * 1.04))
    if not chart.log_scale:
        nice_limits(ax)
    _goal_lines(ax, chart)
    ax.set_xlim(-0.6 if size > 1 or chart.mode.startswith("bar") else -1, max(size - 0.4, 1))
    if size > 1 and not chart.mode.startswith("bar"):
        ax.set_xlim(-0.3, size - 0.7)
    ticks = thin_ticks(chart.x_labels, canvas.width - 90)
    # A label on the last point that would run past the right edge ends at its point instead, and the label before
    # it goes when the two would touch.
    low, high = ax.get_xlim()
    unit_px = (canvas.width - 90) / (high - low)
    label_px = min(label_width(chart.x_labels), 22 * CHAR_PX)
    last_at_edge = (
        size > 1
        and bool(ticks)
        and ticks[-1] == size - 1
        and min(label_width(chart.x_labels[-1:]), 22 * CHAR_PX) / 2 > (high - size + 1) * unit_px + 16
    )
    if last_at_edge and len(ticks) > 1 and (ticks[-1] - ticks[-2]) * unit_px < 1.5 * label_px + 18:
        ticks.pop(-2)
    ax.set_xticks(ticks, [shorten(chart.x_labels[index], 22) for index in ticks])
    if last_at_edge:
        ax.get_xticklabels()[-1].set_horizontalalignment("right")
    ax.spines["bottom"].set_color(palette.BORDER)


def _goal_lines(ax: Axes, chart: Chart) -> None:
    for label, value in chart.goal_lines:
        ax.axhline(value, color=palette.MUTED, linewidth=1, linestyle=(0, (4, 3)), zorder=5)
        ax.annotate(
            f"{label} ({chart.formatter(value)})" if label else chart.formatter(value),
            (0, value),
            xycoords=("axes fraction", "data"),
            xytext=(4, 3),
            textcoords="offset points",
            fontsize=8,
            color=palette.MUTED,
            zorder=5,
        )


NICE_SECONDS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)


def duration_step(longest: float) -> float:
    """A tick step in seconds that a clock reads well (1m, 15m, 1h, 1d, ...) giving at most six ticks."""
    for step in NICE_SECONDS:
        if longest / step <= 5:
            return step
    return 86400 * math.ceil(longest / 86400 / 5)


def thin_ticks(labels: list[str], width: float) -> list[int]:
    """Indexes of the labels to write so that they do not overlap across `width` pixels (always the first)."""
    if not labels:
        return []
    space = min(label_width(labels), 22 * CHAR_PX) + 18
    fit = max(int(width // space), 1)
    step = max(math.ceil(len(labels) / fit), 1)
    return list(range(0, len(labels), step))


def _as_percent_of_total(chart: Chart) -> Chart:
    current = [item for item in chart.series if not item.previous]
    size = len(chart.x_labels)
    totals = np.nansum([_values(item, size) for item in current], axis=0) if current else np.zeros(size)
    totals[totals == 0] = 1
    series = [replace(item, values=tuple(_values(item, size) / totals * 100)) for item in current]
    return replace(chart, series=series, formatter=lambda value: f"{value:.0f}%", percent_stack=False)
