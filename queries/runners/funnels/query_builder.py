"""The funnel query in four levels: matching events, each actor's sorted events, each actor's evaluation per
breakdown value or entrance period, and the aggregation the visualisation needs (spec §3.9).
"""

from functools import cached_property

from queries.hogql import ast
from queries.hogql.builders import datetime_constant
from queries.hogql.errors import QueryError
from queries.hogql.parser import parse_expr
from queries.hogql.property import property_to_expr
from queries.runners.common.date_range import QueryDateRange
from queries.runners.common.series import series_event_filter
from queries.runners.funnels import greedy, vectorised
from queries.runners.funnels.expr import X, all_of, array, call, field, if_, lam, not_, select, tuple_, wrap
from queries.runners.funnels.sequence import (
    EXCLUSION_BIT_OFFSET,
    Shape,
    best_of,
    has_step,
    is_step_event,
    ordered_state,
    unordered_state,
    without_repeats,
)
from queries.runners.funnels.vectorised import PERIOD_FORMAT

WINDOW_UNIT_SECONDS = {
    "second": 1,
    "minute": 60,
    "hour": 3600,
    "day": 86400,
    "week": 7 * 86400,
    "month": 31 * 86400,
}
BREAKDOWN_TYPES = ("event", "person", "hogql", "event_metadata")
MAX_BREAKDOWNS = 3
MULTIPLE_BREAKDOWN_TYPES_UNSUPPORTED = "Funnel breakdowns of type '{kind}' are not supported yet."
BREAKDOWN_PROPERTY_UNSUPPORTED = "Only a property name is supported as a funnel breakdown."
TRENDS_STEP_ATTRIBUTION_UNSUPPORTED = "Step breakdown attribution is not supported in funnel trends yet."
# Off only to compare the vectorised evaluations with the fold in tests.
VECTORISED = True


def has_value(prop: X) -> X:
    """A breakdown value array (one string per breakdown) with at least one value set."""
    return call("notEmpty", call("arrayFilter", lam(lambda v: v.ne(""), "v"), prop))


