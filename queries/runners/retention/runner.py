"""RetentionQueryRunner: of the actors who did the target event in a period, how many came back in each later period
(spec §1.7, §2.4, §3.10).

One pass over the events: per actor, the period indices (0 = the first cohort period) of their target events and of
their returning events; then each cohort period of an actor is paired with the distances to their later returns.
"""

from datetime import datetime
from functools import cached_property

from queries.hogql import ast
from queries.hogql.actions import action_to_expr
from queries.hogql.builders import datetime_constant
from queries.hogql.errors import QueryError
from queries.hogql.execute import execute_select
from queries.hogql.hogql_printer import to_hogql
from queries.hogql.parser import parse_select
from queries.hogql.printer import MAX_LIMIT
from queries.hogql.property import property_to_expr
from queries.runners.common.cohorts import cohort_breakdown_values, cohort_value_label, restricted_to_cohort
from queries.runners.common.date_range import resolved_range
from queries.runners.common.filters import property_filters
from queries.runners.common.series import action_for
from queries.runners.insight import DateRangedQueryRunner
from queries.runners.retention.actors import retention_actors_query
from queries.runners.retention.date_range import MAX_CELLS, RetentionDateRange
from queries.runners.retention.sql import (
    AGGREGATIONS,
    MERGED_ACTORS_QUERY,
    RETENTION_AGGREGATION_QUERY,
    RETENTION_QUERY,
    and_,
    call,
    compare,
    field,
    lambda_,
    substitute,
    valid_min,
)
from queries.runners.retention.windows import build_windows_query, window_aggregates
from queries.timestamps import utc_z

DEFAULT_TOTAL_INTERVALS = 7
DEFAULT_EVENT = "$pageview"
OTHER_BREAKDOWN = "$$_posthog_breakdown_other_$$"
DEFAULT_BREAKDOWN_LIMIT = 25
BREAKDOWN_FIELDS = {
    "event": ["properties"],
    "person": ["person", "properties"],
}
AGGREGATION_FIELDS = BREAKDOWN_FIELDS


