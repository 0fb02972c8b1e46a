"""The actors behind one trends data point (spec actors-cohorts §2.2): the series' own query builder, narrowed to
the clicked bucket, breakdown value and compare period, grouped per actor instead of per bucket."""

from datetime import datetime, timedelta

from queries.hogql import ast
from queries.hogql.builders import and_all, datetime_constant
from queries.hogql.errors import QueryError
from queries.runners.common.actors import parse_day
from queries.runners.common.cohorts import cohort_condition
from queries.runners.common.date_range import add_interval, start_of_interval
from queries.runners.trends.first_time import build_first_time
from queries.runners.trends.query_builder import (
    BREAKDOWN_OTHER_STRING_LABEL,
    FIRST_TIME_MATHS,
    TrendsQueryBuilder,
    check_series,
    multiple_breakdowns,
)

DAY_REQUIRED = "A `day` is required for trends actors queries without total value aggregation"
DAY_FORBIDDEN = "A `day` is forbidden for trends actors queries with total value aggregation"
GROUP_MATHS = ("unique_group",)


def group_index(builder: TrendsQueryBuilder) -> int | None:
    """The group type the series counts (unique_group math or a group index): its actors are groups."""
    math = builder.series.math or "total"
    if math in GROUP_MATHS or builder.series.math_group_type_index is not None:
        return builder.group_index
    return None


def breakdown_condition(builder: TrendsQueryBuilder, value) -> ast.Expr | None:
    """Events whose breakdown value is the clicked one; None for Other (PostHog drops the filter: a known quirk)."""
    if value is None or not builder.breakdown_enabled:
        return None
    breakdown_filter = builder.query.breakdownFilter
    if (breakdown_filter.breakdown_type or "event") == "cohort":
        return cohort_breakdown_condition(value)
    expr = builder.breakdown_expr()
    if multiple_breakdowns(builder.query):
        values = value if isinstance(value, list) else [value]
        parts: list[ast.Expr] = [
            ast.CompareOperation("==", ast.ArrayAccess(expr, ast.Constant(index + 1)), ast.Constant(str(item)))
            for index, item in enumerate(values)
            if item != BREAKDOWN_OTHER_STRING_LABEL
        ]
        return and_all(parts) if parts else None
    if value == BREAKDOWN_OTHER_STRING_LABEL:
        return None
    return ast.CompareOperation("==", expr, ast.Constant(str(value)))


def cohort_breakdown_condition(value) -> ast.Expr | None:
    """A cohort breakdown value: the cohort's members (any of a list); `all` (or 0) is everyone."""
    values = value if isinstance(value, list) else [value]
    if any(str(item) in ("all", "0") for item in values):
        return None
    parts = [condition for item in values if (condition := cohort_condition(int(item))) is not None]
    return parts[0] if len(parts) == 1 else ast.Or(parts)


class TrendsActors:
    """Builds the actors query of one data point for a TrendsQueryRunner."""

    def __init__(self, runner, node):
        self.runner = runner
        self.node = node
        self.team = runner.team

    def series(self):
        index = self.node.series or 0
        series_list = self.runner.query.series
        if not 0 <= index < len(series_list):
            raise QueryError(f"Series index {index} is out of range.")
        series = series_list[index]
        if series.kind == "DataWarehouseNode":
            raise QueryError("DataWarehouseNodes are not supported for trends actors queries")
        check_series(series)
        return series

    def date_range(self, series):
        current = self.runner.series_date_range(series)
        compare = self.runner.query.compareFilter
        if self.node.compare == "previous" and compare is not None and compare.compare:
            return current, current.previous_period(compare.compare_to)
        return current, current

    def window(self, current, date_range) -> tuple[datetime, datetime, bool]:
        """[start, end) of the clicked bucket clipped to the range; the flag says the end is inclusive."""
        if self.runner.total_value:
            if self.node.day is not None:
                raise QueryError(DAY_FORBIDDEN)
            return date_range.date_from_lower_bound(), date_range.date_to(), True
        if self.node.day is None:
            raise QueryError(DAY_REQUIRED)
        interval = date_range.interval
        day = parse_day(self.node.day, self.team.timezone)
        if date_range is not current:
            shift = current.date_from() - date_range.date_from()
            day = day - shift
            if interval not in ("hour", "minute"):
                day = day.replace(hour=0, minute=0, second=0, microsecond=0)
        start = start_of_interval(day, interval, date_range.week_start_day)
        end = add_interval(start, interval)
        inclusive = False
        if date_range.explicit:
            start = max(start, date_range.date_from_lower_bound())
            if date_range.date_to() < end:
                end, inclusive = date_range.date_to(), True
        return start, end, inclusive

    def build(self) -> ast.SelectQuery:
        series = self.series()
        current, date_range = self.date_range(series)
        builder = TrendsQueryBuilder(self.runner.query, self.team, series, date_range, self.runner.total_value)
        self.runner.set_histogram_bins(builder)
        start, end, inclusive = self.window(current, date_range)
        lookback = builder.active_users_lookback
        if lookback and not self.runner.total_value:
            start = start - timedelta(days=lookback - 1)
            if date_range.explicit:
                start = max(start, date_range.date_from_lower_bound())
        timestamp = ast.Field(["timestamp"])
        end_op = "<=" if inclusive else "<"
        window = [
            ast.CompareOperation(">=", timestamp, datetime_constant(start)),
            ast.CompareOperation(end_op, timestamp, datetime_constant(end)),
        ]
        breakdown = breakdown_condition(builder, self.node.breakdown)
        group = group_index(builder)
        if (series.math or "total") in FIRST_TIME_MATHS:
            return self.first_time(builder, start, end, end_op, breakdown)
        parts = [builder.where(lookback_days=lookback if not self.runner.total_value else None), *window]
        if breakdown is not None:
            parts.append(breakdown)
        actor: ast.Expr = ast.Field(["person_id"])
        select: list[ast.Expr] = [ast.Alias("actor_id", actor), ast.Alias("event_count", ast.Call("count", []))]
        if group is not None:
            actor = ast.Field([f"$group_{int(group)}"])
            parts.append(ast.CompareOperation("!=", actor, ast.Constant("")))
            select = [ast.Alias("actor_id", actor), ast.Alias("event_count", ast.Call("count", []))]
        else:
            select.append(ast.Alias("event_distinct_ids", ast.Call("groupUniqArray", [ast.Field(["distinct_id"])])))
        return ast.SelectQuery(
            select=select,
            select_from=builder.events_table(),
            where=and_all(parts),
            group_by=[ast.Field(["actor_id"])],
        )

    def first_time(self, builder, start, end, end_op, breakdown) -> ast.SelectQuery:
        """First-time maths: each person's first (matching) event, kept when it falls in the window."""
        counted = build_first_time(builder)
        assert counted.select_from is not None
        inner = counted.select_from.table
        first = ast.Field(["first_timestamp"])
        conditions: list[ast.Expr] = [
            ast.CompareOperation(">=", first, datetime_constant(start)),
            ast.CompareOperation(end_op, first, datetime_constant(end)),
        ]
        if breakdown is not None and builder.breakdown_enabled:
            value = self.node.breakdown
            conditions.append(ast.CompareOperation("==", ast.Field(["breakdown_value"]), ast.Constant(str(value))))
        return ast.SelectQuery(
            select=[ast.Field(["actor_id"]), ast.Alias("event_count", ast.Constant(1))],
            select_from=ast.JoinExpr(table=inner, alias="first_events"),
            where=and_all(conditions),
        )
