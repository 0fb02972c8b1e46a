"""StickinessQueryRunner: how many persons were active in exactly N intervals of the range (spec §1.9, §2.6, §3.12)."""

import math

from queries.hogql import ast
from queries.hogql.builders import datetime_constant
from queries.hogql.errors import QueryError
from queries.hogql.execute import execute_select
from queries.hogql.parser import parse_expr
from queries.hogql.printer import MAX_LIMIT
from queries.runners.common.date_range import QueryDateRange, resolved_range
from queries.runners.common.filters import earliest_event, property_filters
from queries.runners.common.limits import check_insight_size
from queries.runners.common.series import check_series, series_event_filter, series_identity
from queries.runners.insight import InsightQueryRunner

CRITERIA_OPERATORS = {"gte": ">=", "lte": "<=", "exact": "=="}
ACTOR_OPERATORS = {"gte": ">=", "lte": "<=", "gt": ">", "lt": "<", "eq": "==", "exact": "=="}


class StickinessQueryRunner(InsightQueryRunner):
    kind = "StickinessQuery"

    # ---- settings ---------------------------------------------------------------------------------

    @property
    def interval_count(self) -> int:
        count = self.query.intervalCount or 1
        if count < 1:
            raise QueryError("intervalCount must be a positive whole number.")
        return count

    @property
    def cumulative(self) -> bool:
        stickiness_filter = self.query.stickinessFilter
        return bool(stickiness_filter and stickiness_filter.computedAs == "cumulative")

    def resolved_date_range(self) -> QueryDateRange:
        """The range; `date_from: "all"` starts at the earliest event of any of the series."""
        date_range = self.query.dateRange
        if date_range is None or date_range.date_from != "all":
            return self.query_date_range()
        filters = [series_event_filter(series, self.team) for series in self.query.series]
        where: ast.Expr = ast.Constant(True)
        known = [condition for condition in filters if condition is not None]
        if len(known) == len(filters):
            where = known[0] if len(known) == 1 else ast.Or(known)
        return self.query_date_range(earliest=earliest_event(where, self.print_context()))

    # ---- building ---------------------------------------------------------------------------------

    def actor(self, series) -> ast.Expr:
        """Who is sticky (spec §3.12): the person, the group of `unique_group` math, or a `hogql` math expression."""
        if series.math == "unique_group":
            if series.math_group_type_index is None:
                raise QueryError("Math 'unique_group' needs math_group_type_index")
            return ast.Field([f"$group_{int(series.math_group_type_index)}"])
        if series.math == "hogql":
            if not series.math_hogql:
                raise QueryError("Math 'hogql' needs math_hogql")
            return parse_expr(series.math_hogql)
        return ast.Field(["person_id"])

    def where(self, series, date_range: QueryDateRange) -> ast.Expr:
        parts: list[ast.Expr] = [
            ast.CompareOperation(">=", ast.Field(["timestamp"]), datetime_constant(date_range.date_from_lower_bound())),
            ast.CompareOperation("<=", ast.Field(["timestamp"]), datetime_constant(date_range.date_to())),
        ]
        event_filter = series_event_filter(series, self.team)
        if event_filter is not None:
            parts.append(event_filter)
        parts += property_filters(self.query, self.team, series)
        if series.math == "unique_group" and series.math_group_type_index is not None:
            group = ast.Field([f"$group_{int(series.math_group_type_index)}"])
            parts.append(ast.CompareOperation("!=", group, ast.Constant("")))
        return ast.And(parts)

    @property
    def has_criteria(self) -> bool:
        stickiness_filter = self.query.stickinessFilter
        return bool(stickiness_filter and stickiness_filter.stickinessCriteria)

    def criteria(self) -> ast.Expr:
        """HAVING of one actor's interval: `count() > 0`, or the stickiness criteria."""
        stickiness_filter = self.query.stickinessFilter
        criteria = stickiness_filter.stickinessCriteria if stickiness_filter else None
        if criteria is None:
            return ast.CompareOperation(">", ast.Call("count", []), ast.Constant(0))
        operator = CRITERIA_OPERATORS[criteria.operator]
        return ast.CompareOperation(operator, ast.Call("count", []), ast.Constant(int(criteria.value)))

    def per_actor_query(self, series, date_range: QueryDateRange) -> ast.SelectQuery:
        """One row per actor: `aggregation_target` and `num_intervals`, its intervals passing the criteria.

        Without criteria every interval with an event passes, so this is one `count(DISTINCT interval)`.
        """
        period: ast.Expr = date_range.interval_start(ast.Field(["timestamp"]))
        if self.interval_count > 1:
            end = date_range.interval_start(datetime_constant(date_range.date_to()))
            distance = ast.Call("dateDiff", [ast.Constant(date_range.interval), period, end])
            period = ast.Call("intDiv", [distance, ast.Constant(self.interval_count)])
        events = ast.JoinExpr(table=ast.Field(["events"]), alias="e")
        actor = ast.Alias("aggregation_target", self.actor(series))
        if self.has_criteria:
            per_interval = ast.SelectQuery(
                select=[actor, ast.Alias("start_of_interval", period)],
                select_from=events,
                where=self.where(series, date_range),
                group_by=[ast.Field(["aggregation_target"]), ast.Field(["start_of_interval"])],
                having=self.criteria(),
            )
            return ast.SelectQuery(
                select=[ast.Field(["aggregation_target"]), ast.Alias("num_intervals", ast.Call("count", []))],
                select_from=ast.JoinExpr(table=per_interval),
                group_by=[ast.Field(["aggregation_target"])],
            )
        return ast.SelectQuery(
            select=[actor, ast.Alias("num_intervals", ast.Call("count", [period], distinct=True))],
            select_from=events,
            where=self.where(series, date_range),
            group_by=[ast.Field(["aggregation_target"])],
        )

    def build(self, series, date_range: QueryDateRange) -> ast.SelectQuery:
        """1. Each actor's intervals passing the criteria and their number (`per_actor_query`); 2. actors per number."""
        per_actor = self.per_actor_query(series, date_range)
        # One row per actor in `per_actor`: count() counts distinct actors.
        return ast.SelectQuery(
            select=[ast.Alias("num_actors", ast.Call("count", [])), ast.Field(["num_intervals"])],
            select_from=ast.JoinExpr(table=per_actor),
            group_by=[ast.Field(["num_intervals"])],
            order_by=[ast.OrderExpr(ast.Field(["num_intervals"]), "ASC")],
            limit=ast.Constant(MAX_LIMIT),
        )

    # ---- actors -----------------------------------------------------------------------------------

    def actors_are_groups(self, node) -> bool:
        return any(series.math == "unique_group" for series in self.actors_series(node))

    def actors_series(self, node) -> list:
        """The clicked series (`series`), else every series: PostHog unions them (spec actors-cohorts §2.3)."""
        if node.series is not None:
            if not 0 <= node.series < len(self.query.series):
                raise QueryError(f"Series index {node.series} is out of range.")
            return [self.query.series[node.series]]
        return list(self.query.series)

    def to_actors_query(self, node) -> ast.SelectQuery:
        """Actors active in exactly `day` intervals (`operator` or cumulative: at least / at most)."""
        date_range = self.resolved_date_range()
        compare = self.query.compareFilter
        if node.compare == "previous" and compare is not None and compare.compare:
            date_range = date_range.previous_period(compare.compare_to)
        operator = getattr(node, "operator", None)
        op = ">=" if self.cumulative else ACTOR_OPERATORS.get(operator or "exact", "==")
        selects: list[ast.SelectQuery] = []
        for series in self.actors_series(node):
            check_series(series)
            per_actor = self.per_actor_query(series, date_range)
            where = None
            if node.day is not None:
                where = ast.CompareOperation(op, ast.Field(["num_intervals"]), ast.Constant(int(node.day)))
            selects.append(
                ast.SelectQuery(
                    select=[ast.Alias("actor_id", ast.Field(["aggregation_target"]))],
                    select_from=ast.JoinExpr(table=per_actor),
                    where=where,
                )
            )
        union: ast.SelectQuery | ast.SelectSetQuery = selects[0]
        if len(selects) > 1:
            union = ast.SelectSetQuery(
                selects[0], [ast.SelectSetNode(select_query=q, set_operator="UNION ALL") for q in selects[1:]]
            )
        return ast.SelectQuery(
            select=[ast.Field(["actor_id"])],
            select_from=ast.JoinExpr(table=union),
            group_by=[ast.Field(["actor_id"])],
        )

    # ---- calculation ------------------------------------------------------------------------------

    def calculate(self) -> dict:
        for series in self.query.series:
            check_series(series)
        compare = self.query.compareFilter
        comparing = bool(compare and compare.compare)
        current = self.resolved_date_range()
        check_insight_size(current.bucket_count() * (2 if comparing else 1), len(self.query.series))
        periods = [("current", current)]
        if comparing:
            periods.append(("previous", current.previous_period(compare.compare_to)))
        results, hogql, timings = [], [], []
        for order, series in enumerate(self.query.series):
            for compare_label, date_range in periods:
                result = execute_select(
                    self.build(series, date_range),
                    self.print_context(),
                    default_limit=MAX_LIMIT,
                    query_tag=self.query_tag,
                )
                hogql.append(result.hogql)
                timings += result.timings
                row = self.series_object(series, order, date_range, result.results)
                if comparing:
                    row.update({"compare": True, "compare_label": compare_label})
                results.append(row)
        return {
            "results": results,
            "timings": timings,
            "hogql": "\n\n".join(hogql),
            "resolved_date_range": resolved_range(current),
        }

    def series_object(self, series, order: int, date_range: QueryDateRange, rows: list) -> dict:
        interval = date_range.interval
        size = math.ceil(len(date_range.buckets()) / self.interval_count)
        data = [0] * size
        for num_actors, num_intervals in rows:
            if 1 <= num_intervals <= size:
                data[num_intervals - 1] += num_actors
        count = sum(data)
        suffix = " or more" if self.cumulative else ""
        if self.cumulative:
            data = [sum(data[index:]) for index in range(size)]
        identity = series_identity(series, self.team)
        name = identity["name"]
        return {
            "count": count,
            "data": data,
            "days": list(range(1, size + 1)),
            "label": name,
            "labels": [f"{n} {interval}{'' if n == 1 else 's'}{suffix}" for n in range(1, size + 1)],
            "action": {
                "order": order,
                "type": identity["type"],
                "name": name,
                "id": identity["id"],
                "custom_name": series.custom_name,
            },
        }
