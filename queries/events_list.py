"""Reading raw events for `/api/projects/:id/events/`: filters, newest-first paging, one event by uuid."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from queries.clickhouse import client
from queries.property_filters_sql import Conditions, property_condition

DATETIME = "DateTime64(6, 'UTC')"
# Events of a merged person keep their old person_id; the override says who they belong to now.
PERSON_ID_EXPR = "if(notEmpty(overrides.distinct_id), overrides.person_id, events.person_id)"
OVERRIDES_JOIN = """
LEFT JOIN (
    SELECT distinct_id, argMax(person_id, version) AS person_id
    FROM person_distinct_id_overrides WHERE team_id = {team_id:Int64} GROUP BY distinct_id
) AS overrides ON events.distinct_id = overrides.distinct_id"""


@dataclass
class EventFilter:
    team_id: int
    after: datetime | None = None
    before: datetime | None = None
    event: str | None = None
    distinct_id: str | None = None
    person_id: UUID | None = None
    properties: list[dict] | None = None
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


def list_events(spec: EventFilter) -> tuple[list[EventRow], bool]:
    """A page of events and whether more rows matched beyond it."""
    conditions = Conditions()
    conditions.parameters["team_id"] = spec.team_id
    conditions.sql.append("events.team_id = {team_id:Int64}")
    if spec.after is not None:
        conditions.sql.append(f"events.timestamp > {conditions.parameter(spec.after, DATETIME)}")
    if spec.before is not None:
        conditions.sql.append(f"events.timestamp < {conditions.parameter(spec.before, DATETIME)}")
    if spec.event:
        conditions.sql.append(f"events.event = {conditions.parameter(spec.event)}")
    if spec.distinct_id:
        conditions.sql.append(f"events.distinct_id = {conditions.parameter(spec.distinct_id)}")
    if spec.person_id is not None:
        conditions.sql.append(f"{PERSON_ID_EXPR} = {conditions.parameter(spec.person_id, 'UUID')}")
    for item in spec.properties or []:
        conditions.sql.append(property_condition(conditions, item))
    direction = "DESC" if spec.newest_first else "ASC"
    sql = (
        f"SELECT toString(events.uuid), events.event, events.distinct_id, events.properties, events.timestamp, "
        f"events.elements_chain, toString({PERSON_ID_EXPR}) FROM events {OVERRIDES_JOIN} "
        f"WHERE {' AND '.join(conditions.sql)} ORDER BY events.timestamp {direction} "
        f"LIMIT {int(spec.limit) + 1} OFFSET {int(spec.offset)}"
    )
    rows = [EventRow(*row) for row in client.query(sql, parameters=conditions.parameters).result_rows]
    return rows[: spec.limit], len(rows) > spec.limit


def get_event(team_id: int, event_uuid: UUID) -> EventRow | None:
    sql = (
        f"SELECT toString(events.uuid), events.event, events.distinct_id, events.properties, events.timestamp, "
        f"events.elements_chain, toString({PERSON_ID_EXPR}) FROM events {OVERRIDES_JOIN} "
        "WHERE events.team_id = {team_id:Int64} AND events.uuid = {uuid:UUID} LIMIT 1"
    )
    rows = client.query(sql, parameters={"team_id": team_id, "uuid": event_uuid}).result_rows
    return EventRow(*rows[0]) if rows else None
