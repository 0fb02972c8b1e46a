"""The HogQL SELECT of one trends series over one date range (spec §3.3, §3.5, §3.6)."""

from datetime import timedelta

from insights_server.models import Team
from queries.hogql import ast
from queries.hogql.builders import datetime_constant
from queries.hogql.errors import QueryError
from queries.hogql.parser import parse_expr
from queries.hogql.printer import MAX_LIMIT
from queries.runners.common.cohorts import cohort_condition, cohort_value_label
from queries.runners.common.date_range import QueryDateRange
from queries.runners.common.filters import property_filters
from queries.runners.common.series import check_series, series_event_filter
from queries.runners.trends.active_users import build_rolling_active_users
from queries.runners.trends.first_time import build_first_time
from queries.runners.trends.histogram import histogram_expr

BREAKDOWN_OTHER_STRING_LABEL = "$$_posthog_breakdown_other_$$"
BREAKDOWN_NULL_STRING_LABEL = "$$_posthog_breakdown_null_$$"
PROPERTY_MATHS = {"sum": "sum", "avg": "avg", "min": "min", "max": "max"}
QUANTILE_MATHS = {"median": 0.5, "p75": 0.75, "p90": 0.9, "p95": 0.95, "p99": 0.99}
COUNT_PER_ACTOR_MATHS = {
    "avg_count_per_actor": ("avg", None),
    "min_count_per_actor": ("min", None),
    "max_count_per_actor": ("max", None),
    "median_count_per_actor": ("quantile", 0.5),
    "p75_count_per_actor": ("quantile", 0.75),
    "p90_count_per_actor": ("quantile", 0.9),
    "p95_count_per_actor": ("quantile", 0.95),
    "p99_count_per_actor": ("quantile", 0.99),
}
MAX_BREAKDOWNS = 3
FIRST_TIME_MATHS = ("first_time_for_user", "first_matching_event_for_user")
ACTIVE_USER_LOOKBACK_DAYS = {"weekly_active": 7, "monthly_active": 30}
# WAU on week+ intervals and MAU on month+ intervals are plain unique users (spec §3.5).
ACTIVE_USER_DAU_INTERVALS = {"weekly_active": {"week", "month"}, "monthly_active": {"month"}}


def breakdown_key(value):
    """A hashable form of a breakdown value: multiple breakdowns (lists) become tuples."""
    return tuple(value) if isinstance(value, list | tuple) else value


def is_breakdown_sentinel(value, sentinel: str) -> bool:
    """Whether a (single or multiple) breakdown value is the given sentinel (every entry of a list)."""
    if isinstance(value, list | tuple):
        return bool(value) and all(entry == sentinel for entry in value)
    return value == sentinel


def breakdown_sentinel_rank(value) -> int:
    """Other = 2, null = 1, real values = 0 (spec §3.6)."""
    if is_breakdown_sentinel(value, BREAKDOWN_OTHER_STRING_LABEL):
        return 2
    return 1 if is_breakdown_sentinel(value, BREAKDOWN_NULL_STRING_LABEL) else 0


def multiple_breakdowns(query) -> list:
    """The `breakdowns` of the query's breakdown filter (multiple breakdowns), or []."""
    breakdown = query.breakdownFilter
    return list(breakdown.breakdowns or []) if breakdown is not None else []


def has_breakdown(query) -> bool:
    breakdown = query.breakdownFilter
    if breakdown is None:
        return False
    return breakdown.breakdown not in (None, "", []) or bool(breakdown.breakdowns)


def _and(exprs: list[ast.Expr]) -> ast.Expr:
    return exprs[0] if len(exprs) == 1 else ast.And(exprs)


