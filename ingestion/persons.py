"""Person processing for a batch of events: create persons, apply $set/$set_once/$unset, merge on identify/alias.

Works in memory over one team's events in order, then writes the final state in bulk (app DB first, then
the ClickHouse mirror rows it returns). Each event gets the snapshot of its person as of that event. Person ids
are canonical uuid text throughout: uuid.UUID objects cost more than everything else a known person needs.
"""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID

import orjson
from django.db import connection, transaction

from ingestion.clickhouse_writer import DistinctIdRow, PersonRow
from ingestion.person_cache import person_cache
from persons.models import Person, PersonDistinctId

IDENTIFY_EVENTS = {"$identify": "$anon_distinct_id", "$create_alias": "alias", "alias": "alias"}
FORCED_MERGE_EVENT = "$merge_dangerously"
LOOKUP_CHUNK = 500


@dataclass(eq=False, slots=True)
class PersonState:
    """A person as the batch sees it; compared by identity."""

    uuid: str
    team_id: int
    created_at: datetime
    properties: dict
    is_identified: bool = False
    version: int = 0
    created: bool = False
    dirty: bool = False
    deleted: bool = False
    _json: str | None = field(default=None, repr=False)
    _snapshot: "Snapshot | None" = field(default=None, repr=False)

    def changed(self) -> None:
        """Every change of the person goes through here (it drops what was cached of the old state)."""
        self.dirty = True
        self._json = None
        self._snapshot = None

    def properties_json(self) -> str:
        if self._json is None:
            self._json = orjson.dumps(self.properties).decode()
        return self._json

    def snapshot(self) -> "Snapshot":
        """The person as of now, one object for all events until the person changes."""
        if self._snapshot is None:
            self._snapshot = Snapshot(self.uuid, self.created_at, self.properties_json())
        return self._snapshot


@dataclass(slots=True)
class Snapshot:
    """What an event stores of its person (shared by consecutive events of an unchanged person)."""

    person_id: str
    created_at: datetime
    properties_json: str


@dataclass
class PersonChanges:
    """ClickHouse rows mirroring what a batch changed."""

    persons: list[PersonRow]
    distinct_ids: list[DistinctIdRow]
    overrides: list[DistinctIdRow]


