"""LifecycleQueryRunner: new, returning, resurrecting and dormant persons per period (spec §1.10, §2.7, §3.11)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from queries.hogql import ast
from queries.hogql.builders import datetime_constant
from queries.hogql.errors import QueryError
from queries.hogql.execute import execute_select
from queries.hogql.parser import parse_select
from queries.hogql.printer import MAX_LIMIT
from queries.hogql.property import property_to_expr
from queries.runners.insight import InsightQueryRunner
from queries.runners.trends.date_range import QueryDateRange, add_interval, start_of_interval
from queries.runners.trends.labels import format_day, format_label_date

STATUSES = ("new", "returning", "resurrecting", "dormant")
TRUNCATE_FUNCTIONS = {
    "hour": "toStartOfHour",
    "day": "toStartOfDay",
    "week": "toStartOfWeek",
    "month": "toStartOfMonth",
}
INTERVAL_FUNCTIONS = {
    "hour": "toIntervalHour",
    "day": "toIntervalDay",
    "week": "toIntervalWeek",
    "month": "toIntervalMonth",
}

# Per person: the sorted periods with activity, each labelled against the period before it (the creation period
# for the first one), plus a `dormant` row for the period after every active period not followed by activity.
# {truncate} and {interval} are names from the tables above, never user input; values travel as placeholders.
LIFECYCLE_QUERY = """
SELECT toString(start_of_period) AS period, status, count(DISTINCT person_id) AS counts
FROM (
    SELECT
        person_id,
        min(person.created_at) AS created_at,
        arraySort(groupUniqArray({truncate}(toTimeZone(timestamp, {{timezone}}){week_mode}))) AS all_activity,
        arrayPopBack(arrayPushFront(all_activity, {truncate}(toTimeZone(created_at, {{timezone}}){week_mode})))
            AS previous_activity,
        arrayPopFront(arrayPushBack(all_activity, {truncate}(toTimeZone(toDateTime(0), {{timezone}}){week_mode})))
            AS following_activity,
        arrayMap(
            (previous, current, index) -> if(
                previous = current,
                'new',
                if(current - {interval}(1) = previous AND index != 1, 'returning', 'resurrecting')
            ),
            previous_activity,
            all_activity,
            arrayEnumerate(all_activity)
        ) AS initial_status,
        arrayMap(
            (current, next) -> if(current + {interval}(1) = next, '', 'dormant'), all_activity, following_activity
        ) AS dormant_status,
        arrayMap(
            x -> x + {interval}(1),
            arrayFilter((current, is_dormant) -> is_dormant = 'dormant', all_activity, dormant_status)
        ) AS dormant_periods,
        arrayMap(x -> 'dormant', dormant_periods) AS dormant_label,
        arrayConcat(arrayZip(all_activity, initial_status), arrayZip(dormant_periods, dormant_label)) AS temp_concat,
        arrayJoin(temp_concat) AS period_status_pairs,
        period_status_pairs.1 AS start_of_period,
        period_status_pairs.2 AS status
    FROM events AS e
    GROUP BY person_id
)
GROUP BY period, status
"""


class LifecycleQueryRunner(InsightQueryRunner):
    kind = "LifecycleQuery"

    # ---- building ---------------------------------------------------------------------------------

    @property
    def series(self):
        if not self.query.series:
            raise QueryError("A lifecycle query needs one series.")
        series = self.query.series[0]
        if series.kind != "EventsNode":
            raise QueryError(f"Lifecycle series of kind {series.kind} are not supported yet.")
        return series

    def query_date_range(self, earliest: datetime | None = None) -> QueryDateRange:
        interval = self.interval()
        if interval not in TRUNCATE_FUNCTIONS:
            raise QueryError(f"Lifecycle does not support the interval '{interval}'.")
        return QueryDateRange(
            self.query.dateRange,
            self.team.timezone,
            interval,
            self.now or datetime.now(UTC),
            week_start_day=self.team.week_start_day or 0,
            earliest=earliest,
        )

    def event_filters(self) -> list[ast.Expr]:
        """The series' event and properties, the query's properties and the test account filters."""
        parts: list[ast.Expr] = []
        if self.series.event is not None:
            parts.append(ast.CompareOperation("==", ast.Field(["event"]), ast.Constant(self.series.event)))
        if self.series.properties:
            parts.append(property_to_expr(self.series.properties))
        if self.query.properties:
            parts.append(property_to_expr(self.query.properties))
        if self.query.filterTestAccounts and self.team.test_account_filters:
            parts.append(property_to_expr(self.team.test_account_filters))
        return parts

    def where(self, date_range: QueryDateRange) -> ast.Expr:
        """Events of the series in [start(date_from) - 1 interval, start(date_to) + 1 interval)."""
        interval, week_start = date_range.interval, date_range.week_start_day
        lower = add_interval(start_of_interval(date_range.date_from(), interval, week_start), interval, -1)
        upper = add_interval(start_of_interval(date_range.date_to(), interval, week_start), interval, 1)
        profile = ast.Field(["properties", "$process_person_profile"])
        parts: list[ast.Expr] = [
            ast.CompareOperation(">=", ast.Field(["timestamp"]), datetime_constant(lower)),
            ast.CompareOperation("<", ast.Field(["timestamp"]), datetime_constant(upper)),
            ast.CompareOperation("!=", profile, ast.Constant("false")),
            *self.event_filters(),
        ]
        return ast.And(parts)

    def build(self, date_range: QueryDateRange) -> ast.SelectQuery:
        interval = date_range.interval
        week_mode = ""
        if interval == "week":
            week_mode = f", {3 if date_range.week_start_day == 1 else 0}"
        text = LIFECYCLE_QUERY.format(
            truncate=TRUNCATE_FUNCTIONS[interval], interval=INTERVAL_FUNCTIONS[interval], week_mode=week_mode
        )
        select = parse_select(text, internal=True)
        select.select_from.table.where = self.where(date_range)
        select.limit = ast.Constant(MAX_LIMIT)
        return select

    def earliest_query(self) -> ast.SelectQuery:
        """The earliest event of the series, for `date_from: "all"`."""
        parts = self.event_filters() or [ast.Constant(True)]
        return ast.SelectQuery(
            select=[ast.Call("toString", [ast.Call("min", [ast.Field(["timestamp"])])])],
            select_from=ast.JoinExpr(table=ast.Field(["events"]), alias="e"),
            where=parts[0] if len(parts) == 1 else ast.And(parts),
        )

    def resolved_date_range(self) -> QueryDateRange:
        date_range = self.query.dateRange
        if date_range is None or date_range.date_from != "all":
            return self.query_date_range()
        rows = execute_select(self.earliest_query(), self.print_context()).results
        earliest = None
        if rows and rows[0][0] and not rows[0][0].startswith("1970-01-01"):
            earliest = datetime.fromisoformat(rows[0][0]).replace(tzinfo=UTC)
        return self.query_date_range(earliest=earliest)

    # ---- calculation ------------------------------------------------------------------------------

    def calculate(self) -> dict:
        date_range = self.resolved_date_range()
        result = execute_select(
            self.build(date_range),
            self.print_context(values={"timezone": self.team.timezone}),
            default_limit=MAX_LIMIT,
            query_tag=self.query_tag,
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
        return {"results": results, "timings": result.timings, "hogql": result.hogql}

    def status_object(self, status: str, data: list[float], buckets: list, date_range: QueryDateRange) -> dict:
        name = self.series.event if self.series.event is not None else "All events"
        start, end = date_range.date_from(), date_range.date_to()
        return {
            "action": {"id": self.series.event, "name": name, "type": "events", "order": 0, "math": "total"},
            "data": data,
            "count": float(sum(data)),
            "labels": [format_label_date(bucket, date_range.interval, start, end) for bucket in buckets],
            "days": [format_day(bucket, date_range.interval) for bucket in buckets],
            "label": f"{name} - {status}",
            "status": status,
        }
