"""Total-value trends: BoldNumber, pie, horizontal bars (ActionsBarValue) and the value table (also WorldMap)."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from charts import palette
from charts.format import axis_value, number, percent, shorten_middle
from charts.kinds import Insight
from charts.series import Total, totals
from charts.style import CHAR_PX, Canvas, bars, figure, label_width, nice_limits, note, plot_area, value_axis
from charts.table import Table, draw_table


def _totals(insight: Insight) -> list[Total]:
    settings = insight.filter("trendsFilter")
    return totals(insight.results if isinstance(insight.results, list) else [], settings.get("hiddenLegendIndexes"))


def _strip_period(label: str) -> str:
    return label.removesuffix(" (current)").removesuffix(" (previous)")


def _value_text(insight: Insight, value: float) -> str:
    settings = insight.filter("trendsFilter")
    if settings.get("aggregationAxisFormat") or settings.get("aggregationAxisPrefix") or settings.get("decimalPlaces"):
        return axis_value(value, settings)
    return number(round(value, 2) if not math.isnan(value) else None)


def render_bold_number(insight: Insight, canvas: Canvas) -> Figure:
    """The first series' total in large type, its label, and the change from the previous period when comparing."""
    rows = _totals(insight)
    current = next((row for row in rows if not row.previous), rows[0])
    previous = next((row for row in rows if row.previous), None)
    change, color = None, palette.MUTED
    if previous is not None and previous.value:
        ratio = (current.value - previous.value) / abs(previous.value) * 100
        arrow, color = ("▲", palette.SUCCESS) if ratio >= 0 else ("▼", palette.DANGER)
        change = f"{arrow} {percent(abs(ratio))} from previous period ({_value_text(insight, previous.value)})"
    elif previous is not None:
        change = f"Previous period: {_value_text(insight, previous.value)}"
    return big_number(canvas, _value_text(insight, current.value), _strip_period(current.label), change, color)


def big_number(canvas: Canvas, value: str, label: str, change: str | None = None, color: str = palette.MUTED):
    """A figure with `value` in large type, `label` under it and an optional line of change in `color`."""
    fig = figure(canvas)
    middle = 1 - (canvas.top + (canvas.height - canvas.top) * 0.42) / canvas.height
    size = min(64.0, canvas.width / max(len(value), 3) / 1.05)
    fig.text(0.5, middle, value, ha="center", va="center", fontsize=size, fontweight="bold", color=palette.TEXT)
    below = middle - (size * 1.39 / 2 + 22) / canvas.height
    fig.text(0.5, below, label, ha="center", va="center", fontsize=11, color=palette.MUTED)
    if change:
        fig.text(0.5, below - 28 / canvas.height, change, ha="center", va="center", fontsize=10, color=color)
    return fig


