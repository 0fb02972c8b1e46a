"""Insight results through retrieve and list: refresh modes, the timezone rule, calculation errors, dashboard context
and the override parameters (spec insights-api §5).
"""

import pytest

from dashboards.models import Dashboard, DashboardTile
from insights.models import Insight
from insights.results import insight_result
from tests.query_helpers import capture_events

pytestmark = pytest.mark.usefixtures("clickhouse")

EVENTS = [
    ("$pageview", "alice", {}, "2024-01-01T10:00:00Z"),
    ("$pageview", "bob", {}, "2024-01-01T11:00:00Z"),
    ("$pageview", "bob", {}, "2024-01-03T09:00:00Z"),
    ("purchase", "bob", {}, "2024-01-02T09:00:00Z"),
]
DATE_RANGE = {"date_from": "2024-01-01", "date_to": "2024-01-03"}
TRENDS = {
    "kind": "TrendsQuery",
    "series": [{"kind": "EventsNode", "event": "$pageview"}],
    "dateRange": DATE_RANGE,
}
RESULT_KEYS = (
    "result",
    "last_refresh",
    "hogql",
    "resolved_date_range",
    "cache_target_age",
    "next_allowed_client_refresh",
)


@pytest.fixture
def insight(owner_client, client, world):
    capture_events(client, world.team, EVENTS)
    response = owner_client.post(
        f"/api/projects/{world.team.id}/insights/", {"name": "Views", "query": TRENDS}, format="json"
    )
    assert response.status_code == 201
    return response.json()


def get(client, team_id: int, insight_id, query: str = "", status: int = 200) -> dict:
    response = client.get(f"/api/projects/{team_id}/insights/{insight_id}/{query}")
    assert response.status_code == status, response.json()
    return response.json()


def test_refresh_modes_through_retrieve(owner_client, world, insight):
    miss = get(owner_client, world.team.id, insight["id"])
    assert all(miss[key] is None for key in RESULT_KEYS)
    assert miss["is_cached"] is False and miss["timezone"] is None
    # A mode name counts as a truthy refresh: the team's timezone is shown even on a miss.
    named_miss = get(owner_client, world.team.id, insight["id"], "?refresh=force_cache")
    assert named_miss["result"] is None and named_miss["timezone"] == "UTC"

    computed = get(owner_client, world.team.id, insight["id"], "?refresh=blocking")
    assert computed["is_cached"] is False
    assert [series["data"] for series in computed["result"]] == [[2, 0, 1]]
    assert computed["last_refresh"] is not None and computed["hogql"]
    assert computed["resolved_date_range"]["date_from"].startswith("2024-01-01")
    assert computed["timezone"] == "UTC" and computed["query_status"] is None
    assert computed["filters_hash"] == miss["filters_hash"]

    cached = get(owner_client, world.team.id, insight["id"])
    assert cached["is_cached"] is True and cached["result"] == computed["result"]
    assert cached["last_refresh"] == computed["last_refresh"] and cached["timezone"] == "UTC"
    assert get(owner_client, world.team.id, insight["id"], "?refresh=false")["is_cached"] is True

    forced = get(owner_client, world.team.id, insight["id"], "?refresh=true")
    assert forced["is_cached"] is False and forced["last_refresh"] >= computed["last_refresh"]
    # Computing never counts as a modification.
    assert forced["last_modified_at"] == insight["last_modified_at"]


def test_legacy_trends_filters_compute_like_the_equivalent_query(owner_client, world, insight):
    legacy = {"events": [{"id": "$pageview"}], "date_from": "2024-01-01", "date_to": "2024-01-03", "interval": "day"}
    response = owner_client.post(f"/api/projects/{world.team.id}/insights/", {"filters": legacy}, format="json")
    body = get(owner_client, world.team.id, response.json()["id"], "?refresh=blocking")
    assert [series["data"] for series in body["result"]] == [[2, 0, 1]]
    assert body["filters"] == {} and body["query"]["source"]["kind"] == "TrendsQuery"


def test_force_async_answers_with_status_only(owner_client, world, insight):
    body = get(owner_client, world.team.id, insight["id"], "?refresh=force_async")
    assert body["result"] is None and body["is_cached"] is False
    assert isinstance(body["query_status"], dict) and body["filters_hash"] is None


def test_refresh_in_body_is_ignored_for_get_and_unknown_values_mean_cache(owner_client, world, insight):
    body = get(owner_client, world.team.id, insight["id"], "?refresh=sometimes")
    assert body["result"] is None and body["timezone"] == "UTC"


def test_list_computes_with_refresh_and_reads_cache_otherwise(owner_client, world, insight):
    listed = owner_client.get(f"/api/projects/{world.team.id}/insights/").json()["results"][0]
    assert listed["result"] is None and listed["is_cached"] is False
    refreshed = owner_client.get(f"/api/projects/{world.team.id}/insights/?refresh=blocking").json()["results"][0]
    assert [series["data"] for series in refreshed["result"]] == [[2, 0, 1]]
    cached = owner_client.get(f"/api/projects/{world.team.id}/insights/").json()["results"][0]
    assert cached["is_cached"] is True


def test_exposed_query_error_is_400_on_retrieve_and_an_error_status_in_lists(owner_client, world):
    bad_sql = {"kind": "HogQLQuery", "query": "select no_such_column from events"}
    insight = owner_client.post(f"/api/projects/{world.team.id}/insights/", {"query": bad_sql}, format="json").json()
    assert get(owner_client, world.team.id, insight["id"])["result"] is None  # force_cache does not compute
    error = get(owner_client, world.team.id, insight["id"], "?refresh=blocking", status=400)
    assert error["type"] == "validation_error" and "no_such_column" in error["detail"]
    listed = owner_client.get(f"/api/projects/{world.team.id}/insights/?refresh=blocking")
    assert listed.status_code == 200
    item = listed.json()["results"][0]
    assert item["result"] is None and item["query_status"]["error"] is True
    assert "no_such_column" in item["query_status"]["error_message"]


