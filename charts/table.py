"""Tables drawn with matplotlib rectangles and text: header, striped rows, optional coloured cells, a footer."""

from __future__ import annotations

from dataclasses import dataclass, field

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from charts import palette
from charts.format import shorten
from charts.style import CHAR_PX, Canvas

ROW_PX = 26.0
MAX_CHARS = 48


@dataclass
class Table:
    """Cells as text; `align` per column (`left`/`right`/`center`); `fills`/`inks` per cell or None."""

    columns: list[str]
    rows: list[list[str]]
    align: list[str] = field(default_factory=list)
    fills: list[list] | None = None
    inks: list[list] | None = None
    bold_rows: frozenset[int] = frozenset()


def _widths(table: Table, available: float) -> list[float]:
    lengths = []
    for index, column in enumerate(table.columns):
        cells = [len(row[index]) for row in table.rows if index < len(row)]
        lengths.append(min(max([len(column), *cells, 3]), MAX_CHARS))
    widths = [length * CHAR_PX + 20 for length in lengths]
    total = sum(widths)
    if total > available:
        # Shrink the widest columns first so short ones (counts, dates) stay whole.
        while sum(widths) > available and max(widths) > 60:
            widest = widths.index(max(widths))
            widths[widest] = max(60.0, widths[widest] - (sum(widths) - available))
        scale = available / sum(widths)
        widths = [width * scale for width in widths] if scale < 1 else widths
    else:
        widths = [width * available / total for width in widths]
    return widths


def rows_that_fit(canvas: Canvas, top: float, bottom: float = 12) -> int:
    """How many body rows fit below a header between `top` and `bottom` pixels of margin."""
    return max(int((canvas.height - top - bottom) // ROW_PX) - 1, 1)


def draw_table(fig: Figure, canvas: Canvas, table: Table, top: float, bottom: float = 12, footer: str | None = None):
    """The table across the picture's width starting `top` pixels down; rows that do not fit are counted in a
    footer ("… 12 more rows")."""
    fit = rows_that_fit(canvas, top, bottom)
    rows = table.rows
    if len(rows) > fit:
        footer = footer or f"… {len(rows) - fit + 1} more rows"
        rows = rows[: fit - 1]
    height = (len(rows) + 1 + (1 if footer else 0)) * ROW_PX
    left, width = 16.0, canvas.width - 32.0
    ax = fig.add_axes(
        (left / canvas.width, 1 - (top + height) / canvas.height, width / canvas.width, height / canvas.height)
    )
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.axis("off")
    widths = _widths(table, width)
    align = table.align or ["left"] * len(table.columns)
    ax.add_patch(Rectangle((0, 0), width, ROW_PX, facecolor=palette.TABLE_HEADER, edgecolor="none"))
    _row(ax, table.columns, widths, align, 0, ink=palette.MUTED, bold=True)
    for number, cells in enumerate(rows):
        y = (number + 1) * ROW_PX
        if number % 2 == 1:
            ax.add_patch(Rectangle((0, y), width, ROW_PX, facecolor=palette.TABLE_STRIPE, edgecolor="none"))
        fills = table.fills[number] if table.fills else None
        inks = table.inks[number] if table.inks else None
        _row(ax, cells, widths, align, y, fills=fills, inks=inks, bold=number in table.bold_rows)
        ax.axhline(y, color=palette.BORDER, linewidth=0.6)
    ax.axhline(ROW_PX * (len(rows) + 1), color=palette.BORDER, linewidth=0.6)
    if footer:
        ax.text(8, ROW_PX * (len(rows) + 1.5), footer, va="center", color=palette.MUTED, fontsize=8.5)
    return ax


def _row(ax, cells, widths, align, y, ink=palette.TEXT, fills=None, inks=None, bold=False):
    x = 0.0
    for index, width in enumerate(widths):
        text = cells[index] if index < len(cells) else ""
        fill = fills[index] if fills and index < len(fills) else None
        if fill is not None:
            ax.add_patch(Rectangle((x + 1, y + 1), width - 2, ROW_PX - 2, facecolor=fill, edgecolor="none"))
        side = align[index] if index < len(align) else "left"
        anchor = {"left": x + 10, "right": x + width - 10, "center": x + width / 2}[side]
        limit = max(int((width - 16) / CHAR_PX), 2)
        color = inks[index] if inks and index < len(inks) and inks[index] else ink
        ax.text(
            anchor,
            y + ROW_PX / 2,
            shorten(text, limit),
            ha=side,
            va="center",
            color=color,
            fontweight="bold" if bold else "normal",
            fontsize=8.8,
        )
        x += width
