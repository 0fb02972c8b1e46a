"""The actors of one retention cohort row (spec actors-cohorts §2.5): the same per-actor cohort periods and return
distances the chart counts, kept for the clicked start interval, with one boolean column per return period."""

from queries.hogql import ast
from queries.hogql.errors import QueryError
from queries.hogql.parser import parse_select
from queries.runners.common.cohorts import cohort_breakdown_values, restricted_to_cohort
from queries.runners.retention.sql import call, compare, field, substitute

# {breakdown} is `breakdown_value, ` when the query breaks down.
RETENTION_ACTORS_QUERY = """
SELECT
    actor_id,
    {breakdown}arrayJoin({{starts}}) AS start_interval_index,
    arrayJoin({{intervals}}) AS intervals_from_base
FROM {{actors}}
"""


def cells_query(runner, date_range) -> ast.SelectQuery:
    """(actor, [breakdown value,] start interval, return distance) rows, as the chart's query counts them."""
    if runner.rolling_windows:
        return runner.build(date_range).select_from.table
    breakdown = "" if runner.breakdown() is None else "breakdown_value, "
    placeholders = {
        "starts": runner.starts_expr(date_range),
        "intervals": runner.intervals_expr(),
        "actors": runner.actors_query(date_range),
    }
    return substitute(parse_select(RETENTION_ACTORS_QUERY.format(breakdown=breakdown), internal=True), placeholders)


def retention_actors_query(runner, node) -> ast.SelectQuery:
    """Actors whose cohort is start interval `node.interval` (default 0), their `appearances` and `<period>_<i>`."""
    if cohort_breakdown_values(runner.query) is not None:
        value = node.breakdown[0] if isinstance(node.breakdown, list) and node.breakdown else node.breakdown
        cohort = "all" if value in (None, 0, "0", "all") else int(value)
        restricted = type(runner)(restricted_to_cohort(runner.query, cohort), runner.team)
        return retention_actors_query(restricted, node.model_copy(update={"breakdown": None}))
    runner.validate()
    date_range = runner.query_date_range()
    interval = node.interval or 0
    if interval < 0:
        raise QueryError("interval must be a non-negative cohort index.")
    conditions: list[ast.Expr] = [compare("==", field("start_interval_index"), ast.Constant(int(interval)))]
    if node.breakdown is not None and runner.breakdown() is not None:
        value = "::".join(node.breakdown) if isinstance(node.breakdown, list) else str(node.breakdown)
        conditions.append(compare("==", field("breakdown_value"), ast.Constant(value)))
    appearances = field("appearance_intervals")
    select: list[ast.Expr] = [
        field("actor_id"),
        ast.Alias("appearance_intervals", call("groupArray", field("intervals_from_base"))),
        ast.Alias("appearances", call("arraySort", appearances)),
    ]
    period = runner.period_label.lower()
    for index in range(runner.value_count):
        select.append(ast.Alias(f"{period}_{index}", call("has", appearances, ast.Constant(index))))
    return ast.SelectQuery(
        select=select,
        select_from=ast.JoinExpr(table=cells_query(runner, date_range), alias="cells"),
        where=conditions[0] if len(conditions) == 1 else ast.And(conditions),
        group_by=[field("actor_id")],
    )
