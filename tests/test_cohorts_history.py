"""`/cohorts/:id/calculation_history/` (every calculation: filters, count, times, statements, errors) and the
cohort activity pages `/cohorts/activity/` and `/cohorts/:id/activity/`."""

from datetime import UTC, datetime, timedelta

import pytest

from cohorts.models import Cohort
from queries.cohorts.tasks import cohorts_recalculate_due
from tests.conftest import key_client
from tests.query_helpers import capture_events

pytestmark = pytest.mark.usefixtures("clickhouse")

BERLIN = {"type": "person", "key": "city", "value": "Berlin", "operator": "exact"}


def group(*values) -> dict:
    return {"properties": {"type": "AND", "values": list(values)}}


@pytest.fixture
def berliners(client, owner_client, world) -> dict:
    moment = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    capture_events(
        client,
        world.team,
        [
            ("$pageview", "ann", {"$set": {"email": "ann@x.io", "city": "Berlin"}}, moment),
            ("$pageview", "ben", {"$set": {"email": "ben@x.io", "city": "Paris"}}, moment),
        ],
    )
    response = owner_client.post(f"/api/projects/{world.team.id}/cohorts/", {"name": "B", "filters": group(BERLIN)},
                                 format="json")  # fmt: skip
    assert response.status_code == 201
    return response.json()


def history(api, team_id: int, cohort_id: int, query: str = "") -> dict:
    response = api.get(f"/api/projects/{team_id}/cohorts/{cohort_id}/calculation_history/{query}")
    assert response.status_code == 200, response.json()
    return response.json()


def test_each_calculation_is_in_the_history_newest_first(client, owner_client, world, berliners):
    first = history(owner_client, world.team.id, berliners["id"])
    assert first["count"] == 1 and first["next"] is None and first["previous"] is None
    run = first["results"][0]
    assert set(run) == {
        "id", "filters", "count", "started_at", "finished_at", "queries", "error", "duration_seconds",
        "is_completed", "is_successful", "total_query_ms", "total_memory_mb", "total_read_rows",
        "total_written_rows", "main_query",
    }  # fmt: skip
    assert (run["count"], run["error"], run["is_completed"], run["is_successful"]) == (1, None, True, True)
    assert run["filters"] == group(BERLIN)
    assert run["duration_seconds"] >= 0
    assert run["main_query"].startswith("INSERT INTO cohortpeople")
    assert run["total_query_ms"] == sum(query["query_ms"] for query in run["queries"])

    # New events and a scheduled recalculation: a second, newer row with the new count.
    capture_events(
        client, world.team, [("$pageview", "cid", {"$set": {"city": "Berlin"}}, datetime.now(UTC).isoformat())]
    )
    Cohort.objects.filter(pk=berliners["id"]).update(last_calculation=datetime.now(UTC) - timedelta(hours=1))
    assert berliners["id"] in cohorts_recalculate_due()
    # A filter change: a third.
    owner_client.patch(f"/api/projects/{world.team.id}/cohorts/{berliners['id']}/",
                       {"filters": group({**BERLIN, "value": "Paris"})}, format="json")  # fmt: skip
    runs = history(owner_client, world.team.id, berliners["id"])
    assert runs["count"] == 3
    assert [r["count"] for r in runs["results"]] == [1, 2, 1]
    assert runs["results"][0]["filters"]["properties"]["values"][0]["value"] == "Paris"

    page = history(owner_client, world.team.id, berliners["id"], "?limit=1&offset=1")
    assert [r["count"] for r in page["results"]] == [2]
    assert (page["next"], page["previous"]) == ("?limit=1&offset=2", "?limit=1&offset=0")


def test_a_failed_calculation_records_its_error(owner_client, world, berliners):
    # An action the project does not have makes no error, so break the tree behind the API's back.
    Cohort.objects.filter(pk=berliners["id"]).update(
        filters=group({"type": "behavioral", "key": "x", "event_type": "events", "value": "no_such_behaviour"})
    )
    Cohort.objects.filter(pk=berliners["id"]).update(last_calculation=datetime.now(UTC) - timedelta(hours=1))
    cohorts_recalculate_due()
    latest = history(owner_client, world.team.id, berliners["id"])["results"][0]
    assert latest["is_completed"] is True and latest["is_successful"] is False
    assert latest["count"] is None
    assert "no_such_behaviour" in latest["error"]
    cohort = owner_client.get(f"/api/projects/{world.team.id}/cohorts/{berliners['id']}/").json()
    assert (cohort["errors_calculating"], cohort["count"]) == (1, 1)


