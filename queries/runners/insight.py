"""What the date-ranged insight runners (trends, lifecycle, stickiness) share: their caching hooks."""

from datetime import UTC, datetime

from queries.hogql import ast
from queries.hogql.errors import QueryError
from queries.hogql.execute import BUCKETED_QUERY_SETTINGS
from queries.runners.base import QueryRunner
from queries.runners.common.date_range import QueryDateRange
from queries.runners.common.limits import check_interval_count


class DateRangedQueryRunner(QueryRunner):
    """A runner whose query's `dateRange` resolves in the project's timezone and week start (retention wraps the
    result in its own range type, so `query_date_range` is left to the subclasses)."""

    # Tests pin "now"; otherwise the range is resolved against the current time.
    now: datetime | None = None
    engine_settings = BUCKETED_QUERY_SETTINGS

    def build_date_range(self, earliest: datetime | None = None, **options) -> QueryDateRange:
        """The range, refused (QueryError) when it holds more intervals than QUERY_MAX_INTERVALS. Built once per
        runner and arguments (a runner answers one request: its "now" is the first call's)."""
        built: dict = self.__dict__.setdefault("_date_ranges", {})
        key = (earliest, tuple(sorted(options.items())))
        if key not in built:
            built[key] = self._new_date_range(earliest, **options)
        return built[key]

    def _new_date_range(self, earliest: datetime | None, **options) -> QueryDateRange:
        date_range = QueryDateRange(
            self.query.dateRange,
            self.team.timezone,
            self.interval(),
            self.now or datetime.now(UTC),
            week_start_day=self.team.week_start_day or 0,
            earliest=earliest,
            **options,
        )
        check_interval_count(date_range.bucket_count(), date_range.interval)
        return date_range

    def interval(self) -> str:
        return self.query.interval or "day"

    # ---- actors (spec actors-cohorts §2) ------------------------------------------------------------

    def to_actors_query(self, node) -> ast.SelectQuery:
        """The actors behind one data point of this insight (`node` is an InsightActorsQuery or a kind's own actors
        node): one row per actor with an `actor_id` column (plus the kind's extra columns). Raises QueryError when
        the insight has no actors."""
        raise QueryError(f"Cannot convert source query of type {self.kind} to persons query")

    def actors_are_groups(self, node) -> bool:
        """Whether the actors of `node` are groups (group aggregation) rather than persons."""
        return False


class InsightQueryRunner(DateRangedQueryRunner):
    def query_date_range(self, earliest: datetime | None = None) -> QueryDateRange:
        """The query's range in the project's timezone and week start; `earliest` resolves `date_from: "all"`."""
        return self.build_date_range(earliest)

    def date_to(self) -> datetime | None:
        """The resolved end of the range when it is absolute (such a result never goes stale once past)."""
        date_range = self.query_date_range()
        return date_range.date_to() if date_range.is_date_to_fixed() else None
