"""Persons kept between capture batches by the one process that stores events (INGESTION_PERSON_CACHE_SECONDS).

Reading a batch's persons from the app database costs more than anything else capture does per known person. The
process that stores events writes every person capture changes, so after a batch it knows them as the database does,
unless something else wrote them: an ORM save or delete (the API, cohorts, a deleted project) replaces the persons
generation (`persons.changes`), which drops everything here before the next batch; a writer no signal sees (raw SQL
in another process) is outlived by the cache's age limit. A batch that merged persons drops its project's entries
(distinct ids it never mentioned moved too). A batch changes the cached persons themselves, so one that fails drops
its project's entries (`persons.process_persons`).

Only one process may store events for it to hold (embedded chDB: the web process or its store process); it is off
where several do (a ClickHouse server with several web workers) and in tests.
"""

import time
from typing import Any

from django.conf import settings

from persons.changes import persons_generation

# Distinct ids kept over all projects; past it the cache starts again empty.
MAX_DISTINCT_IDS = 500_000


class PersonCache:
    """distinct id -> (the person as last stored: an `ingestion.persons.PersonState`, the mapping's version), per
    project."""

    def __init__(self) -> None:
        self.teams: dict[int, dict[str, tuple[Any, int]]] = {}
        self.size = 0
        self.generation: str | None = None
        self.started = 0.0

    def entries(self, team_id: int) -> dict[str, tuple[Any, int]]:
        """The project's entries, still valid now (empty when the cache is off or was just dropped)."""
        seconds = settings.INGESTION_PERSON_CACHE_SECONDS
        if not seconds:
            return {}
        generation = persons_generation()
        now = time.monotonic()
        if generation is None or generation != self.generation or now - self.started > seconds:
            self.clear()
            self.generation, self.started = generation, now
        return self.teams.get(team_id, {})

    def remember(self, team_id: int, mappings: dict[str, tuple[Any, int]], merged: bool) -> None:
        """After a batch's persons are committed: its persons as stored, or nothing of the project after a merge."""
        if not settings.INGESTION_PERSON_CACHE_SECONDS or self.generation is None:
            return
        if merged:
            self.forget(team_id)
            return
        team = self.teams.setdefault(team_id, {})
        before = len(team)
        team.update(mappings)
        self.size += len(team) - before
        if self.size > MAX_DISTINCT_IDS:
            self.clear()

    def forget(self, team_id: int) -> None:
        self.size -= len(self.teams.pop(team_id, {}))

    def clear(self) -> None:
        self.teams.clear()
        self.size = 0


person_cache = PersonCache()
