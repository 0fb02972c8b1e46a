"""Cohorts through the API: dynamic (person properties, behaviours, other cohorts), static (CSV, person ids, a
query's persons), versions recalculated, cycles refused, soft delete, members, scopes and activity."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cohorts.models import Cohort
from queries.cohorts.tasks import cohorts_recalculate_due
from tests.conftest import key_client
from tests.query_helpers import capture_events

pytestmark = pytest.mark.usefixtures("clickhouse")


def ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


@pytest.fixture
def people(client, world):
    """ann (3 pageviews this week, Berlin), ben (1 pageview, Paris), cid (pageview 60 days ago, Berlin), dee (none);
    the other project has an `ann` too."""
    capture_events(
        client,
        world.team,
        [
            ("$pageview", "ann", {"$set": {"email": "ann@x.io", "city": "Berlin"}}, ago(1)),
            ("$pageview", "ann", {}, ago(2)),
            ("$pageview", "ann", {}, ago(3)),
            ("$pageview", "ben", {"$set": {"email": "ben@x.io", "city": "Paris"}}, ago(2)),
            ("$pageview", "cid", {"$set": {"email": "cid@x.io", "city": "Berlin"}}, ago(60)),
            ("signup", "dee", {"$set": {"email": "dee@x.io", "city": "Rome"}}, ago(1)),
        ],
    )
    capture_events(client, world.other_team, [("$pageview", "ann", {"$set": {"city": "Berlin"}}, ago(1))])


def url(team_id: int, path: str = "") -> str:
    return f"/api/projects/{team_id}/cohorts/{path}"


def create(api, team_id: int, **body) -> dict:
    response = api.post(url(team_id), body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def members(api, team_id: int, cohort_id: int) -> set[str]:
    response = api.get(url(team_id, f"{cohort_id}/persons/"))
    assert response.status_code == 200, response.json()
    return {row["properties"]["email"] for row in response.json()["results"]}


def group(*values, kind: str = "AND") -> dict:
    return {"properties": {"type": kind, "values": list(values)}}


BERLIN = {"type": "person", "key": "city", "value": "Berlin", "operator": "exact"}


def pageviews(operator: str = "gte", count: int = 1, days: int = 30, negation: bool = False) -> dict:
    return {"type": "behavioral", "key": "$pageview", "event_type": "events", "value": "performed_event_multiple",
            "operator": operator, "operator_value": count, "time_value": days, "time_interval": "day",
            "negation": negation}  # fmt: skip


def test_dynamic_cohort_of_a_person_property_is_calculated_on_save(owner_client, world, people):
    cohort = create(owner_client, world.team.id, name="Berliners", filters=group(BERLIN))
    assert cohort["count"] == 2
    assert cohort["is_calculating"] is False
    assert cohort["last_calculation"] is not None
    assert cohort["created_by"]["email"] == "owner@example.com"
    assert members(owner_client, world.team.id, cohort["id"]) == {"ann@x.io", "cid@x.io"}


def test_behavioural_cohorts_count_events_in_the_window(owner_client, world, people):
    at_least_two = create(owner_client, world.team.id, name="a", filters=group(pageviews("gte", 2)))
    assert members(owner_client, world.team.id, at_least_two["id"]) == {"ann@x.io"}
    exactly_one = create(owner_client, world.team.id, name="b", filters=group(pageviews("exact", 1)))
    assert members(owner_client, world.team.id, exactly_one["id"]) == {"ben@x.io"}
    at_most_one_in_90 = create(owner_client, world.team.id, name="c", filters=group(pageviews("lte", 1, 90)))
    assert members(owner_client, world.team.id, at_most_one_in_90["id"]) == {"ben@x.io", "cid@x.io"}
    berlin_no_recent = create(owner_client, world.team.id, name="d",
                              filters=group(BERLIN, pageviews("gte", 1, 30, negation=True)))  # fmt: skip
    assert members(owner_client, world.team.id, berlin_no_recent["id"]) == {"cid@x.io"}


def test_behavioural_cohort_recalculated_after_new_events_changes_its_count(client, owner_client, world, people):
    cohort = create(owner_client, world.team.id, name="active", filters=group(pageviews("gte", 1, 7)))
    assert cohort["count"] == 2
    capture_events(client, world.team, [("$pageview", "dee", {}, ago(0.5))])
    Cohort.objects.filter(pk=cohort["id"]).update(last_calculation=datetime.now(UTC) - timedelta(hours=1))
    assert cohort["id"] in cohorts_recalculate_due()
    refreshed = owner_client.get(url(world.team.id, f"{cohort['id']}/")).json()
    assert refreshed["count"] == 3
    assert Cohort.objects.get(pk=cohort["id"]).version == 2
    assert members(owner_client, world.team.id, cohort["id"]) == {"ann@x.io", "ben@x.io", "dee@x.io"}


def test_nested_cohorts_and_cycles(owner_client, world, people):
    berliners = create(owner_client, world.team.id, name="Berliners", filters=group(BERLIN))
    active = {"type": "behavioral", "key": "$pageview", "event_type": "events", "value": "performed_event",
              "time_value": 30, "time_interval": "day"}  # fmt: skip
    nested = create(owner_client, world.team.id, name="Active Berliners",
                    filters=group({"type": "cohort", "key": "id", "value": berliners["id"]}, active))  # fmt: skip
    assert members(owner_client, world.team.id, nested["id"]) == {"ann@x.io"}
    loop = group({"type": "cohort", "key": "id", "value": nested["id"]})
    response = owner_client.patch(url(world.team.id, f"{berliners['id']}/"), {"filters": loop}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "Cohorts cannot reference other cohorts in a loop."
    assert response.json()["type"] == "validation_error"
    itself = group({"type": "cohort", "key": "id", "value": berliners["id"]})
    response = owner_client.patch(url(world.team.id, f"{berliners['id']}/"), {"filters": itself}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "Cohorts cannot reference other cohorts in a loop."


def test_static_cohort_from_csv_then_patched_with_more(owner_client, world, people):
    csv = SimpleUploadedFile("c.csv", b"User ID\nemail@example.org\nann\n0", content_type="text/csv")
    response = owner_client.post(url(world.team.id), {"name": "upload", "is_static": True, "csv": csv},
                                 format="multipart")  # fmt: skip
    assert response.status_code == 201, response.json()
    cohort = response.json()
    assert cohort["count"] == 1 and cohort["is_calculating"] is False
    assert members(owner_client, world.team.id, cohort["id"]) == {"ann@x.io"}
    more = SimpleUploadedFile("c.csv", b"email\nben@x.io\nnobody@x.io\n", content_type="text/csv")
    response = owner_client.patch(url(world.team.id, f"{cohort['id']}/"), {"csv": more}, format="multipart")
    assert response.status_code == 200
    assert response.json()["count"] == 2
    owner_client.patch(url(world.team.id, f"{cohort['id']}/"), {"name": "renamed"}, format="json")
    assert members(owner_client, world.team.id, cohort["id"]) == {"ann@x.io", "ben@x.io"}
    empty = SimpleUploadedFile("c.csv", b"", content_type="text/csv")
    response = owner_client.patch(url(world.team.id, f"{cohort['id']}/"), {"csv": empty}, format="multipart")
    assert response.status_code == 400
    assert response.json()["attr"] == "csv"


def test_static_cohort_members_added_and_removed_by_person_id(owner_client, world, people):
    cohort = create(owner_client, world.team.id, name="hand picked", is_static=True)
    persons = owner_client.get(f"/api/projects/{world.team.id}/persons/").json()["results"]
    ben = next(p for p in persons if p["properties"].get("email") == "ben@x.io")
    response = owner_client.patch(url(world.team.id, f"{cohort['id']}/add_persons_to_static_cohort/"),
                                  {"person_ids": [ben["uuid"]]}, format="json")  # fmt: skip
    assert response.json() == {"success": True}
    assert members(owner_client, world.team.id, cohort["id"]) == {"ben@x.io"}
    response = owner_client.patch(url(world.team.id, f"{cohort['id']}/remove_person_from_static_cohort/"),
                                  {"person_id": ben["uuid"]}, format="json")  # fmt: skip
    assert response.json() == {"success": True}
    assert members(owner_client, world.team.id, cohort["id"]) == set()


def test_static_cohort_saved_from_an_insight_data_point(owner_client, world, people):
    source = {"kind": "TrendsQuery", "series": [{"kind": "EventsNode", "event": "$pageview", "math": "dau"}],
              "dateRange": {"date_from": "-7d"}, "trendsFilter": {"display": "BoldNumber"}}  # fmt: skip
    query = {"kind": "ActorsQuery", "source": {"kind": "InsightActorsQuery", "source": source}}
    cohort = create(owner_client, world.team.id, name="saved", is_static=True, query=query)
    assert cohort["count"] == 2
    assert members(owner_client, world.team.id, cohort["id"]) == {"ann@x.io", "ben@x.io"}


def test_validation_messages(owner_client, world, people):
    response = owner_client.post(url(world.team.id), {"name": "x", "filters": {"nope": 1}}, format="json")
    assert response.json()["detail"] == "Must contain a 'properties' key with type and values"
    query = {"kind": "HogQLQuery", "query": "select 1"}
    response = owner_client.post(url(world.team.id), {"name": "x", "query": query}, format="json")
    assert response.json()["detail"] == "Cannot create a dynamic cohort with a query. Set is_static to true."
    response = owner_client.post(url(world.team.id), {"name": "x", "is_static": True, "query": {"kind": "Trends"}},
                                 format="json")  # fmt: skip
    assert response.json()["detail"] == "Query must be an ActorsQuery or HogQLQuery. Got: Trends"


def test_delete_is_refused_and_soft_delete_hides_from_the_list(owner_client, world, people):
    cohort = create(owner_client, world.team.id, name="Berliners", filters=group(BERLIN))
    assert owner_client.delete(url(world.team.id, f"{cohort['id']}/")).status_code == 405
    response = owner_client.patch(url(world.team.id, f"{cohort['id']}/"), {"deleted": True}, format="json")
    assert response.status_code == 200 and response.json()["deleted"] is True
    assert owner_client.get(url(world.team.id)).json()["results"] == []
    assert owner_client.get(url(world.team.id, f"{cohort['id']}/")).json()["deleted"] is True


def test_list_filters_and_environment_route(owner_client, world, people):
    create(owner_client, world.team.id, name="cohort1", filters=group(BERLIN))
    create(owner_client, world.team.id, name="cohort2 behaviour", filters=group(pageviews()))
    create(owner_client, world.team.id, name="static one", is_static=True)
    names = lambda query: [c["name"] for c in owner_client.get(url(world.team.id, query)).json()["results"]]  # noqa: E731
    assert names("?search=cohort1") == ["cohort1"]
    assert names("?search=nomatch") == []
    assert names("?type=static") == ["static one"]
    assert names("?type=static&search=cohort") == []
    assert names("?hide_behavioral_cohorts=true") == ["static one", "cohort1"]
    env = owner_client.get(f"/api/environments/{world.team.id}/cohorts/").json()
    assert env["count"] == 3


def test_members_as_csv(owner_client, world, people):
    cohort = create(owner_client, world.team.id, name="Berliners", filters=group(BERLIN))
    response = owner_client.get(url(world.team.id, f"{cohort['id']}/persons/?format=csv"))
    assert response.status_code == 200
    lines = response.content.decode().strip().splitlines()
    assert lines[0] == "id,email,name,created_at,properties,distinct_ids"
    assert sorted(line.split(",")[1] for line in lines[1:]) == ["ann@x.io", "cid@x.io"]


def test_cohorts_of_another_project_and_scopes(owner_client, outsider_client, world, people):
    cohort = create(owner_client, world.team.id, name="Berliners", filters=group(BERLIN))
    assert outsider_client.get(url(world.team.id, f"{cohort['id']}/")).status_code in (403, 404)
    assert outsider_client.get(f"/api/projects/{world.other_team.id}/cohorts/{cohort['id']}/").status_code == 404
    reader = key_client(world.owner, ["cohort:read"])
    assert reader.get(url(world.team.id)).status_code == 200
    assert reader.post(url(world.team.id), {"name": "x", "filters": group(BERLIN)}, format="json").status_code == 403


def test_cohort_changes_are_in_the_activity_log(owner_client, world, people):
    cohort = create(owner_client, world.team.id, name="Berliners", filters=group(BERLIN))
    owner_client.patch(url(world.team.id, f"{cohort['id']}/"), {"name": "Berlin"}, format="json")
    entries = owner_client.get(f"/api/projects/{world.team.id}/activity_log/?scope=Cohort").json()["results"]
    activities = [(entry["activity"], entry["item_id"]) for entry in entries]
    assert ("created", str(cohort["id"])) in activities
    updated = next(entry for entry in entries if entry["activity"] == "updated")
    assert updated["detail"]["changes"][0]["field"] == "name"


def test_duplicate_a_dynamic_cohort_as_static(owner_client, world, people):
    cohort = create(owner_client, world.team.id, name="Berliners", filters=group(BERLIN))
    response = owner_client.get(url(world.team.id, f"{cohort['id']}/duplicate_as_static_cohort/"))
    assert response.status_code == 200, response.json()
    copy = response.json()
    assert (copy["name"], copy["is_static"], copy["count"]) == ("Berliners (static copy)", True, 2)
    again = owner_client.get(url(world.team.id, f"{copy['id']}/duplicate_as_static_cohort/"))
    assert again.status_code == 400
    assert again.json()["detail"] == "Cannot duplicate a static cohort as a static cohort."


def test_cohort_type_is_derived_and_checked(owner_client, world, people):
    berliners = create(owner_client, world.team.id, name="Berliners", filters=group(BERLIN))
    assert berliners["cohort_type"] == "person_property"
    nested = create(owner_client, world.team.id, name="n",
                    filters=group({"type": "cohort", "key": "id", "value": berliners["id"]}, pageviews()))  # fmt: skip
    assert nested["cohort_type"] == "behavioral"
    assert create(owner_client, world.team.id, name="s", is_static=True)["cohort_type"] == "static"
    body = {"name": "x", "filters": group(BERLIN), "cohort_type": "behavioral"}
    response = owner_client.post(url(world.team.id), body, format="json")
    assert response.status_code == 400
    assert (
        response.json()["detail"]
        == "Cohort type 'behavioral' does not match the filters. Expected type: 'person_property'"
    )


def test_restarted_and_sequence_behaviours(client, owner_client, world, people):
    capture_events(client, world.team, [("$pageview", "cid", {}, ago(1)), ("signup", "ann", {}, ago(3.5))])
    restarted = {"type": "behavioral", "key": "$pageview", "event_type": "events",
                 "value": "restarted_performing_event", "time_value": 30, "time_interval": "day",
                 "seq_time_value": 7, "seq_time_interval": "day"}  # fmt: skip
    cohort = create(owner_client, world.team.id, name="back", filters=group(restarted))
    assert members(owner_client, world.team.id, cohort["id"]) == {"cid@x.io"}
    sequence = {"type": "behavioral", "key": "signup", "event_type": "events", "value": "performed_event_sequence",
                "time_value": 30, "time_interval": "day", "seq_event": "$pageview", "seq_event_type": "events",
                "seq_time_value": 1, "seq_time_interval": "day"}  # fmt: skip
    cohort = create(owner_client, world.team.id, name="then", filters=group(sequence))
    assert members(owner_client, world.team.id, cohort["id"]) == {"ann@x.io"}
