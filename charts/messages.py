"""The pictures drawn instead of a chart: no data, and an error with its message."""

from __future__ import annotations

import textwrap

from matplotlib.figure import Figure

from charts import palette
from charts.format import shorten
from charts.style import CHAR_PX, Canvas, figure

NO_DATA_TITLE = "There are no matching events for this query"
NO_DATA_DETAIL = "Try changing the date range, or pick another action, event or breakdown."
ERROR_TITLE = "There was a problem completing this query"


def _message(canvas: Canvas, title: str, detail: str, mark: str, color: str) -> Figure:
    fig = figure(canvas)
    middle = (canvas.height + (canvas.top - 14)) / 2
    badge = {"boxstyle": "circle,pad=0.45", "facecolor": color, "edgecolor": "none", "alpha": 0.12}
    fig.text(
        0.5,
        1 - (middle - 48) / canvas.height,
        mark,
        ha="center",
        va="center",
        fontsize=16,
        fontweight="bold",
        color=color,
        bbox=badge,
    )
    fig.text(0.5, 1 - (middle - 4) / canvas.height, title, ha="center", va="center", fontsize=12, fontweight="bold")
    width = max(int((canvas.width - 80) / CHAR_PX), 20)
    lines = textwrap.wrap(detail, width)
    if len(lines) > 4:
        lines = [*lines[:3], f"{lines[3]} …"]
    for index, line in enumerate(lines):
        fig.text(
            0.5, 1 - (middle + 24 + index * 16) / canvas.height, line, ha="center", va="center", color=palette.MUTED
        )
    return fig


def no_data(canvas: Canvas) -> Figure:
    """The empty state: PostHog's "no matching events" message."""
    return _message(canvas, NO_DATA_TITLE, NO_DATA_DETAIL, "∅", palette.PRIMARY)


def error(canvas: Canvas, message: str) -> Figure:
    """The error state with the error's message (shortened) below PostHog's title."""
    return _message(canvas, ERROR_TITLE, shorten(" ".join(str(message).split()), 400), "!", palette.DANGER)
