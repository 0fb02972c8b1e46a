"""Tables drawn with matplotlib rectangles and text: header, striped rows, optional coloured cells, a footer."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure

from charts import palette
from charts.format import shorten
from charts.style import CHAR_PX, Canvas

ROW_PX = 26.0
MAX_CHARS = 48
PADDING_PX = 20.0
MIN_SCALE = 0.8


@dataclass
class Table:
    """Cells as text; `align` per column (`left`/`right`/`center`); `fills`/`inks` per cell or None."""

    columns: list[str]
    rows: list[list[str]]
    align: list[str] = field(default_factory=list)
    fills: list[list] | None = None
    inks: list[list] | None = None
    bold_rows: frozenset[int] = frozenset()


@dataclass(frozen=True)
class _Layout:
    widths: list[float]
    scale: float  # of the font and padding: dense tables shrink down to MIN_SCALE before columns are dropped
    hidden: int  # columns cut at the right


def _layout(table: Table, available: float) -> _Layout:
    """Column widths from their longest text, shrunk (font included) or stretched to the available width."""
    lengths = []
    for index, column in enumerate(table.columns):
        cells = [len(row[index]) for row in table.rows if index < len(row)]
        lengths.append(min(max([len(column), *cells, 3]), MAX_CHARS))
    natural = [length * CHAR_PX + PADDING_PX for length in lengths]
    scale = min(1.0, max(available / sum(natural), MIN_SCALE))
    widths = [width * scale for width in natural]
    keep = len(widths)
    while keep > 1 and sum(widths[:keep]) > available:
        keep -= 1
    widths = widths[:keep]
    stretch = available / sum(widths) if sum(widths) < available else 1.0
    shrink = available / sum(widths) if sum(widths) > available else 1.0  # one column wider than the picture
    return _Layout([width * stretch * shrink for width in widths], scale, len(natural) - keep)


def _cut(table: Table, keep: int) -> Table:
    cut = lambda rows: [row[:keep] for row in rows] if rows else rows  # noqa: E731
    return replace(
        table,
        columns=table.columns[:keep],
        rows=cut(table.rows),
        align=table.align[:keep],
        fills=cut(table.fills),
        inks=cut(table.inks),
    )


def rows_that_fit(canvas: Canvas, top: float, bottom: float = 12) -> int:
    """How many body rows fit below a header between `top` and `bottom` pixels of margin."""
    return max(int((canvas.height - top - bottom) // ROW_PX) - 1, 1)


def draw_table(fig: Figure, canvas: Canvas, table: Table, top: float, bottom: float = 12, footer: str | None = None):
    """The table across the picture's width starting `top` pixels down; rows that do not fit are counted in a
    footer ("… 12 more rows").

    Drawn as figure-level artists: one collection of cell fills, one of rules, plain texts placed in figure
    fractions (no axes, clip paths or per-cell transforms: a 13 x 13 retention table draws ~2x faster)."""
    width = canvas.width - 32.0
    layout = _layout(table, width)
    table = _cut(table, len(layout.widths))
    fit = rows_that_fit(canvas, top, bottom)
    rows = table.rows
    notes = [footer] if footer else []
    if len(rows) > fit:
        notes.insert(0, f"… {len(rows) - fit + 1} more rows")
        rows = rows[: fit - 1]
    if layout.hidden:
        notes.append(f"{layout.hidden} more columns not shown")
    footer = " · ".join(notes) or None
    grid = _Grid(fig, canvas, left=16.0, top=top, scale=layout.scale)
    widths = layout.widths
    align = table.align or ["left"] * len(table.columns)
    grid.fill(0, 0, width, ROW_PX, palette.TABLE_HEADER)
    _row(grid, table.columns, widths, align, 0, ink=palette.MUTED, bold=True)
    for number, cells in enumerate(rows):
        y = (number + 1) * ROW_PX
        if number % 2 == 1:
            grid.fill(0, y, width, ROW_PX, palette.TABLE_STRIPE)
        fills = table.fills[number] if table.fills else None
        inks = table.inks[number] if table.inks else None
        _row(grid, cells, widths, align, y, fills=fills, inks=inks, bold=number in table.bold_rows)
        grid.rule(y, width)
    grid.rule(ROW_PX * (len(rows) + 1), width)
    if footer:
        grid.text(8, ROW_PX * (len(rows) + 1.5), footer, color=palette.MUTED, fontsize=8.5)
    grid.finish()


class _Grid:
    """Pixel positions (from the table's top-left corner) turned into figure artists."""

    def __init__(self, fig: Figure, canvas: Canvas, left: float, top: float, scale: float = 1.0):
        self.fig, self.canvas, self.left, self.top, self.scale = fig, canvas, left, top, scale
        self.cells: list = []
        self.colors: list = []
        self.rules: list = []

    def point(self, x: float, y: float) -> tuple[float, float]:
        return (self.left + x) / self.canvas.width, 1 - (self.top + y) / self.canvas.height

    def fill(self, x: float, y: float, width: float, height: float, color) -> None:
        self.cells.append(
            [self.point(x, y), self.point(x + width, y), self.point(x + width, y + height), self.point(x, y + height)]
        )
        self.colors.append(color)

    def rule(self, y: float, width: float) -> None:
        self.rules.append([self.point(0, y), self.point(width, y)])

    def text(self, x: float, y: float, text: str, ha: str = "left", **style) -> None:
        self.fig.text(*self.point(x, y), text, ha=ha, va="center", **style)

    def finish(self) -> None:
        transform = self.fig.transFigure
        self.fig.add_artist(
            PolyCollection(
                self.cells, facecolors=self.colors, edgecolors="none", linewidths=0, transform=transform, zorder=0
            )
        )
        self.fig.add_artist(
            LineCollection(self.rules, colors=palette.BORDER, linewidths=0.6, transform=transform, zorder=0.5)
        )


def _row(grid: _Grid, cells, widths, align, y, ink=palette.TEXT, fills=None, inks=None, bold=False):
    x = 0.0
    for index, width in enumerate(widths):
        text = cells[index] if index < len(cells) else ""
        fill = fills[index] if fills and index < len(fills) else None
        if fill is not None:
            grid.fill(x + 1, y + 1, width - 2, ROW_PX - 2, fill)
        side = align[index] if index < len(align) else "left"
        pad = PADDING_PX / 2 * grid.scale
        anchor = {"left": x + pad, "right": x + width - pad, "center": x + width / 2}[side]
        limit = max(int((width - 1.6 * pad) / (CHAR_PX * grid.scale)), 2)
        color = inks[index] if inks and index < len(inks) and inks[index] else ink
        if text:
            grid.text(
                anchor,
                y + ROW_PX / 2,
                shorten(text, limit),
                ha=side,
                color=color,
                fontweight="bold" if bold else "normal",
                fontsize=8.8 * grid.scale,
            )
        x += width
