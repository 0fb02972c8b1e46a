"""Funnels: conversion steps (with breakdowns), the time-to-convert histogram, and conversion trends."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from charts import palette
from charts.format import breakdown_label, duration, number, percent, shorten_middle
from charts.kinds import Insight
from charts.series import as_number, trend_series, x_labels
from charts.style import (
    LINE_PX,
    Canvas,
    bars,
    bottom_legend,
    figure,
    label_width,
    legend_height,
    nice_limits,
    note,
    plot_area,
    value_axis,
)
from charts.timeseries import Chart, draw, thin_ticks


def _step_name(step: dict, index: int) -> str:
    name = step.get("custom_name") or step.get("name") or step.get("action_id") or f"Step {index + 1}"
    return f"{index + 1}. {name}"


def _count(step: dict) -> float:
    value = step.get("count")
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _rates(counts: list[float], reference: str) -> list[float]:
    """Each step's conversion in %: of the first step (`total`) or of the step before (`previous`)."""
    rates = []
    for index, count in enumerate(counts):
        base = counts[0] if reference != "previous" or index == 0 else counts[index - 1]
        rates.append(count / base * 100 if base else 0.0)
    return rates


def _groups(results: list) -> list[tuple[str | None, list[dict]]]:
    if results and all(isinstance(item, list) for item in results):
        groups: list[tuple[str | None, list[dict]]] = []
        for steps in results:
            steps = [step for step in steps if isinstance(step, dict)]
            value = steps[0].get("breakdown", steps[0].get("breakdown_value")) if steps else None
            groups.append((breakdown_label(value), steps))
        return groups
    return [(None, [step for step in results if isinstance(step, dict)])]


def render_funnel_steps(insight: Insight, canvas: Canvas) -> Figure:
    """One bar per step (per breakdown value when broken down), as % of the first or previous step, with the
    actors counted at each bar and the overall conversion and time to convert at the top. Layout `vertical`
    (PostHog's default, "Left to right") stands bars side by side; `horizontal` ("Top to bottom") lays them down."""
    settings = insight.filter("funnelsFilter")
    reference = settings.get("funnelStepReference") or "total"
    groups = [(label, steps) for label, steps in _groups(insight.results) if steps]
    widest = max((steps for _, steps in groups), key=len)
    names = [_step_name(step, index) for index, step in enumerate(widest)]
    fig = figure(canvas)
    breakdown = groups[0][0] is not None
    legend_labels = [label for label, _ in groups if label is not None]  # labelled when broken down
    legend = legend_height(canvas, legend_labels)
    plots = [(position, [_count(step) for step in steps]) for position, (_, steps) in enumerate(groups)]
    if settings.get("layout") == "horizontal":
        _top_to_bottom(fig, canvas, names, plots, reference, breakdown, legend)
    else:
        _left_to_right(fig, canvas, names, plots, reference, breakdown, legend)
    if breakdown:
        bottom_legend(fig, canvas, [(label, palette.series_color(i), "box") for i, label in enumerate(legend_labels)])
    _summary(fig, canvas, groups)
    return fig


def _left_to_right(fig, canvas: Canvas, names: list[str], plots: list, reference: str, breakdown: bool, legend: float):
    steps_count = len(names)
    ax = plot_area(fig, canvas, left=56, bottom=legend + LINE_PX + 14, top=canvas.top + 34)
    width = 0.8 / len(plots)
    bar_px = (canvas.width - 72) / steps_count * width
    annotate = bar_px >= 6 * 7.5 * (0.85 if breakdown else 1)  # room for "15.6%" above each bar
    for position, counts in plots:
        color = palette.series_color(position)
        x = np.arange(len(counts)) - 0.4 + width * (position + 0.5)
        if not breakdown:
            bars(ax, x, [100] * len(counts), width * 0.92, color, alpha=0.12)
        heights = _rates(counts, "total")
        bars(ax, x, heights, width * 0.92, color)
        for bar_x, height, count, rate in zip(x, heights, counts, _rates(counts, reference), strict=True):
            if annotate:
                ax.annotate(
                    f"{number(count)}\n{percent(rate)}",
                    (bar_x, height),
                    xytext=(0, 3),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    fontsize=8.5 if breakdown else 9.5,
                    linespacing=1.3,
                )
    value_axis(ax, lambda value: percent(value, 0))
    ax.set_ylim(0, 118)
    ax.set_yticks([0, 25, 50, 75, 100])
    ax.set_xlim(-0.5, steps_count - 0.5)
    limit = int(canvas.width / steps_count / 7.5)
    ax.set_xticks(np.arange(steps_count), [shorten_middle(name, limit) for name in names])
    ax.tick_params(axis="x", labelcolor=palette.TEXT)


