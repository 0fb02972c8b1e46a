"""TrendsQueryRunner: one HogQL query per series and period, zero-filled and labelled in Python (spec §2.2)."""

import itertools
import math
from datetime import datetime
from functools import partial

from queries.hogql import ast
from queries.hogql.errors import QueryError
from queries.hogql.execute import PrintedSelect, execute_printed, execute_select, print_statement
from queries.hogql.printer import MAX_LIMIT, PrintContext
from queries.runners.common.cohorts import cohort_breakdown_values
from queries.runners.common.date_range import QueryDateRange, resolved_range
from queries.runners.common.filters import earliest_event
from queries.runners.common.limits import check_insight_size
from queries.runners.common.series import series_identity
from queries.runners.insight import InsightQueryRunner
from queries.runners.trends.actors import TrendsActors, group_index
from queries.runners.trends.buckets import BucketLayout, bucket_layout
from queries.runners.trends.formula import Formula, apply_formulas, formula_nodes
from queries.runners.trends.histogram import HISTOGRAM_MAX_BINS, bounds_query, histogram_bin_count, histogram_bins
from queries.runners.trends.query_builder import (
    BREAKDOWN_OTHER_STRING_LABEL,
    TrendsQueryBuilder,
    breakdown_key,
    breakdown_sentinel_rank,
    check_series,
    has_breakdown,
    is_breakdown_sentinel,
    multiple_breakdowns,
)

TOTAL_VALUE_DISPLAYS = {"BoldNumber", "ActionsPie", "ActionsBarValue", "ActionsTable", "WorldMap", "CalendarHeatmap"}
DEFAULT_BREAKDOWN_LIMIT = 25
# Sampled results scaled back up: counts and sums. Averages, quantiles and unique counts are left as they are.
SAMPLING_SCALED_MATHS = {"total", "sum"}
WORLD_MAP_BREAKDOWN_LIMIT = 250


def _is_other(row: dict) -> bool:
    return is_breakdown_sentinel(row.get("breakdown_value"), BREAKDOWN_OTHER_STRING_LABEL)


def _value_label(value) -> str:
    return "none" if value in (None, "") else str(value)


def smooth(data: list, intervals: int) -> list:
    """Trailing moving average over `intervals` buckets, floored (PostHog's smoothing)."""
    smoothed = []
    for index in range(len(data)):
        window = data[max(0, index - intervals + 1) : index + 1]
        smoothed.append(math.floor(sum(window) / len(window)))
    return smoothed


