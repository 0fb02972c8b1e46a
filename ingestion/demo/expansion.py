"""The ClickHouse half of the demo data: staging tables for users and sessions, expanded into events by SQL.

Python rows at 10M events would take minutes; instead the compact session scripts are inserted once and
`INSERT INTO events SELECT ... ARRAY JOIN` builds every event row (names, timestamps, JSON properties,
elements chains) inside ClickHouse (`event_sql`). Per-event choices come from `cityHash64(seed, session, step)`,
so they are as deterministic as the Python side. Only constants appear in the SQL text; the team, seed and
session ranges travel as query parameters.
"""

import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from uuid import UUID

from ingestion.demo.event_sql import events_sql
from ingestion.demo.population import Population
from queries.clickhouse import client

# Events per INSERT ... SELECT: bounds memory; each chunk becomes its own parts.
CHUNK_EVENTS = 2_500_000
USER_COLUMNS = (
    "uid",
    "person_id",
    "person_created_ms",
    "person_properties",
    "is_identified",
    "anon_id",
    "ident_id",
    "browser",
    "browser_version",
    "os",
    "device_type",
    "country",
    "signup_method",
    "plan",
    "revenue",
)
SESSION_COLUMNS = ("sid", "uid", "start_ms", "script", "switch_at", "referrer")


@dataclass(frozen=True)
class StagedUser:
    """One person as the expansion needs it: identity, snapshot JSON and the traits events repeat."""

    person_id: UUID
    created_ms: int
    properties: dict
    is_identified: bool
    anon_id: str
    ident_id: str


class Staging:
    """Uniquely named staging tables (so concurrent runs cannot clash), dropped by `drop()`."""

    def __init__(self) -> None:
        suffix = secrets.token_hex(6)
        self.users = f"demo_users_{suffix}"
        self.sessions = f"demo_sessions_{suffix}"

    def create(self) -> None:
        client.command(
            f"CREATE TABLE {self.users} (uid UInt32, person_id UUID, person_created_ms Int64, "
            "person_properties String, is_identified UInt8, anon_id String, ident_id String, browser String, "
            "browser_version String, os String, device_type String, country String, signup_method String, "
            "plan String, revenue String) ENGINE = Memory"
        )
        client.command(
            f"CREATE TABLE {self.sessions} (sid UInt32, uid UInt32, start_ms Int64, script String, "
            "switch_at UInt32, referrer UInt8) ENGINE = Memory"
        )

    def drop(self) -> None:
        for table in (self.users, self.sessions):
            client.command(f"DROP TABLE IF EXISTS {table}")

    def load(self, population: Population, staged: list[StagedUser], batch: int = 200_000) -> None:
        users = [
            (
                user.index,
                person.person_id,
                person.created_ms,
                json.dumps(person.properties, separators=(",", ":")),
                int(person.is_identified),
                person.anon_id,
                person.ident_id,
                user.browser,
                json.dumps(user.browser_version),
                user.os,
                user.device_type,
                user.country,
                user.signup_method,
                user.plan,
                json.dumps(user.revenue),
            )
            for user, person in zip(population.users, staged, strict=True)
        ]
        for start in range(0, len(users), batch):
            client.insert(self.users, users[start : start + batch], USER_COLUMNS)
        sessions = list(
            zip(
                range(len(population.session_script)),
                population.session_user,
                population.session_start_ms,
                population.session_script,
                population.session_switch_at,
                population.session_referrer,
                strict=True,
            )
        )
        for start in range(0, len(sessions), batch):
            client.insert(self.sessions, sessions[start : start + batch], SESSION_COLUMNS)

    def insert_persons(self, team_id: int) -> None:
        """Mirrors the persons and both kinds of distinct ids into ClickHouse (version 0, like new persons)."""
        client.command(
            "INSERT INTO person (id, created_at, team_id, properties, is_identified, is_deleted, version) "
            "SELECT person_id, fromUnixTimestamp64Milli(person_created_ms, 'UTC'), {team_id:Int64}, "
            f"person_properties, is_identified, 0, 0 FROM {self.users}",
            parameters={"team_id": team_id},
        )
        client.command(
            "INSERT INTO person_distinct_id2 (team_id, distinct_id, person_id, is_deleted, version) "
            "SELECT {team_id:Int64}, distinct_id, person_id, 0, 0 "
            f"FROM {self.users} ARRAY JOIN arrayFilter(d -> d != '', [anon_id, ident_id]) AS distinct_id",
            parameters={"team_id": team_id},
        )

    def insert_events(self, population: Population, team_id: int, seed: int) -> None:
        for low, high in session_chunks(population.session_script, CHUNK_EVENTS):
            client.command(
                events_sql(self.users, self.sessions),
                parameters={"team_id": team_id, "seed": seed, "low": low, "high": high},
                settings={"max_insert_threads": 2, "max_execution_time": 0, "insert_allow_materialized_columns": 1},
            )


def session_chunks(scripts: list[str], events_per_chunk: int) -> Iterator[tuple[int, int]]:
    """[low, high) session ranges holding about `events_per_chunk` events each."""
    low, events = 0, 0
    for position, script in enumerate(scripts):
        events += len(script)
        if events >= events_per_chunk:
            yield low, position + 1
            low, events = position + 1, 0
    if low < len(scripts):
        yield low, len(scripts)
