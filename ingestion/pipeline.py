"""From normalized events to stored rows: de-duplicate, process persons, write persons and events to ClickHouse."""

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from definitions.recording import record_captured_events
from ingestion import clickhouse_writer
from ingestion.normalize import properties_json
from ingestion.persons import process_persons
from ingestion.property_columns import property_columns
from insights_server.models import Team
from queries.person_overrides import person_overrides_written

logger = logging.getLogger(__name__)
# A retried batch is re-timed against the new receive time: look for its uuids this far around it.
DEDUPLICATION_MARGIN = timedelta(days=1)


@dataclass
class IngestResult:
    stored: int = 0
    duplicates: int = 0


def ingest_events(events: list[dict]) -> IngestResult:
    """Stores normalized events (dicts from `normalize_event`), team by team, in arrival order."""
    result = IngestResult()
    by_team: dict[int, list[dict]] = defaultdict(list)
    for event in events:
        by_team[event["team_id"]].append(event)
    for team_id, team_events in by_team.items():
        fresh = drop_duplicates(team_id, team_events)
        result.duplicates += len(team_events) - len(fresh)
        if fresh:
            store_team_events(team_id, fresh)
            result.stored += len(fresh)
            record_definitions(team_id, fresh)
    if by_team:
        # Resolved teams are cached per process: this update invalidates them (AccessQuerySet).
        Team.objects.filter(pk__in=list(by_team), ingested_event=False).update(ingested_event=True)
    return result


def record_definitions(team_id: int, events: list[dict]) -> None:
    """Event and property definitions of stored events. A failure here is logged, never retried with the events:
    they are stored, and the definitions of the next batch of the same names are written again then."""
    try:
        record_captured_events(team_id, events)
    except Exception:
        logger.exception("definitions_record_failed team_id=%s events=%s", team_id, len(events))


def drop_duplicates(team_id: int, events: list[dict]) -> list[dict]:
    """Events whose uuid is neither earlier in this list nor already stored for the team."""
    seen: set[str] = set()
    unique = []
    for event in events:
        if event["uuid"] not in seen:
            seen.add(event["uuid"])
            unique.append(event)
    timestamps = [datetime.fromisoformat(e["timestamp"]) for e in unique]
    stored = clickhouse_writer.existing_event_uuids(
        team_id,
        [e["uuid"] for e in unique],
        min(timestamps) - DEDUPLICATION_MARGIN,
        max(timestamps) + DEDUPLICATION_MARGIN,
    )
    if not stored:
        return unique
    return [e for e in unique if e["uuid"] not in stored]


def store_team_events(team_id: int, events: list[dict]) -> None:
    timestamps = [datetime.fromisoformat(e["timestamp"]) for e in events]
    snapshots, changes = process_persons(team_id, events, timestamps)
    # Persons first: an event must never point at a person the store does not know.
    if changes.persons:
        clickhouse_writer.insert_persons(changes.persons)
    if changes.distinct_ids:
        clickhouse_writer.insert_distinct_ids(changes.distinct_ids)
    if changes.overrides:
        clickhouse_writer.insert_distinct_ids(changes.overrides, overrides=True)
        person_overrides_written(team_id)
    plain, computed = [], []
    received: dict[str, str] = {}  # the events of one request share their receive time
    person_times: dict[datetime, str] = {}  # and a person's events its created_at
    for event, snapshot in zip(events, snapshots, strict=True):
        row = [
            event["uuid"],
            event["event"],
            properties_json(event["properties"]),
            iso_to_clickhouse(event["timestamp"]),
            team_id,
            event["distinct_id"],
            event["elements_chain"],
            received.get(event["now"]) or received.setdefault(event["now"], iso_to_clickhouse(event["now"])),
            snapshot.person_id,
            person_times.get(snapshot.created_at)
            or person_times.setdefault(snapshot.created_at, clickhouse_time(snapshot.created_at)),
            snapshot.properties_json,
        ]
        columns = property_columns(event["properties"])
        if columns is None:
            computed.append(row)  # ClickHouse computes this row's property columns (see property_columns)
        else:
            row += columns
            plain.append(row)
    clickhouse_writer.insert_events(plain)
    clickhouse_writer.insert_events(computed)
    logger.debug("events_stored team_id=%s count=%s", team_id, len(events))


def iso_to_clickhouse(text: str) -> str:
    """normalize_event's UTC isoformat text ('2026-01-02T03:04:05[.123456]+00:00') as DateTime64 text."""
    if text.endswith("+00:00") and text[10] == "T":
        if len(text) == 32 and text[19] == ".":
            return f"{text[:10]} {text[11:26]}"
        if len(text) == 25:  # isoformat leaves out a zero microsecond
            return f"{text[:10]} {text[11:19]}.000000"
    return clickhouse_time(datetime.fromisoformat(text))


def clickhouse_time(value: datetime) -> str:
    """A timezone-aware datetime as DateTime64 text in UTC (the format every ClickHouse input format reads)."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
