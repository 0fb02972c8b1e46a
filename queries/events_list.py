"""Reading raw events for `/api/projects/:id/events/`: filters, newest-first paging, one event by uuid.

Built as HogQL and printed by the same printer as every other query, so the team guard, property filters
and merged-person handling are the engine's.
"""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from queries.hogql import ast
from queries.hogql.actions import action_to_expr
from queries.hogql.builders import and_all, datetime_constant
from queries.hogql.execute import execute_select
from queries.hogql.printer import PrintContext
from queries.hogql.property import property_to_expr
from queries.person_overrides import has_person_overrides

FIELDS = ("uuid", "event", "distinct_id", "properties", "timestamp", "elements_chain", "person_id")


@dataclass
class EventFilter:
    team_id: int
    after: datetime | None = None
    before: datetime | None = None
    event: str | None = None
    distinct_id: str | None = None
    person_id: UUID | None = None
    properties: list[dict] | None = None
    # The steps of the `action_id` filter; an empty list (unknown action, or one without steps) matches nothing.
    action_steps: list[dict] | None = None
    newest_first: bool = True
    limit: int = 100
    offset: int = 0


@dataclass
class EventRow:
    uuid: str
    event: str
    distinct_id: str
    properties: str
    timestamp: datetime
    elements_chain: str
    person_id: str


def _compare(op: str, field: str, value: ast.Expr) -> ast.Expr:
    return ast.CompareOperation(op, ast.Field([field]), value)


def _select(team_id: int, conditions: list[ast.Expr], order: str, limit: int, offset: int) -> list[EventRow]:
    node = ast.SelectQuery(
        # uuids as text; no aliases, which would shadow the columns the WHERE reads.
        select=[ast.Call("toString", [ast.Field([name])]) if name in ("uuid", "person_id") else ast.Field([name])
                for name in FIELDS],
        select_from=ast.JoinExpr(table=ast.Field(["events"])),
        where=and_all(conditions),
        order_by=[ast.OrderExpr(ast.Field(["timestamp"]), order)],
        limit=ast.Constant(limit),
        offset=ast.Constant(offset) if offset else None,
    )  # fmt: skip
    context = PrintContext(team_id=team_id, person_overrides=has_person_overrides(team_id))
    result = execute_select(node, context, default_limit=limit, max_limit=limit)
    return [EventRow(*row) for row in result.results]


def list_events(spec: EventFilter) -> tuple[list[EventRow], bool]:
    """A page of events and whether more rows matched beyond it. Raises QueryError for unusable filters."""
    conditions: list[ast.Expr] = [ast.Constant(True)]
    if spec.after is not None:
        conditions.append(_compare(">", "timestamp", datetime_constant(spec.after)))
    if spec.before is not None:
        conditions.append(_compare("<", "timestamp", datetime_constant(spec.before)))
    if spec.event:
        conditions.append(_compare("==", "event", ast.Constant(spec.event)))
    if spec.distinct_id:
        conditions.append(_compare("==", "distinct_id", ast.Constant(spec.distinct_id)))
    if spec.person_id is not None:
        conditions.append(_compare("==", "person_id", ast.Call("toUUID", [ast.Constant(str(spec.person_id))])))
    if spec.properties:
        conditions.append(property_to_expr(spec.properties))
    if spec.action_steps is not None:
        conditions.append(action_to_expr(spec.action_steps) if spec.action_steps else ast.Constant(False))
    rows = _select(spec.team_id, conditions, "DESC" if spec.newest_first else "ASC", spec.limit + 1, spec.offset)
    return rows[: spec.limit], len(rows) > spec.limit


def get_event(team_id: int, event_uuid: UUID) -> EventRow | None:
    condition = _compare("==", "uuid", ast.Call("toUUID", [ast.Constant(str(event_uuid))]))
    rows = _select(team_id, [condition], "DESC", 1, 0)
    return rows[0] if rows else None
