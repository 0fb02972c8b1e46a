"""Demo data generator: exact counts, determinism, persons consistent across the app DB and ClickHouse, shapes."""

from collections import Counter
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ingestion.demo import DemoDataExists, generate_demo_data
from ingestion.demo.event_sql import materialized_columns
from ingestion.management.commands.generate_demo_data import UNKNOWN_PROJECT
from insights_server.services.projects import project_create
from persons.models import Person, PersonDistinctId
from queries.clickhouse import client
from queries.clickhouse.schema import MATERIALIZED_PROPERTIES, PROPERTY_COLUMNS, trimmed_property

NOW = datetime(2025, 3, 3, 12, tzinfo=UTC)
EVENTS = 20_000
DAYS = 30


def generate(team, seed: int = 7, events: int = EVENTS):
    return generate_demo_data(team, events=events, days=DAYS, seed=seed, now=NOW)


def rows(sql: str, team_id: int) -> list[tuple]:
    return client.query(sql, parameters={"team_id": team_id}).result_rows


def second_team(world):
    _, team = project_create(world.organization, "Second", creator=world.owner)
    return team


def test_demo_data_has_the_exact_event_count_inside_the_window(world, clickhouse):
    summary = generate(world.team)

    assert summary.events == EVENTS
    assert summary.persons == EVENTS // 50
    [(count, first, last, uuids)] = rows(
        "SELECT count(), min(timestamp), max(timestamp), uniqExact(uuid) FROM events WHERE team_id = {team_id:Int64}",
        world.team.id,
    )
    assert count == uuids == EVENTS
    assert NOW - timedelta(days=DAYS) <= first.replace(tzinfo=UTC) and last.replace(tzinfo=UTC) <= NOW
    assert Person.objects.filter(team=world.team).count() == summary.persons
    assert PersonDistinctId.objects.filter(team=world.team).count() == summary.distinct_ids
    world.team.refresh_from_db()
    assert world.team.ingested_event is True


def test_same_seed_gives_the_same_events_in_another_project(world, clickhouse):
    other = second_team(world)
    generate(world.team)
    generate(other)
    query = (
        "SELECT event, timestamp, distinct_id, `mat_$pathname`, elements_chain FROM events "
        "WHERE team_id = {team_id:Int64} ORDER BY timestamp, distinct_id, event"
    )

    first, second = rows(query, world.team.id), rows(query, other.id)

    assert len(first) == EVENTS and Counter(first) == Counter(second)
    third = second_team(world)
    generate(third, seed=8)
    assert Counter(rows(query, third.id)) != Counter(first)


def test_regenerating_with_equal_inputs_repeats_event_uuids_and_properties(world, clickhouse):
    query = "SELECT uuid, timestamp, properties, person_id FROM events WHERE team_id = {team_id:Int64} ORDER BY uuid"
    generate(world.team)
    before = rows(query, world.team.id)
    Person.objects.filter(team=world.team).delete()
    for table in ("events", "person", "person_distinct_id2"):
        client.command(f"TRUNCATE TABLE {table}")

    generate(world.team)

    assert rows(query, world.team.id) == before


def test_every_event_person_exists_in_the_app_db_and_in_clickhouse(world, clickhouse):
    generate(world.team)

    pairs = set(
        rows("SELECT DISTINCT distinct_id, person_id FROM events WHERE team_id = {team_id:Int64}", world.team.id)
    )
    mapped = {
        (distinct_id, person_uuid)
        for distinct_id, person_uuid in PersonDistinctId.objects.filter(team=world.team).values_list(
            "distinct_id", "person__uuid"
        )
    }
    assert pairs <= mapped
    app_persons = set(Person.objects.filter(team=world.team).values_list("uuid", flat=True))
    clickhouse_persons = {
        row[0] for row in rows("SELECT id FROM person WHERE team_id = {team_id:Int64}", world.team.id)
    }
    event_persons = {person for _, person in pairs}
    assert event_persons <= app_persons == clickhouse_persons
    assert len(event_persons) >= 0.95 * len(app_persons)
    [(snapshots_differing,)] = rows(
        "SELECT countIf(e.person_properties != p.properties) FROM events AS e "
        "INNER JOIN person AS p ON p.id = e.person_id WHERE e.team_id = {team_id:Int64}",
        world.team.id,
    )
    assert snapshots_differing == 0


