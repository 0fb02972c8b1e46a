"""Recording what capture saw as definitions (spec §2.2), cheaply: one call per team and spool flush.

An in-process cache remembers which (project, name, type) rows already exist with a type, which event/property
pairs are known and which events were marked seen this hour, so a steady stream of known events costs no
database write and no type detection. New names are written in a few bulk statements per call.
"""

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from definitions.inference import (
    PERSON_UPDATE_KEYS,
    SKIPPED_EVENT_PROPERTIES,
    SKIPPED_EVENTS,
    clean_name,
    detect_property_type,
)
from definitions.models import EventDefinition, EventProperty, PropertyDefinition
from definitions.selectors import TYPED_PROPERTY_TYPES, forget_typed_definitions
from insights_server.models import Team

logger = logging.getLogger(__name__)

EVENT = PropertyDefinition.Type.EVENT.value
PERSON = PropertyDefinition.Type.PERSON.value
# Events with more properties than this are not recorded (a runaway client, not a taxonomy).
MAX_PROPERTIES_PER_EVENT = 10_000
# The cache forgets everything past this many entries; the next flushes write (idempotently) what they see.
MAX_CACHED_NAMES = 200_000
BULK_BATCH = 1_000


@dataclass
class ProjectCache:
    """What this process knows is stored for one project."""

    # event name -> the hour (hours since the epoch) its last_seen_at was last refreshed
    events: dict[str, int] = field(default_factory=dict)
    # event name -> property names recorded as seen on it
    event_properties: dict[str, set[str]] = field(default_factory=dict)
    # definition type -> property name -> whether the stored row has a type (True: nothing left to write)
    properties: dict[int, dict[str, bool]] = field(default_factory=lambda: {EVENT: {}, PERSON: {}})
    # event name -> keys with nothing left to write (pair recorded, property typed, or a person/group update key);
    # an event whose keys are all in here (and whose person updates are all typed) is skipped in one C-level check
    complete: dict[str, set[str]] = field(default_factory=dict)
    # person property names with a stored type
    typed_person: set[str] = field(default_factory=set)
    size: int = 0


@dataclass
class SeenDefinitions:
    """What one batch adds: new or stale events, new event/property pairs, new or still untyped properties."""

    events: set[str] = field(default_factory=set)
    event_properties: set[tuple[str, str]] = field(default_factory=set)
    # (type, name) -> the first type detected in the batch (None while only null/object/array values were seen)
    properties: dict[tuple[int, str], str | None] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.events or self.event_properties or self.properties)


_projects: dict[int, ProjectCache] = {}
_team_projects: dict[int, int] = {}
_lock = threading.Lock()


def forget_known_definitions() -> None:
    """Empties the in-process cache (tests; a definition deleted through the API is also forgotten here)."""
    with _lock:
        _projects.clear()
        _team_projects.clear()


def forget_project(project_id: int) -> None:
    """Forgets what this process knows of one project (a definition was deleted or retyped)."""
    with _lock:
        _projects.pop(project_id, None)


def _project_id(team_id: int) -> int | None:
    project_id = _team_projects.get(team_id)
    if project_id is None:
        project_id = Team.objects.filter(pk=team_id).values_list("project_id", flat=True).first()
        if project_id is not None:
            _team_projects[team_id] = project_id
    return project_id


def _note_property(seen: SeenDefinitions, known: dict[str, bool], kind: int, key, value) -> None:
    state = known.get(key)
    if state is True or (state is False and (value is None or isinstance(value, dict | list))):
        return
    batch_key = (kind, key)
    if seen.properties.get(batch_key) is not None:
        return
    detected = detect_property_type(key, value)
    if detected is None and (key in known or batch_key in seen.properties):
        return
    seen.properties[batch_key] = detected


def _person_updates_known(cache: ProjectCache, properties: dict) -> bool:
    for key in PERSON_UPDATE_KEYS:
        updates = properties.get(key)
        if updates and not cache.typed_person.issuperset(updates):
            return False
    return True


def collect(cache: ProjectCache, events: Iterable[dict], hour: int) -> SeenDefinitions:
    """The definitions `events` (normalized capture dicts) add to what `cache` already knows."""
    seen = SeenDefinitions()
    event_typed, person_typed = cache.properties[EVENT], cache.properties[PERSON]
    for event in events:
        name = event["event"]
        if name in SKIPPED_EVENTS:
            continue
        properties = event["properties"]
        if len(properties) > MAX_PROPERTIES_PER_EVENT:
            continue
        if cache.events.get(name) != hour:
            seen.events.add(name)
        complete = cache.complete.get(name)
        if complete is None:
            complete = cache.complete[name] = set()
        elif complete.issuperset(properties) and _person_updates_known(cache, properties):
            continue
        on_event = cache.event_properties.get(name, ())
        for key, value in properties.items():
            if key in SKIPPED_EVENT_PROPERTIES:
                if key in PERSON_UPDATE_KEYS and isinstance(value, dict):
                    for person_key, person_value in value.items():
                        _note_property(seen, person_typed, PERSON, person_key, person_value)
                complete.add(key)
                continue
            if key in on_event and event_typed.get(key) is True:
                complete.add(key)
                continue
            if key not in on_event:
                seen.event_properties.add((name, key))
            _note_property(seen, event_typed, EVENT, key, value)
    return seen


