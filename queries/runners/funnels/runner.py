"""FunnelsQueryRunner: how many actors went through the steps in order, and how fast (spec §1.6, §2.3, §3.9)."""

from datetime import UTC, datetime

from queries.hogql import ast
from queries.hogql.errors import QueryError
from queries.hogql.execute import execute_select
from queries.hogql.printer import MAX_LIMIT
from queries.runners.common.cohorts import cohort_breakdown_values, restricted_to_cohort
from queries.runners.common.date_range import QueryDateRange, resolved_range
from queries.runners.common.series import series_identity
from queries.runners.funnels import aggregation
from queries.runners.funnels.actors import funnel_actors_query
from queries.runners.funnels.query_builder import FunnelQueryBuilder
from queries.runners.funnels.results import (
    breakdown_steps,
    parse_step_row,
    rank_key,
    step_dicts,
    time_to_convert_bins,
    trends_series,
)
from queries.runners.funnels.validation import validate_funnel
from queries.runners.insight import InsightQueryRunner
from queries.schema.insight_filters import FunnelsFilter

DEFAULT_BREAKDOWN_LIMIT = 25
MAX_TRENDS_ROWS = 1000
FLOW_UNSUPPORTED = "The flow visualization of funnels is not supported yet."


class FunnelsQueryRunner(InsightQueryRunner):
    kind = "FunnelsQuery"

    # ---- settings ---------------------------------------------------------------------------------

    @property
    def funnels_filter(self) -> FunnelsFilter:
        return self.query.funnelsFilter or FunnelsFilter()

    @property
    def viz(self) -> str:
        return self.funnels_filter.funnelVizType or "steps"

    @property
    def order(self) -> str:
        return self.funnels_filter.funnelOrderType or "ordered"

    @property
    def breakdown_limit(self) -> int:
        breakdown_filter = self.query.breakdownFilter
        return (breakdown_filter.breakdown_limit if breakdown_filter else None) or DEFAULT_BREAKDOWN_LIMIT

    def builder(self, date_range: QueryDateRange, viz: str | None = None) -> FunnelQueryBuilder:
        query = self.query.model_copy(update={"funnelsFilter": self.funnels_filter})
        return FunnelQueryBuilder(query, self.team, date_range, viz or self.viz)

    # The previous period of a compare when the actors of its side are asked for (see `previous_period_runner`).
    period_override: QueryDateRange | None = None

    def previous_period_runner(self) -> "FunnelsQueryRunner":
        """The same funnel over the previous period of its compare (PostHog's funnel actors with `compare:
        "previous"`): the range shifted back, or to `compare_to`."""
        compare = self.query.compareFilter
        shifted = type(self)(self.query, self.team)
        shifted.now, shifted.query_tag = self.now, self.query_tag
        shifted.period_override = self.resolved_date_range().previous_period(compare.compare_to if compare else None)
        return shifted

    def resolved_date_range(self) -> QueryDateRange:
        if self.period_override is not None:
            return self.period_override
        date_range = self.query.dateRange
        if date_range is None or date_range.date_from != "all":
            return self.query_date_range()
        events = sorted({n.event for n in self.query.series if getattr(n, "event", None) is not None})
        where: ast.Expr = ast.Constant(True)
        if events and len(events) == len(self.query.series):
            where = ast.CompareOperation("in", ast.Field(["event"]), ast.Tuple([ast.Constant(e) for e in events]))
        earliest_query = ast.SelectQuery(
            select=[ast.Call("toString", [ast.Call("min", [ast.Field(["timestamp"])])])],
            select_from=ast.JoinExpr(table=ast.Field(["events"]), alias="e"),
            where=where,
        )
        # Like earliest_event: the implicit projection can answer this min() from part metadata.
        rows = self.execute(earliest_query, settings={}).results
        earliest = None
        if rows and rows[0][0] and not rows[0][0].startswith("1970-01-01"):
            earliest = datetime.fromisoformat(rows[0][0]).replace(tzinfo=UTC)
        return self.query_date_range(earliest=earliest)

    # ---- calculation ------------------------------------------------------------------------------

    def __init__(self, query, team):
        super().__init__(query, team)
        # The HogQL and timings of every query the funnel runs, for the response (see `calculate`).
        self._hogql: list[str] = []
        self._timings: list[dict] = []

    def execute(self, select: ast.SelectQuery, **context):
        result = execute_select(
            select, self.print_context(**context), default_limit=MAX_LIMIT, query_tag=self.query_tag
        )
        self._hogql.append(result.hogql)
        self._timings += result.timings
        return result

    def prepared(self) -> tuple[FunnelQueryBuilder, QueryDateRange]:
        """Validates the funnel and resolves its date range: the builder of its queries, and that range."""
        if self.viz == "flow":
            raise QueryError(FLOW_UNSUPPORTED)
        validate_funnel(self.query, self.funnels_filter, self.order, self.viz)
        date_range = self.resolved_date_range()
        return self.builder(date_range), date_range

    def to_actors_query(self, node) -> ast.SelectQuery:
        return funnel_actors_query(self, node)

    def actors_are_groups(self, node) -> bool:
        return self.query.aggregation_group_type_index is not None

    def calculate(self) -> dict:
        """1. Validate and resolve the range; 2. run the visualisation's query; 3. shape the rows (spec §2.3)."""
        breakdown_cohorts = cohort_breakdown_values(self.query)
        if breakdown_cohorts is not None:
            return self.cohort_breakdown(breakdown_cohorts)
        builder, date_range = self.prepared()
        results: dict | list
        if self.viz == "time_to_convert":
            results = self.time_to_convert(builder)
        elif self.viz == "trends":
            results = self.trends(builder, date_range)
        else:
            results = self.steps(builder)
        return {
            "results": results,
            "isUdf": False,
            "timings": self._timings,
            "hogql": "\n\n".join(self._hogql),
            "resolved_date_range": resolved_range(date_range),
        }

    def cohort_breakdown(self, cohorts: list) -> dict:
        """A cohort breakdown: the funnel of each cohort's members, labelled with the cohort id (0: all users)."""
        results: list = []
        response: dict = {}
        for cohort in cohorts:
            runner = type(self)(restricted_to_cohort(self.query, cohort), self.team)
            runner.query_tag = self.query_tag
            response = runner.calculate()
            value = 0 if cohort == "all" else cohort
            if self.viz == "time_to_convert":
                return response
            if self.viz == "trends":
                for series in response["results"]:
                    series["breakdown_value"] = value
                results += response["results"]
            else:
                results.append([{**step, "breakdown": value, "breakdown_value": value} for step in response["results"]])
            self._hogql.append(response["hogql"])
            self._timings += response["timings"]
        return {**response, "results": results, "hogql": "\n\n".join(self._hogql), "timings": self._timings}

    def top_breakdown_values(self, rows: list) -> list | None:
        """The breakdown values kept by name (None when all fit); the others become `Other` (spec §3.9)."""
        if len(rows) <= self.breakdown_limit:
            return None
        steps = len(self.query.series)
        ranked = sorted(rows, key=lambda row: rank_key(parse_step_row(row[1:], steps)[0], list(row[0])))
        return [list(row[0]) for row in ranked[: self.breakdown_limit]]

    def identities(self) -> list[dict]:
        return [series_identity(node, self.team) for node in self.query.series]

    def steps(self, builder: FunnelQueryBuilder) -> list:
        unordered = self.order == "unordered"
        rows = self.execute(aggregation.steps_query(builder)).results
        if not builder.breakdowns:
            counts, averages, medians = parse_step_row(rows[0], len(self.query.series))
            return step_dicts(self.query.series, counts, averages, medians, unordered, self.identities())
        top = self.top_breakdown_values(rows)
        if top is not None:
            rows = self.execute(aggregation.steps_query(builder, top)).results
        return breakdown_steps(self.query.series, rows, unordered, self.identities())

    def time_to_convert(self, builder: FunnelQueryBuilder) -> dict:
        rows = self.execute(aggregation.time_to_convert_query(builder)).results
        samples = [float(value) for value in rows[0][0]] if rows else []
        return time_to_convert_bins(samples, self.funnels_filter.binCount)

    def trends(self, builder: FunnelQueryBuilder, date_range: QueryDateRange) -> list:
        top = None
        if builder.breakdowns:
            ranking = self.builder(date_range, viz="steps")
            top = self.top_breakdown_values(self.execute(aggregation.steps_query(ranking)).results)
        rows = self.execute(aggregation.trends_query(builder, top)).results
        return trends_series(rows, date_range, bool(builder.breakdowns))
