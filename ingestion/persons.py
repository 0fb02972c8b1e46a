"""Person processing for a batch of events: create persons, apply $set/$set_once/$unset, merge on identify/alias.

Works in memory over one team's events in order, then writes the final state in bulk (app DB first, then
the ClickHouse mirror rows it returns). Each event gets the snapshot of its person as of that event.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from django.db import transaction

from ingestion.clickhouse_writer import DistinctIdRow, PersonRow
from ingestion.models import Person, PersonDistinctId

IDENTIFY_EVENTS = {"$identify": "$anon_distinct_id", "$create_alias": "alias", "alias": "alias"}
FORCED_MERGE_EVENT = "$merge_dangerously"
LOOKUP_CHUNK = 500


@dataclass
class PersonState:
    person: Person
    created: bool = False
    dirty: bool = False
    deleted: bool = False
    _json: str | None = field(default=None, repr=False)

    def changed(self) -> None:
        self.dirty = True
        self._json = None

    def properties_json(self) -> str:
        if self._json is None:
            self._json = json.dumps(self.person.properties, separators=(",", ":"), ensure_ascii=False)
        return self._json


@dataclass
class Snapshot:
    """What an event stores of its person."""

    person_id: UUID
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
        self.merged_into: dict[UUID, PersonState] = {}

    def load(self, distinct_ids: Iterable[str]) -> None:
        wanted = [d for d in set(distinct_ids) if d not in self.by_distinct_id]
        persons: dict[int, PersonState] = {}
        for start in range(0, len(wanted), LOOKUP_CHUNK):
            rows = PersonDistinctId.objects.filter(
                team_id=self.team_id, distinct_id__in=wanted[start : start + LOOKUP_CHUNK]
            ).select_related("person")
            for row in rows:
                state = persons.get(row.person_id)
                if state is None:
                    state = persons[row.person_id] = PersonState(row.person)
                self.by_distinct_id[row.distinct_id] = state
                self.mapping_version[row.distinct_id] = row.version

    def get_or_create(self, distinct_id: str, seen_at: datetime) -> PersonState:
        state = self.by_distinct_id.get(distinct_id)
        if state is None:
            state = PersonState(Person(team_id=self.team_id, created_at=seen_at, properties={}), created=True)
            state.changed()
            self.by_distinct_id[distinct_id] = state
            self.new_mappings.add(distinct_id)
        elif seen_at < state.person.created_at:
            state.person.created_at = seen_at
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
        target.person.properties = {**source.person.properties, **target.person.properties}
        target.person.created_at = min(target.person.created_at, source.person.created_at)
        target.person.is_identified = True
        target.changed()
        for distinct_id, state in list(self.by_distinct_id.items()):
            if state is source:
                self.link(distinct_id, target)
        self.load_other_distinct_ids(source, target)
        source.deleted = True
        self.deleted.append(source)
        self.merged_into[source.person.uuid] = target

    def load_other_distinct_ids(self, source: PersonState, target: PersonState) -> None:
        """Distinct ids of `source` the batch never mentioned must move too."""
        if source.created or source.person.pk is None:
            return
        others = PersonDistinctId.objects.filter(team_id=self.team_id, person_id=source.person.pk).exclude(
            distinct_id__in=list(self.by_distinct_id)
        )
        for row in others:
            self.mapping_version[row.distinct_id] = row.version
            self.by_distinct_id[row.distinct_id] = source
            self.link(row.distinct_id, target)

    def identify(self, distinct_id: str, other_id: str, seen_at: datetime, forced: bool) -> None:
        """`other_id`'s person joins `distinct_id`'s (PostHog: no merge into an already identified person)."""
        target, other = self.by_distinct_id.get(distinct_id), self.by_distinct_id.get(other_id)
        if target is None and other is None:
            target = self.get_or_create(distinct_id, seen_at)
            self.link(other_id, target)
        elif target is None:
            self.link(distinct_id, other)
            target = other
        elif other is None:
            self.link(other_id, target)
        elif other is not target and (forced or not other.person.is_identified):
            self.merge(other, target)
        if not target.person.is_identified:
            target.person.is_identified = True
            target.changed()

    def apply(self, event: dict, seen_at: datetime) -> Snapshot:
        properties = event["properties"]
        distinct_id = event["distinct_id"]
        other_key = IDENTIFY_EVENTS.get(event["event"])
        forced = event["event"] == FORCED_MERGE_EVENT
        other_id = properties.get("alias" if forced else other_key) if (other_key or forced) else None
        if isinstance(other_id, str | int) and str(other_id) and str(other_id) != distinct_id:
            self.identify(distinct_id, str(other_id), seen_at, forced)
        state = self.get_or_create(distinct_id, seen_at)
        update_properties(state, properties)
        return Snapshot(state.person.uuid, state.person.created_at, state.properties_json())

    def all_states(self) -> list[PersonState]:
        unique: dict[int, PersonState] = {}
        for state in self.by_distinct_id.values():
            unique[id(state)] = state
        return list(unique.values())

    def survivor(self, person_id: UUID) -> PersonState:
        """The person a merged-away person ended up as after this batch's merges."""
        state = self.merged_into[person_id]
        while state.person.uuid in self.merged_into:
            state = self.merged_into[state.person.uuid]
        return state

    def save(self) -> PersonChanges:
        """Writes persons and mappings to the app DB in one transaction; returns the ClickHouse mirror rows."""
        live = [s for s in self.all_states() if not s.deleted]
        deleted = self.deleted
        with transaction.atomic():
            for state in live + deleted:
                if state.dirty and not state.created:
                    state.person.version += 1
            Person.objects.bulk_create([s.person for s in live if s.created])
            Person.objects.bulk_update(
                [s.person for s in live if s.dirty and not s.created],
                ["properties", "is_identified", "created_at", "version"],
            )
            mapping_rows = []
            for distinct_id in self.new_mappings:
                state = self.by_distinct_id[distinct_id]
                mapping_rows.append(
                    PersonDistinctId(team_id=self.team_id, distinct_id=distinct_id, person=state.person, version=0)
                )
            PersonDistinctId.objects.bulk_create(mapping_rows)
            for distinct_id in self.moved_mappings:
                self.mapping_version[distinct_id] = self.mapping_version.get(distinct_id, 0) + 1
                PersonDistinctId.objects.filter(team_id=self.team_id, distinct_id=distinct_id).update(
                    person=self.by_distinct_id[distinct_id].person, version=self.mapping_version[distinct_id]
                )
            gone = [s.person.pk for s in deleted if s.person.pk is not None and not s.created]
            if gone:
                Person.objects.filter(pk__in=gone).delete()
        return self.changes(live, deleted)

    def changes(self, live: list[PersonState], deleted: list[PersonState]) -> PersonChanges:
        persons = [person_row(s.person, deleted=False) for s in live if s.dirty]
        persons += [person_row(s.person, deleted=True) for s in deleted if not s.created]
        mappings = [
            DistinctIdRow(self.team_id, d, self.by_distinct_id[d].person.uuid, self.mapping_version.get(d, 0))
            for d in sorted(self.new_mappings | self.moved_mappings)
        ]
        overrides = [m for m in mappings if m.distinct_id in self.moved_mappings]
        return PersonChanges(persons, mappings, overrides)


