"""Calculating a dynamic cohort into ClickHouse `cohortpeople` at a new version, and the other membership reads and
writes the cohorts app asks of the engine (spec actors-cohorts §3.5). Registered as the cohort engine by the queries
app (cohorts sits below queries and cannot import it)."""

import logging
import time
from datetime import UTC, datetime
from uuid import UUID, uuid4

from celery import current_app
from django.conf import settings
from django.db import transaction

from cohorts.engine import MemberFilters
from cohorts.filters import effective_filters
from cohorts.models import Cohort, CohortPeople
from cohorts.services import cohort_calculation_started, cohort_record_calculation
from insights_server.errors import DomainError
from queries.clickhouse import client
from queries.cohorts.membership import MembershipBuilder
from queries.hogql.execute import execute_select, print_select
from queries.hogql.parser import parse_select
from queries.hogql.printer import PrintContext
from queries.person_overrides import has_person_overrides
from queries.runners.actors.runner import ActorsQueryRunner
from queries.runners.common.series import action_for
from queries.schema import parse_query

logger = logging.getLogger(__name__)
CALCULATE_TASK = "cohorts.calculate_cohort"
COHORT_CALCULATION_LIMIT = 1_000_000_000
INSERT_SETTINGS = {"max_execution_time": 600, "optimize_on_insert": 0}
NO_PROPERTIES = "Cohort has no properties defined"


def membership_select(cohort: Cohort, now: datetime | None = None):
    """The HogQL SELECT of the cohort's members, or None when it has no filters (it then has no members)."""
    filters = effective_filters(cohort)
    if not filters or not (filters.get("properties") or {}).get("values"):
        return None

    def action_steps(action_id):
        action = action_for(cohort.team, action_id)
        return action.steps if action else None

    return MembershipBuilder(cohort.team, now or datetime.now(UTC), action_steps).build(filters)


def calculate(cohort_id: int, pending_version: int) -> None:
    """1. Skip a superseded request; 2. insert the members at `pending_version` and cancel older rows; 3. count them
    at that version; 4. record count, version and errors on the cohort, and the run in its calculation history."""
    cohort = Cohort.objects.select_related("team").filter(pk=cohort_id).first()
    if cohort is None or cohort.is_static or (cohort.pending_version or 0) > pending_version:
        return
    history = cohort_calculation_started(cohort, effective_filters(cohort))
    started = time.perf_counter()
    team_id = int(cohort.team_id)
    queries: list[dict] = []
    try:
        select = membership_select(cohort)
        context = PrintContext(
            team_id=team_id, timezone=cohort.team.timezone, person_overrides=has_person_overrides(team_id)
        )
        members = "SELECT toUUID('00000000-0000-0000-0000-000000000000') AS id WHERE 0"
        if select is not None:
            members = print_select(select, context, COHORT_CALCULATION_LIMIT, COHORT_CALCULATION_LIMIT)
        version = int(pending_version)
        insert = (
            f"INSERT INTO cohortpeople (person_id, cohort_id, team_id, sign, version) "
            f"SELECT id, toInt64({int(cohort_id)}), toInt64({team_id}), toInt8(1), toUInt64({version}) "
            f"FROM ({members}) "
            f"UNION ALL SELECT person_id, cohort_id, team_id, toInt8(-1), version FROM cohortpeople "
            f"WHERE team_id = {team_id} AND cohort_id = {int(cohort_id)} AND version < {version} AND sign = 1"
        )
        query_id = f"{team_id}_cohort_{int(cohort_id)}_{version}"
        statement_started = time.perf_counter()
        summary = client.command(
            client.tagged(insert, query_id), parameters=context.parameters, settings=INSERT_SETTINGS
        )
        queries.append(_query_info(insert, query_id, statement_started, summary))
        count = client.query(
            f"SELECT count(DISTINCT person_id) FROM cohortpeople "
            f"WHERE team_id = {team_id} AND cohort_id = {int(cohort_id)} AND version = {version}"
        ).result_rows[0][0]
    except DomainError as error:
        logger.info("cohort_calculation_failed cohort_id=%s error=%s", cohort_id, error)
        cohort_record_calculation(cohort_id, pending_version, None, str(error), history, queries)
        return
    except Exception as error:
        logger.exception("cohort_calculation_failed cohort_id=%s", cohort_id)
        cohort_record_calculation(cohort_id, pending_version, None, type(error).__name__, history, queries)
        return
    cohort_record_calculation(cohort_id, pending_version, int(count), None, history, queries,
                              history_error=NO_PROPERTIES if select is None else None)  # fmt: skip
    logger.info(
        "cohort_calculated cohort_id=%s version=%s count=%s seconds=%.3f",
        cohort_id, pending_version, count, time.perf_counter() - started,
    )  # fmt: skip