class PersonBatch:
    """One team's persons, loaded for the distinct ids a batch mentions."""

    def __init__(self, team_id: int):
        self.team_id = team_id
        self.by_distinct_id: dict[str, PersonState] = {}
        self.mapping_version: dict[str, int] = {}
        self.new_mappings: set[str] = set()
        self.moved_mappings: set[str] = set()
        self.deleted: list[PersonState] = []
        # Persons merged away in this batch -> the person they joined, so this batch's events carry the survivor.
        self.merged_into: dict[str, PersonState] = {}

    def load(self, distinct_ids) -> None:
        """The persons of these distinct ids: those the person cache holds, the others from the app DB."""
        persons: dict[str, PersonState] = {}
        cached = person_cache.entries(self.team_id)
        if cached:
            for distinct_id in distinct_ids:
                hit = cached.get(distinct_id)
                if hit is not None and distinct_id not in self.by_distinct_id:
                    known, self.mapping_version[distinct_id] = hit
                    self.by_distinct_id[distinct_id] = persons[known.uuid] = known
        wanted = [d for d in set(distinct_ids) if d not in self.by_distinct_id]
        for rows in PersonTableWriter().read_mappings(self.team_id, wanted):
            for distinct_id, version, person_uuid, created_at, properties, is_identified, person_version in rows:
                state = persons.get(person_uuid)
                if state is None:
                    state = PersonState(
                        person_uuid, self.team_id, created_at, properties, bool(is_identified), person_version
                    )
                    persons[person_uuid] = state
                self.by_distinct_id[distinct_id] = state
                self.mapping_version[distinct_id] = version

    def get_or_create(self, distinct_id: str, seen_at: datetime) -> PersonState:
        state = self.by_distinct_id.get(distinct_id)
        if state is None:
            state = PersonState(str(uuid.uuid4()), self.team_id, seen_at, {}, created=True)
            state.changed()
            self.by_distinct_id[distinct_id] = state
            self.new_mappings.add(distinct_id)
        elif seen_at < state.created_at:
            state.created_at = seen_at
            state.changed()
        return state

    def link(self, distinct_id: str, target: PersonState) -> None:
        """Points a distinct id at `target` (new mapping or moved from another person)."""
        current = self.by_distinct_id.get(distinct_id)
        if current is target:
            return
        self.by_distinct_id[distinct_id] = target
        if current is None:
            self.new_mappings.add(distinct_id)
        elif distinct_id not in self.new_mappings:
            self.moved_mappings.add(distinct_id)

    def merge(self, source: PersonState, target: PersonState) -> None:
        """Moves every distinct id of `source` to `target`; target's properties win; source is deleted."""
        target.properties = {**source.properties, **target.properties}
        target.created_at = min(target.created_at, source.created_at)
        target.is_identified = True
        target.changed()
        for distinct_id, state in list(self.by_distinct_id.items()):
            if state is source:
                self.link(distinct_id, target)
        self.move_unmentioned_distinct_ids(source, target)
        source.deleted = True
        self.deleted.append(source)
        self.merged_into[source.uuid] = target

    def move_unmentioned_distinct_ids(self, source: PersonState, target: PersonState) -> None:
        """Distinct ids of `source` the batch never mentioned must move too."""
        if source.created:
            return
        # Filtered here, not in SQL: a person has few distinct ids, the batch may mention thousands.
        # `person__uuid` compiles to the same column as `person_id` (the key's to_field); stubs type `person_id` as
        # an int.
        rows = PersonDistinctId.objects.filter(team_id=self.team_id, person__uuid=source.uuid)
        others = [(d, v) for d, v in rows.values_list("distinct_id", "version") if d not in self.by_distinct_id]
        for distinct_id, version in others:
            self.mapping_version[distinct_id] = version
            self.by_distinct_id[distinct_id] = source
            self.link(distinct_id, target)

    def identify(self, distinct_id: str, other_id: str, seen_at: datetime, forced: bool) -> None:
        """`other_id`'s person joins `distinct_id`'s (PostHog: no merge into an already identified person)."""
        target, other = self.by_distinct_id.get(distinct_id), self.by_distinct_id.get(other_id)
        if target is None:
            if other is None:
                target = self.get_or_create(distinct_id, seen_at)
                self.link(other_id, target)
            else:
                self.link(distinct_id, other)
                target = other
        elif other is None:
            self.link(other_id, target)
        elif other is not target and (forced or not other.is_identified):
            self.merge(other, target)
        if not target.is_identified:
            target.is_identified = True
            target.changed()

    def apply(self, event: dict, seen_at: datetime, other_key: str | None) -> Snapshot:
        """Applies one event (`other_key`: its `other_id_key`) and returns its person's snapshot."""
        properties = event["properties"]
        distinct_id = event["distinct_id"]
        if other_key is not None:
            other_id = properties.get(other_key)
            if isinstance(other_id, str | int) and str(other_id) and str(other_id) != distinct_id:
                self.identify(distinct_id, str(other_id), seen_at, forced=event["event"] == FORCED_MERGE_EVENT)
        state = self.get_or_create(distinct_id, seen_at)
        if "$set" in properties or "$set_once" in properties or "$unset" in properties:
            update_properties(state, properties)
        return state.snapshot()

    def survivor(self, person_id: str) -> PersonState:
        """The person a merged-away person ended up as after this batch's merges."""
        state = self.merged_into[person_id]
        while state.uuid in self.merged_into:
            state = self.merged_into[state.uuid]
        return state

    def live_states(self) -> list[PersonState]:
        unique = {id(state): state for state in self.by_distinct_id.values() if not state.deleted}
        return list(unique.values())

    def save(self) -> PersonChanges:
        """Writes persons and mappings to the app DB in one transaction; returns the ClickHouse mirror rows."""
        live = self.live_states()
        for state in live + self.deleted:
            if state.dirty and not state.created:
                state.version += 1
        moved = sorted(self.moved_mappings)
        for distinct_id in moved:
            self.mapping_version[distinct_id] = self.mapping_version.get(distinct_id, 0) + 1
        writer = PersonTableWriter()
        with transaction.atomic():
            writer.insert_persons([s for s in live if s.created])
            writer.update_persons([s for s in live if s.dirty and not s.created])
            writer.insert_mappings(
                [(d, self.by_distinct_id[d].uuid, 0) for d in sorted(self.new_mappings)], self.team_id
            )
            writer.move_mappings(
                [(d, self.by_distinct_id[d].uuid, self.mapping_version[d]) for d in moved], self.team_id
            )
            gone = [s.uuid for s in self.deleted if not s.created]
            if gone:
                Person.objects.filter(uuid__in=gone).delete()
        return self.changes(live)

    def changes(self, live: list[PersonState]) -> PersonChanges:
        persons = [person_row(s, deleted=False) for s in live if s.dirty]
        persons += [person_row(s, deleted=True) for s in self.deleted if not s.created]
        mappings = [
            DistinctIdRow(self.team_id, d, self.by_distinct_id[d].uuid, self.mapping_version.get(d, 0))
            for d in sorted(self.new_mappings | self.moved_mappings)
        ]
        overrides = [m for m in mappings if m.distinct_id in self.moved_mappings]
        return PersonChanges(persons, mappings, overrides)