class RetentionQueryRunner(DateRangedQueryRunner):
    kind = "RetentionQuery"

    # ---- settings ---------------------------------------------------------------------------------

    @property
    def retention_filter(self):
        return self.query.retentionFilter

    def interval(self) -> str:
        return (self.retention_filter.period or "Day").lower()

    @property
    def period_label(self) -> str:
        return (self.retention_filter.period or "Day").capitalize()

    @property
    def retention_type(self) -> str:
        return self.retention_filter.retentionType or "retention_recurring"

    @property
    def brackets(self) -> list[int]:
        brackets = self.retention_filter.retentionCustomBrackets or []
        if any(int(b) != b or b < 1 for b in brackets):
            raise QueryError("retentionCustomBrackets must be positive whole numbers.")
        return [int(b) for b in brackets]

    @property
    def total_intervals(self) -> int:
        total = self.retention_filter.totalIntervals or DEFAULT_TOTAL_INTERVALS
        if total < 1:
            raise QueryError("totalIntervals must be a positive whole number.")
        return total

    @property
    def max_distance(self) -> int:
        """The largest counted distance between a cohort period and a return period."""
        return sum(self.brackets) if self.brackets else self.total_intervals - 1

    @property
    def value_count(self) -> int:
        return len(self.brackets) + 1 if self.brackets else self.total_intervals

    @property
    def minimum_occurrences(self) -> int:
        return self.retention_filter.minimumOccurrences or 1

    @property
    def aggregation(self) -> str | None:
        """The aggregation of values, "sum" or "avg"; None for plain counts. As in PostHog, sum or avg without an
        `aggregationProperty` counts actors like `count`."""
        kind = self.retention_filter.aggregationType or "count"
        if kind == "count" or not self.retention_filter.aggregationProperty:
            return None
        return kind

    def aggregation_value_expr(self) -> ast.Expr:
        """The value an event adds: its (event or person) property as a number; missing or not numeric is 0."""
        kind = self.retention_filter.aggregationPropertyType or "event"
        prop = ast.Field([*AGGREGATION_FIELDS[kind], self.retention_filter.aggregationProperty])
        return call("ifNull", call("toFloat", prop), ast.Constant(0.0))

    @property
    def rolling_windows(self) -> bool:
        """`timeWindowMode: "24_hour_windows"`: periods counted from each actor's own start event (see `windows`)."""
        return self.retention_filter.timeWindowMode == "24_hour_windows"

    def query_date_range(self) -> RetentionDateRange:
        date_range = self.query.dateRange
        if date_range is not None and date_range.date_from == "all":
            raise QueryError('Retention does not support date_from "all" yet.')
        has_date_from = bool(date_range and date_range.date_from)
        return RetentionDateRange(self.build_date_range(), self.interval(), self.total_intervals, has_date_from)

    def date_to(self) -> datetime | None:
        date_range = self.query_date_range()
        return date_range.date_to() if date_range.base.is_date_to_fixed() else None

    def validate(self) -> None:
        if self.rolling_windows:
            # As in PostHog: its 24-hour-window query has no cumulative form and no per-event values.
            if self.retention_filter.cumulative:
                raise QueryError("Cumulative retention is not supported for 24 hour windows.")
            if self.aggregation is not None:
                raise QueryError("Sum and average aggregation are not supported for 24 hour windows.")
        if self.aggregation is not None:
            if self.retention_filter.aggregationPropertyType == "data_warehouse":
                raise QueryError("Retention aggregation by a data warehouse property is not supported yet.")
            if self.retention_filter.cumulative:
                raise QueryError("Cumulative retention can't be combined with a sum or average aggregation.")
            if self.brackets:
                raise QueryError("Custom retention brackets can't be combined with a sum or average aggregation yet.")
        if self.minimum_occurrences < 1:
            raise QueryError("minimumOccurrences must be a positive whole number.")
        group = self.query.aggregation_group_type_index
        if group is not None and not 0 <= group <= 4:
            raise QueryError("aggregation_group_type_index must be between 0 and 4.")
        if self.query_date_range().intervals_between() * self.value_count > MAX_CELLS:
            raise QueryError(f"Retention can show up to {MAX_CELLS:,} cells; choose a shorter range or period.")

    # ---- entities ---------------------------------------------------------------------------------

    def entity(self, which: str):
        """`targetEntity` or `returningEntity` (None means the default, pageviews); only events are supported."""
        entity = getattr(self.retention_filter, which)
        if entity is None:
            return None
        if entity.type not in (None, "events", "actions"):
            raise QueryError(f"Retention entities of type '{entity.type}' are not supported yet.")
        return entity

    def entity_action(self, which: str):
        """The action an `actions` entity names (a 400 when the project has no such action), else None."""
        entity = self.entity(which)
        if entity is None or not (entity.kind == "ActionsNode" or entity.type == "actions"):
            return None
        cache = self.__dict__.setdefault("_actions", {})
        if which not in cache:
            cache[which] = action_for(self.team, entity.id)
        if cache[which] is None:
            raise QueryError(f"Action {entity.id} does not exist.")
        return cache[which]

    def entity_event(self, which: str) -> str | None:
        """The entity's event name; None for all events (and for actions, whose steps may name several)."""
        entity = self.entity(which)
        if entity is None:
            return DEFAULT_EVENT
        if self.entity_action(which) is not None:
            return None
        return entity.id if isinstance(entity.id, str) else None

    def entity_has_properties(self, which: str) -> bool:
        """Whether the entity narrows events beyond an event name (its property filters, or an action's steps)."""
        entity = self.entity(which)
        return bool(entity is not None and (entity.properties or self.entity_action(which) is not None))

    def entity_expr(self, which: str, with_properties: bool = True) -> ast.Expr:
        parts: list[ast.Expr] = []
        event = self.entity_event(which)
        if event is not None:
            parts.append(compare("==", field("event"), ast.Constant(event)))
        action = self.entity_action(which)
        if action is not None:
            parts.append(action_to_expr(action.steps))
            entity = self.entity(which)
            if with_properties and entity.properties:
                parts.append(property_to_expr(entity.properties))
            return and_(parts) if parts else ast.Constant(True)
        if with_properties and self.entity_has_properties(which):
            parts.append(property_to_expr(self.entity(which).properties))
        return and_(parts) if parts else ast.Constant(True)

    def where_selects_only_target(self) -> bool:
        """True when every event the WHERE keeps is a target event: one event name and no entity filters."""
        events = {self.entity_event("targetEntity"), self.entity_event("returningEntity")}
        with_properties = self.entity_has_properties("targetEntity") or self.entity_has_properties("returningEntity")
        return len(events) == 1 and None not in events and not with_properties

    def returns_are_cohorts(self) -> bool:
        """Recurring with one entity: the return periods are the cohort periods, no second array per actor."""
        return self.same_entities and self.retention_type == "retention_recurring" and self.minimum_occurrences <= 1

    # ---- building ---------------------------------------------------------------------------------

    def actor_field(self) -> ast.Expr:
        group = self.query.aggregation_group_type_index
        return field(f"$group_{group}") if group is not None else field("person_id")

    def period_expr(self, date_range: RetentionDateRange, moment: ast.Expr) -> ast.Expr:
        """The period index of a moment: whole periods since date_from, counted in the team's timezone."""
        start = datetime_constant(date_range.date_from())
        unit = "day" if date_range.interval == "week" else date_range.interval
        distance = call("dateDiff", ast.Constant(unit), start, moment, ast.Constant(self.team.timezone))
        if date_range.interval == "week":
            return call("intDiv", distance, ast.Constant(7))
        return distance

    def where(self, date_range: RetentionDateRange) -> ast.Expr:
        timestamp = field("timestamp")
        parts: list[ast.Expr] = []
        if self.retention_type == "retention_recurring":
            parts.append(compare(">=", timestamp, datetime_constant(date_range.date_from())))
        # First-time kinds look back to each actor's first event; nothing after date_to can change the answer. With
        # 24 hour windows PostHog bounds first-time kinds on neither side, so later returns count too.
        if self.retention_type == "retention_recurring" or not self.rolling_windows:
            parts.append(compare("<", timestamp, datetime_constant(date_range.date_to())))
        events = {self.entity_event("targetEntity"), self.entity_event("returningEntity")}
        if None not in events:
            names = sorted(event for event in events if event is not None)
            if len(names) == 1:
                parts.append(compare("==", field("event"), ast.Constant(names[0])))
            else:
                parts.append(compare("in", field("event"), ast.Tuple([ast.Constant(n) for n in names])))
        parts += property_filters(self.query, self.team)
        group = self.query.aggregation_group_type_index
        if group is not None:
            parts.append(compare("!=", field(f"$group_{group}"), ast.Constant("")))
        if self.retention_type != "retention_first_ever_occurrence":
            # Only entity property filters narrow the events further than the event names above.
            target, returning = self.entity_expr("targetEntity"), self.entity_expr("returningEntity")
            with_properties = self.entity_has_properties("targetEntity") or self.entity_has_properties(
                "returningEntity"
            )
            everything = isinstance(target, ast.Constant) or isinstance(returning, ast.Constant)
            if with_properties and not everything:
                same = to_hogql(target) == to_hogql(returning)
                parts.append(target if same else ast.Or([target, returning]))
        return and_(parts)

    def actor_aggregates(self, date_range: RetentionDateRange) -> list[tuple[str, ast.Expr, str]]:
        """(column, aggregate over events, how partial aggregates merge: uniq, all, min or max) per actor."""
        if self.rolling_windows:
            return window_aggregates(self, date_range)
        timestamp = field("timestamp")
        period = self.period_expr(date_range, timestamp)
        target = self.entity_expr("targetEntity")
        only_target = self.where_selects_only_target()
        columns: list[tuple[str, ast.Expr, str]] = []
        if self.retention_type == "retention_recurring":
            cohorts = call("groupUniqArray", period) if only_target else call("groupUniqArrayIf", period, target)
            columns.append(("cohort_periods", cohorts, "uniq"))
        else:
            first = call("min", timestamp) if only_target else call("minIf", timestamp, target)
            columns.append(("first_target", first, "min"))
            if self.retention_type == "retention_first_ever_occurrence":
                of_kind = self.entity_expr("targetEntity", with_properties=False)
                columns.append(("first_of_kind", call("minIf", timestamp, of_kind), "min"))
        if self.aggregation is not None:
            return columns + self.aggregation_columns(date_range)
        condition = self.entity_expr("returningEntity")
        if self.retention_type != "retention_recurring":
            lower = compare(">=", timestamp, datetime_constant(date_range.date_from()))
            condition = lower if only_target else ast.And([condition, lower])
        if self.minimum_occurrences > 1:
            columns.append(("return_all", call("groupArrayIf", period, condition), "all"))
        elif not self.returns_are_cohorts():
            columns.append(("return_periods", call("groupUniqArrayIf", period, condition), "uniq"))
        return columns

    @cached_property
    def same_entities(self) -> bool:
        """Target and returning entity are one and the same (event or action and filters)."""
        return to_hogql(self.entity_expr("targetEntity")) == to_hogql(self.entity_expr("returningEntity"))

    def aggregation_columns(self, date_range: RetentionDateRange) -> list[tuple[str, ast.Expr, str]]:
        """Every target (`start_data`) and returning (`return_data`) event inside the range as (period, value,
        timestamp); one array serves both when the entities are the same. minimumOccurrences plays no part here,
        as in PostHog."""
        timestamp = field("timestamp")
        item = ast.Tuple([self.period_expr(date_range, timestamp), self.aggregation_value_expr(), timestamp])
        lower = compare(">=", timestamp, datetime_constant(date_range.date_from()))
        in_range: list[ast.Expr] = [] if self.retention_type == "retention_recurring" else [lower]

        def collect(which: str, only: bool) -> ast.Expr:
            parts = in_range if only else [self.entity_expr(which), *in_range]
            return call("groupArrayIf", item, and_(parts)) if parts else call("groupArray", item)

        columns = [("start_data", collect("targetEntity", self.where_selects_only_target()), "all")]
        if not self.same_entities:
            columns.append(("return_data", collect("returningEntity", False), "all"))
        return columns

    def cells_expr(self) -> ast.Expr:
        """Per cohort period of an actor: (intervals_from_base, value) for every counted event.

        Same entities: the target events of the cohort period give index 0 with their values, the events of later
        periods their distance. Different entities: each target event of the cohort period gives a zero-valued index 0
        (the actor is in the cohort); returning events give the values, at index 0 only after the first target event
        of that period."""
        start = field("start_interval_index")

        def element(name: str, position: int) -> ast.Expr:
            return call("tupleElement", field(name), ast.Constant(position))

        distance = ast.ArithmeticOperation("-", element("x", 1), start)
        in_cohort = lambda_(["x"], compare("==", element("x", 1), start))
        starts = call("arrayFilter", in_cohort, field("start_data"))
        later = ast.And(
            [
                compare(">", distance, ast.Constant(0)),
                compare("<=", distance, ast.Constant(self.max_distance)),
            ]
        )
        if self.same_entities:
            at_zero = call("arrayMap", lambda_(["x"], ast.Tuple([distance, element("x", 2)])), starts)
            returns = call("arrayFilter", lambda_(["x"], later), field("start_data"))
        else:
            at_zero = call("arrayMap", lambda_(["x"], ast.Tuple([distance, ast.Constant(0.0)])), starts)
            of_cohort = lambda_(["z"], compare("==", element("z", 1), start))
            first_in_cohort = call("arrayFilter", of_cohort, field("start_data"))
            first = call("arrayMin", call("arrayMap", lambda_(["y"], element("y", 3)), first_in_cohort))
            after_first = ast.And([compare("==", distance, ast.Constant(0)), compare(">", element("x", 3), first)])
            returns = call("arrayFilter", lambda_(["x"], ast.Or([later, after_first])), field("return_data"))
        counted = call("arrayMap", lambda_(["x"], ast.Tuple([distance, element("x", 2)])), returns)
        return call("arrayConcat", at_zero, counted)

    def actors_query(self, date_range: RetentionDateRange) -> ast.SelectQuery:
        """One row per actor (and breakdown value) with the columns of `actor_aggregates`."""
        aggregates = self.actor_aggregates(date_range)
        breakdown = self.breakdown_expr()
        merged = self.person_overrides and self.query.aggregation_group_type_index is None
        if merged:
            keys: list[ast.Expr] = [
                ast.Alias("poe_person_id", field("poe", "id")),
                ast.Alias("distinct_id", call("any", field("distinct_id"))),
            ]
        else:
            keys = [ast.Alias("actor_id", self.actor_field())]
        group_by: list[ast.Expr] = [field("poe_person_id" if merged else "actor_id")]
        if breakdown is not None:
            keys.append(ast.Alias("breakdown_value", breakdown))
            group_by.append(field("breakdown_value"))
        per_event_actor = ast.SelectQuery(
            select=[*keys, *(ast.Alias(name, expr) for name, expr, _ in aggregates)],
            select_from=ast.JoinExpr(table=field("events"), alias="e"),
            where=self.where(date_range),
            group_by=group_by,
        )
        if not merged:
            return per_event_actor
        query = substitute(parse_select(MERGED_ACTORS_QUERY, internal=True), {"per_event_person": per_event_actor})
        if breakdown is not None:
            query.select.append(ast.Alias("breakdown_value", field("p", "breakdown_value")))
            query.group_by.append(field("breakdown_value"))
        for name, _expr, merge in aggregates:
            column = field("p", name)
            if merge == "min":
                combined = valid_min(column)
            elif merge == "max":
                combined = call("max", column)
            else:
                combined = call("arrayFlatten", call("groupArray", column))
                if merge == "uniq":
                    combined = call("arrayDistinct", combined)
            query.select.append(ast.Alias(name, combined))
        return query

    def starts_expr(self, date_range: RetentionDateRange) -> ast.Expr:
        """An actor's cohort periods, from the per-actor columns."""
        if self.retention_type == "retention_recurring":
            return field("cohort_periods")
        first = field("first_target")
        in_range: ast.Expr = compare(">=", first, datetime_constant(date_range.date_from()))
        if self.retention_type == "retention_first_ever_occurrence":
            # The first event of the target's kind must itself pass the entity's filters.
            in_range = ast.And([in_range, compare("==", first, field("first_of_kind"))])
        return call("if", in_range, ast.Array([self.period_expr(date_range, first)]), ast.Array([]))

    def returns_expr(self) -> ast.Expr:
        """An actor's periods with a qualifying return, from the per-actor columns."""
        if self.minimum_occurrences > 1:
            every = field("return_all")
            enough = compare(">=", call("countEqual", every, field("p")), ast.Constant(self.minimum_occurrences))
            return call("arrayFilter", lambda_(["p"], enough), call("arrayDistinct", every))
        return field("cohort_periods" if self.returns_are_cohorts() else "return_periods")

    def intervals_expr(self) -> ast.Expr:
        """Per cohort period: 0 and the distances to later return periods (or, cumulative, 0 up to the furthest)."""
        distance = ast.ArithmeticOperation("-", field("r"), field("start_interval_index"))
        distances = call("arrayMap", lambda_(["r"], distance), self.returns_expr())
        counted = ast.And(
            [
                compare(">", field("k"), ast.Constant(0)),
                compare("<=", field("k"), ast.Constant(self.max_distance)),
            ]
        )
        later = call("arrayFilter", lambda_(["k"], counted), distances)
        if self.brackets:
            bracket_of = [0]
            for index, size in enumerate(self.brackets, start=1):
                bracket_of += [index] * size
            mapping = ast.Array([ast.Constant(b) for b in bracket_of])
            position = ast.ArithmeticOperation("+", field("k"), ast.Constant(1))
            later = call("arrayMap", lambda_(["k"], call("arrayElement", mapping, position)), later)
        with_zero = call("arrayConcat", ast.Array([ast.Constant(0)]), later)
        if self.retention_filter.cumulative:
            furthest = ast.ArithmeticOperation("+", call("arrayMax", with_zero), ast.Constant(1))
            return call("range", ast.Constant(0), furthest)
        return call("arrayDistinct", with_zero) if self.brackets else with_zero

    def breakdown(self) -> tuple[str, str] | None:
        """(type, property) of the single breakdown, or None."""
        breakdown_filter = self.query.breakdownFilter
        if breakdown_filter is None:
            return None
        if breakdown_filter.breakdowns:
            first = breakdown_filter.breakdowns[0]
            kind, prop = first.type or "event", first.property
        elif breakdown_filter.breakdown is not None and breakdown_filter.breakdown != []:
            kind, prop = breakdown_filter.breakdown_type or "event", breakdown_filter.breakdown
        else:
            return None
        if isinstance(prop, list):
            if len(prop) != 1:
                raise QueryError("Retention supports one breakdown property.")
            prop = prop[0]
        if kind not in BREAKDOWN_FIELDS:
            raise QueryError(f"Retention breakdowns of type '{kind}' are not supported yet.")
        return kind, str(prop)

    def breakdown_expr(self) -> ast.Expr | None:
        breakdown = self.breakdown()
        if breakdown is None:
            return None
        kind, prop = breakdown
        value = call("toString", ast.Field([*BREAKDOWN_FIELDS[kind], prop]))
        return call("ifNull", value, ast.Constant(""))

    def build(self, date_range: RetentionDateRange) -> ast.SelectQuery:
        if self.rolling_windows:
            select = build_windows_query(self, date_range)
            select.limit = ast.Constant(MAX_LIMIT)
            return select
        breakdown = "" if self.breakdown() is None else "breakdown_value, "
        if self.aggregation is not None:
            text = RETENTION_AGGREGATION_QUERY.format(breakdown=breakdown, aggregation=AGGREGATIONS[self.aggregation])
            placeholders = {
                "starts": self.starts_expr(date_range),
                "cells": self.cells_expr(),
                "actors": self.actors_query(date_range),
            }
            select = substitute(parse_select(text, internal=True), placeholders)
            select.limit = ast.Constant(MAX_LIMIT)
            return select
        placeholders = {
            "starts": self.starts_expr(date_range),
            "intervals": self.intervals_expr(),
            "actors": self.actors_query(date_range),
        }
        select = substitute(parse_select(RETENTION_QUERY.format(breakdown=breakdown), internal=True), placeholders)
        select.limit = ast.Constant(MAX_LIMIT)
        return select

    # ---- actors -----------------------------------------------------------------------------------

    def to_actors_query(self, node) -> ast.SelectQuery:
        return retention_actors_query(self, node)

    def actors_are_groups(self, node) -> bool:
        return self.query.aggregation_group_type_index is not None

    # ---- calculation ------------------------------------------------------------------------------

    def calculate(self) -> dict:
        breakdown_cohorts = cohort_breakdown_values(self.query)
        if breakdown_cohorts is not None:
            return self.cohort_breakdown(breakdown_cohorts)
        self.validate()
        date_range = self.query_date_range()
        result = execute_select(
            self.build(date_range),
            self.print_context(),
            default_limit=MAX_LIMIT,
            query_tag=self.query_tag,
        )
        cohorts = date_range.intervals_between()
        if self.breakdown() is None:
            cells = {(start, index): values for start, index, *values in result.results}
            results = [self.cohort_object(date_range, start, cells, None) for start in range(cohorts)]
        else:
            results = self.breakdown_results(date_range, cohorts, result.results)
        return {
            "results": results,
            "timings": result.timings,
            "hogql": result.hogql,
            "resolved_date_range": resolved_range(date_range),
        }

    def cohort_breakdown(self, cohorts: list) -> dict:
        """A cohort breakdown: the retention of each cohort's members, labelled with its id ("0": all users)."""
        results, hogql, timings = [], [], []
        response: dict = {}
        for cohort in cohorts:
            runner = type(self)(restricted_to_cohort(self.query, cohort), self.team)
            runner.query_tag = self.query_tag
            response = runner.calculate()
            results += [{**row, "breakdown_value": cohort_value_label(cohort)} for row in response["results"]]
            hogql.append(response["hogql"])
            timings += response["timings"]
        return {**response, "results": results, "hogql": "\n\n".join(hogql), "timings": timings}

    def breakdown_results(self, date_range: RetentionDateRange, cohorts: int, rows: list) -> list[dict]:
        """Breakdown values ranked by cohort size summed over all cohorts; past the limit they become Other."""
        totals: dict[str, int] = {}
        for value, _start, index, count, *_aggregated in rows:
            if index == 0:
                totals[value] = totals.get(value, 0) + count
        limit = self.query.breakdownFilter.breakdown_limit
        limit = DEFAULT_BREAKDOWN_LIMIT if limit is None else limit
        ranked = [value for value, _ in sorted(totals.items(), key=lambda item: (-item[1], item[0]))]
        shown, others = ranked[:limit], set(ranked[limit:])
        cells: dict[str, dict[tuple[int, int], list]] = {}
        for value, start, index, *numbers in rows:
            # Other adds up its values' cells; as in PostHog that includes averages, which it sums too.
            per_value = cells.setdefault(OTHER_BREAKDOWN if value in others else value, {})
            known = per_value.get((start, index))
            per_value[(start, index)] = (
                numbers if known is None else [a + b for a, b in zip(known, numbers, strict=True)]
            )
        keys = shown + ([OTHER_BREAKDOWN] if others else [])
        return [
            self.cohort_object(date_range, start, cells.get(key, {}), key) for key in keys for start in range(cohorts)
        ]

    def value_label(self, index: int) -> str:
        if not self.brackets or index == 0:
            return f"{self.period_label} {index}"
        first = 1 + sum(self.brackets[: index - 1])
        last = first + self.brackets[index - 1] - 1
        return f"{self.period_label} {first}" if first == last else f"{self.period_label} {first}-{last}"

    def cohort_object(self, date_range: RetentionDateRange, start: int, cells: dict, breakdown_value) -> dict:
        return {
            "date": utc_z(date_range.period_start(start).isoformat()),
            "label": f"{self.period_label} {start}",
            "breakdown_value": breakdown_value,
            "values": [self.value_object(cells.get((start, index)), index) for index in range(self.value_count)],
        }

    def value_object(self, numbers: list | None, index: int) -> dict:
        """{count, label}; with sum or avg also aggregation_value (0.0 for an empty cell) between the two."""
        if self.aggregation is None:
            return {"count": numbers[0] if numbers else 0, "label": self.value_label(index)}
        count, value = numbers if numbers else (0, 0.0)
        return {"count": count, "aggregation_value": float(value), "label": self.value_label(index)}
