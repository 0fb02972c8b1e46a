"""Which items a user created, per activity scope, so `important_changes` can include changes to them.

Activity sits below the apps that own those items (insights, ...), so it cannot ask their models. Each app
registers a function for its scope in its `AppConfig.ready()`; with none registered only the items a user has an
activity entry for count as theirs.
"""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

# (user, team ids) -> a one-column queryset of the ids, as text (ActivityLog.item_id), of the items the user created.
CreatedItemIds = Callable[[Any, list[int]], QuerySet]

_by_scope: dict[str, CreatedItemIds] = {}


def register_created_items(scope: str, created_item_ids: CreatedItemIds) -> None:
    """Called by the app owning `scope` (e.g. "Insight"); a later registration for a scope replaces the earlier."""
    _by_scope[scope] = created_item_ids


def created_items_by_scope() -> dict[str, CreatedItemIds]:
    return dict(_by_scope)
