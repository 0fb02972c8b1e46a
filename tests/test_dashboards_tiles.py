"""Dashboard tiles carry their insight computed in the dashboard's context: cached results, refresh, filters."""

from collections import Counter
from datetime import datetime

import pytest

from dashboards.filters import effective_dashboard_filters
from dashboards.models import Dashboard, DashboardTile
from dashboards.permissions import effective_privilege_level, effective_restriction_level
from insights.models import Insight
from tests.query_helpers import capture_events

pytestmark = pytest.mark.usefixtures("clickhouse")

EVENTS = [
    ("$pageview", "alice", {"$browser": "Chrome"}, "2024-01-01T10:00:00Z"),
    ("$pageview", "alice", {"$browser": "Chrome"}, "2024-01-01T11:00:00Z"),
    ("$pageview", "bob", {"$browser": "Firefox"}, "2024-01-02T12:00:00Z"),
    ("$pageview", "bob", {"$browser": "Firefox"}, "2024-01-03T09:00:00Z"),
    ("$pageview", "carol", {"$browser": "Chrome"}, "2024-01-04T10:00:00Z"),
    ("$pageview", "dave", {}, "2024-01-05T10:00:00Z"),
    ("purchase", "bob", {}, "2024-01-02T09:00:00Z"),
]
DAYS = ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"]
TRENDS = {
    "kind": "InsightVizNode",
    "source": {
        "kind": "TrendsQuery",
        "series": [{"kind": "EventsNode", "event": "$pageview"}],
        "dateRange": {"date_from": "2024-01-01", "date_to": "2024-01-05"},
    },
}


def per_day(days=DAYS, browser=None):
    """Pageviews per UTC day counted in Python, optionally only for one browser."""
    counts = Counter(
        ts[:10]
        for event, _, props, ts in EVENTS
        if event == "$pageview" and (browser is None or props.get("$browser") == browser)
    )
    return [counts.get(day, 0) for day in days]


@pytest.fixture
def data(client, world):
    capture_events(client, world.team, EVENTS)
    capture_events(client, world.other_team, [("$pageview", "mallory", {}, "2024-01-02T10:00:00Z")] * 3)


@pytest.fixture
def board(world):
    dashboard = Dashboard.objects.create(team=world.team, name="Board", created_by=world.owner)
    insight = Insight.objects.create(team=world.team, name="Pageviews", query=TRENDS, created_by=world.owner)
    tile = DashboardTile.objects.create(
        dashboard=dashboard, insight=insight, layouts={"sm": {"x": 0, "y": 0, "w": 6, "h": 5}}, color="blue"
    )
    return dashboard, insight, tile


def retrieve(client, team_id, dashboard_id, **params):
    response = client.get(f"/api/projects/{team_id}/dashboards/{dashboard_id}/", params)
    assert response.status_code == 200, response.json()
    return response.json()


def test_tile_insight_is_null_result_before_refresh_and_computed_with_refresh_blocking(
    owner_client, world, data, board
):
    dashboard, insight, tile = board

    before = retrieve(owner_client, world.team.id, dashboard.id)

    [shown] = before["tiles"]
    assert shown["id"] == tile.id
    assert shown["color"] == "blue" and shown["layouts"] == {"sm": {"x": 0, "y": 0, "w": 6, "h": 5}}
    assert shown["insight"]["id"] == insight.id and shown["insight"]["short_id"] == insight.short_id
    assert shown["insight"]["result"] is None
    assert shown["insight"]["last_refresh"] is None and shown["last_refresh"] is None
    assert shown["is_cached"] is False
    assert shown["insight"]["dashboards"] == [dashboard.id]

    refreshed = retrieve(owner_client, world.team.id, dashboard.id, refresh="blocking")

    [series] = refreshed["tiles"][0]["insight"]["result"]
    assert per_day() == [2, 1, 1, 1, 1]
    assert series["data"] == per_day()
    assert series["days"] == DAYS
    assert refreshed["tiles"][0]["last_refresh"] is not None
    assert refreshed["tiles"][0]["insight"]["timezone"] == "UTC"

    cached = retrieve(owner_client, world.team.id, dashboard.id)

    assert cached["tiles"][0]["insight"]["result"][0]["data"] == per_day()
    assert cached["tiles"][0]["is_cached"] is True
    assert cached["tiles"][0]["insight"]["is_cached"] is True