def _top_to_bottom(fig, canvas: Canvas, names: list[str], plots: list, reference: str, breakdown: bool, legend: float):
    left = min(label_width(names, extra=24), canvas.width * 0.3)
    ax = plot_area(fig, canvas, left=left, bottom=legend + LINE_PX + 10, top=canvas.top + 34, right=24)
    height = 0.7 / len(plots)
    for position, counts in plots:
        color = palette.series_color(position)
        y = np.arange(len(counts)) - 0.35 + height * (position + 0.5)
        if not breakdown:
            bars(ax, y, [100] * len(counts), height * 0.9, color, alpha=0.12, horizontal=True)
        widths = _rates(counts, "total")
        bars(ax, y, widths, height * 0.9, color, horizontal=True)
        for bar_y, width, count, rate in zip(y, widths, counts, _rates(counts, reference), strict=True):
            ax.annotate(
                f"{number(count)} · {percent(rate)}",
                (width, bar_y),
                xytext=(5, 0),
                textcoords="offset points",
                va="center",
                fontsize=8.5,
                color=palette.TEXT,
            )
    value_axis(ax, lambda value: percent(value, 0), axis="x")
    ax.set_xlim(0, 125)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.set_yticks(np.arange(len(names)), [shorten_middle(name, int((left - 20) / 7.5)) for name in names])
    ax.tick_params(axis="y", length=0, labelcolor=palette.TEXT)
    ax.spines["bottom"].set_visible(False)


def _summary(fig: Figure, canvas: Canvas, groups: list) -> None:
    first = sum(_count(steps[0]) for _, steps in groups)
    last = sum(_count(steps[-1]) for _, steps in groups)
    texts = [f"Total conversion rate: {percent(last / first * 100 if first else 0)}"]
    if len(groups) == 1:
        times = [step.get("average_conversion_time") for step in groups[0][1][1:]]
        if any(isinstance(time, int | float) for time in times):
            texts.append(f"Average time to convert: {duration(sum(t for t in times if isinstance(t, int | float)))}")
    fig.text(
        16 / canvas.width,
        1 - (canvas.top + 12) / canvas.height,
        "    ".join(texts),
        fontsize=10,
        fontweight="bold",
        va="center",
    )


def _pairs(value) -> list:
    return (
        [item for item in value if isinstance(item, list | tuple) and len(item) == 2] if isinstance(value, list) else []
    )


def render_funnel_time_to_convert(insight: Insight, canvas: Canvas) -> Figure:
    """Histogram of conversion times: bars of the share of converted actors per bin, bins labelled as durations."""
    results = insight.results
    bins = [(as_number(start), as_number(count)) for start, count in _pairs(results.get("bins"))]
    bins = [(start, count) for start, count in bins if not math.isnan(start) and not math.isnan(count)]
    counts = [count for _, count in bins]
    total = sum(counts) or 1
    shares = [count / total * 100 for count in counts]
    fig = figure(canvas)
    ax = plot_area(fig, canvas, left=56, bottom=LINE_PX + 14, top=canvas.top + 34)
    x = np.arange(len(bins))
    bars(ax, x, shares, 0.9, palette.PRIMARY)
    if len(bins) <= 30:
        for bar_x, share, count in zip(x, shares, counts, strict=True):
            if count:
                ax.annotate(
                    percent(share), (bar_x, share), xytext=(0, 3), textcoords="offset points", ha="center", fontsize=8.5
                )
    value_axis(ax, lambda value: percent(value, 0))
    ax.set_ylim(0, max(shares + [1]) * 1.08)
    nice_limits(ax)
    labels = [duration(start) for start, _ in bins]
    ticks = thin_ticks(labels, canvas.width - 90)
    ax.set_xticks(ticks, [labels[index] for index in ticks])
    ax.set_xlim(-0.6, len(bins) - 0.4)
    average = results.get("average_conversion_time")
    text = f"Average time to convert: {duration(average)}" if isinstance(average, int | float) else ""
    fig.text(
        16 / canvas.width, 1 - (canvas.top + 12) / canvas.height, text, fontsize=10, fontweight="bold", va="center"
    )
    note(
        fig, canvas, f"{number(int(total))} conversions", canvas.width - 16, canvas.height - canvas.top - 16, ha="right"
    )
    return fig


def render_funnel_trends(insight: Insight, canvas: Canvas) -> Figure:
    """Conversion rate per entrance period, one line per breakdown value."""
    results = insight.results if isinstance(insight.results, list) else []
    chart = Chart(
        x_labels=x_labels(results),
        series=trend_series(results),
        mode="line",
        formatter=lambda value: percent(value, 0),
        caption=f"Timezone: {canvas.timezone}",
        y_max=100,
    )
    return draw(chart, canvas)
