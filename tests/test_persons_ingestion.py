"""Persons from capture: one per distinct id, $set/$set_once/$unset, identify/alias merges, ClickHouse mirror."""

import pytest

from persons.models import Person, PersonDistinctId
from queries.clickhouse import client as clickhouse
from tests.capture_helpers import flush, post_json, stored_events

pytestmark = pytest.mark.usefixtures("clickhouse")


def send(http_client, team, *events):
    batch = []
    for index, (name, distinct_id, properties) in enumerate(events):
        batch.append(
            {
                "event": name,
                "distinct_id": distinct_id,
                "properties": properties,
                "timestamp": f"2024-03-01T10:00:{index:02d}Z",
            }
        )
    response = post_json(http_client, "/batch/", {"api_key": team.api_token, "batch": batch})
    assert response.status_code == 200, response.content
    flush()


def distinct_ids_of(team) -> dict[str, set[str]]:
    result: dict[str, set[str]] = {}
    for row in PersonDistinctId.objects.filter(team=team):
        result.setdefault(str(row.person.uuid), set()).add(row.distinct_id)
    return result


def unique_persons_in_clickhouse(team_id: int) -> int:
    """Counts persons the way queries do: events' person_id, corrected by the overrides of merged distinct ids."""
    sql = """
        SELECT count(DISTINCT if(notEmpty(o.distinct_id), o.person_id, e.person_id))
        FROM events AS e
        LEFT JOIN (
            SELECT distinct_id, argMax(person_id, version) AS person_id
            FROM person_distinct_id_overrides WHERE team_id = {t:Int64} GROUP BY distinct_id
        ) AS o ON e.distinct_id = o.distinct_id
        WHERE e.team_id = {t:Int64}
    """
    return clickhouse.query(sql, parameters={"t": team_id}).result_rows[0][0]


def test_a_person_per_distinct_id_with_stable_id(client, world):
    send(client, world.team, ("a", "u1", {}), ("b", "u2", {}))
    send(client, world.team, ("c", "u1", {}))
    persons = distinct_ids_of(world.team)
    assert sorted(persons.values(), key=sorted) == [{"u1"}, {"u2"}]
    u1_person = next(p for p, ids in persons.items() if ids == {"u1"})
    assert {e["person_id"] for e in stored_events(world.team.id) if e["distinct_id"] == "u1"} == {u1_person}


def test_set_once_never_overwrites_and_unset_removes(client, world):
    send(
        client,
        world.team,
        ("e", "u1", {"$set_once": {"source": "ads"}, "$set": {"plan": "free", "temp": 1}}),
        ("e", "u1", {"$set_once": {"source": "seo"}, "$set": {"plan": "pro"}}),
        ("e", "u1", {"$unset": ["temp"]}),
    )
    assert Person.objects.get(team=world.team).properties == {"source": "ads", "plan": "pro"}


def test_identify_merges_anonymous_person_into_identified(client, world):
    send(client, world.team, ("$pageview", "anon-1", {"$set": {"landing": "/pricing"}}))
    send(client, world.team, ("$pageview", "user@x.io", {}))
    send(
        client, world.team, ("$identify", "user@x.io", {"$anon_distinct_id": "anon-1", "$set": {"email": "user@x.io"}})
    )
    persons = Person.objects.filter(team=world.team)
    assert persons.count() == 1
    person = persons.get()
    assert person.is_identified is True
    assert person.properties == {"landing": "/pricing", "email": "user@x.io"}
    assert distinct_ids_of(world.team) == {str(person.uuid): {"anon-1", "user@x.io"}}
    assert unique_persons_in_clickhouse(world.team.id) == 1
    overrides = clickhouse.query(
        "SELECT distinct_id, toString(person_id) FROM person_distinct_id_overrides"
    ).result_rows
    assert overrides == [("anon-1", str(person.uuid))]


def test_identify_of_a_new_anonymous_id_joins_it(client, world):
    send(client, world.team, ("$pageview", "anon-2", {}), ("$identify", "u2", {"$anon_distinct_id": "anon-2"}))
    assert list(distinct_ids_of(world.team).values()) == [{"anon-2", "u2"}]
    events = stored_events(world.team.id)
    assert len({e["person_id"] for e in events}) == 1


