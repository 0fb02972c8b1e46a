"""Retention: the cohort table, each cell's share of its cohort written and shaded by value."""

from __future__ import annotations

from matplotlib.figure import Figure

from charts import palette
from charts.format import breakdown_label, moment, number, percent
from charts.kinds import Insight
from charts.style import Canvas, figure
from charts.table import Table, draw_table


def _counts(row: dict) -> list[float]:
    counts = []
    for value in row.get("values") or []:
        count = value.get("count") if isinstance(value, dict) else value
        counts.append(float(count) if isinstance(count, int | float) and not isinstance(count, bool) else 0.0)
    return counts


def _shares(counts: list[float], reach: int, reference: str) -> list[float | None]:
    """Each reached cell as % of the cohort (or of the interval before); None for intervals not reached yet."""
    shares: list[float | None] = []
    for index, count in enumerate(counts):
        if index >= reach:
            shares.append(None)
            continue
        base = counts[0] if reference != "previous" or index == 0 else counts[index - 1]
        shares.append(count / base * 100 if base else 0.0)
    return shares


def _by_breakdown(rows: list[dict]) -> dict:
    groups: dict = {}
    for row in rows:
        groups.setdefault(breakdown_label(row.get("breakdown_value")), []).append(row)
    return groups


def render_retention(insight: Insight, canvas: Canvas) -> Figure:
    """Cohorts down, intervals across: a mean row first; with a breakdown, one row per value summing its cohorts."""
    settings = insight.filter("retentionFilter")
    reference = settings.get("retentionReference") or "total"
    period = settings.get("period") or "Day"
    rows = [row for row in insight.results if isinstance(row, dict)]
    options = (insight.node.get("vizSpecificOptions") or {}).get("RETENTION") or {}
    show_size = not options.get("hideSizeColumn")
    intervals = max(len(_counts(row)) for row in rows)
    widest = max((row.get("values") or [] for row in rows), key=len)
    columns = [
        (row_values.get("label") if isinstance(row_values, dict) else None) or f"{period} {index}"
        for index, row_values in enumerate(widest)
    ]
    breakdown = any(row.get("breakdown_value") is not None for row in rows)
    lines: list[tuple[str, float, list[float | None]]] = []
    if breakdown:
        for label, group in _by_breakdown(rows).items():
            cohorts = [_counts(row) for row in group]
            lines.append((label, sum(c[0] for c in cohorts if c), _pooled(cohorts, intervals, reference)))
    else:
        for position, row in enumerate(rows):
            counts = _counts(row)
            label = moment(row.get("date"), canvas.timezone, with_time=period == "Hour") if row.get("date") else ""
            lines.append(
                (
                    label or str(row.get("label")),
                    counts[0] if counts else 0,
                    _shares(counts, len(rows) - position, reference),
                )
            )
        lines.insert(0, ("Mean", _mean_size(lines), _mean(lines, intervals)))
    header = ["Breakdown" if breakdown else "Cohort"] + (["Size"] if show_size else []) + columns
    body, fills, inks = [], [], []
    for label, size, shares in lines:
        body.append([label] + ([number(size)] if show_size else []) + ["" if s is None else percent(s) for s in shares])
        lead = [None] * (2 if show_size else 1)
        fills.append([*lead, *(None if s is None else palette.cell_color(s / 100) for s in shares)])
        inks.append([*lead, *(None if s is None else palette.text_on(s / 100) for s in shares)])
    align = ["left"] + (["right"] if show_size else []) + ["center"] * intervals
    table = Table(header, body, align, fills=fills, inks=inks, bold_rows=frozenset() if breakdown else frozenset({0}))
    fig = figure(canvas)
    draw_table(fig, canvas, table, top=canvas.top + 4)
    return fig


def _pooled(cohorts: list[list[float]], intervals: int, reference: str) -> list[float | None]:
    """A breakdown value's shares over its cohorts: each interval's actors over the actors of the cohorts that
    reached it (cohort i of n reaches n - i intervals)."""
    shares: list[float | None] = []
    for index in range(intervals):
        reached = [
            counts for position, counts in enumerate(cohorts) if index < min(len(cohorts) - position, len(counts))
        ]
        base_index = 0 if reference != "previous" or index == 0 else index - 1
        base = sum(counts[base_index] for counts in reached)
        shares.append(sum(counts[index] for counts in reached) / base * 100 if base else None)
    return shares


def _mean(lines: list, intervals: int) -> list[float | None]:
    means: list[float | None] = []
    for index in range(intervals):
        values = [shares[index] for _, _, shares in lines if index < len(shares) and shares[index] is not None]
        means.append(sum(values) / len(values) if values else None)
    return means


def _mean_size(lines: list) -> float:
    return round(sum(size for _, size, _ in lines) / len(lines), 1) if lines else 0.0