def person_row(person: Person, deleted: bool) -> PersonRow:
    version = person.version + 1 if deleted else person.version
    return PersonRow(
        person.uuid, person.created_at, person.team_id, person.properties, person.is_identified, deleted, version
    )


def update_properties(state: PersonState, properties: dict) -> None:
    """$set_once fills only missing keys, $set overwrites, $unset removes (in that order, as PostHog does)."""
    current = state.person.properties
    changed = False
    for key, value in (properties.get("$set_once") or {}).items():
        if key not in current:
            current[key] = value
            changed = True
    for key, value in (properties.get("$set") or {}).items():
        if current.get(key, object()) != value:
            current[key] = value
            changed = True
    unset = properties.get("$unset") or []
    for key in unset if isinstance(unset, list) else list(unset):
        if key in current:
            del current[key]
            changed = True
    if changed:
        state.changed()


def process_persons(
    team_id: int, events: list[dict], timestamps: list[datetime]
) -> tuple[list[Snapshot], PersonChanges]:
    """Snapshots for each event (same order) and the ClickHouse rows to mirror. Commits to the app DB."""
    batch = PersonBatch(team_id)
    mentioned = set()
    for event in events:
        mentioned.add(event["distinct_id"])
        other_key = IDENTIFY_EVENTS.get(event["event"]) or ("alias" if event["event"] == FORCED_MERGE_EVENT else None)
        if other_key and event["properties"].get(other_key) not in (None, ""):
            mentioned.add(str(event["properties"][other_key]))
    batch.load(mentioned)
    snapshots = [batch.apply(event, seen_at) for event, seen_at in zip(events, timestamps, strict=True)]
    if batch.merged_into:
        for snapshot in snapshots:
            if snapshot.person_id in batch.merged_into:
                survivor = batch.survivor(snapshot.person_id)
                snapshot.person_id = survivor.person.uuid
                snapshot.properties_json = survivor.properties_json()
    return snapshots, batch.save()