def test_identify_does_not_merge_two_identified_persons(client, world):
    send(client, world.team, ("$identify", "alice", {"$anon_distinct_id": "a-anon"}))
    send(client, world.team, ("$identify", "bob", {"$anon_distinct_id": "b-anon"}))
    send(client, world.team, ("$identify", "alice", {"$anon_distinct_id": "bob"}))
    assert sorted(distinct_ids_of(world.team).values(), key=sorted) == [{"a-anon", "alice"}, {"b-anon", "bob"}]


def test_create_alias_and_alias_merge(client, world):
    send(client, world.team, ("e", "device-1", {}), ("e", "account-1", {}))
    send(client, world.team, ("$create_alias", "account-1", {"alias": "device-1"}))
    send(client, world.team, ("e", "device-2", {}))
    send(client, world.team, ("alias", "account-1", {"alias": "device-2"}))
    assert list(distinct_ids_of(world.team).values()) == [{"device-1", "account-1", "device-2"}]
    assert unique_persons_in_clickhouse(world.team.id) == 1


def test_merged_person_is_deleted_in_clickhouse_mirror(client, world):
    send(client, world.team, ("e", "anon", {"$set": {"a": 1}}))
    send(client, world.team, ("e", "known", {}))
    send(client, world.team, ("$identify", "known", {"$anon_distinct_id": "anon"}))
    rows = clickhouse.query(
        "SELECT toString(id), argMax(is_deleted, version), argMax(properties, version) FROM person "
        "WHERE team_id = {t:Int64} GROUP BY id",
        parameters={"t": world.team.id},
    ).result_rows
    live = [row for row in rows if row[1] == 0]
    assert len(rows) == 2 and len(live) == 1
    assert live[0][0] == str(Person.objects.get(team=world.team).uuid)
    mapping = clickhouse.query(
        "SELECT distinct_id, toString(argMax(person_id, version)) FROM person_distinct_id2 "
        "WHERE team_id = {t:Int64} GROUP BY distinct_id ORDER BY distinct_id",
        parameters={"t": world.team.id},
    ).result_rows
    assert mapping == [("anon", live[0][0]), ("known", live[0][0])]


def test_merge_within_one_batch_points_all_its_events_at_the_survivor(client, world):
    send(
        client,
        world.team,
        ("$pageview", "anon-x", {}),
        ("$pageview", "user-x", {}),
        ("$identify", "user-x", {"$anon_distinct_id": "anon-x"}),
    )
    person = Person.objects.get(team=world.team)
    assert {e["person_id"] for e in stored_events(world.team.id)} == {str(person.uuid)}


def test_each_event_carries_its_person_as_of_that_event(client, world):
    """Events of an unchanged person share one snapshot (persons.PersonState.snapshot): a later change must not
    leak into the events before it, and a merge re-points every event of the merged-away person."""
    send(
        client,
        world.team,
        ("s1", "solo", {"$set": {"n": 1}}),
        ("s2", "solo", {"$set": {"n": 1}}),  # changes nothing: the same snapshot as s1
        ("s3", "solo", {}),
        ("s4", "solo", {"$set": {"n": 2}}),
        ("s5", "solo", {"$unset": ["n"]}),
        ("e1", "anon-y", {"$set": {"step": 1}}),
        ("e2", "anon-y", {}),
        ("e3", "user-y", {"$set": {"email": "y@example.com"}}),
        ("$identify", "user-y", {"$anon_distinct_id": "anon-y"}),
        ("e4", "anon-y", {"$set": {"step": 2}}),
    )
    events = {e["event"]: e for e in stored_events(world.team.id)}
    assert [events[name]["person_properties"] for name in ("s1", "s2", "s3", "s4", "s5")] == [
        {"n": 1},
        {"n": 1},
        {"n": 1},
        {"n": 2},
        {},
    ]
    survivor = str(PersonDistinctId.objects.get(team=world.team, distinct_id="user-y").person.uuid)
    merged = {name: events[name] for name in ("e1", "e2", "e3", "$identify", "e4")}
    assert {e["person_id"] for e in merged.values()} == {survivor}
    # The merged-away person's events carry the survivor as the batch left it; the survivor's, their moment's.
    final = {"step": 2, "email": "y@example.com"}
    assert [merged[name]["person_properties"] for name in ("e1", "e2", "e3", "$identify", "e4")] == [
        final,
        final,
        {"email": "y@example.com"},
        {"step": 1, "email": "y@example.com"},
        final,
    ]
