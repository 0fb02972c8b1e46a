"""`GET /cohorts/:id/persons/` narrowed by `search` (email, name, person id or distinct id, any case) and person
`properties`, as JSON pages and as CSV, for dynamic and static cohorts."""

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlparse

import pytest

from tests.query_helpers import capture_events

pytestmark = pytest.mark.usefixtures("clickhouse")

PEOPLE = {
    # distinct id: (email, name, city, plan)
    "ann-1": ("ann@x.io", "Ann Arbor", "Berlin", "pro"),
    "bob-2": ("bob@y.io", "Bob Berg", "Berlin", "free"),
    "cid-3": ("cid@x.io", "Cid Clay", "Berlin", "pro"),
    "dee-4": ("dee@z.io", "Dee Dale", "Berlin", "free"),
    "eve-5": ("eve@x.io", "Eve East", "Rome", "pro"),
}
BERLIN = {"properties": {"type": "AND", "values": [{"type": "person", "key": "city", "value": "Berlin",
                                                    "operator": "exact"}]}}  # fmt: skip


@pytest.fixture
def berliners(client, owner_client, world) -> dict:
    moment = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    events = [
        ("$pageview", distinct_id, {"$set": {"email": email, "name": name, "city": city, "plan": plan}}, moment)
        for distinct_id, (email, name, city, plan) in PEOPLE.items()
    ]
    # ann also uses a device id: searching it finds her.
    events.append(("$identify", "ann-1", {"$anon_distinct_id": "device-77"}, moment))
    capture_events(client, world.team, events)
    capture_events(client, world.other_team, [("$pageview", "ann-1", {"$set": {"email": "ann@x.io", "city": "Berlin"}},
                                               moment)])  # fmt: skip
    response = owner_client.post(f"/api/projects/{world.team.id}/cohorts/", {"name": "B", "filters": BERLIN},
                                 format="json")  # fmt: skip
    assert response.status_code == 201
    assert response.json()["count"] == 4
    return response.json()


def emails(owner_client, world, cohort_id: int, **params) -> list[str]:
    response = owner_client.get(f"/api/projects/{world.team.id}/cohorts/{cohort_id}/persons/?{urlencode(params)}")
    assert response.status_code == 200, response.json()
    return sorted(row["properties"]["email"] for row in response.json()["results"])


def expected(search: str = "", **properties) -> list[str]:
    """Independent of the engine: Berliners whose email, name or distinct ids contain `search` (any case)."""
    result = []
    for distinct_id, (email, name, city, plan) in PEOPLE.items():
        ids = [distinct_id] + (["device-77"] if distinct_id == "ann-1" else [])
        text = search.lower()
        found = not text or any(text in value.lower() for value in [email, name, *ids])
        if city == "Berlin" and found and all({"plan": plan}[k] == v for k, v in properties.items()):
            result.append(email)
    return sorted(result)


@pytest.mark.parametrize("search", ["x.io", "X.IO", "berg", "Dee Dale", "device-7", "cid-3", "nobody", ""])
def test_members_search_matches_email_name_and_distinct_ids(owner_client, world, berliners, search):
    assert emails(owner_client, world, berliners["id"], search=search) == expected(search)


def test_members_search_by_person_id_and_property_filters(owner_client, world, berliners):
    rows = owner_client.get(f"/api/projects/{world.team.id}/cohorts/{berliners['id']}/persons/").json()["results"]
    ann = next(row for row in rows if row["properties"]["email"] == "ann@x.io")
    assert emails(owner_client, world, berliners["id"], search=ann["id"][:13]) == ["ann@x.io"]
    pro = json.dumps([{"key": "plan", "value": "pro", "operator": "exact"}])
    assert emails(owner_client, world, berliners["id"], properties=pro) == expected(plan="pro")
    group = json.dumps({"type": "AND", "values": [{"type": "person", "key": "plan", "value": "free",
                                                   "operator": "exact"}]})  # fmt: skip
    assert emails(owner_client, world, berliners["id"], properties=group, search="x.io") == []
    assert emails(owner_client, world, berliners["id"], properties=group, search="y.io") == ["bob@y.io"]


def test_members_pages_keep_their_filters(owner_client, world, berliners):
    response = owner_client.get(
        f"/api/projects/{world.team.id}/cohorts/{berliners['id']}/persons/?search=x.io&limit=1"
    ).json()
    assert len(response["results"]) == 1
    following = parse_qs(urlparse(response["next"]).query)
    assert (following["search"], following["limit"], following["offset"]) == (["x.io"], ["1"], ["1"])
    second = owner_client.get(response["next"]).json()
    assert {response["results"][0]["id"], second["results"][0]["id"]} != {response["results"][0]["id"]}
    assert emails(owner_client, world, berliners["id"], search="x.io", limit=5, offset=2) == []


def test_members_csv_is_filtered_too(owner_client, world, berliners):
    url = f"/api/projects/{world.team.id}/cohorts/{berliners['id']}/persons/?format=csv&search=x.io"
    response = owner_client.get(url)
    assert response.status_code == 200
    lines = response.content.decode().strip().splitlines()
    assert lines[0] == "id,email,name,created_at,properties,distinct_ids"
    assert sorted(line.split(",")[1] for line in lines[1:]) == expected("x.io")


def test_static_cohort_members_are_filtered(owner_client, world, berliners):
    copy = owner_client.get(f"/api/projects/{world.team.id}/cohorts/{berliners['id']}/duplicate_as_static_cohort/")
    assert copy.status_code == 200
    static_id = copy.json()["id"]
    assert emails(owner_client, world, static_id) == expected()
    assert emails(owner_client, world, static_id, search="ARBOR") == ["ann@x.io"]


@pytest.mark.parametrize(
    ("properties", "detail"),
    [
        ("{not json", "Invalid JSON passed in properties parameter"),
        ('"text"', "Properties must be a list of person property filters or a property group."),
        ('{"key": "plan"}', "Properties must be a list of person property filters or a property group."),
    ],
)
def test_members_bad_filters_are_400s(owner_client, world, berliners, properties, detail):
    url = f"/api/projects/{world.team.id}/cohorts/{berliners['id']}/persons/?{urlencode({'properties': properties})}"
    response = owner_client.get(url)
    assert response.status_code == 400
    body = response.json()
    assert (body["type"], body["attr"], body["detail"]) == ("validation_error", "properties", detail)


def test_members_bad_filter_content_is_a_400(owner_client, world, berliners):
    bad = json.dumps([{"type": "person", "key": "plan", "operator": "no_such_operator", "value": "x"}])
    response = owner_client.get(
        f"/api/projects/{world.team.id}/cohorts/{berliners['id']}/persons/?{urlencode({'properties': bad})}"
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"type", "code", "detail", "attr"}
