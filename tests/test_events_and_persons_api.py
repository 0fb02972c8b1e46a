"""GET /events/ and /persons/: filters, paging, shapes, scopes, tenancy."""

import json
from urllib.parse import parse_qs, quote, urlparse

import pytest

from persons.models import Person
from tests.capture_helpers import flush, post_json
from tests.conftest import key_client

pytestmark = pytest.mark.usefixtures("clickhouse")


def capture(http_client, team, events):
    batch = [
        {
            "event": name,
            "distinct_id": distinct_id,
            "properties": properties,
            "timestamp": f"2024-06-0{day}T12:00:00.000123Z",
        }
        for name, distinct_id, properties, day in events
    ]
    assert post_json(http_client, "/batch/", {"api_key": team.api_token, "batch": batch}).status_code == 200
    flush()


@pytest.fixture
def events(client, world):
    capture(
        client,
        world.team,
        [
            ("$pageview", "alice", {"$browser": "Chrome", "$set": {"email": "alice@example.com"}}, 1),
            ("$pageview", "bob", {"$browser": "Firefox", "$set": {"email": "bob@example.com", "plan": "pro"}}, 2),
            ("purchase", "alice", {"revenue": 30}, 3),
            ("purchase", "bob", {"revenue": 5}, 4),
            ("$autocapture", "bob", {"$elements_chain": 'a.nav:href="/docs"nth-child="2"text="Docs"'}, 5),
        ],
    )
    capture(client, world.other_team, [("$pageview", "stranger", {}, 1)])


RANGE = "after=2024-05-01T00:00:00Z&before=2024-07-01T00:00:00Z"


def test_list_is_newest_first_with_the_legacy_shape(owner_client, world, events):
    body = owner_client.get(f"/api/projects/{world.team.id}/events/?{RANGE}").json()
    assert set(body) == {"next", "results"}
    assert [e["event"] for e in body["results"]] == ["$autocapture", "purchase", "purchase", "$pageview", "$pageview"]
    first = body["results"][0]
    assert set(first) == {
        "id",
        "distinct_id",
        "properties",
        "event",
        "timestamp",
        "person",
        "elements",
        "elements_chain",
    }
    assert first["timestamp"] == "2024-06-05T12:00:00.000123+00:00"
    assert first["elements"][0]["tag_name"] == "a" and first["elements"][0]["href"] == "/docs"
    assert first["person"] is None


def test_default_window_is_the_last_day(owner_client, world, events):
    assert owner_client.get(f"/api/projects/{world.team.id}/events/").json()["results"] == []


def test_filters(owner_client, world, events):
    url = f"/api/environments/{world.team.id}/events/?{RANGE}"
    assert len(owner_client.get(f"{url}&event=purchase").json()["results"]) == 2
    assert {e["event"] for e in owner_client.get(f"{url}&distinct_id=alice").json()["results"]} == {
        "$pageview",
        "purchase",
    }
    properties = quote(json.dumps([{"key": "revenue", "value": 10, "operator": "gt"}]))
    assert [e["distinct_id"] for e in owner_client.get(f"{url}&properties={properties}").json()["results"]] == ["alice"]
    person_filter = quote(json.dumps([{"key": "plan", "value": "pro", "type": "person"}]))
    bob_events = owner_client.get(f"{url}&properties={person_filter}").json()["results"]
    assert {e["distinct_id"] for e in bob_events} == {"bob"} and len(bob_events) == 3
    bob = Person.objects.get(team=world.team, properties__email="bob@example.com")
    assert len(owner_client.get(f"{url}&person_id={bob.uuid}").json()["results"]) == 3


def test_unparsable_properties_is_400(owner_client, world, events):
    response = owner_client.get(f"/api/projects/{world.team.id}/events/?properties=nope")
    assert response.status_code == 400
    assert response.json()["detail"] == "Properties are unparsable!"


def test_next_link_pages_through_everything(owner_client, world, events):
    url = f"/api/projects/{world.team.id}/events/?{RANGE}&limit=2"
    seen = []
    while url:
        body = owner_client.get(url).json()
        seen += [e["id"] for e in body["results"]]
        url = body["next"]
        if url:
            query = parse_qs(urlparse(url).query)
            assert query["limit"] == ["2"] and "before" in query
    assert len(seen) == len(set(seen)) == 5


