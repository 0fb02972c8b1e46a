"""Retention with `timeWindowMode: "24_hour_windows"` (spec §3.10), PostHog's rolling-interval retention.

Each actor has one start moment t_0: their first target event inside the range (recurring), or their first target
event ever (first-time kinds, where for `retention_first_ever_occurrence` the first event of the target's kind must
pass the entity's filters). The cohort is `floor(<units from date_from to t_0> / n)` and a returning event at or after
t_0 lands in window `floor(<units from t_0 to it> / n)`, with (unit, n) = (hour, 1) for Hour, (hour, 24) for Day,
(day, 7) for Week and (day, 30) for Month. Units are ClickHouse `dateDiff` units in the team's timezone, so they count
hour or day boundaries crossed, not elapsed time: 10:45 to 10:10 the next day is 24 hours, window 1.

`dateDiff(unit, a, b)` is the difference of the two moments' unit numbers, so each event keeps only its unit number
counted from date_from and the distance to t_0 is a subtraction once t_0 is known. Index 0 counts every cohort
member; minimumOccurrences plays no part. Actors whose t_0 falls outside the cohorts still give an index 0 row in
cohort -1, which the response never shows but which, as in PostHog, counts when breakdown values are ranked.
"""

from queries.hogql import ast
from queries.hogql.builders import datetime_constant
from queries.hogql.parser import parse_select
from queries.runners.retention.date_range import RetentionDateRange
from queries.runners.retention.sql import (
    RETENTION_WINDOWS_BREAKDOWN_QUERY,
    RETENTION_WINDOWS_QUERY,
    call,
    compare,
    field,
    is_moment,
    lambda_,
    substitute,
    valid_min,
)

# (dateDiff unit, units per window) per period.
WINDOWS = {"hour": ("hour", 1), "day": ("hour", 24), "week": ("day", 7), "month": ("day", 30)}
OUTSIDE = -1


def unit_number(runner, date_range: RetentionDateRange, moment: ast.Expr) -> ast.Expr:
    """The hour or day boundaries (in the team's timezone) crossed from date_from to a moment."""
    unit, _ = WINDOWS[date_range.interval]
    start = datetime_constant(date_range.date_from())
    return call("dateDiff", ast.Constant(unit), start, moment, ast.Constant(runner.team.timezone))


def window_aggregates(runner, date_range: RetentionDateRange) -> list[tuple[str, ast.Expr, str]]:
    """Per actor (and breakdown value): the first target event, for first-ever the first event of the target's
    kind, the unit numbers of returning events, and with a breakdown the last event (a value counts for an actor
    only when one of its events is at or after t_0)."""
    timestamp = field("timestamp")
    target = runner.entity_expr("targetEntity")
    only_target = runner.where_selects_only_target()
    first = call("min", timestamp) if only_target else call("minIf", timestamp, target)
    columns: list[tuple[str, ast.Expr, str]] = [("first_target", first, "min")]
    if runner.retention_type == "retention_first_ever_occurrence":
        of_kind = runner.entity_expr("targetEntity", with_properties=False)
        columns.append(("first_of_kind", call("minIf", timestamp, of_kind), "min"))
    units = unit_number(runner, date_range, timestamp)
    if only_target and runner.same_entities:
        returns = call("groupUniqArray", units)
    else:
        returns = call("groupUniqArrayIf", units, runner.entity_expr("returningEntity"))
    columns.append(("return_units", returns, "uniq"))
    if runner.breakdown() is not None and runner.retention_type != "retention_first_ever_occurrence":
        columns.append(("last_seen", call("max", timestamp), "max"))
    return columns


def build_windows_query(runner, date_range: RetentionDateRange) -> ast.SelectQuery:
    _, size = WINDOWS[date_range.interval]
    date_from = datetime_constant(date_range.date_from())
    cohorts = date_range.intervals_between()
    actors = runner.actors_query(date_range)
    first_ever = runner.retention_type == "retention_first_ever_occurrence"
    breakdown = runner.breakdown() is not None

    t0_unit = field("t0_unit")
    cohort = call("intDiv", t0_unit, ast.Constant(size))
    inside = ast.And([compare(">=", field("t_0"), date_from), compare("<", cohort, ast.Constant(cohorts))])
    start = call("if", inside, cohort, ast.Constant(OUTSIDE))

    def windows(returns: ast.Expr) -> ast.Expr:
        distance = ast.ArithmeticOperation("-", field("u"), t0_unit)
        later = call("arrayFilter", lambda_(["u"], compare(">=", field("u"), t0_unit)), returns)
        indices = call("arrayMap", lambda_(["u"], call("intDiv", distance, ast.Constant(size))), later)
        shown = ast.And(
            [
                compare(">", field("k"), ast.Constant(0)),
                compare("<", field("k"), ast.Constant(runner.value_count)),
                compare(">=", field("start_interval_index"), ast.Constant(0)),
            ]
        )
        counted = call("arrayFilter", lambda_(["k"], shown), indices)
        return call("arrayDistinct", call("arrayConcat", ast.Array([ast.Constant(0)]), counted))

    if not breakdown or first_ever:
        member = compare("==", field("first_target"), field("first_of_kind")) if first_ever else None
        placeholders: dict[str, ast.Expr] = {
            "t_0": field("first_target"),
            "t0_unit": unit_number(runner, date_range, field("first_target")),
            "start": start,
            "windows": windows(field("return_units")),
            "actors": actors,
        }
        if breakdown:
            # First-ever: one value per actor, the one on their first event of the target's kind; returns of all.
            kind = field("a", "first_of_kind")  # the column, not the alias below
            per_actor = ast.SelectQuery(
                select=[
                    ast.Alias("actor_id", field("actor_id")),
                    ast.Alias("first_target", valid_min(field("first_target"))),
                    ast.Alias("first_of_kind", valid_min(field("first_of_kind"))),
                    ast.Alias(
                        "breakdown_value",
                        call("argMinIf", field("breakdown_value"), kind, is_moment(kind)),
                    ),
                    ast.Alias(
                        "return_units",
                        call("arrayDistinct", call("arrayFlatten", call("groupArray", field("return_units")))),
                    ),
                ],
                select_from=ast.JoinExpr(table=actors, alias="a"),
                group_by=[field("actor_id")],
            )
            placeholders["actors"] = per_actor
        text = RETENTION_WINDOWS_QUERY.format(breakdown="breakdown_value, " if breakdown else "")
        query = substitute(parse_select(text, internal=True), placeholders)
        if member is not None:
            # First-ever: only actors whose first event of the target's kind passes the entity's filters.
            query.select_from.table.where = member
        return query

    # A breakdown: t_0 over all of an actor's values, then each value with an event at or after t_0.
    entry = field("entry")
    per_value = ast.Tuple([field("breakdown_value"), field("return_units"), field("last_seen")])
    placeholders = {
        "t_0": valid_min(field("first_target")),
        "per_value": call("groupArray", per_value),
        "t0_unit": unit_number(runner, date_range, field("t_0")),
        "start": start,
        "entries": call(
            "arrayFilter",
            lambda_(["x"], compare(">=", call("tupleElement", field("x"), ast.Constant(3)), field("t_0"))),
            field("per_value"),
        ),
        "value": call("tupleElement", entry, ast.Constant(1)),
        "windows": windows(call("tupleElement", entry, ast.Constant(2))),
        "actors": actors,
    }
    return substitute(parse_select(RETENTION_WINDOWS_BREAKDOWN_QUERY, internal=True), placeholders)