def test_an_empty_cohort_says_it_has_no_properties(owner_client, world):
    response = owner_client.post(f"/api/projects/{world.team.id}/cohorts/", {"name": "E", "filters": group()},
                                 format="json")  # fmt: skip
    assert response.status_code == 201
    latest = history(owner_client, world.team.id, response.json()["id"])["results"][0]
    assert (latest["count"], latest["error"]) == (0, "Cohort has no properties defined")


def test_static_cohorts_have_no_calculations_and_bad_pages_are_400s(owner_client, world, berliners):
    static = owner_client.post(f"/api/projects/{world.team.id}/cohorts/", {"name": "S", "is_static": True},
                               format="json").json()  # fmt: skip
    assert history(owner_client, world.team.id, static["id"]) == {
        "results": [], "count": 0, "next": None, "previous": None
    }  # fmt: skip
    response = owner_client.get(f"/api/projects/{world.team.id}/cohorts/{berliners['id']}/calculation_history/?limit=x")
    assert response.status_code == 400
    assert set(response.json()) == {"type", "code", "detail", "attr"}


def test_history_and_activity_stay_in_their_project(owner_client, outsider_client, world, berliners):
    cohort_id = berliners["id"]
    for path in ("calculation_history/", "activity/"):
        response = outsider_client.get(f"/api/projects/{world.other_team.id}/cohorts/{cohort_id}/{path}")
        assert response.status_code == 404
        assert response.json()["type"] == "invalid_request"
        assert outsider_client.get(f"/api/projects/{world.team.id}/cohorts/{cohort_id}/{path}").status_code in (
            403,
            404,
        )
    # Another project's cohort activity is not in this project's list.
    other_url = f"/api/projects/{world.other_team.id}/cohorts/"
    other = outsider_client.post(other_url, {"name": "O", "filters": group(BERLIN)}, format="json")
    assert other.status_code == 201
    items = owner_client.get(f"/api/projects/{world.team.id}/cohorts/activity/").json()["results"]
    assert {entry["item_id"] for entry in items} == {str(cohort_id)}


def test_cohort_activity_pages(owner_client, world, berliners):
    cohort_id = berliners["id"]
    owner_client.patch(f"/api/projects/{world.team.id}/cohorts/{cohort_id}/", {"name": "Berlin"}, format="json")
    second = owner_client.post(f"/api/projects/{world.team.id}/cohorts/", {"name": "S", "is_static": True},
                               format="json").json()  # fmt: skip
    one = owner_client.get(f"/api/projects/{world.team.id}/cohorts/{cohort_id}/activity/").json()
    assert [entry["activity"] for entry in one["results"]] == ["updated", "created"]
    assert one["total_count"] == 2
    change = one["results"][0]["detail"]["changes"][0]
    assert (change["field"], change["before"], change["after"]) == ("name", "B", "Berlin")
    assert one["results"][0]["user"]["email"] == "owner@example.com"
    every = owner_client.get(f"/api/projects/{world.team.id}/cohorts/activity/?limit=2").json()
    assert every["total_count"] == 3
    assert [(entry["activity"], entry["item_id"]) for entry in every["results"]] == [
        ("created", str(second["id"])), ("updated", str(cohort_id))
    ]  # fmt: skip
    assert "page=2" in every["next"]
    environment = owner_client.get(f"/api/environments/{world.team.id}/cohorts/{cohort_id}/activity/")
    assert environment.json()["total_count"] == 2
    assert owner_client.get(f"/api/projects/{world.team.id}/cohorts/999999/activity/").status_code == 404


def test_activity_needs_the_activity_scope(world, berliners):
    cohort_reader = key_client(world.owner, ["cohort:read"])
    assert (
        cohort_reader.get(f"/api/projects/{world.team.id}/cohorts/{berliners['id']}/calculation_history/").status_code
        == 200
    )
    assert cohort_reader.get(f"/api/projects/{world.team.id}/cohorts/activity/").status_code == 403
    activity_reader = key_client(world.owner, ["activity_log:read"])
    assert activity_reader.get(f"/api/projects/{world.team.id}/cohorts/{berliners['id']}/activity/").status_code == 200