def test_include_person(owner_client, world, events):
    url = f"/api/projects/{world.team.id}/events/?{RANGE}&event=purchase&include_person=true&distinct_id=bob"
    person = owner_client.get(url).json()["results"][0]["person"]
    assert person == {"is_identified": False, "distinct_ids": ["bob"], "properties": {"email": "bob@example.com"}}


def test_retrieve_one_event(owner_client, world, events):
    listed = owner_client.get(f"/api/projects/{world.team.id}/events/?{RANGE}").json()["results"][0]
    assert owner_client.get(f"/api/projects/{world.team.id}/events/{listed['id']}/").json() == listed
    bad = owner_client.get(f"/api/projects/{world.team.id}/events/not-a-uuid/")
    assert bad.status_code == 400 and bad.json()["detail"] == "Invalid UUID"
    missing = owner_client.get(f"/api/projects/{world.team.id}/events/00000000-0000-0000-0000-000000000001/")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "No events exist for event UUID 00000000-0000-0000-0000-000000000001"


def test_events_of_other_projects_are_invisible(owner_client, outsider_client, world, events):
    ours = owner_client.get(f"/api/projects/{world.team.id}/events/?{RANGE}").json()["results"]
    assert "stranger" not in {e["distinct_id"] for e in ours}
    assert outsider_client.get(f"/api/projects/{world.team.id}/events/?{RANGE}").status_code == 403


def test_events_need_query_read_scope(world, events):
    assert key_client(world.owner, ["query:read"]).get(f"/api/projects/{world.team.id}/events/").status_code == 200
    denied = key_client(world.owner, ["person:read"]).get(f"/api/projects/{world.team.id}/events/")
    assert denied.json()["detail"] == "API key missing required scope 'query:read'"


def test_persons_list_shape_and_order(owner_client, world, events):
    body = owner_client.get(f"/api/projects/{world.team.id}/persons/").json()
    assert set(body) == {"results", "next", "previous"}
    assert [p["name"] for p in body["results"]] == ["bob@example.com", "alice@example.com"]
    bob = body["results"][0]
    assert bob["type"] == "person" and bob["id"] == bob["uuid"] and bob["distinct_ids"] == ["bob"]
    assert bob["properties"] == {"email": "bob@example.com", "plan": "pro"}
    assert owner_client.get(f"/api/projects/{world.team.id}/persons/?include_total").json()["count"] == 2


def test_persons_filters_and_search(owner_client, world, events):
    url = f"/api/projects/{world.team.id}/persons/"
    assert [p["distinct_ids"] for p in owner_client.get(f"{url}?distinct_id=alice").json()["results"]] == [["alice"]]
    assert owner_client.get(f"{url}?distinct_id=nobody").json()["results"] == []
    assert len(owner_client.get(f"{url}?email=bob@example.com").json()["results"]) == 1
    assert len(owner_client.get(f"{url}?search=ALICE@").json()["results"]) == 1
    properties = quote(json.dumps([{"key": "plan", "value": ["pro"], "operator": "exact", "type": "person"}]))
    assert [p["name"] for p in owner_client.get(f"{url}?properties={properties}").json()["results"]] == [
        "bob@example.com"
    ]


def test_persons_paging(owner_client, world, events):
    first = owner_client.get(f"/api/projects/{world.team.id}/persons/?limit=1").json()
    assert first["previous"] is None and "offset=1" in first["next"]
    second = owner_client.get(first["next"]).json()
    assert second["results"][0]["name"] == "alice@example.com" and "offset=0" in second["previous"]


def test_person_retrieve_by_id_and_uuid(owner_client, world, events):
    person = Person.objects.get(team=world.team, properties__email="alice@example.com")
    by_id = owner_client.get(f"/api/projects/{world.team.id}/persons/{person.pk}/").json()
    by_uuid = owner_client.get(f"/api/projects/{world.team.id}/persons/{person.uuid}/").json()
    assert by_id == by_uuid and by_id["id"] == person.pk and by_id["distinct_ids"] == ["alice"]
    bad = owner_client.get(f"/api/projects/{world.team.id}/persons/alice/")
    assert bad.status_code == 400 and bad.json()["detail"].startswith("The ID provided does not look like a personID.")


def test_persons_of_other_projects_are_not_found(owner_client, world, events):
    stranger = Person.objects.get(team=world.other_team)
    assert owner_client.get(f"/api/projects/{world.team.id}/persons/{stranger.pk}/").status_code == 404
    key = key_client(world.owner, ["query:read"])
    assert key.get(f"/api/projects/{world.team.id}/persons/").json()["detail"] == (
        "API key missing required scope 'person:read'"
    )
