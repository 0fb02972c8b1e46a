"""Writes events and person state into ClickHouse (through queries.clickhouse, the only ClickHouse client)."""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import orjson

from ingestion.property_columns import COLUMN_NAMES
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
# How event blocks are inserted (20,000 rows: 52 -> 31 ms on the embedded engine): no replacing pass over the block
# at insert (its uuids are unique already: drop_duplicates), and one parsing thread (a block this size gains nothing
# from more, and the machine's other core is busy acknowledging and storing).
INSERT_SETTINGS = {"optimize_on_insert": 0, "input_format_parallel_parsing": 0}
PERSON_COLUMNS = ("id", "created_at", "team_id", "properties", "is_identified", "is_deleted", "version")
DISTINCT_ID_COLUMNS = ("team_id", "distinct_id", "person_id", "is_deleted", "version")


@dataclass(frozen=True)
class PersonRow:
    id: str  # canonical uuid text
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
    person_id: str  # canonical uuid text
    version: int
    is_deleted: bool = False


def insert_events(rows: Sequence[Sequence]) -> None:
    """Rows in EVENT_COLUMNS order, optionally followed by the values of the property columns
    (`property_columns.COLUMN_NAMES`), all rows alike: JSON-ready values (strings, numbers, UUIDs), the three
    timestamps as 'YYYY-MM-DD hh:mm:ss.ffffff' UTC text, properties and person_properties as JSON text.

    One orjson call serializes the block (JSONCompactEachRow); ClickHouse parses it in C++. Given the property
    columns, ClickHouse stores them as sent instead of parsing the properties JSON once per column."""
    if not rows:
        return
    with_columns = len(rows[0]) > len(EVENT_COLUMNS)
    columns = (*EVENT_COLUMNS, *COLUMN_NAMES) if with_columns else EVENT_COLUMNS
    data = orjson.dumps(rows)[1:-1]  # rows separated by commas, which the format accepts
    settings = {**INSERT_SETTINGS, "insert_allow_materialized_columns": 1} if with_columns else INSERT_SETTINGS
    client.insert_raw("events", columns, data, "JSONCompactEachRow", settings)


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
    """Which of these uuids the team already has between start and end (the de-duplication check for retries).
    The uuids are canonical text (`normalize.clean_uuid`), as `client.values_source` requires."""
    if not uuids:
        return set()
    with client.values_source("uuids", uuids) as (source, source_parameters):
        result = client.query(
            "SELECT DISTINCT toString(uuid) FROM events WHERE team_id = {team_id:Int64} "
            "AND timestamp >= {start:DateTime64(6, 'UTC')} AND timestamp <= {end:DateTime64(6, 'UTC')} "
            f"AND uuid IN (SELECT toUUID(value) FROM {source})",
            parameters={"team_id": team_id, "start": start, "end": end, **source_parameters},
        )
    return {row[0] for row in result.result_rows}
