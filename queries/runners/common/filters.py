"""What the event-based insight runners share: their property filters and the earliest event of `date_from: "all"`."""

from dataclasses import replace
from datetime import UTC, datetime

from queries.hogql import ast
from queries.hogql.execute import execute_select
from queries.hogql.property import property_to_expr


def property_filters(query, team, series=None) -> list[ast.Expr]:
    """The series' (when given) and the query's property filters, then the project's test account filters."""
    parts: list[ast.Expr] = []
    if series is not None and series.properties:
        parts.append(property_to_expr(series.properties))
    if query.properties:
        parts.append(property_to_expr(query.properties))
    if query.filterTestAccounts and team.test_account_filters:
        parts.append(property_to_expr(team.test_account_filters))
    return parts


def earliest_event(where: ast.Expr, context) -> datetime | None:
    """The timestamp of the earliest event matching `where` (the start of a `date_from: "all"` range); None when
    no event matches."""
    query = ast.SelectQuery(
        select=[ast.Call("toString", [ast.Call("min", [ast.Field(["timestamp"])])])],
        select_from=ast.JoinExpr(table=ast.Field(["events"]), alias="e"),
        where=where,
    )
    # A min() of the timestamp under the team guard: the one statement of a date-ranged runner that the implicit
    # minmax_count projection can answer from part metadata, so it keeps the engine's default.
    rows = execute_select(query, replace(context, settings={})).results
    if rows and rows[0][0] and not rows[0][0].startswith("1970-01-01"):
        return datetime.fromisoformat(rows[0][0]).replace(tzinfo=UTC)
    return None