def render_pie(insight: Insight, canvas: Canvas) -> Figure:
    """A pie of the current period's totals with percentages on large slices and a legend with values."""
    rows = [row for row in _totals(insight) if not row.previous and not math.isnan(row.value) and row.value > 0]
    fig = figure(canvas)
    total = sum(row.value for row in rows)
    if not rows:
        return fig
    diameter = min(canvas.height - canvas.top - 24, canvas.width * 0.45)
    margin = (canvas.height - canvas.top - diameter) / 2
    ax = plot_area(fig, canvas, left=32, bottom=margin, top=canvas.top + margin, right=canvas.width - 32 - diameter)
    ax.pie(
        [row.value for row in rows],
        colors=[row.color for row in rows],
        startangle=90,
        counterclock=False,
        wedgeprops={"linewidth": 1.5, "edgecolor": palette.BACKGROUND},
        autopct=lambda share: percent(share) if share >= 5 else "",
        pctdistance=0.7,
        textprops={"color": palette.BACKGROUND, "fontsize": 9, "fontweight": "bold"},
    )
    ax.set_aspect("equal")
    left = 80 + diameter
    right = min(canvas.width - 24, left + 360)
    hide_total = ((insight.node.get("vizSpecificOptions") or {}).get("ActionsPie") or {}).get("hideAggregation")
    room = max(int((canvas.height - canvas.top - 40) // 22), 1)
    shown = rows if len(rows) <= room else rows[: room - 1]
    block = (len(shown) + (len(shown) < len(rows))) * 22 + (0 if hide_total else 30)
    top = canvas.top + max((canvas.height - canvas.top - block) / 2, 8) + 8
    if not hide_total:
        fig.text(
            left / canvas.width,
            1 - top / canvas.height,
            f"Total: {_value_text(insight, total)}",
            fontweight="bold",
            fontsize=11,
            va="center",
        )
        top += 30
    values = {id(row): f"{_value_text(insight, row.value)}  {percent(row.value / total * 100)}" for row in shown}
    if right - left - 20 - label_width(values.values(), 12) < 6 * CHAR_PX:  # narrow: the share alone
        values = {id(row): percent(row.value / total * 100) for row in shown}
    limit = max(int((right - left - 20 - label_width(values.values(), 12)) / CHAR_PX), 4)
    for index, row in enumerate(shown):
        y = 1 - (top + index * 22) / canvas.height
        fig.text(left / canvas.width, y, "■", color=row.color, fontsize=12, va="center")
        fig.text(
            (left + 20) / canvas.width, y, shorten_middle(_strip_period(row.label), limit), va="center", fontsize=9.5
        )
        fig.text(
            right / canvas.width,
            y,
            values[id(row)],
            va="center",
            ha="right",
            fontsize=9.5,
            color=palette.MUTED,
        )
    if len(shown) < len(rows):
        fig.text(
            left / canvas.width,
            1 - (top + len(shown) * 22) / canvas.height,
            f"+{len(rows) - len(shown)} more",
            va="center",
            fontsize=9,
            color=palette.MUTED,
        )
    return fig


def render_bar_value(insight: Insight, canvas: Canvas) -> Figure:
    """Horizontal bars, one per series or breakdown value in the runner's order, each with its value at the end."""
    rows = _totals(insight)
    fig = figure(canvas)
    room = max(int((canvas.height - canvas.top - 40) // 24), 1)
    labels = list(dict.fromkeys(_strip_period(row.label) for row in rows))[:room]
    left = min(label_width(labels, extra=28), canvas.width * 0.35)
    ax = plot_area(fig, canvas, left=left, bottom=30, right=70)
    comparing = any(row.previous for row in rows)
    height = 0.7 / (2 if comparing else 1)
    for row in rows:
        label = _strip_period(row.label)
        if label not in labels:
            continue
        y = labels.index(label) + (height / 2 if comparing and row.previous else -height / 2 if comparing else 0)
        value = 0.0 if math.isnan(row.value) else row.value
        bars(ax, [y], [value], height * 0.9, row.color, alpha=0.5 if row.previous else 1, horizontal=True)
        ax.annotate(
            _value_text(insight, value),
            (value, y),
            xytext=(5, 0),
            textcoords="offset points",
            va="center",
            fontsize=8.5,
            color=palette.MUTED,
        )
    limit = max(int((left - 20) / CHAR_PX), 4)
    ax.set_yticks(np.arange(len(labels)), [shorten_middle(label, limit) for label in labels])
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0, labelcolor=palette.TEXT)
    value_axis(ax, lambda value: axis_value(value, insight.filter("trendsFilter")), axis="x")
    ax.set_xlim(left=0)
    nice_limits(ax, "x")
    ax.spines["bottom"].set_visible(False)
    if comparing:
        note(fig, canvas, "Faded bars: previous period", canvas.width - 16, canvas.height - canvas.top + 2, ha="right")
    return fig


def render_value_table(insight: Insight, canvas: Canvas) -> Figure:
    """Totals as a table (ActionsTable, and WorldMap without a map): one row per series or breakdown value,
    current and previous columns with the change when comparing."""
    rows = _totals(insight)
    breakdown = (insight.source.get("breakdownFilter") or {}).get("breakdown")
    first = "Country" if insight.display == "WorldMap" else (str(breakdown) if breakdown else "Series")
    comparing = any(row.previous for row in rows)
    if comparing:
        current = {_strip_period(row.label): row.value for row in rows if not row.previous}
        previous = {_strip_period(row.label): row.value for row in rows if row.previous}
        body = []
        for label, value in current.items():
            before = previous.get(label)
            change = percent((value - before) / abs(before) * 100) if before else "–"
            body.append([label, _value_text(insight, value), _value_text(insight, before or 0), change])
        table = Table([first, "Current", "Previous", "Change"], body, ["left", "right", "right", "right"])
    else:
        body = [[_strip_period(row.label), _value_text(insight, row.value)] for row in rows]
        table = Table([first, "Total"], body, ["left", "right"])
    fig = figure(canvas)
    draw_table(fig, canvas, table, top=canvas.top + 4)
    return fig
