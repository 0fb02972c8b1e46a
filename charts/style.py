"""The drawing surface: matplotlib settings, figure and plot area in pixels, legends, SVG and PNG output."""

from __future__ import annotations

import io
import re
import threading
from dataclasses import dataclass
from typing import Literal

import matplotlib
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path
from matplotlib.ticker import FuncFormatter, MaxNLocator

from charts import palette
from charts.format import shorten, shorten_middle

DPI = 100
FONT = "DejaVu Sans"  # shipped inside matplotlib: the same glyph metrics on every machine
FONT_SIZE = 9.0
CHAR_PX = FONT_SIZE * DPI / 72 * 0.6  # a DejaVu Sans character is about 0.6 em wide
LINE_PX = FONT_SIZE * DPI / 72 * 1.9

RC = {
    "font.family": [FONT],
    "font.size": FONT_SIZE,
    "text.color": palette.TEXT,
    "axes.edgecolor": palette.BORDER,
    "axes.labelcolor": palette.MUTED,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.spines.left": False,
    "axes.axisbelow": True,
    "xtick.color": palette.AXIS,
    "ytick.color": palette.AXIS,
    "xtick.labelcolor": palette.MUTED,
    "ytick.labelcolor": palette.MUTED,
    "ytick.left": False,
    "legend.frameon": False,
    "svg.fonttype": "none",  # labels stay real <text>, searchable and testable
    "svg.hashsalt": "insights-server-charts",  # fixed clip-path ids: the same input gives the same bytes
    "path.simplify": True,
}

# Matplotlib's global state (rcParams, font cache) is not thread-safe; a request renders one picture at a time.
LOCK = threading.RLock()


@dataclass(frozen=True)
class Canvas:
    """The picture's size in pixels, the project's timezone, and an optional title drawn at the top."""

    width: int = 800
    height: int = 450
    timezone: str = "UTC"
    title: str | None = None

    @property
    def top(self) -> float:
        """Pixels taken at the top by the title (or a small margin)."""
        return 40.0 if self.title else 14.0


def figure(canvas: Canvas) -> Figure:
    """A white figure of the canvas' size, with the title drawn when there is one."""
    fig = Figure(figsize=(canvas.width / DPI, canvas.height / DPI), dpi=DPI, facecolor=palette.BACKGROUND)
    if canvas.title:
        limit = int((canvas.width - 32) / (CHAR_PX * 1.35))
        fig.text(
            16 / canvas.width,
            1 - 14 / canvas.height,
            shorten(canvas.title, limit),
            fontsize=12.5,
            fontweight="bold",
            va="top",
            ha="left",
        )
    return fig


def area_box(canvas: Canvas, left: float, bottom: float, top: float | None = None, right: float = 16) -> tuple:
    """An axes position in figure fractions from margins in pixels."""
    top = canvas.top if top is None else top
    width = max(canvas.width - left - right, 10)
    height = max(canvas.height - bottom - top, 10)
    return (left / canvas.width, bottom / canvas.height, width / canvas.width, height / canvas.height)


def plot_area(fig: Figure, canvas: Canvas, left: float, bottom: float, right: float = 16, top: float | None = None):
    """Axes placed by margins in pixels (a fixed layout is several times cheaper than matplotlib's engines)."""
    return fig.add_axes(area_box(canvas, left, bottom, top, right))


