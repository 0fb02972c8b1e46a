"""What cohorts need from the query engine, which sits above this app: the engine registers itself when the
queries app is ready (docs/architecture.md, "registration hook"), so nothing here imports `queries`."""

from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class MemberFilters:
    """Narrows a members page: `search` (email, name, person id or distinct id substring) and person `properties`
    (a list of filters or an AND/OR group)."""

    search: str | None = None
    properties: list | dict | None = None


class CohortEngine(Protocol):
    def calculate(self, cohort_id: int, pending_version: int) -> None:
        """Computes a dynamic cohort's members at `pending_version` (skipped when superseded) and records the
        outcome on the cohort (count, version, errors)."""

    def enqueue(self, cohort_id: int, pending_version: int) -> None:
        """Runs `calculate` now (embedded) or in a Celery worker."""

    def add_static_members(self, team_id: int, cohort_id: int, person_ids: list[UUID]) -> None:
        """Writes static members where queries read them."""

    def remove_static_member(self, team_id: int, cohort_id: int, person_id: UUID) -> None: ...

    def member_ids(self, cohort, limit: int, offset: int, filters: MemberFilters | None = None) -> list[UUID]:
        """A page of a cohort's current members (static or dynamic), by person uuid, narrowed by `filters`."""

    def query_person_ids(self, team, query: dict) -> list[UUID]:
        """The person ids an ActorsQuery / HogQLQuery (`save as cohort`) returns."""


_engine: CohortEngine | None = None


def register_engine(engine: CohortEngine) -> None:
    global _engine
    _engine = engine


def engine() -> CohortEngine:
    if _engine is None:
        raise ImproperlyConfigured("No cohort engine is registered: is the queries app installed?")
    return _engine