def _query_info(sql: str, query_id: str, started: float, summary) -> dict:
    """A statement of the calculation history: its text, id, milliseconds and, where the server reports them, rows."""
    info: dict = {"query": sql, "query_id": query_id, "query_ms": round((time.perf_counter() - started) * 1000)}
    counters = getattr(summary, "summary", None) or {}
    for name in ("read_rows", "written_rows"):
        if str(counters.get(name, "")).isdigit():
            info[name] = int(counters[name])
    return info


class ClickHouseCohortEngine:
    """The cohort engine: calculations, static members and member reads on ClickHouse."""

    def calculate(self, cohort_id: int, pending_version: int) -> None:
        calculate(cohort_id, pending_version)

    def enqueue(self, cohort_id: int, pending_version: int) -> None:
        if settings.QUERY_ASYNC_BACKEND == "celery" and not client.is_embedded():
            transaction.on_commit(lambda: current_app.send_task(CALCULATE_TASK, args=[cohort_id, pending_version]))
        else:
            # Embedded chDB belongs to this process (no worker can open it): calculated in place, so the cohort
            # answers with its members as soon as it is saved.
            calculate(cohort_id, pending_version)

    def add_static_members(self, team_id: int, cohort_id: int, person_ids: list[UUID]) -> None:
        rows = [[uuid4(), person_id, int(cohort_id), int(team_id)] for person_id in person_ids]
        client.insert("person_static_cohort", rows, column_names=["id", "person_id", "cohort_id", "team_id"])

    def remove_static_member(self, team_id: int, cohort_id: int, person_id: UUID) -> None:
        client.command(
            "ALTER TABLE person_static_cohort DELETE WHERE team_id = {t:Int64} AND cohort_id = {c:Int64} "
            "AND person_id = {p:UUID}",
            parameters={"t": int(team_id), "c": int(cohort_id), "p": str(person_id)},
            settings={"mutations_sync": 1},
        )

    def member_ids(self, cohort: Cohort, limit: int, offset: int, filters: MemberFilters | None = None) -> list[UUID]:
        if filters is not None:
            return filtered_member_ids(cohort, limit, offset, filters)
        if cohort.is_static:
            rows = CohortPeople.objects.filter(cohort=cohort).order_by("id")[offset : offset + limit]
            return list(rows.values_list("person__uuid", flat=True))
        if cohort.version is None:
            return []
        result = client.query(
            "SELECT DISTINCT person_id FROM cohortpeople WHERE team_id = {t:Int64} AND cohort_id = {c:Int64} "
            "AND version = {v:UInt64} ORDER BY person_id LIMIT {limit:UInt64} OFFSET {offset:UInt64}",
            parameters={"t": int(cohort.team_id), "c": int(cohort.pk), "v": int(cohort.version), "limit": limit,
                        "offset": offset},
        )  # fmt: skip
        return [row[0] for row in result.result_rows]

    def query_person_ids(self, team, query: dict) -> list[UUID]:
        """The persons of an ActorsQuery (its `id` column) or the first column of a HogQLQuery."""
        if query.get("kind") == "HogQLQuery":
            select = parse_select(query.get("query", ""))
            context = PrintContext(team_id=team.id, timezone=team.timezone)
            rows = execute_select(select, context, COHORT_CALCULATION_LIMIT, COHORT_CALCULATION_LIMIT).results
            return [uid for uid in (_uuid(row[0]) for row in rows) if uid is not None]
        return actors_query_person_ids(team, query)


def filtered_member_ids(cohort: Cohort, limit: int, offset: int, filters: MemberFilters) -> list[UUID]:
    """Members narrowed by search and person properties: an ActorsQuery of the persons `IN COHORT` (the actors
    search and filters, PostHog's semantics), ordered by person id."""
    query = {
        "kind": "ActorsQuery",
        "select": ["id"],
        "search": filters.search,
        "properties": filters.properties,
        "fixedProperties": [{"type": "cohort", "key": "id", "value": cohort.pk, "operator": "in"}],
        "orderBy": ["id"],
        "limit": limit,
        "offset": offset,
    }
    runner = ActorsQueryRunner(parse_query(query), cohort.team)
    runner.max_limit = COHORT_CALCULATION_LIMIT
    return [uid for uid in (_uuid(row[0]) for row in runner.calculate()["results"]) if uid is not None]


def _uuid(value) -> UUID | None:
    try:
        return value if isinstance(value, UUID) else UUID(str(value))
    except (TypeError, ValueError):
        return None


def actors_query_person_ids(team, query: dict) -> list[UUID]:
    node = parse_query({**query, "select": ["id"], "offset": 0, "orderBy": [], "limit": COHORT_CALCULATION_LIMIT})
    runner = ActorsQueryRunner(node, team)
    runner.max_limit = COHORT_CALCULATION_LIMIT
    rows = runner.calculate()["results"]
    return [uid for uid in (_uuid(row[0]) for row in rows) if uid is not None]
