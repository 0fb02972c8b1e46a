"""The HogQL text of retention and the small tree helpers the runner builds it with."""

import copy
from datetime import UTC, datetime

from queries.hogql import ast
from queries.hogql.builders import datetime_constant

# Each cohort period of an actor with the distances (intervals_from_base) to their later returns, then the actors
# per (cohort, distance). An actor is one row per pair, so count() counts distinct actors. {{starts}} and
# {{intervals}} are expressions over the per-actor columns of {{actors}}; values travel as placeholders.
RETENTION_QUERY = """
SELECT {breakdown}start_interval_index, intervals_from_base, count() AS count
FROM (
    SELECT
        actor_id,
        {breakdown}arrayJoin({{starts}}) AS start_interval_index,
        arrayJoin({{intervals}}) AS intervals_from_base
    FROM {{actors}}
)
GROUP BY {breakdown}start_interval_index, intervals_from_base
ORDER BY {breakdown}start_interval_index, intervals_from_base
"""
# With aggregationType sum or avg: {{cells}} is, per actor and cohort period, one (intervals_from_base, value) tuple
# per counted event. count is still distinct actors; {aggregation} is sum(value), or that divided by the actors.
RETENTION_AGGREGATION_QUERY = """
SELECT {breakdown}start_interval_index, intervals_from_base, count(DISTINCT actor_id) AS count,
    {aggregation} AS aggregation_value
FROM (
    SELECT
        actor_id,
        {breakdown}start_interval_index,
        tupleElement(cell, 1) AS intervals_from_base,
        tupleElement(cell, 2) AS value
    FROM (
        SELECT actor_id, {breakdown}arrayJoin({{starts}}) AS start_interval_index, arrayJoin({{cells}}) AS cell
        FROM {{actors}}
    )
)
GROUP BY {breakdown}start_interval_index, intervals_from_base
ORDER BY {breakdown}start_interval_index, intervals_from_base
"""
# 24 hour windows (windows.py): one start moment t_0 per actor, its cohort {{start}} (-1 outside the cohorts) and the
# windows of the actor's returns after it. {breakdown} is only the first-ever breakdown: one value per actor.
RETENTION_WINDOWS_QUERY = """
SELECT {breakdown}start_interval_index, intervals_from_base, count() AS count
FROM (
    SELECT
        actor_id,
        {breakdown}{{t_0}} AS t_0,
        {{t0_unit}} AS t0_unit,
        {{start}} AS start_interval_index,
        arrayJoin({{windows}}) AS intervals_from_base
    FROM {{actors}}
)
GROUP BY {breakdown}start_interval_index, intervals_from_base
ORDER BY {breakdown}start_interval_index, intervals_from_base
"""
# 24 hour windows with a breakdown: t_0 over all of an actor's values; then every value {{entries}} with an event at or
# after t_0, with the windows of that value's returns.
RETENTION_WINDOWS_BREAKDOWN_QUERY = """
SELECT breakdown_value, start_interval_index, intervals_from_base, count() AS count
FROM (
    SELECT
        actor_id,
        t_0,
        {t0_unit} AS t0_unit,
        {start} AS start_interval_index,
        arrayJoin({entries}) AS entry,
        {value} AS breakdown_value,
        arrayJoin({windows}) AS intervals_from_base
    FROM (
        SELECT actor_id, {t_0} AS t_0, {per_value} AS per_value
        FROM {actors}
        GROUP BY actor_id
    )
)
GROUP BY breakdown_value, start_interval_index, intervals_from_base
ORDER BY breakdown_value, start_interval_index, intervals_from_base
"""
AGGREGATIONS = {"sum": "sum(value)", "avg": "sum(value) / count(DISTINCT actor_id)"}
# Merged persons, when the project has some: per person_id written on the events (one distinct id of each is
# enough, as a merge moves all of a person's distinct ids together), then the person that distinct id belongs to
# now. This joins one row per person instead of one per event.
MERGED_ACTORS_QUERY = """
SELECT if(notEmpty(pdi.distinct_id), pdi.person_id, p.poe_person_id) AS actor_id
FROM {per_event_person} AS p
LEFT JOIN person_distinct_ids AS pdi ON p.distinct_id = pdi.distinct_id
GROUP BY actor_id
"""
# minIf over no rows gives the zero moment; partial minimums at or before this are "none".
EPOCH_END = datetime(1970, 1, 2, tzinfo=UTC)


def substitute(node, exprs: dict[str, ast.Expr]):
    """A copy of a parsed tree with `{name}` placeholders replaced by expressions (the parsed tree stays as is)."""
    if isinstance(node, ast.Placeholder) and isinstance(node.expr, ast.Field) and len(node.expr.chain) == 1:
        name = node.expr.chain[0]
        if isinstance(name, str) and name in exprs:
            return exprs[name]
    if isinstance(node, list):
        return [substitute(item, exprs) for item in node]
    if isinstance(node, dict):
        return {key: substitute(value, exprs) for key, value in node.items()}
    if isinstance(node, ast.Node):
        clone = copy.copy(node)
        for key, value in node.__dict__.items():
            if isinstance(value, ast.Node | list | dict):
                setattr(clone, key, substitute(value, exprs))
        return clone
    return node


def lambda_(args: list[str], body: ast.Expr) -> ast.Lambda:
    return ast.Lambda(args, body)


def call(name: str, *args: ast.Expr) -> ast.Call:
    return ast.Call(name, list(args))


def field(*chain: str) -> ast.Field:
    return ast.Field(list(chain))


def and_(parts: list[ast.Expr]) -> ast.Expr:
    return parts[0] if len(parts) == 1 else ast.And(parts)


def compare(op: str, left: ast.Expr, right: ast.Expr) -> ast.CompareOperation:
    return ast.CompareOperation(op, left, right)


def is_moment(value: ast.Expr) -> ast.Expr:
    """A partial minimum that is a real moment (minIf over no rows gives the epoch)."""
    return compare(">", value, datetime_constant(EPOCH_END))


def valid_min(column: ast.Expr) -> ast.Expr:
    """The earliest of an actor's partial minimums that is a real moment."""
    return call("minIf", column, is_moment(column))
