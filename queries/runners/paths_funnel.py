"""Funnel paths (spec §1.8, §3.13): a PathsQuery restricted to the actors of a funnel and to the events before,
after or between their funnel steps.

The funnel's own evaluation (`FunnelQueryBuilder.evaluation_query()`, over the funnel's own date range and filters)
gives each actor's reported path `best` (seconds per reached step). The actors of `funnelStep` are joined to the
paths events by person; each event is then kept by its time relative to the actor's step times:

- `funnel_path_before_step`: at or before the target step;
- `funnel_path_after_step`: at or after the target step; for a drop-off (negative step) at or after the last
  reached step plus the conversion window;
- `funnel_path_between_steps`: between the step before the target step and the target step.

`funnelStep` is 1-based: `n > 0` takes the actors who reached step n (target step n); `n <= -2` takes those who
reached step |n|-1 and no further (target step |n|-1, the last one they reached). Sessions are split at gaps of one
conversion window instead of 30 minutes.
"""

from datetime import datetime

from queries.hogql import ast
from queries.hogql.errors import QueryError
from queries.runners.funnels.expr import X, call, field, select
from queries.runners.funnels.runner import FunnelsQueryRunner

PATH_TYPES = ("funnel_path_before_step", "funnel_path_between_steps", "funnel_path_after_step")
DEFAULT_WINDOW_INTERVAL = 14
UNIT_INTERVALS = {
    "second": "toIntervalSecond",
    "minute": "toIntervalMinute",
    "hour": "toIntervalHour",
    "day": "toIntervalDay",
    "week": "toIntervalWeek",
    "month": "toIntervalMonth",
}
UNIT_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 7 * 86400}
ACTORS_ALIAS = "funnel_actors"
MISSING_TYPE = "Funnel paths need a funnelPathType: one of " + ", ".join(PATH_TYPES) + "."
MISSING_STEP = "Funnel paths need a funnelStep (1-based; negative for the actors who dropped off before it)."
STEP_RANGE = (
    "Funnel paths: funnelStep must be between 1 and {steps}, or between -{steps} and -2 for drop-offs "
    "(-2 is the actors who did the first step but not the second)."
)
SOURCE_ERROR = "Funnel paths source: {detail}"


def window_seconds_from_2018(interval: int, unit: str) -> int:
    """`interval` units as seconds counted from 2018-01-01 (months are calendar months from January 2018)."""
    if unit != "month":
        return interval * UNIT_SECONDS[unit]
    start = datetime(2018, 1, 1)
    year, month = 2018 + interval // 12, 1 + interval % 12
    return int((datetime(year, month, 1) - start).total_seconds())


