"""The runnable/savable query union (`QuerySchema`), dashboard filter overrides and the `/query/` request body."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Discriminator, Field, StrictBool, Tag

from queries.schema.actors import (
    ActorsQuery,
    FunnelCorrelationQuery,
    GroupsQuery,
    InsightActorsQuery,
    InsightActorsQueryOptions,
    PersonsNode,
)
from queries.schema.base import InsightInterval, SchemaModel
from queries.schema.events import EventsQuery, SessionsTimelineQuery
from queries.schema.hogql import DatabaseSchemaQuery, HogQLQuery, HogQuery
from queries.schema.insight_filters import BreakdownFilter
from queries.schema.insights import (
    FunnelsQuery,
    LifecycleQuery,
    PathsQuery,
    RetentionQuery,
    StickinessQuery,
    TrendsQuery,
)
from queries.schema.interface import DataTableNode, DataVisualizationNode, InsightVizNode, SavedInsightNode
from queries.schema.metadata import HogQLAutocomplete, HogQLMetadata
from queries.schema.properties import AnyPropertyFilter
from queries.schema.series import ActionsNode, DataWarehouseNode, EventsNode

QuerySchema = Annotated[
    EventsNode
    | ActionsNode
    | PersonsNode
    | DataWarehouseNode
    | EventsQuery
    | ActorsQuery
    | GroupsQuery
    | InsightActorsQuery
    | InsightActorsQueryOptions
    | SessionsTimelineQuery
    | HogQuery
    | HogQLQuery
    | HogQLMetadata
    | HogQLAutocomplete
    | DataVisualizationNode
    | DataTableNode
    | SavedInsightNode
    | InsightVizNode
    | TrendsQuery
    | FunnelsQuery
    | RetentionQuery
    | PathsQuery
    | StickinessQuery
    | LifecycleQuery
    | FunnelCorrelationQuery
    | DatabaseSchemaQuery,
    Field(discriminator="kind"),
]

RefreshType = Literal[
    "async",
    "async_except_on_cache_miss",
    "blocking",
    "force_async",
    "force_blocking",
    "force_cache",
    "lazy_async",
]


def _refresh_branch(value: object) -> str:
    return "legacy" if isinstance(value, bool) else "mode"


# `true`/`false` are the legacy spellings (true means force_blocking); only real JSON booleans count as legacy.
Refresh = Annotated[
    Annotated[RefreshType, Tag("mode")] | Annotated[StrictBool, Tag("legacy")],
    Discriminator(_refresh_branch),
]


class DashboardFilter(SchemaModel):
    """Filters a dashboard (or `filters_override`) lays over a query."""

    date_from: str | None = None
    date_to: str | None = None
    explicitDate: bool | None = None
    properties: list[AnyPropertyFilter] | None = None
    breakdown_filter: BreakdownFilter | None = None
    interval: InsightInterval | None = None
    filterTestAccounts: bool | None = None


class QueryRequest(SchemaModel):
    """Body of `POST /api/projects/:id/query/` (insights-api §8.1)."""

    model_config = ConfigDict(populate_by_name=True)

    query: QuerySchema
    refresh: Refresh | None = "blocking"
    client_query_id: str | None = Field(
        default=None, max_length=256, description="Used to poll or cancel the query (at most 256 characters)."
    )
    filters_override: DashboardFilter | None = None
    variables_override: dict[str, dict[str, Any]] | None = None
    name: str | None = Field(default=None, max_length=128)
    limit_context: Literal["posthog_ai"] | None = None
    async_: bool | None = Field(default=None, alias="async", description="Deprecated: use `refresh`.")


__all__ = ["DashboardFilter", "QueryRequest", "QuerySchema", "Refresh", "RefreshType"]
