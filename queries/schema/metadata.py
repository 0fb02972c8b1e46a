"""HogQL editor support nodes: HogQLMetadata (validate a query) and HogQLAutocomplete."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from queries.schema.actors import ActorsQuery, GroupsQuery, InsightActorsQuery, InsightActorsQueryOptions, PersonsNode
from queries.schema.base import DataNode
from queries.schema.events import EventsQuery, SessionsTimelineQuery
from queries.schema.hogql import HogLanguage, HogQLFilters, HogQLQuery, HogQLVariable, HogQuery
from queries.schema.insights import CalendarHeatmapQuery
from queries.schema.series import ActionsNode, EventsNode


class HogQLMetadata(DataNode):
    kind: Literal["HogQLMetadata"] = "HogQLMetadata"
    language: HogLanguage
    query: str
    sourceQuery: MetadataSourceQuery | None = Field(
        default=None, description='The query within which expressions are validated; default "select * from events".'
    )
    filters: HogQLFilters | None = None
    globals: dict[str, Any] | None = None
    globalsWithInputs: dict[str, Any] | None = None
    variables: dict[str, HogQLVariable] | None = None
    debug: bool | None = None


class HogQLAutocomplete(DataNode):
    kind: Literal["HogQLAutocomplete"] = "HogQLAutocomplete"
    language: HogLanguage
    query: str
    startPosition: int
    endPosition: int
    sourceQuery: MetadataSourceQuery | None = None
    filters: HogQLFilters | None = None
    globals: dict[str, Any] | None = None


MetadataSourceQuery = Annotated[
    EventsNode
    | ActionsNode
    | PersonsNode
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
    | CalendarHeatmapQuery,
    Field(discriminator="kind"),
]

HogQLMetadata.model_rebuild()
HogQLAutocomplete.model_rebuild()

__all__ = ["HogQLAutocomplete", "HogQLMetadata", "MetadataSourceQuery"]
