"""Numeric (histogram) breakdowns of trends (spec §3.6): `breakdown_histogram_bin_count` equal-width bins.

The bins span [min, max] of the breakdown property over the series' filtered events in the range. Bin i is
[min + i*w, min + (i+1)*w), the last one's upper bound raised by 0.01 so that max falls inside it. The breakdown value
is the bin as a JSON text `[low,high]`; events without a numeric value get the null sentinel.
"""

import json

from queries.hogql import ast

HISTOGRAM_MAX_BINS = 100


def histogram_bin_count(query) -> int | None:
    """The bin count of a single-property breakdown, from the breakdown filter or the trends filter."""
    breakdown_filter = query.breakdownFilter
    if breakdown_filter is None or breakdown_filter.breakdown is None or breakdown_filter.breakdowns:
        return None
    count = breakdown_filter.breakdown_histogram_bin_count
    if count is None and query.trendsFilter is not None:
        count = query.trendsFilter.breakdown_histogram_bin_count
    return count


def bounds_query(value: ast.Expr, where: ast.Expr) -> ast.SelectQuery:
    """min and max of the numeric value over the series' events."""
    number = ast.Call("toFloat", [value])
    return ast.SelectQuery(
        select=[ast.Call("min", [number]), ast.Call("max", [number])],
        select_from=ast.JoinExpr(table=ast.Field(["events"]), alias="e"),
        where=where,
    )


def histogram_bins(low: float | None, high: float | None, count: int) -> list[tuple[float, float]]:
    """Equal-width bins over [low, high]; none when no event has a numeric value."""
    if low is None or high is None:
        return []
    width = (high - low) / count
    bins = [(low + index * width, low + (index + 1) * width) for index in range(count)]
    bins[-1] = (bins[-1][0], high + 0.01)
    return bins


def bin_label(low: float, high: float) -> str:
    """`[low,high]` as ClickHouse prints numbers: two decimals at most, and whole numbers without `.0`."""
    return json.dumps([_bound(low), _bound(high)], separators=(",", ":"))


def _bound(value: float) -> float | int:
    rounded = round(value, 2)
    return int(rounded) if float(rounded).is_integer() else rounded


def histogram_expr(value: ast.Expr, bins: list[tuple[float, float]], null_label: str) -> ast.Expr:
    """`multiIf(v >= low0 AND v < high0, '[low0,high0]', ..., null sentinel)` over the numeric value."""
    number = ast.Call("toFloat", [value])
    args: list[ast.Expr] = []
    for low, high in bins:
        inside = ast.And(
            [
                ast.CompareOperation(">=", number, ast.Constant(low)),
                ast.CompareOperation("<", number, ast.Constant(high)),
            ]
        )
        args += [inside, ast.Constant(bin_label(low, high))]
    if not args:
        return ast.Constant(null_label)
    return ast.Call("multiIf", [*args, ast.Constant(null_label)])
