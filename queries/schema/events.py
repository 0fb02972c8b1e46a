"""Event-list nodes: EventsQuery (the events table, spec §1.12) and SessionsTimelineQuery."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from queries.schema.actors import InsightActorsQuery
from queries.schema.base import DataNode
from queries.schema.properties import AnyPropertyFilter, PropertyGroupItem


class EventsQuery(DataNode):
    kind: Literal["EventsQuery"] = "EventsQuery"
    select: list[str] = Field(description="HogQL expressions to return; `*`, `person` and `-- label` are special.")
    where: list[str] | None = Field(default=None, description="HogQL filters; aggregating ones become HAVING.")
    properties: list[AnyPropertyFilter] | None = None
    fixedProperties: list[PropertyGroupItem] | None = None
    filterTestAccounts: bool | None = None
    event: str | None = None
    events: list[str] | None = None
    actionId: int | None = None
    personId: str | None = None
    before: str | None = None
    after: str | None = None
    orderBy: list[str] | None = None
    limit: int | None = None
    offset: int | None = None
    source: InsightActorsQuery | None = None


class SessionsTimelineQuery(DataNode):
    kind: Literal["SessionsTimelineQuery"] = "SessionsTimelineQuery"
    personId: str | None = None
    after: str | None = None
    before: str | None = None


__all__ = ["EventsQuery", "SessionsTimelineQuery"]