def test_funnel_drops_off_from_pageview_to_signup_to_purchase(world, clickhouse):
    generate(world.team)

    [(viewed, signed_up, purchased)] = rows(
        "SELECT countIf(steps >= 1), countIf(steps >= 2), countIf(steps >= 3) FROM ("
        "  SELECT windowFunnel(14 * 86400)(toDateTime(timestamp), event = '$pageview', event = 'signed_up', "
        "  event = 'purchase') AS steps FROM events WHERE team_id = {team_id:Int64} GROUP BY person_id)",
        world.team.id,
    )

    assert viewed > signed_up > purchased > 0
    [(purchases, with_revenue, plans)] = rows(
        "SELECT count(), countIf(JSONExtractFloat(properties, 'revenue') > 0), "
        "groupUniqArray(JSONExtractString(properties, 'plan')) FROM events "
        "WHERE team_id = {team_id:Int64} AND event = 'purchase'",
        world.team.id,
    )
    assert purchases == with_revenue > 0 and set(plans) <= {"pro", "enterprise"}


def test_signed_up_persons_switch_from_anonymous_to_identified_distinct_id(world, clickhouse):
    generate(world.team)

    per_person = Counter(PersonDistinctId.objects.filter(team=world.team).values_list("person_id", flat=True))
    two_ids = sum(1 for count in per_person.values() if count == 2)
    assert 0.2 <= two_ids / len(per_person) <= 0.45 and max(per_person.values()) == 2
    [(signups, identified_before, anonymous_after)] = rows(
        "SELECT uniqExact(s.person_id), countIf(e.distinct_id = s.distinct_id AND e.timestamp < s.at), "
        "countIf(e.distinct_id != s.distinct_id AND e.timestamp >= s.at) FROM events AS e INNER JOIN ("
        "  SELECT person_id, distinct_id, timestamp AS at FROM events "
        "  WHERE team_id = {team_id:Int64} AND event = 'signed_up') AS s ON s.person_id = e.person_id "
        "WHERE e.team_id = {team_id:Int64}",
        world.team.id,
    )
    assert signups > 0 and identified_before == 0 and anonymous_after == 0


def test_events_look_like_web_product_usage(world, clickhouse):
    generate(world.team)

    [(sessions, browsers, devices, pathnames, libs, chains)] = rows(
        "SELECT uniqExact(`$session_id`), groupUniqArray(`mat_$browser`), groupUniqArray(`mat_$device_type`), "
        "uniqExact(`mat_$pathname`), groupUniqArray(JSONExtractString(properties, '$lib')), "
        "countIf(event = '$autocapture' AND elements_chain LIKE '%nth-child=%' "
        "AND JSONExtractString(properties, '$event_type') = 'click') "
        "FROM events WHERE team_id = {team_id:Int64}",
        world.team.id,
    )
    assert EVENTS / 12 < sessions < EVENTS / 5
    assert set(browsers) == {"Chrome", "Safari", "Firefox", "Edge"}
    assert set(devices) == {"Desktop", "Mobile", "Tablet"} and pathnames > 20 and libs == ["web"]
    assert chains > 0
    [(weekday, weekend)] = rows(
        "SELECT countIf(toDayOfWeek(timestamp) <= 5) / 5, countIf(toDayOfWeek(timestamp) > 5) / 2 "
        "FROM events WHERE team_id = {team_id:Int64}",
        world.team.id,
    )
    assert weekend < 0.75 * weekday
    person = Person.objects.filter(team=world.team, is_identified=True).first()
    assert person.properties["email"].endswith("@example.com")
    assert person.properties["plan"] in {"free", "pro", "enterprise"}
    assert {"$initial_browser", "$geoip_country_code", "name", "signup_date"} <= person.properties.keys()