class PersonTableWriter:
    """Bulk writes with executemany: the ORM's per-object overhead dominates at ingestion volumes."""

    def __init__(self):
        self.person_table = Person._meta.db_table
        self.mapping_table = PersonDistinctId._meta.db_table
        self.uuid_field = Person._meta.get_field("uuid")
        self.date_field = Person._meta.get_field("created_at")
        # What UUIDField.get_db_prep_value does per value (hex text without a native type), without its cost.
        self.uuid_as_hex = not connection.features.has_native_uuid_field

    def read_mappings(self, team_id: int, distinct_ids: list[str]):
        """Chunks of (distinct_id, version, person uuid, created_at, properties, is_identified, person version).

        Raw SQL: the ORM's per-row converters cost more than the query at ingestion volumes.
        """
        for start in range(0, len(distinct_ids), LOOKUP_CHUNK):
            chunk = distinct_ids[start : start + LOOKUP_CHUNK]
            placeholders = ", ".join(["%s"] * len(chunk))
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT m.distinct_id, m.version, p.uuid, p.created_at, p.properties, p.is_identified, p.version "
                    f"FROM {self.mapping_table} m JOIN {self.person_table} p ON p.uuid = m.person_uuid "
                    f"WHERE m.team_id = %s AND m.distinct_id IN ({placeholders})",
                    [team_id, *chunk],
                )
                yield [self.decode_row(row) for row in cursor.fetchall()]

    def decode_row(self, row: tuple) -> tuple:
        distinct_id, version, person_uuid, created_at, properties, is_identified, person_version = row
        if isinstance(created_at, str):  # SQLite returns text
            created_at = datetime.fromisoformat(created_at)
        if created_at.tzinfo is None:
            created_at = created_at.replace(tzinfo=UTC)
        if isinstance(properties, str | bytes):  # SQLite returns text; PostgreSQL decodes jsonb itself
            properties = orjson.loads(properties)
        return distinct_id, version, uuid_text(person_uuid), created_at, properties, is_identified, person_version

    def db_uuid(self, value: str) -> str | UUID:
        """What UUIDField.get_db_prep_value gives for canonical uuid text."""
        return value.replace("-", "") if self.uuid_as_hex else UUID(value)

    def db_datetime(self, value: datetime):
        return self.date_field.get_db_prep_value(value, connection)

    def insert_persons(self, states: list[PersonState]) -> None:
        if not states:
            return
        rows = [
            (self.db_uuid(s.uuid), s.team_id, self.db_datetime(s.created_at), s.properties_json(), s.is_identified, 0)
            for s in states
        ]
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {self.person_table} (uuid, team_id, created_at, properties, is_identified, version) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                rows,
            )

    def update_persons(self, states: list[PersonState]) -> None:
        if not states:
            return
        rows = [
            (s.properties_json(), s.is_identified, self.db_datetime(s.created_at), s.version, self.db_uuid(s.uuid))
            for s in states
        ]
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {self.person_table} SET properties = %s, is_identified = %s, created_at = %s, version = %s "
                "WHERE uuid = %s",
                rows,
            )

    def insert_mappings(self, mappings: list[tuple[str, str, int]], team_id: int) -> None:
        if not mappings:
            return
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {self.mapping_table} (team_id, distinct_id, person_uuid, version) "
                "VALUES (%s, %s, %s, %s)",
                [(team_id, d, self.db_uuid(p), v) for d, p, v in mappings],
            )

    def move_mappings(self, mappings: list[tuple[str, str, int]], team_id: int) -> None:
        if not mappings:
            return
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {self.mapping_table} SET person_uuid = %s, version = %s "
                "WHERE team_id = %s AND distinct_id = %s",
                [(self.db_uuid(p), v, team_id, d) for d, p, v in mappings],
            )


