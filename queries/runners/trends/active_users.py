"""Trends `weekly_active` / `monthly_active` math over time (spec §3.5): rolling distinct persons per bucket.

As PostHog does, the window of a bucket starting at d is (d - (N - 1) days, d + 1 day], N being 7 or 30, whatever
the interval. WAU on week or month intervals and MAU on month intervals never get here: they are plain `dau`.
"""

from queries.hogql import ast
from queries.hogql.errors import QueryError
from queries.hogql.printer import MAX_LIMIT


def build_rolling_active_users(builder) -> ast.SelectQuery:
    """WAU/MAU: per bucket start d, distinct persons with an event in (d - (N - 1) days, d + 1 day].

    Inner query: each person's "end unit" of an event (the day, or the hour for hour intervals, whose end is at
    or after the event: an event exactly at midnight ends the previous day), deduplicated.
    Outer query: ARRAY JOIN over the bucket starts whose window holds that unit; for week and month intervals only
    the days that start a bucket are kept. Buckets outside the range are dropped when the rows are zero-filled.
    """
    interval = builder.date_range.interval
    if interval == "minute":
        raise QueryError(f"Math '{builder.series.math}' is not supported on minute intervals.")
    lookback = builder.active_users_lookback
    unit = "hour" if interval == "hour" else "day"
    truncate, add = ("toStartOfHour", "addHours") if unit == "hour" else ("toStartOfDay", "addDays")
    start_of_unit = ast.Call(truncate, [builder.timestamp()])
    end_unit = ast.Call(
        "if",
        [
            ast.CompareOperation("==", builder.timestamp(), start_of_unit),
            ast.Call(add, [start_of_unit, ast.Constant(-1)]),
            start_of_unit,
        ],
    )
    # Units u of an event whose window holds it, as offsets from its end unit: days [0, N), hours [-23, 24 N - 24].
    offsets = (0, lookback) if unit == "day" else (-23, 24 * (lookback - 1) + 1)
    inner_select: list[ast.Expr] = [ast.Alias("actor_id", ast.Field(["person_id"])), ast.Alias("day", end_unit)]
    inner_group: list[ast.Expr] = [ast.Field(["actor_id"]), ast.Field(["day"])]
    builder.add_breakdown(inner_select, inner_group)
    lookback_days = lookback if unit == "day" else lookback + 1
    inner = ast.SelectQuery(
        select=inner_select,
        select_from=builder.events_table(),
        where=builder.where(lookback_days=lookback_days),
        group_by=inner_group,
    )
    bucket_start = ast.Call(add, [ast.Field(["day"]), ast.Field(["day_offset"])])
    outer_select: list[ast.Expr] = [
        ast.Alias("total", ast.Call("count", [ast.Field(["actor_id"])], distinct=True)),
        ast.Alias("day_start", ast.Call("toString", [bucket_start])),
    ]
    outer_group: list[ast.Expr] = [ast.Field(["day_start"])]
    builder.pass_breakdown(outer_select, outer_group)
    where = None
    if interval in ("week", "month"):
        truncated = builder.date_range.truncate_zoned(bucket_start)
        where = ast.CompareOperation("==", ast.Call("toDate", [bucket_start]), truncated)
    return ast.SelectQuery(
        select=outer_select,
        select_from=ast.JoinExpr(table=inner, alias="active"),
        array_join_op="ARRAY JOIN",
        array_join_list=[
            ast.Alias("day_offset", ast.Call("range", [ast.Constant(offsets[0]), ast.Constant(offsets[1])]))
        ],
        where=where,
        group_by=outer_group,
        limit=ast.Constant(MAX_LIMIT),
    )
