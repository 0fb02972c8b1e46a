"""Trends `first_time_for_user` and `first_matching_event_for_user` math (spec §3.5): persons at their first event.

- `first_time_for_user`: each person's first ever event of the series (no property filters). The person counts
  when that first event lies in the range and also matches the filters (its time is the first matching time too).
- `first_matching_event_for_user`: each person's first event that matches the filters, counted when in the range.

Either way a person counts once, in the bucket of that first event; a breakdown takes that event's value.
"""

from queries.hogql import ast
from queries.hogql.builders import datetime_constant
from queries.hogql.printer import MAX_LIMIT
from queries.runners.common.series import series_event_filter


def build_first_time(builder) -> ast.SelectQuery:
    """The SELECT of one series: 1. per person the first (matching) event's time; 2. persons per bucket.

    `builder` is the series' TrendsQueryBuilder. The first event can lie before the range, so the inner query reads
    the series' events up to date_to without a lower bound.
    """
    series, date_range = builder.series, builder.date_range
    timestamp = ast.Field(["timestamp"])
    filters = builder.filter_parts()
    matching: ast.Expr | None = None
    if filters:
        matching = filters[0] if len(filters) == 1 else ast.And(filters)
    where: list[ast.Expr] = [ast.CompareOperation("<=", timestamp, datetime_constant(date_range.date_to()))]
    event_filter = series_event_filter(series, builder.team, missing_action_matches_nothing=True)
    if event_filter is not None:
        where.append(event_filter)
    first_only = (series.math or "total") == "first_time_for_user"
    having = None
    if matching is not None and not first_only:
        where.append(matching)
    inner_select: list[ast.Expr] = [
        ast.Alias("actor_id", ast.Field(["person_id"])),
        ast.Alias("first_timestamp", ast.Call("min", [timestamp])),
    ]
    if matching is not None and first_only:
        # The first event must match the filters: its time equals the first matching time.
        first_matching = ast.Call("minIf", [timestamp, matching])
        having = ast.CompareOperation("==", ast.Field(["first_timestamp"]), first_matching)
    if builder.breakdown_enabled:
        inner_select.append(ast.Alias("breakdown_value", ast.Call("argMin", [builder.breakdown_expr(), timestamp])))
    inner = ast.SelectQuery(
        select=inner_select,
        select_from=builder.events_table(),
        where=ast.And(where) if len(where) > 1 else where[0],
        group_by=[ast.Field(["actor_id"])],
        having=having,
    )
    first = ast.Field(["first_timestamp"])
    outer_select: list[ast.Expr] = [ast.Alias("total", ast.Call("count", []))]
    outer_group: list[ast.Expr] = []
    if not builder.total_value:
        outer_select.append(ast.Alias("day_start", ast.Call("toString", [builder.bucket(first)])))
        outer_group.append(ast.Field(["day_start"]))
    builder.pass_breakdown(outer_select, outer_group)
    lower = date_range.date_from_lower_bound()
    return ast.SelectQuery(
        select=outer_select,
        select_from=ast.JoinExpr(table=inner, alias="first_events"),
        where=ast.CompareOperation(">=", first, datetime_constant(lower)),
        group_by=outer_group or None,
        limit=ast.Constant(MAX_LIMIT),
    )
