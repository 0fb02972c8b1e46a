"""LifecycleQueryRunner: new, returning, resurrecting and dormant persons per period (spec §1.10, §2.7, §3.11)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from queries.hogql import ast
from queries.hogql.builders import datetime_constant
from queries.hogql.errors import QueryError
from queries.hogql.execute import execute_select
from queries.hogql.printer import MAX_LIMIT
from queries.runners.common.actors import parse_day, period_texts
from queries.runners.common.date_range import QueryDateRange, add_interval, resolved_range, start_of_interval
from queries.runners.common.filters import earliest_event, property_filters
from queries.runners.common.labels import format_day, format_label_date
from queries.runners.common.series import check_series, series_event_filter, series_identity
from queries.runners.insight import InsightQueryRunner

STATUSES = ("new", "returning", "resurrecting", "dormant")
ADD_FUNCTIONS = {"hour": "addHours", "day": "addDays", "week": "addWeeks", "month": "addMonths"}
PERSON_PROFILE_PROPERTY = "$process_person_profile"
GROUP_LIFECYCLE_ERROR = "Lifecycle by group is not supported: this server keeps no group records (created_at) yet."


def _field(*chain: str) -> ast.Field:
    return ast.Field(list(chain))


def _call(name: str, *args: ast.Expr) -> ast.Call:
    return ast.Call(name, list(args))


def _eq(left: ast.Expr, right: ast.Expr) -> ast.CompareOperation:
    return ast.CompareOperation("==", left, right)


class LifecycleQueryRunner(InsightQueryRunner):
    kind = "LifecycleQuery"

    # ---- settings ---------------------------------------------------------------------------------

    @property
    def series(self):
        if not self.query.series:
            raise QueryError("A lifecycle query needs one series.")
        series = self.query.series[0]
        check_series(series)
        if self.query.aggregation_group_type_index is not None:
            raise QueryError(GROUP_LIFECYCLE_ERROR)
        return series

    def query_date_range(self, earliest: datetime | None = None) -> QueryDateRange:
        interval = self.interval()
        if interval not in ADD_FUNCTIONS:
            raise QueryError(f"Lifecycle does not support the interval '{interval}'.")
        return self.build_date_range(earliest)

    # ---- building ---------------------------------------------------------------------------------

    def event_filters(self) -> list[ast.Expr]:
        """The series' event and properties, the query's properties and the test account filters."""
        parts: list[ast.Expr] = []
        event_filter = series_event_filter(self.series, self.team)
        if event_filter is not None:
            parts.append(event_filter)
        return parts + property_filters(self.query, self.team, self.series)

    def where(self, date_range: QueryDateRange) -> ast.Expr:
        """Events of the series in [start(date_from) - 1 interval, start(date_to) + 1 interval) with a person profile.

        The bounds are plain `timestamp` comparisons, so ClickHouse prunes partitions and primary-key ranges.
        The profile check first looks for the key in the raw JSON: most events do not carry it, and for those
        the (costly) JSON read is skipped by ClickHouse's short-circuit evaluation of `or`.
        """
        interval, week_start = date_range.interval, date_range.week_start_day
        lower = add_interval(start_of_interval(date_range.date_from(), interval, week_start), interval, -1)
        upper = add_interval(start_of_interval(date_range.date_to(), interval, week_start), interval, 1)
        profile = ast.Or(
            [
                ast.CompareOperation("not like", _field("properties"), ast.Constant(f"%{PERSON_PROFILE_PROPERTY}%")),
                ast.CompareOperation("!=", _field("properties", PERSON_PROFILE_PROPERTY), ast.Constant("false")),
            ]
        )
        parts: list[ast.Expr] = [
            ast.CompareOperation(">=", _field("timestamp"), datetime_constant(lower)),
            ast.CompareOperation("<", _field("timestamp"), datetime_constant(upper)),
            *self.event_filters(),
            profile,
        ]
        return ast.And(parts)

    def build(self, date_range: QueryDateRange) -> ast.SelectQuery:
        """One pass over the events, then per person arrays instead of joins.

        1. Per person: the creation time and the sorted periods with activity (`periods`).
        2. Each active period gets its status from the period before it (for the first one, the creation period):
           `new` when it is the creation period, `returning` right after an active period, else `resurrecting`.
           Each active period not followed by activity makes the next period `dormant`.
        3. ARRAY JOIN the (period, status) pairs and count persons per pair. A person has at most one status per
           period, so count() counts distinct persons. Periods outside the range are dropped when zero-filling.
        """
        add = ADD_FUNCTIONS[date_range.interval]
        per_person = ast.SelectQuery(
            select=[
                ast.Alias("actor_id", _field("person_id")),
                ast.Alias("created_at", _call("min", _field("person", "created_at"))),
                ast.Alias(
                    "periods",
                    _call("arraySort", _call("groupUniqArray", date_range.interval_start(_field("timestamp")))),
                ),
            ],
            select_from=ast.JoinExpr(table=_field("events"), alias="e"),
            where=self.where(date_range),
            group_by=[_field("actor_id")],
        )
        period, index, periods = _field("p"), _field("i"), _field("periods")
        following = _call(add, period, ast.Constant(1))
        first_status = ast.Call(
            "if",
            [
                _eq(period, date_range.interval_start(_field("created_at"))),
                ast.Constant("new"),
                ast.Constant("resurrecting"),
            ],
        )
        previous = ast.ArrayAccess(periods, ast.ArithmeticOperation("-", index, ast.Constant(1)))
        later_status = ast.Call(
            "if",
            [
                _eq(_call(add, previous, ast.Constant(1)), period),
                ast.Constant("returning"),
                ast.Constant("resurrecting"),
            ],
        )
        status = ast.Call("if", [_eq(index, ast.Constant(1)), first_status, later_status])
        active = _call(
            "arrayMap",
            ast.Lambda(["p", "i"], _call("tuple", period, status)),
            periods,
            _call("arrayEnumerate", periods),
        )
        # Out of range, `periods[i + 1]` is the type's default (1970), never the following period.
        next_active = ast.ArrayAccess(periods, ast.ArithmeticOperation("+", index, ast.Constant(1)))
        lapsed = _call(
            "arrayFilter",
            ast.Lambda(["p", "i"], ast.CompareOperation("!=", next_active, following)),
            periods,
            _call("arrayEnumerate", periods),
        )
        dormant = _call("arrayMap", ast.Lambda(["p"], _call("tuple", following, ast.Constant("dormant"))), lapsed)
        period_field: ast.Expr = ast.TupleAccess(_field("period_status"), 1)
        if date_range.interval in ("hour", "day"):
            # Through the arrays the DateTime loses its zone: print it in the project's zone again.
            period_field = _call("toTimeZone", period_field, ast.Constant(self.team.timezone))
        return ast.SelectQuery(
            select=[
                ast.Alias("period", _call("toString", period_field)),
                ast.Alias("status", ast.TupleAccess(_field("period_status"), 2)),
                ast.Alias("counts", ast.Call("count", [])),
            ],
            select_from=ast.JoinExpr(table=per_person, alias="per_person"),
            array_join_op="ARRAY JOIN",
            array_join_list=[ast.Alias("period_status", _call("arrayConcat", active, dormant))],
            group_by=[_field("period"), _field("status")],
            limit=ast.Constant(MAX_LIMIT),
        )

    # ---- actors -----------------------------------------------------------------------------------

    def to_actors_query(self, node) -> ast.SelectQuery:
        """Persons with `status` in the period holding `day` (either condition dropped when absent; spec §2.4).

        The same per-person (period, status) pairs the chart counts, before they are counted.
        """
        date_range = self.resolved_date_range()
        pairs = self.build(date_range)
        period, status = pairs.select[0], pairs.select[1]
        assert isinstance(period, ast.Alias) and isinstance(status, ast.Alias)
        pairs.select = [_field("actor_id"), period, status]
        pairs.group_by = None
        pairs.limit = None
        conditions: list[ast.Expr] = []
        if node.day is not None:
            day = parse_day(node.day, self.team.timezone)
            start = start_of_interval(day, date_range.interval, date_range.week_start_day)
            texts = ast.Tuple([ast.Constant(text) for text in period_texts(start)])
            conditions.append(ast.CompareOperation("in", _field("period"), texts))
        if node.status:
            conditions.append(_eq(_field("status"), ast.Constant(node.status)))
        return ast.SelectQuery(
            select=[_field("actor_id")],
            select_from=ast.JoinExpr(table=pairs, alias="pairs"),
            where=(conditions[0] if len(conditions) == 1 else ast.And(conditions)) if conditions else None,
            group_by=[_field("actor_id")],
        )

    def resolved_date_range(self) -> QueryDateRange:
        """The range; `date_from: "all"` starts at the earliest event of the series."""
        date_range = self.query.dateRange
        if date_range is None or date_range.date_from != "all":
            return self.query_date_range()
        parts = self.event_filters() or [ast.Constant(True)]
        where = parts[0] if len(parts) == 1 else ast.And(parts)
        return self.query_date_range(earliest=earliest_event(where, self.print_context()))

    # ---- calculation ------------------------------------------------------------------------------

    def calculate(self) -> dict:
        date_range = self.resolved_date_range()
        result = execute_select(
            self.build(date_range), self.print_context(), default_limit=MAX_LIMIT, query_tag=self.query_tag
        )
        zone = ZoneInfo(self.team.timezone)
        buckets = date_range.buckets()
        index = {bucket: position for position, bucket in enumerate(buckets)}
        data = {status: [0.0] * len(buckets) for status in STATUSES}
        for period, status, counts in result.results:
            position = index.get(datetime.fromisoformat(period).replace(tzinfo=zone))
            if position is not None and status in data:
                data[status][position] += -float(counts) if status == "dormant" else float(counts)
        results = [self.status_object(status, data[status], buckets, date_range) for status in STATUSES]
        return {
            "results": results,
            "timings": result.timings,
            "hogql": result.hogql,
            "resolved_date_range": resolved_range(date_range),
        }

    def status_object(self, status: str, data: list[float], buckets: list, date_range: QueryDateRange) -> dict:
        identity = series_identity(self.series, self.team)
        name = identity["name"]
        start, end = date_range.date_from(), date_range.date_to()
        return {
            "action": {**identity, "order": 0, "math": "total"},
            "data": data,
            "count": float(sum(data)),
            "labels": [format_label_date(bucket, date_range.interval, start, end) for bucket in buckets],
            "days": [format_day(bucket, date_range.interval) for bucket in buckets],
            "label": f"{name} - {status}",
            "status": status,
        }
