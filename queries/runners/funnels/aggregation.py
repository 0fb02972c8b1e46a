"""The last level of a funnel query, one per visualisation: step counts and conversion times, time-to-convert
samples, and conversion per entrance period (spec §3.9). Each reads the per-actor `best` path of the builder.
"""

from queries.hogql import ast
from queries.runners.funnels.expr import X, call, const, field, flags_all, if_, lam, select
from queries.runners.funnels.query_builder import FunnelQueryBuilder
from queries.runners.funnels.results import OTHER


def breakdown_column(builder: FunnelQueryBuilder, top_values: list | None) -> X:
    """The actor's breakdown value; values outside `top_values` (when given) become `Other` (spec §3.9)."""
    value = field("variant").t(1) if builder.trends else field("variant")
    if top_values is None:
        return value
    named = ast.Array([ast.Array([ast.Constant(str(item)) for item in top]) for top in top_values])
    other = call("arrayMap", lam(lambda _b: const(OTHER), "b"), value)
    return if_(call("has", named, value), value, other)


def kept() -> X:
    """Actors that entered the funnel and hit no exclusion."""
    return flags_all(field("excluded").eq(0), call("notEmpty", field("best")))


def steps_query(builder: FunnelQueryBuilder, top_values: list | None = None) -> ast.SelectQuery:
    """Per breakdown value: actors at each step, and the average and median time from the previous step.

    One SELECT over the evaluation: each conversion time is written out where it is aggregated (ClickHouse
    computes a repeated expression once), as a SELECT of its own costs analysis time on every query.
    """
    n = builder.steps
    best = field("best")
    optional = any(node.optionalInFunnel for node in builder.query.series)

    def reached(i: int) -> X:
        """The path went through step i (0-based); skipped optional steps hold -1 (only they do)."""
        if not optional:
            return call("length", best).gt(i)
        return flags_all(call("length", best).gt(i), best[i + 1].ge(0))

    def timing(i: int) -> X:
        """Seconds from the step before step i (0-based) to step i; 0 when the path did not get there."""
        if optional:
            # The time since the closest earlier step the path went through (skipped steps hold -1).
            earlier = call("arrayFilter", lam(lambda t: t.ge(0), "t"), call("arraySlice", best, 1, i))
            previous = call("arrayMax", earlier)
        else:
            previous = best[i]
        return if_(reached(i), best[i + 1] - previous, 0.0)

    columns: list = []
    if builder.breakdowns:
        columns.append(breakdown_column(builder, top_values).alias("breakdown_value"))
    for i in range(n):
        columns.append(call("countIf", reached(i)).alias(f"step_{i}"))
    for i in range(1, n):
        positive = timing(i).gt(0)
        columns.append(call("avgIf", timing(i), positive).alias(f"average_time_{i}"))
        columns.append(call("quantileIf", timing(i), positive, params=[0.5]).alias(f"median_time_{i}"))
    group_by = [field("breakdown_value")] if builder.breakdowns else None
    return select(columns, builder.evaluation_query(), where=kept(), group_by=group_by)


def from_to_steps(builder: FunnelQueryBuilder) -> tuple[int, int]:
    from_step = builder.filter.funnelFromStep or 0
    to_step = builder.filter.funnelToStep if builder.filter.funnelToStep is not None else builder.steps - 1
    return from_step, to_step


def time_to_convert_query(builder: FunnelQueryBuilder) -> ast.SelectQuery:
    """The conversion time (seconds) from funnelFromStep to funnelToStep of every actor who got there."""
    from_step, to_step = from_to_steps(builder)
    best = field("best")
    sample = best[to_step + 1] - best[from_step + 1]
    where = field("excluded").eq(0) & call("length", best).gt(to_step)
    return select([call("groupArray", sample).alias("samples")], builder.evaluation_query(), where=where)


def trends_query(builder: FunnelQueryBuilder, top_values: list | None = None) -> ast.SelectQuery:
    """Per entrance period (and breakdown value): actors reaching funnelFromStep and funnelToStep."""
    from_step, to_step = from_to_steps(builder)
    variant = field("variant")
    columns: list = [(variant.t(2) if builder.breakdowns else variant).alias("entrance_period_start")]
    group = [field("entrance_period_start")]
    if builder.breakdowns:
        columns.append(breakdown_column(builder, top_values).alias("breakdown_value"))
        group.append(field("breakdown_value"))
    length = call("length", field("best"))
    columns += [
        call("countIf", length.ge(from_step + 1)).alias("reached_from_step_count"),
        call("countIf", length.ge(to_step + 1)).alias("reached_to_step_count"),
    ]
    return select(columns, builder.evaluation_query(), where=field("excluded").eq(0), group_by=group, order_by=group)