class TrendsQueryRunner(InsightQueryRunner):
    kind = "TrendsQuery"

    # ---- hooks ------------------------------------------------------------------------------------

    def interval(self) -> str:
        """The bucket size: the query's interval, or `day` for total-value displays."""
        return "day" if self.total_value else (self.query.interval or "day")

    # ---- settings ---------------------------------------------------------------------------------

    @property
    def display(self) -> str:
        trends_filter = self.query.trendsFilter
        return (trends_filter.display if trends_filter else None) or "ActionsLineGraph"

    @property
    def total_value(self) -> bool:
        return self.display in TOTAL_VALUE_DISPLAYS

    @property
    def breakdown_limit(self) -> int:
        breakdown = self.query.breakdownFilter
        if breakdown is not None and breakdown.breakdown_limit:
            return breakdown.breakdown_limit
        return WORLD_MAP_BREAKDOWN_LIMIT if self.display == "WorldMap" else DEFAULT_BREAKDOWN_LIMIT

    def query_date_range(self, earliest: datetime | None = None) -> QueryDateRange:
        return self.build_date_range(earliest, exact_timerange=self.display == "BoldNumber")

    # ---- actors -----------------------------------------------------------------------------------

    def to_actors_query(self, node) -> ast.SelectQuery:
        return TrendsActors(self, node).build()

    def actors_are_groups(self, node) -> bool:
        series = TrendsActors(self, node).series()
        builder = TrendsQueryBuilder(self.query, self.team, series, self.query_date_range(), self.total_value)
        return group_index(builder) is not None

    # ---- calculation ------------------------------------------------------------------------------

    def calculate(self) -> dict:
        compare = self.query.compareFilter
        comparing = bool(compare and compare.compare)
        for series in self.query.series:
            check_series(series)
        intervals = 1 if self.total_value else self.query_date_range().bucket_count()
        breakdowns = self.breakdown_limit + 2 if has_breakdown(self.query) else 1  # + "Other" and null
        check_insight_size(intervals * (2 if comparing else 1), len(self.query.series), breakdowns)
        for text, _ in formula_nodes(self.query.trendsFilter):
            Formula(text, len(self.query.series))  # a bad formula fails before any query runs
        results: list[dict] = []
        hogql, timings = [], []
        current_range = previous_range = None
        for order, series in enumerate(self.query.series):
            current_range = self.series_date_range(series)
            periods = [("current", current_range)]
            if comparing:
                previous_range = current_range.previous_period(compare.compare_to)
                periods.append(("previous", previous_range))
            for compare_label, date_range in periods:
                builders = self.builders(series, date_range)
                context = self.print_context()
                bins = tuple(tuple(builder.histogram_bins or ()) for builder in builders)
                statement = self.remembered_statement(
                    (order, compare_label, date_range.date_from(), date_range.date_to(), bins),
                    partial(print_series, builders, context),
                )
                result = execute_printed(statement, context.settings, MAX_LIMIT * len(builders), self.query_tag)
                hogql.append(result.hogql)
                timings += result.timings
                rows = self.series_rows(builders[-1], result.results, date_range, order)
                for row in rows:
                    if comparing:
                        row.update({"compare": True, "compare_label": compare_label})
                results += rows
        has_more = any(_is_other(row) for row in results)
        breakdown = self.query.breakdownFilter
        if breakdown is not None and breakdown.breakdown_hide_other_aggregation:
            results = [row for row in results if not _is_other(row)]
        formulas = formula_nodes(self.query.trendsFilter)
        if formulas:
            breakdown_enabled = has_breakdown(self.query)
            results = apply_formulas(results, formulas, len(self.query.series), self.total_value, breakdown_enabled)
        response = {"results": results, "hasMore": has_more, "timings": timings, "hogql": "\n\n".join(hogql)}
        if current_range is not None:
            response["resolved_date_range"] = resolved_range(current_range)
        if previous_range is not None:
            response["resolved_compare_date_range"] = resolved_range(previous_range)
        return response

    def builders(self, series, date_range: QueryDateRange) -> list[TrendsQueryBuilder]:
        """The builders of one series and period: one, or one per cohort of a cohort breakdown."""
        cohorts = cohort_breakdown_values(self.query)
        builders = []
        for cohort in cohorts or [None]:
            builder = TrendsQueryBuilder(self.query, self.team, series, date_range, self.total_value)
            builder.cohort = cohort
            self.set_histogram_bins(builder)
            builders.append(builder)
        return builders

    def set_histogram_bins(self, builder: TrendsQueryBuilder) -> None:
        """For a histogram breakdown: the bins over the value range of this series' events in this period."""
        count = histogram_bin_count(self.query)
        if count is None:
            return
        if not 1 <= count <= HISTOGRAM_MAX_BINS:
            raise QueryError(f"breakdown_histogram_bin_count must be between 1 and {HISTOGRAM_MAX_BINS}.")
        breakdown_filter = self.query.breakdownFilter
        field = builder.breakdown_field(breakdown_filter.breakdown, breakdown_filter.breakdown_type or "event")
        rows = execute_select(bounds_query(field, builder.where()), self.print_context()).results
        low, high = rows[0] if rows else (None, None)
        finite = low is not None and high is not None and math.isfinite(low) and math.isfinite(high)
        builder.histogram_bins = histogram_bins(low, high, count) if finite else []

    def series_date_range(self, series) -> QueryDateRange:
        """The range of one series: `date_from: "all"` starts at that series' earliest event."""
        date_range = self.query.dateRange
        if date_range is None or date_range.date_from != "all":
            return self.query_date_range()
        builder = TrendsQueryBuilder(self.query, self.team, series, self.query_date_range(), self.total_value)
        return self.query_date_range(earliest=earliest_event(builder.earliest_where(), self.print_context()))

    def series_rows(self, builder: TrendsQueryBuilder, rows: list, date_range: QueryDateRange, order: int) -> list:
        """Result objects of one series and period, breakdown values ranked and cut at the limit."""
        breakdown = builder.breakdown_enabled
        factor = builder.sampling_factor if builder.math in SAMPLING_SCALED_MATHS else None
        if factor is not None:  # counts of a sample stand for factor times fewer events (spec §3.8)
            rows = [[round(row[0] / factor), *row[1:]] for row in rows]
        if self.total_value:
            totals = {(breakdown_key(row[1]) if breakdown else None): row[0] for row in rows}
            values = self.limited({key: [value] for key, value in totals.items()}) if breakdown else totals
            if breakdown:
                values = {key: value[0] for key, value in values.items()}
            return [
                self.series_object(builder.series, order, date_range, key, breakdown, aggregated_value=value)
                for key, value in values.items()
            ]
        layout = bucket_layout(date_range)
        size = len(layout.buckets)
        data_by_value: dict = {}
        for row in rows:
            key = breakdown_key(row[2]) if breakdown else None
            data = data_by_value.setdefault(key, [0] * size)
            position = layout.position(row[1])
            if position is not None:
                data[position] += row[0]
        if not breakdown and not data_by_value:
            data_by_value[None] = [0] * size
        if breakdown:
            data_by_value = self.limited(data_by_value)
        return [
            self.series_object(builder.series, order, date_range, key, breakdown, data=data, layout=layout)
            for key, data in data_by_value.items()
        ]

    def limited(self, data_by_value: dict) -> dict:
        """Top `breakdown_limit` values by total (null sentinel ranked last); the rest summed into "Other".

        Returned in response order: real values by total DESC then value ASC, then null, then Other.
        """

        def rank(item):
            value, data = item
            return breakdown_sentinel_rank(value), -sum(data), value

        ranked = sorted(data_by_value.items(), key=rank)
        kept = dict(ranked[: self.breakdown_limit])
        rest = ranked[self.breakdown_limit :]
        if rest:
            other = [0] * len(rest[0][1])
            for _, data in rest:
                other = [a + b for a, b in zip(other, data, strict=True)]
            other_key = (
                tuple(BREAKDOWN_OTHER_STRING_LABEL for _ in multiple_breakdowns(self.query))
                if multiple_breakdowns(self.query)
                else BREAKDOWN_OTHER_STRING_LABEL
            )
            kept[other_key] = other
        return dict(sorted(kept.items(), key=rank))

    def identity(self, series) -> dict:
        """The series' id, type and name, looked up once per run (an action's name is a database read)."""
        identities = self.__dict__.setdefault("_identities", {})
        if id(series) not in identities:
            identities[id(series)] = series_identity(series, self.team)
        return identities[id(series)]

    def series_object(self, series, order, date_range, breakdown_value, breakdown, data=None,
                      layout: BucketLayout | None = None, aggregated_value=None) -> dict:  # fmt: skip
        identity = self.identity(series)
        series_label = identity["name"]
        label = series_label
        if isinstance(breakdown_value, tuple):  # multiple breakdowns: a list of values, labelled `a::b`
            breakdown_value = list(breakdown_value)
        if breakdown:
            if isinstance(breakdown_value, list):
                value_label = "::".join(_value_label(value) for value in breakdown_value)
            else:
                value_label = _value_label(breakdown_value)
            label = f"{series_label} - {value_label}" if len(self.query.series) > 1 else value_label
        action = {
            "days": list(layout.iso) if layout else [],
            "id": identity["id"],
            "type": identity["type"],
            "order": order,
            "name": series_label,
            "custom_name": series.custom_name,
            "math": series.math or "total",
            "math_property": series.math_property,
            "math_hogql": series.math_hogql,
            "math_group_type_index": series.math_group_type_index,
            "properties": {},
        }
        result: dict = {}
        if self.total_value:
            result.update({"data": [], "days": [], "count": 0, "aggregated_value": aggregated_value})
        else:
            smoothing = (self.query.trendsFilter.smoothingIntervals if self.query.trendsFilter else None) or 1
            if smoothing > 1:
                data = smooth(data, smoothing)
            count = float(sum(data))
            if self.display == "ActionsLineGraphCumulative":
                data = list(itertools.accumulate(data))
                count = float(data[-1]) if data else 0.0
            assert layout is not None  # a series over time has its buckets
            result.update({"data": data, "labels": list(layout.labels), "days": list(layout.days), "count": count})
        result.update({"label": label, "filter": self.filter_dict(date_range), "action": action, "order": order})
        if breakdown:
            result["breakdown_value"] = breakdown_value
        return result

    def filter_dict(self, date_range: QueryDateRange) -> dict:
        """The legacy `filter` of each result: range and interval with the trends and breakdown filters merged in
        (built once per range of a run; each result gets its own copy)."""
        built: dict = self.__dict__.setdefault("_filter_dicts", {})
        key = (date_range.date_from(), date_range.date_to())
        if key not in built:
            built[key] = self._new_filter_dict(date_range)
        return dict(built[key])

    def _new_filter_dict(self, date_range: QueryDateRange) -> dict:
        values = {
            "insight": "TRENDS",
            "properties": self.query.model_dump(mode="json", exclude_none=True, include={"properties"}).get(
                "properties"
            ),
            "filter_test_accounts": self.query.filterTestAccounts,
            "date_from": date_range.date_from().isoformat(),
            "date_to": date_range.date_to().isoformat(),
            "entity_type": "events",
            "sampling_factor": self.query.samplingFactor,
            "interval": self.query.interval or "day",
        }
        for extra in (self.query.trendsFilter, self.query.breakdownFilter):
            if extra is not None:
                values.update(extra.model_dump(mode="json", exclude_none=True))
        return {key: value for key, value in values.items() if value is not None}


def print_series(builders: list[TrendsQueryBuilder], context: PrintContext) -> PrintedSelect:
    """The printed statement of one series and period (see one_statement)."""
    return print_statement(one_statement(builders), context, MAX_LIMIT, MAX_LIMIT * len(builders))


def one_statement(builders: list[TrendsQueryBuilder]) -> ast.SelectQuery | ast.SelectSetQuery:
    """The query of one series and period in one ClickHouse statement: a cohort breakdown's per-cohort SELECTs (each
    labelling its rows with its cohort) joined by UNION ALL, each keeping its own limit (so the answer is the one
    the separate queries gave)."""
    selects = [builder.build() for builder in builders]
    if len(selects) == 1:
        return selects[0]
    return ast.SelectSetQuery(
        selects[0], [ast.SelectSetNode(select_query=select, set_operator="UNION ALL") for select in selects[1:]]
    )
