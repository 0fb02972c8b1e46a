"""Which events a series node (EventsNode, ActionsNode) selects, shared by every insight runner."""

from typing import Any

from actions.models import Action
from insights_server.models import Team
from insights_server.params import parse_id
from queries.hogql import ast
from queries.hogql.actions import action_to_expr
from queries.hogql.errors import QueryError


def action_for(team: Team, action_id: Any) -> Action | None:
    """The project's non-deleted action with this id, or None."""
    try:
        action_id = int(action_id)
    except (TypeError, ValueError):
        return None
    return Action.objects.filter(team__project_id=team.project_id, id=action_id, deleted=False).first()


def action_steps_by_id(team: Team, action_ids: list) -> dict[str, Any]:
    """{id: steps} of the project's actions among these ids (one query), for cache keys."""
    ids = [i for i in map(parse_id, action_ids) if i is not None]
    rows = Action.objects.filter(team__project_id=team.project_id, id__in=ids, deleted=False)
    return {str(pk): steps for pk, steps in rows.values_list("id", "steps")}


def action_name(team: Team, action_id: Any) -> str | None:
    action = action_for(team, action_id)
    return action.name if action else None


def series_event_filter(series, team: Team, missing_action_matches_nothing: bool = False) -> ast.Expr | None:
    """The condition on events for a series node; None when it selects every event.

    An unknown action matches nothing in trends (`missing_action_matches_nothing`) and is an error elsewhere.
    """
    kind = getattr(series, "kind", None)
    if kind == "EventsNode" or kind is None:
        event = getattr(series, "event", None)
        return ast.CompareOperation("==", ast.Field(["event"]), ast.Constant(event)) if event is not None else None
    if kind == "ActionsNode":
        action = action_for(team, series.id)
        if action is None:
            if missing_action_matches_nothing:
                return ast.Constant(False)
            raise QueryError(f"Action {series.id} does not exist.")
        return action_to_expr(action.steps)
    raise QueryError(f"Series of kind {kind} are not supported yet.")


def is_action(series) -> bool:
    return getattr(series, "kind", None) == "ActionsNode"


def series_label(series, team: Team) -> str:
    """The name PostHog shows for a series: the event, "All events", or the action's name."""
    if is_action(series):
        return action_name(team, series.id) or f"Action {series.id}"
    event = getattr(series, "event", None)
    return event if event is not None else "All events"


def series_identity(series, team: Team) -> dict:
    """The `id`, `type` and `name` of a series in a response's `action` object."""
    if is_action(series):
        return {"id": series.id, "type": "actions", "name": series_label(series, team)}
    return {"id": getattr(series, "event", None), "type": "events", "name": series_label(series, team)}


def action_ids_in(value: Any) -> list[int]:
    """Every action id a query names (ActionsNode series, `actions` entities, EventsQuery actionId)."""
    found: list[int] = []
    if isinstance(value, dict):
        if (value.get("kind") == "ActionsNode" or value.get("type") == "actions") and value.get("id") is not None:
            found.append(value["id"])
        if value.get("actionId") is not None:
            found.append(value["actionId"])
        for item in value.values():
            found.extend(action_ids_in(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(action_ids_in(item))
    return found


UNSUPPORTED_SERIES = {
    "DataWarehouseNode": "Data warehouse series are not supported: this server has no data warehouse.",
    "GroupNode": "GroupNode series are not supported yet. Use one EventsNode series per event.",
}
SESSION_DURATION_ERROR = "Math on $session_duration needs sessions, which this server does not record yet."


def check_series(series) -> None:
    """Raises a QueryError (400) for the series this server cannot answer: EventsNode and ActionsNode series run."""
    if series.kind not in ("EventsNode", "ActionsNode"):
        raise QueryError(UNSUPPORTED_SERIES.get(series.kind, f"Series of kind {series.kind} are not supported."))
    if series.math_property == "$session_duration":
        raise QueryError(SESSION_DURATION_ERROR)
