"""The actors of a funnel step, a breakdown value or a funnel-trends period (spec actors-cohorts §2.7): the funnel's
own per-actor evaluation (`best` path, exclusions, variants), filtered instead of counted."""

from queries.hogql import ast
from queries.hogql.errors import QueryError
from queries.runners.common.actors import parse_day, period_texts
from queries.runners.common.cohorts import cohort_breakdown_values, restricted_to_cohort
from queries.runners.common.date_range import start_of_interval
from queries.runners.funnels import aggregation
from queries.runners.funnels.expr import X, any_of, call, const, field, flags_all, select
from queries.runners.funnels.results import OTHER

MISSING_STEP = "Missing both funnelStep and funnelCustomSteps"
MISSING_DROP_OFF = "Actors parameter `funnelTrendsDropOff` must be provided for funnel trends persons!"
MISSING_PERIOD = "Actors parameter `funnelTrendsEntrancePeriodStart` must be provided funnel trends persons!"
BAD_PERIOD = "Actors parameter `funnelTrendsEntrancePeriodStart` must be a valid relative date string!"


def reached(builder, steps: int) -> X:
    """The actor's path went through `steps` steps (1-based count): as steps_query counts step `steps - 1`."""
    best = field("best")
    if steps <= 0:
        return const(1)
    if not any(node.optionalInFunnel for node in builder.query.series):
        return call("length", best).ge(steps)
    return flags_all(call("length", best).ge(steps), best[steps].ge(0))


def last_step_is(builder, steps: int) -> X:
    """The path went exactly `steps` steps far (reached them, not the next)."""
    return flags_all(reached(builder, steps), call("not", reached(builder, steps + 1)))


def step_condition(builder, node) -> X:
    if node.funnelCustomSteps:
        parts = [last_step_is(builder, step) for step in node.funnelCustomSteps]
        return any_of(*parts)
    if node.funnelStep is None:
        raise QueryError(MISSING_STEP)
    step = node.funnelStep
    if step > 0:
        return reached(builder, step)
    if step < -1:
        return last_step_is(builder, -step - 1)
    return const(1 if step == 0 else 0)


def breakdown_condition(runner, builder, value) -> X | None:
    """The actor's breakdown value is `value` (a list per breakdown, or one value); Other: values past the limit."""
    if value is None or not builder.breakdowns:
        return None
    values = [str(item) for item in (value if isinstance(value, list) else [value])]
    top = None
    if values == [OTHER] * len(values):
        date_range = runner.resolved_date_range()
        ranking = runner.builder(date_range, viz="steps")
        top = runner.top_breakdown_values(runner.execute(aggregation.steps_query(ranking)).results)
    column = aggregation.breakdown_column(builder, top)
    return column.eq(X(ast.Array([ast.Constant(item) for item in values])))


def trends_condition(builder, node, timezone: str) -> X:
    """Funnel trends: entered in the clicked period, and converted (or dropped off when `funnelTrendsDropOff`)."""
    if node.funnelTrendsDropOff is None:
        raise QueryError(MISSING_DROP_OFF)
    if node.funnelTrendsEntrancePeriodStart is None:
        raise QueryError(MISSING_PERIOD)
    try:
        moment = parse_day(node.funnelTrendsEntrancePeriodStart, timezone)
    except QueryError:
        raise QueryError(BAD_PERIOD) from None
    date_range = builder.date_range
    start = start_of_interval(moment, date_range.interval, date_range.week_start_day)
    variant = field("variant")
    period = call("toString", variant.t(2) if builder.breakdowns else variant)
    in_period = period.node
    texts = ast.Tuple([ast.Constant(text) for text in period_texts(start)])
    entered = X(ast.CompareOperation("in", in_period, texts))
    from_step, to_step = aggregation.from_to_steps(builder)
    converted = call("length", field("best")).ge(to_step + 1)
    started = call("length", field("best")).ge(from_step + 1)
    outcome = flags_all(started, call("not", converted)) if node.funnelTrendsDropOff else converted
    return flags_all(entered, outcome)


def funnel_actors_query(runner, node) -> ast.SelectQuery:
    compare = runner.query.compareFilter
    if node.compare == "previous" and compare is not None and compare.compare:
        return funnel_actors_query(runner.previous_period_runner(), node.model_copy(update={"compare": None}))
    if cohort_breakdown_values(runner.query) is not None:
        # A cohort breakdown value is the funnel of that cohort's members (no value: all users).
        value = node.funnelStepBreakdown
        value = value[0] if isinstance(value, list) and value else value
        cohort = "all" if value in (None, 0, "0", "all", []) else int(value)
        restricted = type(runner)(restricted_to_cohort(runner.query, cohort), runner.team)
        restricted.now, restricted.period_override = runner.now, runner.period_override
        return funnel_actors_query(restricted, node.model_copy(update={"funnelStepBreakdown": None}))
    builder, _date_range = runner.prepared()
    if builder.trends:
        conditions = [field("excluded").eq(0), trends_condition(builder, node, runner.team.timezone)]
    else:
        conditions = [aggregation.kept(), step_condition(builder, node)]
    breakdown = breakdown_condition(runner, builder, node.funnelStepBreakdown)
    if breakdown is not None:
        conditions.append(breakdown)
    return select(
        [field("aggregation_target").alias("actor_id")],
        builder.evaluation_query(),
        where=flags_all(*conditions),
        group_by=[field("actor_id")],
    )