def uuid_text(value: UUID | str) -> str:
    """The canonical text of a UUID column value (a UUID from PostgreSQL, 32 hex digits from SQLite)."""
    if isinstance(value, UUID):
        return str(value)
    if len(value) == 32:
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}".lower()
    return str(UUID(value))


def other_id_key(event_name: str) -> str | None:
    """The property naming the other distinct id for identify/alias/merge events."""
    return "alias" if event_name == FORCED_MERGE_EVENT else IDENTIFY_EVENTS.get(event_name)


def person_row(state: PersonState, deleted: bool) -> PersonRow:
    version = state.version + 1 if deleted else state.version
    return PersonRow(
        state.uuid, state.created_at, state.team_id, state.properties, state.is_identified, deleted, version
    )


def update_properties(state: PersonState, properties: dict) -> None:
    """$set_once fills only missing keys, $set overwrites, $unset removes (in that order, as PostHog does)."""
    current = state.properties
    changed = False
    for key, value in (properties.get("$set_once") or {}).items():
        if key not in current:
            current[key] = value
            changed = True
    for key, value in (properties.get("$set") or {}).items():
        if current.get(key, _MISSING) != value:
            current[key] = value
            changed = True
    unset = properties.get("$unset") or []
    for key in unset if isinstance(unset, list) else list(unset):
        if key in current:
            del current[key]
            changed = True
    if changed:
        state.changed()


_MISSING = object()


def process_persons(
    team_id: int, events: list[dict], timestamps: list[datetime]
) -> tuple[list[Snapshot], PersonChanges]:
    """Snapshots for each event (same order) and the ClickHouse rows to mirror. Commits to the app DB."""
    try:
        return _process_persons(team_id, events, timestamps)
    except BaseException:
        person_cache.forget(team_id)  # its cached persons may hold this batch's changes, which were not committed
        raise


def _process_persons(
    team_id: int, events: list[dict], timestamps: list[datetime]
) -> tuple[list[Snapshot], PersonChanges]:
    batch = PersonBatch(team_id)
    mentioned = {event["distinct_id"] for event in events}
    other_keys = [other_id_key(event["event"]) for event in events]
    for event, other_key in zip(events, other_keys, strict=True):
        if other_key and event["properties"].get(other_key) not in (None, ""):
            mentioned.add(str(event["properties"][other_key]))
    batch.load(mentioned)
    snapshots = [
        batch.apply(event, seen_at, other_key)
        for event, seen_at, other_key in zip(events, timestamps, other_keys, strict=True)
    ]
    if batch.merged_into:
        for snapshot in snapshots:
            if snapshot.person_id in batch.merged_into:
                survivor = batch.survivor(snapshot.person_id)
                snapshot.person_id = survivor.uuid
                snapshot.properties_json = survivor.properties_json()
    changes = batch.save()
    for state in batch.live_states():
        state.created = state.dirty = False  # saved: what the next batch starts from
    merged = bool(batch.deleted or batch.moved_mappings or batch.merged_into)
    person_cache.remember(
        team_id, {d: (state, batch.mapping_version.get(d, 0)) for d, state in batch.by_distinct_id.items()}, merged
    )
    return snapshots, changes
