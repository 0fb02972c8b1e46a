"""`generate_demo_data`: realistic, deterministic product usage of a SaaS web app for one project."""

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.utils import timezone

from ingestion.demo.definitions import record_demo_definitions
from ingestion.demo.expansion import StagedUser, Staging
from ingestion.demo.persons import write_persons
from ingestion.demo.population import Population, build_population
from ingestion.demo.users import DemoUser, anonymous_distinct_id, hashed_uuid, identified_distinct_id, user_email
from insights_server.models import Team
from queries.clickhouse import client

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DemoSummary:
    events: int
    persons: int
    distinct_ids: int
    sessions: int
    seconds: float

    def __str__(self) -> str:
        return (
            f"{self.events:,} events, {self.persons:,} persons ({self.distinct_ids:,} distinct ids), "
            f"{self.sessions:,} sessions in {self.seconds:.1f} s"
        )


def demo_person_uuid(team_id: int, seed: int, index: int):
    # Person.uuid is unique across all projects, so unlike distinct ids it depends on the team.
    return hashed_uuid("demo-person", team_id, seed, index)


def person_properties(user: DemoUser) -> dict:
    properties = {
        "$initial_browser": user.browser,
        "$initial_browser_version": user.browser_version,
        "$initial_os": user.os,
        "$initial_device_type": user.device_type,
        "$initial_referring_domain": user.first_referrer,
        "$geoip_country_code": user.country,
    }
    if user.identified:
        properties |= {
            "email": user_email(user),
            "name": user.name,
            "plan": user.plan,
            "signup_date": datetime.fromtimestamp(user.signup_ms / 1000, UTC).date().isoformat(),
        }
    return properties


def generate_demo_data(team: Team, events: int, days: int, seed: int, now: datetime | None = None) -> DemoSummary:
    """Adds `events` events over the `days` days before `now`, and their persons, to `team`.

    Equal (events, days, seed, now) give equal events; distinct ids depend on the seed only, person uuids on the
    seed and the team. `now` defaults to the current hour (aware datetimes only). Does not look at existing
    events: callers that want demo data once check first.

    1. Users and sessions (with event scripts) are drawn in Python (`population`).
    2. Persons and distinct ids go to the app DB in one transaction; DemoDataExists if this seed was used here.
    3. Staging tables in ClickHouse receive users and sessions; persons are mirrored and events expanded
       by INSERT ... SELECT (`expansion`); the staging tables are dropped even on failure.
    4. Event and property definitions are derived from what was written (capture would have recorded them).
    5. The team is marked as having ingested events.
    """
    started = time.monotonic()
    if now is None:
        now = timezone.now().replace(minute=0, second=0, microsecond=0)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    population = build_population(events, days, seed, int(now.timestamp() * 1000))
    staged = _stage_users(team.id, seed, population)
    distinct_ids = write_persons(team, seed, staged)
    staging = Staging()
    try:
        staging.create()
        staging.load(population, staged)
        staging.insert_persons(team.id)
        staging.insert_events(population, team.id, seed)
    finally:
        staging.drop()
    record_demo_definitions(team.id, staged)
    team.ingested_event = True
    team.save(update_fields=["ingested_event"])
    summary = DemoSummary(
        events=population.event_count,
        persons=len(population.users),
        distinct_ids=distinct_ids,
        sessions=len(population.session_script),
        seconds=time.monotonic() - started,
    )
    logger.info(
        "demo_data_generated team_id=%s seed=%s days=%s events=%s persons=%s seconds=%.1f",
        team.id, seed, days, summary.events, summary.persons, summary.seconds,
    )  # fmt: skip
    return summary


def _stage_users(team_id: int, seed: int, population: Population) -> list[StagedUser]:
    return [
        StagedUser(
            person_id=demo_person_uuid(team_id, seed, user.index),
            created_ms=user.created_ms,
            properties=person_properties(user),
            is_identified=user.identified,
            anon_id=anonymous_distinct_id(seed, user.index),
            ident_id=identified_distinct_id(seed, user.index) if user.identified else "",
        )
        for user in population.users
    ]


def project_has_events(team_id: int) -> bool:
    return bool(
        client.query("SELECT 1 FROM events WHERE team_id = {team_id:Int64} LIMIT 1", {"team_id": team_id}).result_rows
    )