def test_query_kind_without_runner_gives_an_error_status_not_a_failure(owner_client, world):
    funnel = {
        "kind": "FunnelsQuery",
        "series": [{"kind": "EventsNode", "event": "a"}, {"kind": "EventsNode", "event": "b"}],
    }
    insight = owner_client.post(f"/api/projects/{world.team.id}/insights/", {"query": funnel}, format="json").json()
    body = get(owner_client, world.team.id, insight["id"], "?refresh=blocking")
    if body["result"] is None:  # no FunnelsQuery runner yet
        assert body["query_status"]["error"] is True and body["query_status"]["complete"] is True


@pytest.mark.parametrize("param", ["filters_override", "variables_override", "tile_filters_override"])
def test_invalid_override_json_is_400_with_attr(owner_client, world, insight, param):
    body = get(owner_client, world.team.id, insight["id"], f"?{param}=%7Bnot-json", status=400)
    assert body["attr"] == param
    assert body["detail"] == f"Invalid JSON passed in {param} parameter"


def test_filters_override_changes_query_and_cache_key(owner_client, world, insight):
    plain = get(owner_client, world.team.id, insight["id"])
    override = '{"date_from": "2024-01-02"}'
    body = get(owner_client, world.team.id, insight["id"], f"?refresh=blocking&filters_override={override}")
    assert body["query"]["source"]["dateRange"]["date_from"] == "2024-01-02"
    assert body["filters_hash"] != plain["filters_hash"]
    assert [series["data"] for series in body["result"]] == [[0, 1]]
    # The stored query is untouched.
    assert get(owner_client, world.team.id, insight["id"])["query"]["source"]["dateRange"] == DATE_RANGE


def test_from_dashboard_applies_dashboard_filters_and_adds_tile_keys(owner_client, world, insight):
    dashboard = Dashboard.objects.create(team=world.team, name="D", filters={"date_from": "2024-01-03"})
    other = Dashboard.objects.create(team=world.team, name="No tile")
    DashboardTile.objects.create(dashboard=dashboard, insight_id=insight["id"], color="blue", layouts={"sm": {"x": 0}})
    plain = get(owner_client, world.team.id, insight["id"])
    body = get(owner_client, world.team.id, insight["id"], f"?from_dashboard={dashboard.id}&refresh=blocking")
    assert list(body)[-3:] == ["filters_hash", "color", "layouts"]
    assert body["color"] == "blue" and body["layouts"] == {"sm": {"x": 0}}
    assert body["filters_hash"] != plain["filters_hash"]
    assert body["query"]["source"]["dateRange"]["date_from"] == "2024-01-03"
    assert [series["data"] for series in body["result"]] == [[1]]
    ignored = get(owner_client, world.team.id, insight["id"], f"?from_dashboard={other.id}")
    assert "color" not in ignored and ignored["filters_hash"] == plain["filters_hash"]


def test_variables_override_sets_hogql_variable_values(owner_client, world):
    variables = {"v1": {"variableId": "v1", "code_name": "n", "value": 1}}
    query = {"kind": "HogQLQuery", "query": "select {variables.n} as n", "variables": variables}
    created = owner_client.post(f"/api/projects/{world.team.id}/insights/", {"query": query}, format="json").json()
    assert get(owner_client, world.team.id, created["id"], "?refresh=blocking")["result"] == [[1]]
    override = '{"v1": {"variableId": "v1", "code_name": "n", "value": 5}}'
    body = get(owner_client, world.team.id, created["id"], f"?refresh=blocking&variables_override={override}")
    assert body["result"] == [[5]]
    assert body["query"]["source"]["variables"]["v1"]["value"] == 5


def test_filters_override_that_is_not_a_dashboard_filter_is_400(owner_client, world, insight):
    body = get(owner_client, world.team.id, insight["id"], '?filters_override={"date_from": 5}', status=400)
    assert body["attr"] == "filters_override" and body["detail"].startswith("Invalid filters: date_from")
    # Where one insight must not fail a page (lists, dashboards), the same problem is an error status.
    stored = Insight.objects.get(pk=insight["id"])
    result = insight_result(stored, world.team, filters_override={"date_from": 5}, raise_exposed_errors=False)
    assert result["result"] is None and result["query_status"]["error"] is True
    assert result["query_status"]["error_message"].startswith("Invalid filters: date_from")


def test_tile_filters_replace_dashboard_filters(owner_client, world, insight):
    dashboard = Dashboard.objects.create(team=world.team, name="D", filters={"date_from": "2024-01-03"})
    DashboardTile.objects.create(
        dashboard=dashboard, insight_id=insight["id"], filters_overrides={"date_from": "2024-01-02"}
    )
    query = f"?from_dashboard={dashboard.id}&refresh=blocking"
    body = get(owner_client, world.team.id, insight["id"], query)
    assert body["query"]["source"]["dateRange"]["date_from"] == "2024-01-02"
    assert [series["data"] for series in body["result"]] == [[0, 1]]
    override = get(
        owner_client, world.team.id, insight["id"], query + '&tile_filters_override={"date_from": "2024-01-03"}'
    )
    assert [series["data"] for series in override["result"]] == [[1]]
