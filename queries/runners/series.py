"""Which events a series node (EventsNode, ActionsNode) selects, shared by every insight runner."""

from typing import Any

from actions.models import Action
from insights_server.models import Team
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