class TrendsQueryBuilder:
    """Builds the query of `series` over `date_range`: one row per bucket (and breakdown value), or per value."""

    # Bins of a histogram breakdown, set by the runner once it knows the value range (see histogram.py).
    histogram_bins: list[tuple[float, float]] | None = None
    # The cohort (id or "all") of a cohort breakdown this builder answers: one builder per cohort.
    cohort: int | str | None = None

    def __init__(self, query, team: Team, series, date_range: QueryDateRange, total_value: bool):
        self.query = query
        self.team = team
        self.series = series
        self.date_range = date_range
        self.total_value = total_value
        display = query.trendsFilter.display if query.trendsFilter else None
        # Cumulative unique users count each person once, in the first bucket they appear in.
        self.first_bucket_per_person = (
            not total_value and display == "ActionsLineGraphCumulative" and (series.math or "total") == "dau"
        )

    @property
    def math(self) -> str:
        """The series math, with WAU/MAU rewritten to `dau` on intervals at least as long as their window."""
        math = self.series.math or "total"
        if math in ACTIVE_USER_DAU_INTERVALS and self.date_range.interval in ACTIVE_USER_DAU_INTERVALS[math]:
            return "dau"
        return math

    @property
    def active_users_lookback(self) -> int | None:
        """Days of the rolling WAU/MAU window, when the series uses one."""
        return ACTIVE_USER_LOOKBACK_DAYS.get(self.math)

    @property
    def breakdown_enabled(self) -> bool:
        return has_breakdown(self.query)

    def add_breakdown(self, select: list[ast.Expr], group_by: list[ast.Expr]) -> None:
        """Computes `breakdown_value` in this SELECT and groups by it (when a breakdown is active)."""
        if self.breakdown_enabled:
            select.append(ast.Alias("breakdown_value", self.breakdown_expr()))
            group_by.append(ast.Field(["breakdown_value"]))

    def pass_breakdown(self, select: list[ast.Expr], group_by: list[ast.Expr]) -> None:
        """Carries an inner query's `breakdown_value` through an outer SELECT."""
        if self.breakdown_enabled:
            select.append(ast.Field(["breakdown_value"]))
            group_by.append(ast.Field(["breakdown_value"]))

    def build(self) -> ast.SelectQuery:
        if self.math in FIRST_TIME_MATHS:
            return build_first_time(self)
        if self.math in COUNT_PER_ACTOR_MATHS:
            return self.build_count_per_actor()
        if self.first_bucket_per_person:
            return self.build_first_bucket_per_person()
        if self.active_users_lookback and not self.total_value:
            return build_rolling_active_users(self)
        select: list[ast.Expr] = [ast.Alias("total", self.aggregation())]
        group_by: list[ast.Expr] = []
        if not self.total_value:
            select.append(ast.Alias("day_start", ast.Call("toString", [self.bucket()])))
            group_by.append(ast.Field(["day_start"]))
        self.add_breakdown(select, group_by)
        return ast.SelectQuery(
            select=select,
            select_from=self.events_table(),
            where=self.where(),
            group_by=group_by or None,
            limit=ast.Constant(MAX_LIMIT),
        )

    def build_count_per_actor(self) -> ast.SelectQuery:
        """`*_count_per_actor` (spec §3.5): count() per person per bucket (and breakdown value), then aggregated.

        Total-value displays count per person over the whole range.
        """
        function, level = COUNT_PER_ACTOR_MATHS[self.math]
        inner_select: list[ast.Expr] = [
            ast.Alias("actor_count", ast.Call("count", [])),
            ast.Alias("actor_id", ast.Field(["person_id"])),
        ]
        inner_group: list[ast.Expr] = [ast.Field(["actor_id"])]
        outer_select: list[ast.Expr] = []
        outer_group: list[ast.Expr] = []
        if not self.total_value:
            inner_select.append(ast.Alias("day_start", ast.Call("toString", [self.bucket()])))
            inner_group.append(ast.Field(["day_start"]))
            outer_select.append(ast.Field(["day_start"]))
            outer_group.append(ast.Field(["day_start"]))
        self.add_breakdown(inner_select, inner_group)
        self.pass_breakdown(outer_select, outer_group)
        inner = ast.SelectQuery(
            select=inner_select,
            select_from=self.events_table(),
            where=self.where(),
            group_by=inner_group,
        )
        params: list[ast.Expr] | None = [ast.Constant(level)] if level is not None else None
        aggregate = ast.Call(function, [ast.Field(["actor_count"])], params=params)
        value = ast.Call("toFloat64", [aggregate])
        # No actor at all (a total-value display over an empty range) gives nan for avg/quantile: report 0.
        finite = ast.Call("if", [ast.Call("isFinite", [value]), value, ast.Constant(0)])
        total = ast.Alias("total", finite)
        return ast.SelectQuery(
            select=[total, *outer_select],
            select_from=ast.JoinExpr(table=inner, alias="per_actor"),
            group_by=outer_group or None,
            limit=ast.Constant(MAX_LIMIT),
        )

    def build_first_bucket_per_person(self) -> ast.SelectQuery:
        inner_select: list[ast.Expr] = [
            ast.Field(["person_id"]),
            ast.Alias("day_start", ast.Call("min", [ast.Call("toString", [self.bucket()])])),
        ]
        group_by: list[ast.Expr] = [ast.Field(["person_id"])]
        self.add_breakdown(inner_select, group_by)
        inner = ast.SelectQuery(
            select=inner_select,
            select_from=self.events_table(),
            where=self.where(),
            group_by=group_by,
        )
        outer_select: list[ast.Expr] = [ast.Alias("total", ast.Call("count", [])), ast.Field(["day_start"])]
        outer_group: list[ast.Expr] = [ast.Field(["day_start"])]
        self.pass_breakdown(outer_select, outer_group)
        return ast.SelectQuery(
            select=outer_select,
            select_from=ast.JoinExpr(table=inner, alias="first_seen"),
            group_by=outer_group,
            limit=ast.Constant(MAX_LIMIT),
        )

    @property
    def group_index(self) -> int | None:
        """The group type unique counts count: the series' `math_group_type_index`, else the query's
        `aggregation_group_type_index` (insights aggregated by group). Events without that group are left out."""
        if self.series.math_group_type_index is not None:
            return self.series.math_group_type_index
        return getattr(self.query, "aggregation_group_type_index", None)

    @property
    def sampling_factor(self) -> float | None:
        """The `samplingFactor` when it samples (0 < factor < 1), else None."""
        factor = self.query.samplingFactor
        return float(factor) if factor is not None and 0 < factor < 1 else None

    def events_table(self) -> ast.JoinExpr:
        """`events AS e`, sampled by `cityHash64(distinct_id)` when the query sets a sampling factor (spec §3.8)."""
        factor = self.sampling_factor
        sample = ast.SampleExpr(ast.RatioExpr(ast.Constant(factor))) if factor is not None else None
        return ast.JoinExpr(table=ast.Field(["events"]), alias="e", sample=sample)

    def timestamp(self, moment: ast.Expr | None = None) -> ast.Expr:
        return ast.Call("toTimeZone", [moment or ast.Field(["timestamp"]), ast.Constant(self.team.timezone)])

    def bucket(self, moment: ast.Expr | None = None) -> ast.Expr:
        """The start of the interval holding `moment` (default: the event's timestamp) in the project's zone."""
        return self.date_range.interval_start(moment or ast.Field(["timestamp"]))

    def where(self, lookback_days: int | None = None) -> ast.Expr:
        """The series filters; with `lookback_days`, events from that many days before the range start too."""
        lower = self.date_range.date_from_lower_bound()
        if lookback_days:
            lower -= timedelta(days=lookback_days)
        if self.total_value and self.active_users_lookback:
            # Total-value WAU/MAU: unique persons in [date_to - N days, date_to].
            lower = self.date_range.date_to() - timedelta(days=self.active_users_lookback)
        parts: list[ast.Expr] = [
            ast.CompareOperation(">=", ast.Field(["timestamp"]), datetime_constant(lower)),
            ast.CompareOperation("<=", ast.Field(["timestamp"]), datetime_constant(self.date_range.date_to())),
        ]
        check_series(self.series)
        event_filter = series_event_filter(self.series, self.team, missing_action_matches_nothing=True)
        if event_filter is not None:
            parts.append(event_filter)
        if self.math in ("unique_group", "dau") and self.group_index is not None:
            group = ast.Field([f"$group_{int(self.group_index)}"])
            parts.append(ast.CompareOperation("!=", group, ast.Constant("")))
        return _and(parts + self.filter_parts())

    def filter_parts(self) -> list[ast.Expr]:
        """The series' and the query's property filters, the test account filters and the breakdown's cohort."""
        parts = property_filters(self.query, self.team, self.series)
        if self.cohort is not None:
            condition = cohort_condition(self.cohort)
            if condition is not None:
                parts.append(condition)
        return parts

    def math_property_field(self) -> ast.Expr:
        prop = self.series.math_property
        if not prop:
            raise QueryError(f"Math '{self.series.math}' needs a math_property")
        if self.series.math_property_type == "person_properties":
            return ast.Field(["person", "properties", prop])
        if prop == "$time":
            return ast.Call("toUnixTimestamp", [ast.Field(["properties", prop])])
        return ast.Field(["properties", prop])

    def aggregation(self) -> ast.Expr:
        math = self.math
        if self.active_users_lookback:  # total-value WAU/MAU: unique persons over the window (see `where`)
            return ast.Call("count", [ast.Field(["person_id"])], distinct=True)
        if math == "total":
            return ast.Call("count", [])
        group_index = self.group_index
        if math == "dau" and group_index is None:
            return ast.Call("count", [ast.Field(["person_id"])], distinct=True)
        if math in ("dau", "unique_group"):
            if group_index is None:
                raise QueryError("Math 'unique_group' needs math_group_type_index")
            return ast.Call("count", [ast.Field([f"$group_{int(group_index)}"])], distinct=True)
        if math == "unique_session":
            return ast.Call("count", [ast.Field(["$session_id"])], distinct=True)
        if math == "hogql":
            if not self.series.math_hogql:
                raise QueryError("Math 'hogql' needs math_hogql")
            return parse_expr(self.series.math_hogql)
        if math in PROPERTY_MATHS or math in QUANTILE_MATHS:
            value: ast.Expr = ast.Call("toFloat", [self.math_property_field()])
            if self.series.math_multiplier is not None:
                value = ast.ArithmeticOperation("*", value, ast.Constant(float(self.series.math_multiplier)))
            if math in PROPERTY_MATHS:
                aggregate = ast.Call(PROPERTY_MATHS[math], [value])
            else:
                aggregate = ast.Call("quantile", [value], params=[ast.Constant(QUANTILE_MATHS[math])])
            return ast.Call("ifNull", [aggregate, ast.Constant(0)])
        raise QueryError(f"Math '{math}' is not supported in trends yet.")

    def breakdown_expr(self) -> ast.Expr:
        """`ifNull(nullIf(toString(<property>), ''), <null sentinel>)`: missing and empty values share one bucket.

        Multiple breakdowns give an array of such values, one per breakdown (spec §3.6).
        """
        breakdowns = multiple_breakdowns(self.query)
        if breakdowns:
            if len(breakdowns) > MAX_BREAKDOWNS:
                raise QueryError(f"At most {MAX_BREAKDOWNS} breakdowns are allowed.")
            return ast.Array(
                [
                    self.single_breakdown_expr(item.property, item.type or "event", bool(item.normalize_url))
                    for item in breakdowns
                ]
            )
        breakdown_filter = self.query.breakdownFilter
        kind = breakdown_filter.breakdown_type or "event"
        if kind == "cohort":
            return ast.Constant(cohort_value_label(self.cohort))
        if self.histogram_bins is not None:
            field = self.breakdown_field(breakdown_filter.breakdown, kind)
            return histogram_expr(field, self.histogram_bins, BREAKDOWN_NULL_STRING_LABEL)
        normalize = bool(breakdown_filter.breakdown_normalize_url)
        return self.single_breakdown_expr(breakdown_filter.breakdown, kind, normalize)

    def single_breakdown_expr(self, prop, kind: str, normalize_url: bool = False) -> ast.Expr:
        text: ast.Expr = ast.Call("toString", [self.breakdown_field(prop, kind)])
        if normalize_url:
            # Trailing `/`, `?` and `#` dropped, an empty path kept as "/" (so "/pricing/" and "/pricing" meet).
            trimmed = ast.Call("replaceRegexpAll", [text, ast.Constant("[/?#]+$"), ast.Constant("")])
            text = ast.Call("if", [ast.Call("empty", [trimmed]), ast.Constant("/"), trimmed])
        value = ast.Call("nullIf", [text, ast.Constant("")])
        return ast.Call("ifNull", [value, ast.Constant(BREAKDOWN_NULL_STRING_LABEL)])

    def breakdown_field(self, prop, kind: str) -> ast.Expr:
        """The expression a breakdown reads: an event or person property, or a HogQL expression."""
        if not isinstance(prop, str):
            raise QueryError("Only a single property name is supported as a trends breakdown yet.")
        field: ast.Expr
        if kind == "event":
            field = ast.Field(["properties", prop])
        elif kind == "person":
            field = ast.Field(["person", "properties", prop])
        elif kind == "hogql":
            # A HogQL expression over the event: printed (and guarded) like any user HogQL.
            field = parse_expr(prop)
        else:
            raise QueryError(f"Breakdowns of type '{kind}' are not supported in trends yet.")
        return field

    def earliest_where(self) -> ast.Expr:
        """Which events start the series' `date_from: "all"` range."""
        event_filter = series_event_filter(self.series, self.team, missing_action_matches_nothing=True)
        return ast.Constant(True) if event_filter is None else event_filter