def test_dashboard_date_range_and_properties_apply_to_tile_insights(owner_client, world, data, board):
    dashboard, insight, _ = board
    dashboard.filters = {
        "date_from": "2024-01-01",
        "date_to": "2024-01-03",
        "properties": [{"key": "$browser", "value": ["Chrome"], "operator": "exact", "type": "event"}],
    }
    dashboard.save()

    body = retrieve(owner_client, world.team.id, dashboard.id, refresh="blocking")

    tile_insight = body["tiles"][0]["insight"]
    [series] = tile_insight["result"]
    assert series["days"] == DAYS[:3]
    assert series["data"] == per_day(DAYS[:3], browser="Chrome") == [2, 0, 0]
    # The query is shown with the dashboard filters applied; the stored one is unchanged.
    assert tile_insight["query"]["source"]["dateRange"]["date_to"] == "2024-01-03"
    assert Insight.objects.get(id=insight.id).query == TRENDS
    # A different dashboard context is a different cache entry: the insight alone is still uncached.
    standalone = owner_client.get(f"/api/projects/{world.team.id}/insights/{insight.id}/")
    assert standalone.status_code == 200
    assert standalone.json()["result"] is None


def test_filters_override_param_applies_to_tiles_without_saving(owner_client, world, data, board):
    dashboard, _, _ = board

    body = retrieve(
        owner_client, world.team.id, dashboard.id, refresh="blocking", filters_override='{"date_from": "2024-01-04"}'
    )

    [series] = body["tiles"][0]["insight"]["result"]
    assert series["days"] == DAYS[3:]
    assert series["data"] == per_day(DAYS[3:]) == [1, 1]
    assert body["filters"] == {"date_from": "2024-01-04"}
    assert Dashboard.objects.get(id=dashboard.id).filters == {}


def test_tile_filter_overrides_replace_dashboard_filters(owner_client, world, data, board):
    dashboard, _, tile = board
    dashboard.filters = {"date_from": "2024-01-04"}
    dashboard.save()
    tile.filters_overrides = {"date_from": "2024-01-01", "date_to": "2024-01-02"}
    tile.save()

    body = retrieve(owner_client, world.team.id, dashboard.id, refresh="blocking")

    assert body["tiles"][0]["insight"]["result"][0]["data"] == per_day(DAYS[:2]) == [2, 1]
    assert body["tiles"][0]["filters_overrides"] == {"date_from": "2024-01-01", "date_to": "2024-01-02"}


def test_deleted_insights_and_tiles_are_not_shown(owner_client, world, board):
    dashboard, insight, tile = board
    gone = Insight.objects.create(team=world.team, name="Gone", query=TRENDS, deleted=True)
    DashboardTile.objects.create(dashboard=dashboard, insight=gone)
    removed = Insight.objects.create(team=world.team, name="Removed", query=TRENDS)
    DashboardTile.objects.create(dashboard=dashboard, insight=removed, deleted=True)

    body = retrieve(owner_client, world.team.id, dashboard.id)

    assert [t["insight"]["id"] for t in body["tiles"]] == [insight.id]


def test_insights_on_a_restricted_dashboard_are_view_only_for_members(world, member_client, owner_client, board):
    dashboard, insight, _ = board
    dashboard.restriction_level = 37
    dashboard.save()

    for_member = retrieve(member_client, world.team.id, dashboard.id)["tiles"][0]["insight"]
    for_owner = retrieve(owner_client, world.team.id, dashboard.id)["tiles"][0]["insight"]

    assert (for_member["effective_restriction_level"], for_member["effective_privilege_level"]) == (37, 21)
    assert (for_owner["effective_restriction_level"], for_owner["effective_privilege_level"]) == (37, 37)
    assert effective_privilege_level(world.member, insight) == 21
    open_board = Dashboard.objects.create(team=world.team, name="Open")
    DashboardTile.objects.create(dashboard=open_board, insight=insight)
    assert effective_privilege_level(world.member, insight) == 37  # editable through the open dashboard
    assert effective_restriction_level(insight) == 37


