"""Persons and actors nodes: PersonsNode, GroupsQuery, ActorsQuery and the insight actors queries behind it."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from queries.schema.base import BaseNode, DataNode
from queries.schema.hogql import HogQLQuery
from queries.schema.insights import FunnelsQuery, InsightQuery, StickinessQuery
from queries.schema.properties import (
    ActorsProperties,
    ActorsPropertyFilter,
    AnyPropertyFilter,
    GroupPropertyFilter,
    HogQLPropertyFilter,
)
from queries.schema.series import SimpleEntityNode

Compare = Literal["current", "previous"]


class PersonsNode(DataNode):
    """Deprecated persons list (use ActorsQuery); still accepted."""

    kind: Literal["PersonsNode"] = "PersonsNode"
    search: str | None = None
    cohort: int | None = None
    distinctId: str | None = None
    properties: list[AnyPropertyFilter] | None = None
    fixedProperties: list[AnyPropertyFilter] | None = None
    limit: int | None = None
    offset: int | None = None


class GroupsQuery(DataNode):
    kind: Literal["GroupsQuery"] = "GroupsQuery"
    group_type_index: int
    select: list[str] | None = None
    search: str | None = None
    properties: list[Annotated[GroupPropertyFilter | HogQLPropertyFilter, Field(discriminator="type")]] | None = None
    orderBy: list[str] | None = None
    limit: int | None = None
    offset: int | None = None


class InsightActorsQuery(DataNode):
    """Who is behind one data point of an insight."""

    kind: Literal["InsightActorsQuery"] = "InsightActorsQuery"
    source: InsightQuery
    day: str | int | None = None
    status: str | None = None
    interval: int | None = Field(default=None, description="An interval selected out of the source query's intervals.")
    series: int | None = None
    breakdown: str | int | list[str] | None = None
    compare: Compare | None = None
    includeRecordings: bool | None = None


class FunnelsActorsQuery(DataNode):
    kind: Literal["FunnelsActorsQuery"] = "FunnelsActorsQuery"
    source: FunnelsQuery
    funnelStep: int | None = Field(
        default=None, description="1-indexed; positive for converted actors, negative for drop-offs before |step|."
    )
    funnelCustomSteps: list[int] | None = Field(
        default=None, description="1-indexed steps: actors whose last reached step is one of them."
    )
    funnelStepBreakdown: int | str | float | list[int | str | float] | None = None
    funnelTrendsDropOff: bool | None = None
    funnelTrendsEntrancePeriodStart: str | None = None
    compare: Compare | None = None
    includeRecordings: bool | None = None


class StickinessActorsQuery(DataNode):
    kind: Literal["StickinessActorsQuery"] = "StickinessActorsQuery"
    source: StickinessQuery
    day: str | int | None = None
    series: int | None = None
    operator: Literal["gte", "lte", "exact"] | None = None
    compare: Compare | None = None
    includeRecordings: bool | None = None


class FunnelCorrelationQuery(BaseNode):
    kind: Literal["FunnelCorrelationQuery"] = "FunnelCorrelationQuery"
    source: FunnelsActorsQuery
    funnelCorrelationType: Literal["events", "properties", "event_with_properties"]
    funnelCorrelationNames: list[str] | None = None
    funnelCorrelationExcludeNames: list[str] | None = None
    funnelCorrelationEventNames: list[str] | None = None
    funnelCorrelationExcludeEventNames: list[str] | None = None
    funnelCorrelationEventExcludePropertyNames: list[str] | None = None
    response: dict[str, Any] | None = None


class FunnelCorrelationActorsQuery(DataNode):
    kind: Literal["FunnelCorrelationActorsQuery"] = "FunnelCorrelationActorsQuery"
    source: FunnelCorrelationQuery
    funnelCorrelationPersonConverted: bool | None = None
    funnelCorrelationPersonEntity: SimpleEntityNode | None = None
    funnelCorrelationPropertyValues: list[AnyPropertyFilter] | None = None
    includeRecordings: bool | None = None


InsightActorsSource = Annotated[
    InsightActorsQuery | FunnelsActorsQuery | FunnelCorrelationActorsQuery | StickinessActorsQuery,
    Field(discriminator="kind"),
]


class InsightActorsQueryOptions(BaseNode):
    """Which days, series, breakdowns, ... the persons modal of an insight can pick from."""

    kind: Literal["InsightActorsQueryOptions"] = "InsightActorsQueryOptions"
    source: InsightActorsSource
    response: dict[str, Any] | None = None


ActorsQuerySource = Annotated[
    InsightActorsQuery | FunnelsActorsQuery | FunnelCorrelationActorsQuery | StickinessActorsQuery | HogQLQuery,
    Field(discriminator="kind"),
]


class ActorsQuery(DataNode):
    """Persons or groups lists, optionally restricted to the actors behind an insight."""

    kind: Literal["ActorsQuery"] = "ActorsQuery"
    source: ActorsQuerySource | None = None
    select: list[str] | None = None
    search: str | None = None
    properties: ActorsProperties | None = None
    fixedProperties: list[ActorsPropertyFilter] | None = None
    orderBy: list[str] | None = None
    limit: int | None = None
    offset: int | None = None


__all__ = [
    "ActorsQuery",
    "ActorsQuerySource",
    "FunnelCorrelationActorsQuery",
    "FunnelCorrelationQuery",
    "FunnelsActorsQuery",
    "GroupsQuery",
    "InsightActorsQuery",
    "InsightActorsQueryOptions",
    "InsightActorsSource",
    "PersonsNode",
    "StickinessActorsQuery",
]
