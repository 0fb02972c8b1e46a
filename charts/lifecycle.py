"""Lifecycle: new, returning and resurrecting actors stacked above zero, dormant ones below."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from charts import palette
from charts.format import number
from charts.kinds import Insight
from charts.series import as_number, x_labels
from charts.style import (
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
from charts.timeseries import thin_ticks

STATUSES = ("new", "returning", "resurrecting", "dormant")


def render_lifecycle(insight: Insight, canvas: Canvas) -> Figure:
    """Stacked bars per period in PostHog's lifecycle colours, hidden statuses left out, a line at zero."""
    toggled = insight.filter("lifecycleFilter").get("toggledLifecycles") or list(STATUSES)
    rows = {row.get("status"): row for row in insight.results if isinstance(row, dict)}
    shown = [status for status in STATUSES if status in rows and status in toggled]
    labels = x_labels([rows[status] for status in shown] or list(rows.values()))
    size = len(labels)
    fig = figure(canvas)
    names = [status.capitalize() for status in shown]
    bottom = legend_height(canvas, names) + LINE_PX + 14
    top = canvas.top + caption(fig, canvas, f"Timezone: {canvas.timezone}")
    ax = plot_area(fig, canvas, left=60, bottom=bottom, top=top)
    above, below = np.zeros(size), np.zeros(size)
    values_seen = [0.0]
    for status in shown:
        values = np.array([as_number(value) for value in (rows[status].get("data") or [])][:size])
        values = np.nan_to_num(np.pad(values, (0, size - len(values))))
        base = below if status == "dormant" else above
        bars(ax, np.arange(size), values, 0.8, palette.LIFECYCLE_COLORS[status], bottom=base)
        if status == "dormant":
            below = below + values
        else:
            above = above + values
        values_seen += [float(above.max(initial=0)), float(below.min(initial=0))]
    ax.axhline(0, color=palette.AXIS, linewidth=0.8, zorder=3)
    value_axis(ax, lambda value: number(abs(value)), integer=True)
    ax.set_xlim(-0.6, size - 0.4)
    ticks = thin_ticks(labels, canvas.width - 90)
    ax.set_xticks(ticks, [labels[index] for index in ticks])
    low, high = min(values_seen), max(values_seen)
    ax.set_ylim(low * 1.02 if low else 0, high * 1.02 if high else 1)
    nice_limits(ax)
    left = label_width([number(abs(tick)) for tick in ax.get_yticks()], extra=22)
    ax.set_position(area_box(canvas, left=max(left, 36), bottom=bottom, top=top))
    bottom_legend(
        fig,
        canvas,
        [(name, palette.LIFECYCLE_COLORS[status], "box") for name, status in zip(names, shown, strict=True)],
    )
    return fig