class FunnelQueryBuilder:
    """Builds the HogQL of one funnel; `viz` picks the last level."""

    def __init__(self, query, team, date_range: QueryDateRange, viz: str):
        self.query = query
        self.team = team
        self.date_range = date_range
        self.viz = viz
        self.filter = query.funnelsFilter
        self.steps = len(query.series)

    # ---- settings ---------------------------------------------------------------------------------

    @property
    def order(self) -> str:
        return self.filter.funnelOrderType or "ordered"

    @property
    def window_seconds(self) -> int:
        interval = self.filter.funnelWindowInterval or 14
        return interval * WINDOW_UNIT_SECONDS[self.filter.funnelWindowIntervalUnit or "day"]

    @property
    def attribution(self) -> str:
        return self.filter.breakdownAttributionType or "first_touch"

    @cached_property
    def breakdowns(self) -> list[tuple[str, object]]:
        """(type, property) of each breakdown; empty without one."""
        breakdown_filter = self.query.breakdownFilter
        if breakdown_filter is None:
            return []
        if breakdown_filter.breakdowns:
            if len(breakdown_filter.breakdowns) > MAX_BREAKDOWNS:
                raise QueryError(f"At most {MAX_BREAKDOWNS} breakdowns are allowed.")
            return [(item.type or "event", item.property) for item in breakdown_filter.breakdowns]
        if breakdown_filter.breakdown is None:
            return []
        return [(breakdown_filter.breakdown_type or "event", breakdown_filter.breakdown)]

    @property
    def trends(self) -> bool:
        return self.viz == "trends"

    @property
    def fast(self) -> bool:
        """Plain ordered funnels take the packed-integer path (greedy.py); see `vector_kind` for the others."""
        return (
            self.order == "ordered"
            and not self.filter.exclusions
            and not any(node.optionalInFunnel for node in self.query.series)
            and not self.trends
            and (not self.breakdowns or self.attribution in ("first_touch", "last_touch"))
        )

    @property
    def exclusive_steps(self) -> bool:
        """Steps on distinct named events never share an event."""
        names = [getattr(node, "event", None) for node in self.query.series]
        return None not in names and len(set(names)) == len(names)

    @cached_property
    def vector_kind(self) -> str | None:
        """The vectorised evaluation (vectorised.py) giving this funnel's numbers, if any.

        strict | strict_shared (steps sharing events) | strict_trends | ordered (with exclusions or all-events/step
        breakdown attribution) | unordered | trends | period_ordered (ordered trends with exclusions) |
        period_unordered (unordered trends); plain ordered funnels take greedy.py, the rest (optional steps, strict
        trends on steps sharing events, ...) fold (sequence.py).
        """
        if self.fast or not VECTORISED or any(node.optionalInFunnel for node in self.query.series):
            return None
        exclusions = bool(self.filter.exclusions)
        # Strict funnels see the other events too, whose order at equal times would matter for `step`.
        unsupported = (
            self.trends or self.order == "unordered" or (self.order == "strict" and self.attribution == "step")
        )
        if self.per_value and unsupported:
            return None
        kind: str | None
        if self.trends:
            if self.order == "unordered":
                kind = "period_unordered"
            elif exclusions and self.order != "ordered":
                return None
            elif exclusions:
                kind = "period_ordered"
            else:
                kind = "trends" if self.order == "ordered" else "strict_trends" if self.exclusive_steps else None
        elif self.order == "strict":
            # With steps sharing events, more than one path can be alive after an event: one array per step.
            kind = "strict" if self.exclusive_steps else "strict_shared"
        elif self.order == "unordered":
            kind = "unordered"
        else:
            kind = "ordered" if exclusions or self.per_value else None
        if kind is None or not vectorised.fits(self.steps, self.coded_steps, exclusions):
            return None
        return kind

    @property
    def per_value(self) -> bool:
        """Breakdown attributions evaluating each actor once per breakdown value of its events."""
        return bool(self.breakdowns) and self.attribution in ("all_events", "step")

    @cached_property
    def layout(self) -> vectorised.Layout:
        return vectorised.Layout(self.steps, self.coded_steps, bool(self.filter.exclusions))

    @property
    def coded_steps(self) -> bool:
        """Packed events carry a step code (strict funnels whose steps never share an event), else a step mask."""
        return self.order == "strict" and self.exclusive_steps

    # ---- level 1: events --------------------------------------------------------------------------

    def target(self) -> ast.Expr:
        """The actor: `$group_N` with aggregation_group_type_index (spec §3.9), else funnelAggregateByHogQL, else
        the person. Custom targets drop events where the actor is empty."""
        group = self.query.aggregation_group_type_index
        if group is not None:
            return ast.Field([f"$group_{group}"])
        hogql = self.filter.funnelAggregateByHogQL
        if hogql and hogql.strip() not in ("person_id", "person.id"):
            return parse_expr(hogql)
        return ast.Field(["person_id"])

    @property
    def custom_target(self) -> bool:
        target = self.target()
        return not isinstance(target, ast.Field) or target.chain != ["person_id"]

    def entity_expr(self, node) -> ast.Expr:
        parts: list[ast.Expr] = []
        event_filter = series_event_filter(node, self.team)
        if event_filter is not None:
            parts.append(event_filter)
        if node.properties:
            parts.append(property_to_expr(node.properties))
        if not parts:
            return ast.Constant(True)
        return parts[0] if len(parts) == 1 else ast.And(parts)

    def where(self) -> ast.Expr:
        parts: list[ast.Expr] = [
            ast.CompareOperation(
                ">=", ast.Field(["timestamp"]), datetime_constant(self.date_range.date_from_lower_bound())
            ),
            ast.CompareOperation("<=", ast.Field(["timestamp"]), datetime_constant(self.date_range.date_to())),
        ]
        nodes = list(self.query.series) + list(self.filter.exclusions or [])
        if self.order != "strict" and all(getattr(node, "event", None) is not None for node in nodes):
            names = sorted({node.event for node in nodes})
            parts.append(ast.CompareOperation("in", ast.Field(["event"]), ast.Tuple([ast.Constant(n) for n in names])))
        if self.query.properties:
            parts.append(property_to_expr(self.query.properties))
        if self.query.filterTestAccounts and self.team.test_account_filters:
            parts.append(property_to_expr(self.team.test_account_filters))
        return ast.And(parts)

    def breakdown_value_expr(self) -> ast.Expr:
        """An array with one string per breakdown; null becomes ''."""
        values: list[ast.Expr] = []
        for kind, prop in self.breakdowns:
            if kind not in BREAKDOWN_TYPES:
                raise QueryError(MULTIPLE_BREAKDOWN_TYPES_UNSUPPORTED.format(kind=kind))
            if not isinstance(prop, str):
                raise QueryError(BREAKDOWN_PROPERTY_UNSUPPORTED)
            if kind == "event":
                source: ast.Expr = ast.Field(["properties", prop])
            elif kind == "person":
                source = ast.Field(["person", "properties", prop])
            elif kind == "event_metadata":
                source = ast.Field([prop])
            else:
                source = parse_expr(prop)
            values.append(ast.Call("ifNull", [ast.Call("toString", [source]), ast.Constant("")]))
        return ast.Array(values)

    def period_expr(self) -> ast.Expr:
        truncated = self.date_range.interval_start(ast.Field(["timestamp"]))
        return ast.Call("formatDateTime", [truncated, ast.Constant(PERIOD_FORMAT)])

    def exclusion_tags(self) -> dict[int, list[int]]:
        """The 1-based steps each exclusion interrupts (0-based steps funnelFromStep+1 .. funnelToStep)."""
        return {
            index: [step + 1 for step in range(exclusion.funnelFromStep + 1, exclusion.funnelToStep + 1)]
            for index, exclusion in enumerate(self.filter.exclusions or [])
        }

    def steps_expr(self) -> X:
        """The event's step mask (see sequence.py): the steps it matches, else the exclusions it is."""
        mask = None
        for index, node in enumerate(self.query.series):
            bit = if_(self.entity_expr(node), 1 << index, 0)
            mask = bit if mask is None else mask + bit
        mask = call("toUInt64", mask)
        tags = self.exclusion_tags()
        if not tags:
            return mask
        exclusions = None
        for index, exclusion in enumerate(self.filter.exclusions or []):
            bits = sum(1 << (EXCLUSION_BIT_OFFSET + step) for step in tags[index])
            bit = if_(self.entity_expr(exclusion), bits, 0)
            exclusions = bit if exclusions is None else call("bitOr", exclusions, bit)
        return if_(mask.gt(0), mask, call("toUInt64", exclusions))

    def packed_expr(self) -> X:
        """The event as one UInt64: vectorised.Layout for the vectorised paths, greedy.packed_event for the fast one."""
        conditions = [wrap(self.entity_expr(node)) for node in self.query.series]
        if not self.vector_kind:
            return greedy.packed_event(self.steps, conditions)
        tags = self.exclusion_tags()
        exclusions = [
            (wrap(self.entity_expr(exclusion)), sum(1 << (step - 1) for step in tags[index]))
            for index, exclusion in enumerate(self.filter.exclusions or [])
        ]
        return self.layout.pack(conditions, exclusions)

    def events_query(self) -> ast.SelectQuery:
        """Level 1: packed events (fast and vectorised paths), or (ts, steps[, period]) for the fold."""
        packed = bool(self.vector_kind or self.fast)
        columns = [ast.Alias("aggregation_target", self.target())]
        if packed:
            columns.append(self.packed_expr().alias("packed"))
        else:
            columns += [call("toFloat64", field("timestamp")).alias("ts"), self.steps_expr().alias("steps")]
        if self.breakdowns:
            columns.append(ast.Alias("prop", self.breakdown_value_expr()))
        if self.trends and not packed:
            columns.append(ast.Alias("period", self.period_expr()))
        return select(columns, "events", where=self.where())

    # ---- level 2: each actor's events ------------------------------------------------------------

    @property
    def event_fields(self) -> list[str]:
        fields = ["ts", "steps"]
        if self.breakdowns:
            fields.append("prop")
        if self.trends:
            fields.append("period")
        return fields

    def field_index(self, name: str) -> int:
        return self.event_fields.index(name) + 1

    def fast_actors_query(self) -> ast.SelectQuery:
        packed = field("packed")
        conditions = [greedy.matches_any_step(self.steps, packed)]
        if self.custom_target:
            conditions.append(call("notEmpty", call("toString", field("aggregation_target"))))
        columns: list = [
            field("aggregation_target"),
            call("arraySort", call("groupArray", packed)).alias("events"),
        ]
        if self.breakdowns:
            columns.append(self.touch_prop(packed, has_value(field("prop"))).alias("variant"))
        return select(columns, self.events_query(), where=all_of(*conditions), group_by=[field("aggregation_target")])

    def fast_evaluation_query(self) -> ast.SelectQuery:
        carry = ["aggregation_target"] + (["variant"] if self.breakdowns else [])
        # Steps on distinct named events never share an event, so no event moves a path two steps at once.
        return greedy.best_path_levels(
            self.steps, self.window_seconds, self.fast_actors_query(), carry, exclusive_steps=self.exclusive_steps
        )

    def vectorised_actors_query(self) -> ast.SelectQuery:
        packed = field("packed")
        conditions = [] if self.order == "strict" else [self.layout.relevant(packed)]
        if self.custom_target:
            conditions.append(call("notEmpty", call("toString", field("aggregation_target"))))
        columns: list = [field("aggregation_target"), call("arraySort", call("groupArray", packed)).alias("events")]
        if self.per_value:
            # The breakdown value of each event, in the order of `events`.
            by_key = lam(lambda _p, k: k, "p", "k")
            props = call("arraySort", by_key, call("groupArray", field("prop")), call("groupArray", packed))
            columns.append(props.alias("props"))
        elif self.breakdowns:
            filled = has_value(field("prop")) & self.layout.is_step_event(packed)
            columns.append(self.touch_prop(packed, filled).alias("actor_prop" if self.trends else "variant"))
        where = all_of(*conditions) if conditions else None
        return select(columns, self.events_query(), where=where, group_by=[field("aggregation_target")])

    def touch_prop(self, packed: X, filled: X) -> X:
        """First and last touch on packed events: the breakdown value of the actor's first (last) event in packed
        order among those `filled`; '' per breakdown when none."""
        function = "argMinIf" if self.attribution == "first_touch" else "argMaxIf"
        value = call(function, field("prop"), packed, filled)
        return if_(call("empty", value), self.empty_prop(), value)

    def per_value_query(self, source) -> ast.SelectQuery:
        """All-events and step attribution: one row per actor and breakdown value (those of its step events, or of
        its events matching the attribution step), with the events evaluated for it: the events with that value
        (all events), or all events with the attribution step kept only on those with that value (step)."""
        layout, props, events = self.layout, field("props"), field("all_events")
        step = (self.filter.breakdownAttributionValue or 0) + 1 if self.attribution == "step" else None

        def chosen(_p: X, x: X) -> X:
            return layout.is_step_event(x) if step is None else layout.has_step(x, step)

        values = call("arrayDistinct", call("arrayFilter", lam(chosen, "p", "x"), props, field("events")))
        values = if_(call("empty", values), array(self.empty_prop()), values)
        columns = [
            field("aggregation_target"),
            call("arrayJoin", values).alias("variant"),
            field("events").alias("all_events"),
            props,
        ]
        source = select(columns, source)
        variant = field("variant")
        if step is None:
            own = call("arrayFilter", lam(lambda _x, p: p.eq(variant), "x", "p"), events, props)
        else:
            bit = layout.step_bit(step)

            def masked(x: X, p: X) -> X:
                return if_(
                    p.eq(variant) | not_(layout.has_step(x, step)), x, call("bitXor", x, call("toUInt64", 1 << bit))
                )

            own = call("arrayMap", lam(masked, "x", "p"), events, props)
        return select([field("aggregation_target"), variant, own.alias("events")], source)

    def vectorised_evaluation_query(self) -> ast.SelectQuery:
        source = self.vectorised_actors_query()
        if self.per_value:
            source = self.per_value_query(source)
        kind, layout, window = self.vector_kind, self.layout, self.window_seconds
        exclusion_steps = sorted({tag for tags in self.exclusion_tags().values() for tag in tags})
        if kind in ("trends", "strict_trends"):
            carry = ["aggregation_target"] + (["actor_prop"] if self.breakdowns else [])
            variant_of = (lambda period: tuple_(field("actor_prop"), period)) if self.breakdowns else None
            levels = vectorised.trends_levels if kind == "trends" else vectorised.strict_trends_levels
            return levels(layout, window, source, carry, self.period_of, variant_of)
        if kind in ("period_ordered", "period_unordered"):
            carry = ["aggregation_target"] + (["actor_prop"] if self.breakdowns else [])
            per_period = self.per_period_query(source, carry)
            if kind == "period_ordered":
                evaluated = vectorised.ordered_levels(
                    layout, window, per_period, [*carry, "period"], exclusion_steps, self.exclusive_steps
                )
            else:

                def in_period(x: X) -> X:
                    return self.period_of_event(x).eq(field("period"))

                evaluated = vectorised.unordered_levels(
                    layout, window, per_period, [*carry, "period"], bool(self.filter.exclusions), opens=in_period
                )
            period = field("period")
            variant = tuple_(field("actor_prop"), period) if self.breakdowns else period
            return select(
                [field("aggregation_target"), variant.alias("variant"), field("best"), field("excluded")], evaluated
            )
        carry = ["aggregation_target"] + (["variant"] if self.breakdowns else [])
        if kind == "unordered":
            return vectorised.unordered_levels(layout, window, source, carry, bool(self.filter.exclusions))
        if kind == "strict":
            return vectorised.strict_levels(layout, window, source, carry, exclusion_steps)
        if kind == "strict_shared":
            return vectorised.strict_shared_levels(layout, window, source, carry, exclusion_steps)
        return vectorised.ordered_levels(layout, window, source, carry, exclusion_steps, self.exclusive_steps)

    def period_of_event(self, packed: X) -> X:
        """The entrance period of a packed event, formatted as the trends aggregation reads it."""
        seconds = call("intDiv", self.layout.time(packed), vectorised.MICROS)
        return call("formatDateTime", self.period_of(seconds), PERIOD_FORMAT)

    def per_period_query(self, source, carry: list[str]) -> ast.SelectQuery:
        """Funnel trends evaluated per entrance period, as the fold does: one row per actor and period of its entry
        events (`period`): step-1 events, or any step event for unordered funnels (whose evaluation then only opens
        windows at events of that period). Ordered funnels keep the step-1 match only on the events of the period.
        The order of the events is untouched, so ties stay as the fold sees them."""
        layout, events = self.layout, field("events")
        unordered = self.order == "unordered"

        def entry(x: X) -> X:
            return layout.is_step_event(x) if unordered else layout.has_step(x, 1)

        entries = call("arrayFilter", lam(entry, "x"), events)
        periods = call("arrayDistinct", call("arrayMap", lam(self.period_of_event, "x"), entries))
        columns = [*(field(name) for name in carry), call("arrayJoin", periods).alias("period")]
        if unordered:
            return select([*columns, events], source)
        expanded = select([*columns, events.alias("all_events")], source)
        step_1 = call("toUInt64", 1 << layout.step_bit(1))

        def own(x: X) -> X:
            elsewhere = layout.has_step(x, 1) & self.period_of_event(x).ne(field("period"))
            return if_(elsewhere, call("bitXor", x, step_1), x)

        own_events = call("arrayMap", lam(own, "x"), field("all_events"))
        return select([*(field(name) for name in carry), field("period"), own_events.alias("events")], expanded)

    def period_of(self, seconds: X) -> X:
        """The entrance period (DateTime or Date in the team's timezone) of a time in seconds since the epoch."""
        return wrap(self.date_range.interval_start(call("fromUnixTimestamp", seconds).node))

    def actors_query(self) -> ast.SelectQuery:
        conditions = []
        if self.order != "strict":
            conditions.append(field("steps").ne(0))
        if self.custom_target:
            conditions.append(call("notEmpty", call("toString", field("aggregation_target"))))
        events = call("groupArray", tuple_(*(field(name) for name in self.event_fields)))
        return select(
            [field("aggregation_target"), call("arraySort", events).alias("events_array")],
            self.events_query(),
            where=all_of(*conditions) if conditions else None,
            group_by=[field("aggregation_target")],
        )

    # ---- level 3: each actor's evaluation ---------------------------------------------------------

    def actor_prop(self) -> X | None:
        """The one breakdown value of an actor for first and last touch attribution; '' when none is set."""
        if not self.breakdowns or self.attribution not in ("first_touch", "last_touch"):
            return None
        i = self.field_index("prop")

        def filled(x: X) -> X:
            return is_step_event(x.t(2)) & has_value(x.t(i))

        function = "arrayFirst" if self.attribution == "first_touch" else "arrayLast"
        value = call(function, lam(filled, "x"), field("events_array")).t(i)
        return if_(call("empty", value), self.empty_prop(), value)

    def empty_prop(self) -> X:
        return array(*([""] * len(self.breakdowns)))

    def variants(self) -> X | None:
        """The (breakdown value | entrance period | both) each actor is evaluated for, one row per item."""
        if not self.breakdowns and not self.trends:
            return None
        events = field("events_array")
        actor_prop = self.actor_prop()
        if not self.trends:
            if actor_prop is not None:
                return array(actor_prop)
            i = self.field_index("prop")
            if self.attribution == "step":
                step = (self.filter.breakdownAttributionValue or 0) + 1
                chosen = call("arrayFilter", lam(lambda x: has_step(x.t(2), step), "x"), events)
            else:
                chosen = call("arrayFilter", lam(lambda x: is_step_event(x.t(2)), "x"), events)
            values = call("arrayDistinct", call("arrayMap", lam(lambda x: x.t(i), "x"), chosen))
            return if_(call("empty", values), array(self.empty_prop()), values)
        if self.order == "unordered":
            entries = call("arrayFilter", lam(lambda x: is_step_event(x.t(2)), "x"), events)
        else:
            entries = call("arrayFilter", lam(lambda x: has_step(x.t(2), 1), "x"), events)
        period = self.field_index("period")
        if not self.breakdowns:
            return call("arrayDistinct", call("arrayMap", lam(lambda x: x.t(period), "x"), entries))
        if self.attribution == "step":
            raise QueryError(TRENDS_STEP_ATTRIBUTION_UNSUPPORTED)
        i = self.field_index("prop")
        if actor_prop is not None:
            pairs = lam(lambda x: tuple_(actor_prop, x.t(period)), "x")
        else:
            pairs = lam(lambda x: tuple_(x.t(i), x.t(period)), "x")
        return call("arrayDistinct", call("arrayMap", pairs, entries))

    def shape(self) -> Shape:
        shape = Shape(
            steps=self.steps,
            window_seconds=self.window_seconds,
            order=self.order,
            optional={index for index, node in enumerate(self.query.series) if node.optionalInFunnel},
            exclusion_steps={tag for tags in self.exclusion_tags().values() for tag in tags},
        )
        variant = field("variant")
        if self.breakdowns:
            shape.prop_index = self.field_index("prop")
            shape.variant_prop = variant.t(1) if self.trends else variant
            if self.attribution == "step":
                shape.attribution_step = (self.filter.breakdownAttributionValue or 0) + 1
        if self.trends:
            shape.period_index = self.field_index("period")
            shape.variant_period = variant.t(2) if self.breakdowns else variant
        return shape

    def evaluation_query(self) -> ast.SelectQuery:
        if self.fast:
            return self.fast_evaluation_query()
        if self.vector_kind:
            return self.vectorised_evaluation_query()
        shape = self.shape()
        variants = self.variants()
        events = field("events_array")
        if self.breakdowns and self.attribution == "all_events":
            events = call(
                "arrayFilter", lam(lambda x: x.t(shape.prop_index).eq(shape.variant_prop), "x"), field("events_array")
            )
        if self.order == "unordered":
            state = unordered_state(shape, events)
        else:
            # Entry masks (breakdown per event, entrance periods) make repeats differ: only compress without them.
            masked = self.trends or (self.breakdowns and self.attribution in ("all_events", "step"))
            state = ordered_state(shape, events if masked else without_repeats(events, shape))
        columns: list = [field("aggregation_target")]
        if variants is not None:
            columns.append(call("arrayJoin", variants).alias("variant"))
        columns.append(state.alias("state"))
        inner = select(columns, self.actors_query())
        state_field = field("state")
        outer: list = [field("aggregation_target")]
        if variants is not None:
            outer.append(field("variant"))
        outer += [best_of(state_field, self.steps).alias("best"), state_field.t(3).alias("excluded")]
        return select(outer, inner)
