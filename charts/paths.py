"""Paths: a flow diagram of step columns joined by bands as wide as the transitions (a ranked table if the
edges do not go step by step)."""

from __future__ import annotations

from dataclasses import dataclass, field

from matplotlib.figure import Figure
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path

from charts import palette
from charts.format import duration, number, shorten, shorten_middle
from charts.kinds import Insight
from charts.style import CHAR_PX, Canvas, figure
from charts.table import Table, draw_table

NODE_PX = 10.0
GAP_PX = 12.0


@dataclass
class Node:
    key: str
    step: int
    name: str
    incoming: float = 0.0
    outgoing: float = 0.0
    y: float = 0.0
    height: float = 0.0
    out_offset: float = 0.0
    in_offset: float = 0.0
    edges_in: list = field(default_factory=list)

    @property
    def value(self) -> float:
        return max(self.incoming, self.outgoing)


def parse_node(key: str) -> tuple[int, str] | None:
    """`"2_/pricing"` -> (2, "/pricing"); None when the key has no step prefix."""
    step, _, name = str(key).partition("_")
    return (int(step), name) if step.isdigit() and name else None


def _edges(results) -> list[tuple[str, str, float, float | None]]:
    edges = []
    for row in results:
        if isinstance(row, dict) and isinstance(row.get("value"), int | float):
            time = row.get("average_conversion_time")
            edges.append((str(row.get("source")), str(row.get("target")), float(row["value"]), time))
    return edges


def render_paths(insight: Insight, canvas: Canvas) -> Figure:
    """Columns of path items per step, bands between them; each node labelled with its name and actors."""
    edges = _edges(insight.results)
    nodes: dict[str, Node] = {}
    for source, target, value, _ in edges:
        parsed_source, parsed_target = parse_node(source), parse_node(target)
        if parsed_source is None or parsed_target is None or parsed_target[0] != parsed_source[0] + 1:
            return _ranked_table(edges, canvas)
        nodes.setdefault(source, Node(source, *parsed_source)).outgoing += value
        nodes.setdefault(target, Node(target, *parsed_target)).incoming += value
    if not nodes:
        return _ranked_table(edges, canvas)
    fig = figure(canvas)
    steps = sorted({node.step for node in nodes.values()})
    columns = {
        step: sorted((n for n in nodes.values() if n.step == step), key=lambda n: (-n.value, n.name)) for step in steps
    }
    left, right = 16.0, canvas.width - 16.0
    top, bottom = canvas.top + 6, canvas.height - 12.0
    span = right - left - NODE_PX
    spacing = span / max(len(steps) - 1, 1)
    x_of = {step: left + span * index / max(len(steps) - 1, 1) for index, step in enumerate(steps)}
    scale = min(
        (bottom - top - GAP_PX * (len(column) - 1)) / sum(n.value for n in column) for column in columns.values()
    )
    for column in columns.values():
        y = top
        for node in column:
            node.y, node.height = y, max(node.value * scale, 1.0)
            y += node.height + GAP_PX
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, canvas.width)
    ax.set_ylim(canvas.height, 0)
    ax.axis("off")
    for source, target, value, _ in sorted(edges, key=lambda edge: (nodes[edge[0]].y, nodes[edge[1]].y)):
        _band(ax, nodes[source], nodes[target], value * scale, x_of)
    for node in nodes.values():
        x = x_of[node.step]
        color = palette.series_color(0)
        ax.add_patch(Rectangle((x, node.y), NODE_PX, node.height, facecolor=color, edgecolor="none", zorder=3))
        if node.height >= 7 or len(columns[node.step]) <= 8:
            last = node.step == steps[-1] and len(steps) > 1
            text_x = x - 6 if last else x + NODE_PX + 6
            limit = int(spacing * 0.6 / CHAR_PX) - len(number(node.value)) - 2
            ax.text(
                text_x,
                node.y + node.height / 2,
                f"{shorten_middle(node.name, max(limit, 6))}  {number(node.value)}",
                ha="right" if last else "left",
                va="center",
                fontsize=8.5,
                zorder=4,
                bbox={"facecolor": palette.BACKGROUND, "edgecolor": "none", "alpha": 0.7, "pad": 1},
            )
    return fig


def _band(ax, source: Node, target: Node, width: float, x_of: dict) -> None:
    x0, x1 = x_of[source.step] + NODE_PX, x_of[target.step]
    y0, y1 = source.y + source.out_offset, target.y + target.in_offset
    source.out_offset += width
    target.in_offset += width
    middle = (x0 + x1) / 2
    vertices = [
        (x0, y0),
        (middle, y0),
        (middle, y1),
        (x1, y1),
        (x1, y1 + width),
        (middle, y1 + width),
        (middle, y0 + width),
        (x0, y0 + width),
        (x0, y0),
    ]
    codes = [
        Path.MOVETO,
        Path.CURVE4,
        Path.CURVE4,
        Path.CURVE4,
        Path.LINETO,
        Path.CURVE4,
        Path.CURVE4,
        Path.CURVE4,
        Path.CLOSEPOLY,
    ]
    ax.add_patch(PathPatch(Path(vertices, codes), facecolor=palette.PRIMARY, edgecolor="none", alpha=0.18, zorder=2))


def _ranked_table(edges: list, canvas: Canvas) -> Figure:
    rows = [
        [shorten(s, 40), shorten(t, 40), number(v), duration(time / 1000) if time is not None else "–"]
        for s, t, v, time in sorted(edges, key=lambda edge: (-edge[2], edge[0], edge[1]))
    ]
    fig = figure(canvas)
    table = Table(["Source", "Target", "Transitions", "Average time"], rows, ["left", "left", "right", "right"])
    draw_table(fig, canvas, table, top=canvas.top + 4)
    return fig