def test_effective_dashboard_filters_precedence():
    dashboard = Dashboard(filters={"date_from": "-7d", "interval": "day"})
    tile = DashboardTile(filters_overrides={})

    assert effective_dashboard_filters(dashboard, tile) == {"date_from": "-7d", "interval": "day"}
    assert effective_dashboard_filters(dashboard, tile, filters_override={"date_from": "-30d"}) == {
        "date_from": "-30d",
        "interval": "day",
    }
    assert effective_dashboard_filters(None, None, filters_override={"date_to": "-1d"}) == {"date_to": "-1d"}
    tile.filters_overrides = {"date_from": "-1d"}
    assert effective_dashboard_filters(dashboard, tile, filters_override={"date_from": "-30d"}) == {"date_from": "-1d"}
    assert effective_dashboard_filters(dashboard, tile, tile_filters_override={"date_to": "-2d"}) == {
        "date_from": "-1d",
        "date_to": "-2d",
    }


def test_retrieve_with_refresh_runs_each_tile_once_per_request(owner_client, world, data, board):
    dashboard, _, _ = board
    second = Insight.objects.create(
        team=world.team,
        name="Purchases",
        query={**TRENDS, "source": {**TRENDS["source"], "series": [{"kind": "EventsNode", "event": "purchase"}]}},
    )
    DashboardTile.objects.create(dashboard=dashboard, insight=second, layouts={"sm": {"x": 6, "y": 0}})

    body = retrieve(owner_client, world.team.id, dashboard.id, refresh="blocking")

    assert [t["insight"]["name"] for t in body["tiles"]] == ["Pageviews", "Purchases"]
    purchases = Counter(ts[:10] for event, _, _, ts in EVENTS if event == "purchase")
    assert body["tiles"][1]["insight"]["result"][0]["data"] == [purchases.get(day, 0) for day in DAYS]
    assert datetime.fromisoformat(body["tiles"][1]["last_refresh"].replace("Z", "+00:00")).year >= 2024


def test_retrieve_runs_a_bounded_number_of_sql_queries_whatever_the_tile_count(
    owner_client, member_client, world, board
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dashboards.models import Text

    dashboard, _, _ = board

    def count_queries():
        with CaptureQueriesContext(connection) as captured:
            retrieve(member_client, world.team.id, dashboard.id)
        return len(captured)

    DashboardTile.objects.create(dashboard=dashboard, text=Text.objects.create(team=world.team, body="first"))
    retrieve(member_client, world.team.id, dashboard.id)  # warms the shared cache of typed property definitions
    few = count_queries()
    for i in range(4):
        insight = Insight.objects.create(team=world.team, name=f"i{i}", query=TRENDS, created_by=world.owner)
        DashboardTile.objects.create(dashboard=dashboard, insight=insight)
        DashboardTile.objects.create(dashboard=dashboard, text=Text.objects.create(team=world.team, body=f"t{i}"))
    assert count_queries() == few


def test_insight_added_through_the_insights_api_shows_on_the_dashboard_with_the_same_result(
    owner_client, member_client, world, data
):
    dashboard = Dashboard.objects.create(
        team=world.team,
        name="Board",
        created_by=world.owner,
        filters={"date_from": "2024-01-02", "date_to": "2024-01-04"},
    )
    created = owner_client.post(
        f"/api/projects/{world.team.id}/insights/",
        {"name": "Pageviews", "query": TRENDS, "dashboards": [dashboard.id]},
        format="json",
    )
    assert created.status_code == 201, created.json()
    insight_id = created.json()["id"]

    body = retrieve(owner_client, world.team.id, dashboard.id, refresh="blocking")

    [tile] = body["tiles"]
    assert tile["insight"]["id"] == insight_id
    assert tile["insight"]["result"][0]["data"] == per_day(DAYS[1:4]) == [1, 1, 1]
    from_dashboard = owner_client.get(
        f"/api/projects/{world.team.id}/insights/{insight_id}/", {"from_dashboard": dashboard.id}
    ).json()
    assert from_dashboard["result"][0]["data"] == [1, 1, 1]  # the tile's cached entry
    assert from_dashboard["filters_hash"] == tile["insight"]["filters_hash"]

    dashboard.restriction_level = 37
    dashboard.save()
    denied = member_client.patch(f"/api/projects/{world.team.id}/insights/{insight_id}/", {"name": "x"}, format="json")
    assert denied.status_code == 403
    assert (
        owner_client.patch(
            f"/api/projects/{world.team.id}/insights/{insight_id}/", {"name": "y"}, format="json"
        ).status_code
        == 200
    )