def value_axis(ax: Axes, formatter, axis: Literal["x", "y"] = "y", integer: bool = False) -> None:
    """A light grid along the value axis with about five ticks written by `formatter`."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(MaxNLocator(nbins=5, integer=integer, min_n_ticks=3))
    target.set_major_formatter(FuncFormatter(lambda value, _position: formatter(value)))
    ax.grid(axis=axis, color=palette.GRID, linewidth=0.8)
    ax.tick_params(axis=axis, length=0, pad=6)
    ax.tick_params(axis="x" if axis == "y" else "y", length=3, color=palette.BORDER)


def bars(ax: Axes, x, heights, width: float, color, bottom=None, alpha: float = 1.0, horizontal: bool = False):
    """Bars drawn as one compound path: hundreds of bars cost one artist and one SVG element, not one each."""
    x = np.asarray(x, dtype=float)
    heights = np.nan_to_num(np.asarray(heights, dtype=float))
    bottom = np.zeros_like(heights) if bottom is None else np.asarray(bottom, dtype=float)
    low, high, top = x - width / 2, x + width / 2, bottom + heights
    corners = [(low, bottom), (low, top), (high, top), (high, bottom), (low, bottom)]
    verts = np.stack([np.stack(corner, axis=-1) for corner in corners], axis=1)
    if horizontal:
        verts = verts[..., ::-1]
    codes = np.tile([Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY], len(x))
    patch = PathPatch(
        Path(verts.reshape(-1, 2), codes), facecolor=color, edgecolor="none", linewidth=0, alpha=alpha, zorder=2
    )
    # add_patch would walk every segment as a bezier to grow the limits; the corners are known already.
    ax.add_artist(patch)
    ax.update_datalim(verts.reshape(-1, 2))
    ax.autoscale_view()
    return patch


def nice_limits(ax: Axes, axis: Literal["x", "y"] = "y") -> None:
    """Extend the value axis to the ticks just beyond the data, so the top value sits under a labelled gridline."""
    target, get, set_ = (ax.yaxis, ax.get_ylim, ax.set_ylim) if axis == "y" else (ax.xaxis, ax.get_xlim, ax.set_xlim)
    low, high = get()
    ticks = target.get_major_locator().tick_values(low, high)
    above = [tick for tick in ticks if tick >= high - 1e-9]
    below = [tick for tick in ticks if tick <= low + 1e-9]
    set_(below[-1] if below and low < 0 else low, above[0] if above else high)


def label_width(labels, extra: float = 0) -> float:
    """An estimate in pixels of the widest of `labels`."""
    return max((len(str(label)) for label in labels), default=0) * CHAR_PX + extra


def legend_rows(canvas: Canvas, labels: list[str], max_rows: int = 3) -> tuple[int, int, int]:
    """(columns, rows, entries shown) for a legend of `labels` laid out across the picture's width."""
    if not labels:
        return 0, 0, 0
    column = min(label_width(labels), 26 * CHAR_PX) + 34
    columns = max(1, min(len(labels), int((canvas.width - 32) // column)))
    rows = min(-(-len(labels) // columns), max_rows)
    shown = min(len(labels), columns * rows)
    if shown < len(labels):
        shown -= 1  # the last cell says how many were left out
    return columns, rows, shown


def legend_height(canvas: Canvas, labels: list[str], max_rows: int = 3) -> float:
    """Pixels a bottom legend of `labels` needs."""
    _, rows, _ = legend_rows(canvas, labels, max_rows)
    return rows * LINE_PX + 8 if rows else 0


def bottom_legend(fig: Figure, canvas: Canvas, entries: list[tuple], max_rows: int = 3) -> None:
    """A legend along the bottom: `entries` are (label, colour, kind), kind `line`, `dashed`, `box` or `faded`."""
    labels = [label for label, _, _ in entries]
    columns, _, shown = legend_rows(canvas, labels, max_rows)
    if not columns:
        return
    handles: list[Artist] = []
    texts: list[str] = []
    for label, color, kind in entries[:shown]:
        if kind in ("box", "faded"):
            handles.append(Patch(facecolor=color, edgecolor="none", alpha=0.5 if kind == "faded" else 1))
        else:
            handles.append(Line2D([], [], color=color, linewidth=2, linestyle="--" if kind == "dashed" else "-"))
        texts.append(shorten_middle(label, 26))
    if shown < len(entries):
        handles.append(Line2D([], [], alpha=0))
        texts.append(f"+{len(entries) - shown} more")
    fig.legend(
        handles,
        texts,
        loc="lower center",
        bbox_to_anchor=(0.5, 4 / canvas.height),
        ncols=columns,
        handlelength=1.4,
        handleheight=0.9,
        columnspacing=1.6,
        borderaxespad=0,
        labelcolor=palette.TEXT,
    )


def caption(fig: Figure, canvas: Canvas, text: str) -> float:
    """Small muted text at the top right under the title (the timezone); returns the pixels it takes."""
    note(fig, canvas, text, canvas.width - 16, canvas.height - canvas.top - 8, ha="right")
    return 18.0


def note(fig: Figure, canvas: Canvas, text: str, x: float, y: float, **style) -> None:
    """Small muted text placed in pixels from the bottom-left corner."""
    fig.text(x / canvas.width, y / canvas.height, text, color=palette.MUTED, fontsize=8, **style)


_SVG_SIZE = re.compile(r'<svg([^>]*?) width="[^"]*" height="[^"]*"')


def write_svg(fig: Figure, canvas: Canvas) -> str:
    """The figure as SVG text, sized in pixels; no date or generator version, so snapshots stay stable."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", dpi=DPI, metadata={"Date": None, "Creator": "insights-server charts"})
    # Matplotlib measured the text in the bundled DejaVu Sans; a viewer without it should still pick a sans font.
    text = buffer.getvalue().replace(f"font-family: '{FONT}'", f"font-family: '{FONT}', Verdana, sans-serif")
    return _SVG_SIZE.sub(rf'<svg\1 width="{canvas.width}px" height="{canvas.height}px"', text, count=1)


def write_png(fig: Figure, canvas: Canvas) -> bytes:
    """The figure as PNG bytes of exactly the canvas' size, without a software tag."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def settings():
    """A context in which matplotlib draws with the charts' settings."""
    return matplotlib.rc_context(RC)