def test_materialized_property_columns_match_the_properties(world, clickhouse):
    generate(world.team, events=5000)
    names = [*PROPERTY_COLUMNS, *(f"mat_{name}" for name in MATERIALIZED_PROPERTIES)]
    properties = [*PROPERTY_COLUMNS, *MATERIALIZED_PROPERTIES]
    assert set(materialized_columns()) == set(names)

    checks = ", ".join(
        f"countIf(`{column}` != {trimmed_property(name)})" for column, name in zip(names, properties, strict=True)
    )
    [mismatches] = rows(f"SELECT {checks} FROM events WHERE team_id = {{team_id:Int64}}", world.team.id)

    assert set(mismatches) == {0}


def test_weekly_retention_decays_and_lifecycle_has_every_kind(world, clickhouse):
    generate_demo_data(world.team, events=40_000, days=56, seed=3, now=NOW)

    weeks = rows(
        "SELECT intDiv(dateDiff('day', first_week, week), 7) AS k, count() FROM ("
        "  SELECT person_id, toStartOfWeek(timestamp) AS week, min(week) OVER (PARTITION BY person_id) AS first_week"
        "  FROM events WHERE team_id = {team_id:Int64} AND event = '$pageview' GROUP BY person_id, week"
        ") GROUP BY k ORDER BY k",
        world.team.id,
    )
    counts = [count for _, count in weeks]
    assert counts[0] > counts[1] > counts[3] > counts[6] > 0
    [(new, returning, resurrecting, dormant)] = rows(
        "WITH active AS (SELECT person_id, groupUniqArray(toStartOfWeek(timestamp)) AS weeks FROM events "
        "  WHERE team_id = {team_id:Int64} AND event = '$pageview' GROUP BY person_id), "
        "people AS (SELECT id, toStartOfWeek(min(created_at)) AS created_week FROM person "
        "  WHERE team_id = {team_id:Int64} GROUP BY id) "
        "SELECT sum(arrayCount(w -> w = created_week, weeks)), "
        "sum(arrayCount(w -> w != created_week AND has(weeks, w - 7), weeks)), "
        "sum(arrayCount(w -> w != created_week AND NOT has(weeks, w - 7), weeks)), "
        "sum(arrayCount(w -> NOT has(weeks, w + 7), weeks)) "
        "FROM active INNER JOIN people ON people.id = active.person_id",
        world.team.id,
    )
    assert min(new, returning, resurrecting, dormant) > 0


def test_reusing_a_seed_in_a_project_is_refused(world, clickhouse):
    generate(world.team, events=2000)

    with pytest.raises(DemoDataExists):
        generate(world.team, events=2000)
    assert generate(world.team, seed=99, events=2000).events == 2000


def test_command_prints_a_summary_and_rejects_an_unknown_project(world, clickhouse):
    out = StringIO()
    call_command("generate_demo_data", "--project", str(world.team.id), "--events", "3000", "--days", "7", stdout=out)

    assert f"Generated demo data for project {world.team.id}" in out.getvalue()
    assert "3,000 events, 60 persons" in out.getvalue()
    assert rows("SELECT count() FROM events WHERE team_id = {team_id:Int64}", world.team.id) == [(3000,)]
    with pytest.raises(CommandError, match="seed 42"):
        call_command("generate_demo_data", "--project", str(world.team.id), "--events", "3000", stdout=StringIO())
    skipped = StringIO()
    call_command("generate_demo_data", "--project", str(world.team.id), "--if-empty", stdout=skipped)
    assert "already has events" in skipped.getvalue()
    with pytest.raises(CommandError, match=UNKNOWN_PROJECT.format(id=987654)):
        call_command("generate_demo_data", "--project", "987654", stdout=StringIO())
