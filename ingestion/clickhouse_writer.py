"""Writes events and person state into ClickHouse (through queries.clickhouse, the only ClickHouse client)."""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from queries.clickhouse import client

EVENT_COLUMNS = (
    "uuid",
    "event",
    "properties",
    "timestamp",
    "team_id",
    "distinct_id",
    "elements_chain",
    "created_at",
    "person_id",
    "person_created_at",
    "person_properties",
)
PERSON_COLUMNS = ("id", "created_at", "team_id", "properties", "is_identified", "is_deleted", "version")
DISTINCT_ID_COLUMNS = ("team_id", "distinct_id", "person_id", "is_deleted", "version")


@dataclass(frozen=True)
class PersonRow:
    id: UUID
    created_at: datetime
    team_id: int
    properties: dict
    is_identified: bool
    is_deleted: bool
    version: int


@dataclass(frozen=True)
class DistinctIdRow:
    team_id: int
    distinct_id: str
    person_id: UUID
    version: int
    is_deleted: bool = False


def insert_events(rows: list[list]) -> None:
    """Rows in EVENT_COLUMNS order: properties and person_properties already JSON text."""
    client.insert("events", rows, EVENT_COLUMNS)


def insert_persons(persons: Iterable[PersonRow]) -> None:
    rows = [
        [p.id, p.created_at, p.team_id, json.dumps(p.properties), int(p.is_identified), int(p.is_deleted), p.version]
        for p in persons
    ]
    client.insert("person", rows, PERSON_COLUMNS)


def insert_distinct_ids(mappings: Iterable[DistinctIdRow], overrides: bool = False) -> None:
    """Writes person_distinct_id2 rows, or person_distinct_id_overrides rows for merged-away distinct ids."""
    rows = [[m.team_id, m.distinct_id, m.person_id, int(m.is_deleted), m.version] for m in mappings]
    client.insert("person_distinct_id_overrides" if overrides else "person_distinct_id2", rows, DISTINCT_ID_COLUMNS)


def existing_event_uuids(team_id: int, uuids: list[str], start: datetime, end: datetime) -> set[str]:
    """Which of these uuids the team already has between start and end (the de-duplication check for retries)."""
    if not uuids:
        return set()
    # One comma-joined parameter: binding thousands of array elements one by one costs more than the query.
    result = client.query(
        "SELECT DISTINCT toString(uuid) FROM events WHERE team_id = {team_id:Int64} "
        "AND timestamp >= {start:DateTime64(6, 'UTC')} AND timestamp <= {end:DateTime64(6, 'UTC')} "
        "AND uuid IN (SELECT toUUID(arrayJoin(splitByChar(',', {uuids:String}))))",
        parameters={"team_id": team_id, "start": start, "end": end, "uuids": ",".join(uuids)},
    )
    return {row[0] for row in result.result_rows}