class FunnelPaths:
    """The funnel part of a PathsQuery: the session gap, and the join and event conditions of the paths events."""

    def __init__(self, runner):
        self.runner = runner
        self.paths_filter = runner.query.funnelPathsFilter
        self.source = self.paths_filter.funnelSource
        self.funnels_filter = self.source.funnelsFilter
        self.validate()

    # ---- settings ---------------------------------------------------------------------------------

    @property
    def path_type(self) -> str:
        return self.paths_filter.funnelPathType

    @property
    def step(self) -> int:
        return self.paths_filter.funnelStep

    @property
    def steps(self) -> int:
        return len(self.source.series)

    @property
    def unit(self) -> str:
        unit = self.funnels_filter.funnelWindowIntervalUnit if self.funnels_filter else None
        return unit or "day"

    @property
    def window_interval(self) -> int:
        interval = self.funnels_filter.funnelWindowInterval if self.funnels_filter else None
        return interval or DEFAULT_WINDOW_INTERVAL

    @property
    def session_gap_seconds(self) -> int:
        """Sessions split at gaps of one conversion window (14 days when the funnel sets no interval)."""
        if not (self.funnels_filter and self.funnels_filter.funnelWindowInterval):
            return DEFAULT_WINDOW_INTERVAL * UNIT_SECONDS["day"]
        return window_seconds_from_2018(self.window_interval, self.unit)

    @property
    def target_index(self) -> int:
        """The 0-based target step: n-1 for step n, |n|-2 (the last step reached) for a drop-off before |n|."""
        return self.step - 1 if self.step > 0 else -self.step - 2

    def validate(self) -> None:
        if self.path_type not in PATH_TYPES:
            raise QueryError(MISSING_TYPE)
        if self.step is None:
            raise QueryError(MISSING_STEP)
        steps = self.steps
        if not (1 <= self.step <= steps or -steps <= self.step <= -2):
            raise QueryError(STEP_RANGE.format(steps=max(steps, 2)))

    # ---- the funnel's actors ----------------------------------------------------------------------

    def funnel_runner(self) -> FunnelsQueryRunner:
        """The source funnel as a steps funnel without breakdown: each actor once, with their reported path."""
        query = self.source.model_copy(update={"breakdownFilter": None})
        filters = query.funnelsFilter.model_copy(update={"funnelVizType": "steps"}) if query.funnelsFilter else None
        query = query.model_copy(update={"funnelsFilter": filters})
        runner = FunnelsQueryRunner(query, self.runner.team)
        runner.now = self.runner.now
        return runner

    def actors_query(self) -> ast.SelectQuery:
        """Per actor of `funnelStep`: the target step's time and the previous step's, in epoch milliseconds.

        A step the path did not go through (a skipped optional step, or the one before the first) reads as 0,
        the epoch, as PostHog's empty matched events do.
        """
        try:
            builder, _ = self.funnel_runner().prepared()
            evaluation = builder.evaluation_query()
        except QueryError as error:
            raise QueryError(SOURCE_ERROR.format(detail=error)) from None
        best = field("best")
        reached = call("length", best)
        in_step = reached.ge(self.step) if self.step > 0 else reached.eq(-self.step - 1)
        where = field("excluded").eq(0) & call("notEmpty", best) & in_step
        index = self.target_index

        def milliseconds(position: int) -> X:
            seconds = call("greatest", best[position], 0.0)
            return call("toInt64", call("floor", call("multiply", seconds, 1000.0) + 0.0005))

        columns = [
            field("aggregation_target").alias("actor_id"),
            milliseconds(index + 1).alias("target_ms"),
            milliseconds(index).alias("previous_ms"),
        ]
        return select(columns, evaluation, where=where)

    # ---- the paths events -------------------------------------------------------------------------

    def event_condition(self) -> ast.Expr:
        event_ms = call("toUnixTimestamp64Milli", field("timestamp"))
        target = field(ACTORS_ALIAS, "target_ms")
        if self.path_type == "funnel_path_before_step":
            return event_ms.le(target).node
        if self.path_type == "funnel_path_between_steps":
            return (event_ms.ge(field(ACTORS_ALIAS, "previous_ms")) & event_ms.le(target)).node
        if self.step < 0:
            moment = call("fromUnixTimestamp64Milli", target, "UTC")
            shifted = moment + call(UNIT_INTERVALS[self.unit], self.window_interval)
            return event_ms.ge(call("toUnixTimestamp64Milli", shifted)).node
        return event_ms.ge(target).node

    def restrict(self, events: ast.SelectQuery) -> None:
        """Join the paths events (`events AS e`) to the funnel's actors and keep the events around their steps."""
        assert events.select_from is not None and events.where is not None  # built by PathsQueryRunner.build
        events.select_from.next_join = ast.JoinExpr(
            table=self.actors_query(),
            alias=ACTORS_ALIAS,
            join_type="INNER JOIN",
            constraint=ast.JoinConstraint(
                ast.CompareOperation("==", ast.Field(["e", "person_id"]), ast.Field([ACTORS_ALIAS, "actor_id"])),
                "ON",
            ),
        )
        condition = self.event_condition()
        where = events.where
        events.where = ast.And([*where.exprs, condition]) if isinstance(where, ast.And) else ast.And([where, condition])