def record_captured_events(team_id: int, events: list[dict], now: datetime | None = None) -> SeenDefinitions:
    """Upserts the event, property and event-property definitions of one team's captured events.

    1. What the cache already knows is skipped without detection; the rest is gathered per batch (`collect`).
    2. New rows are inserted (existing ones kept); `last_seen_at` is refreshed at most once an hour per event.
    3. A detected type is written only where the stored type is still null: the first type wins.
    4. The cache learns what is now stored. Returns what was written (empty for a batch of known events).
    """
    now = now or timezone.now()
    hour = int(now.timestamp()) // 3600
    with _lock:
        project_id = _project_id(team_id)
        if project_id is None:
            return SeenDefinitions()
        cache = _projects.get(project_id)
        if cache is None or cache.size > MAX_CACHED_NAMES:
            cache = _projects[project_id] = ProjectCache()
        seen = collect(cache, events, hour)
        if seen:
            _write(team_id, project_id, seen, now)
            _learn(cache, seen, hour)
    return seen


def record_seen(team_id: int, seen: SeenDefinitions, now: datetime | None = None) -> None:
    """Writes definitions gathered elsewhere (demo data derives them from what it wrote to ClickHouse)."""
    now = now or timezone.now()
    with _lock:
        project_id = _project_id(team_id)
        if project_id is not None and seen:
            _write(team_id, project_id, seen, now)
            _projects.pop(project_id, None)


def _write(team_id: int, project_id: int, seen: SeenDefinitions, now: datetime) -> None:
    events = {name: clean_name(name) for name in seen.events}
    pairs = [(clean_name(event), clean_name(key)) for event, key in seen.event_properties]
    properties = {(kind, clean_name(name)): detected for (kind, name), detected in seen.properties.items()}
    with transaction.atomic():
        if events:
            names = [name for name in events.values() if name]
            EventDefinition.objects.bulk_create(
                [EventDefinition(team_id=team_id, project_id=project_id, name=n, last_seen_at=now) for n in names],
                ignore_conflicts=True,
                batch_size=BULK_BATCH,
            )
            EventDefinition.objects.filter(project_id=project_id, name__in=names).update(last_seen_at=now)
        if pairs:
            EventProperty.objects.bulk_create(
                [
                    EventProperty(team_id=team_id, project_id=project_id, event=event, property=key)
                    for event, key in pairs
                    if event and key
                ],
                ignore_conflicts=True,
                batch_size=BULK_BATCH,
            )
        if properties:
            _write_properties(team_id, project_id, properties)


def _write_properties(team_id: int, project_id: int, properties: dict[tuple[int, str | None], str | None]) -> None:
    PropertyDefinition.objects.bulk_create(
        [
            PropertyDefinition(
                team_id=team_id,
                project_id=project_id,
                name=name,
                type=kind,
                property_type=detected,
                is_numerical=detected == "Numeric",
            )
            for (kind, name), detected in properties.items()
            if name
        ],
        ignore_conflicts=True,
        batch_size=BULK_BATCH,
    )
    typed: dict[tuple[int, str], list[str]] = {}
    for (kind, name), detected in properties.items():
        if name and detected is not None:
            typed.setdefault((kind, detected), []).append(name)
    # Rows that existed without a type take the first type seen now; rows with a type keep theirs.
    for (kind, detected), names in typed.items():
        PropertyDefinition.objects.filter(
            project_id=project_id, type=kind, group_type_index__isnull=True, name__in=names, property_type__isnull=True
        ).update(property_type=detected, is_numerical=detected == "Numeric")
    if any(detected in TYPED_PROPERTY_TYPES for _, detected in typed):
        # Queries print these properties differently now. Forgotten again on commit: a query in between may have
        # cached the types as they were before this transaction.
        forget_typed_definitions(project_id)
        transaction.on_commit(lambda: forget_typed_definitions(project_id))


def _learn(cache: ProjectCache, seen: SeenDefinitions, hour: int) -> None:
    for name in seen.events:
        cache.events[name] = hour
    for event, key in seen.event_properties:
        cache.event_properties.setdefault(event, set()).add(key)
    for (kind, name), detected in seen.properties.items():
        # An untyped value may meet a row another process typed: only a detected type proves "typed" here.
        cache.properties[kind][name] = detected is not None
        if kind == PERSON and detected is not None:
            cache.typed_person.add(name)
    cache.size += len(seen.events) + len(seen.event_properties) + len(seen.properties)
