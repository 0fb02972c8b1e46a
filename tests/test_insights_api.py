"""The insights API as a client sees it: fields and null rules, create/retrieve/patch, soft delete and restore with
tiles, last_modified_at rules, cross-project 404s, API-key scopes and bad payloads (spec insights-api §3-7).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from activity.models import ActivityLog
from dashboards.models import Dashboard, DashboardTile, RestrictionLevel
from insights.api.serializers import BASIC_FIELDS, FULL_FIELDS
from insights.models import Insight, InsightViewed
from tests.conftest import key_client

TRENDS = {"kind": "TrendsQuery", "series": [{"kind": "EventsNode", "event": "$pageview"}]}
VIZ_TRENDS = {"kind": "InsightVizNode", "source": TRENDS}
RESULT_FIELDS_NULL_WHEN_NEW = (
    "last_refresh",
    "cache_target_age",
    "next_allowed_client_refresh",
    "result",
    "hasMore",
    "columns",
    "timezone",
    "query_status",
    "hogql",
    "types",
    "resolved_date_range",
    "last_viewed_at",
    "order",
    "description",
)


def url(team_id: int, suffix: str = "", prefix: str = "projects") -> str:
    return f"/api/{prefix}/{team_id}/insights/{suffix}"


def create(client, team_id: int, **body):
    body.setdefault("query", TRENDS)
    response = client.post(url(team_id), body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def activities(insight_id: int) -> list[str]:
    return list(
        ActivityLog.objects.filter(scope="Insight", item_id=str(insight_id))
        .order_by("created_at")
        .values_list("activity", flat=True)
    )


# ---- fields and null rules ------------------------------------------------------------------------------


def test_create_insight_returns_every_field_in_order_with_null_rules(owner_client, world, clickhouse):
    body = create(owner_client, world.team.id, name="Pageviews", tags=[" Growth ", "growth", "KPI"])
    assert list(body) == [*FULL_FIELDS, "filters_hash"]
    for field in RESULT_FIELDS_NULL_WHEN_NEW:
        assert body[field] is None, field
    assert body["query"] == VIZ_TRENDS  # bare insight queries are saved wrapped
    assert body["filters"] == {}
    assert len(body["short_id"]) == 8
    assert body["is_cached"] is False and body["saved"] is True and body["deleted"] is False
    assert body["favorited"] is False and body["is_sample"] is False
    assert body["dashboards"] == [] and body["dashboard_tiles"] == [] and body["alerts"] == []
    assert body["tags"] == ["growth", "kpi"]
    assert body["created_by"]["email"] == "owner@example.com"
    assert set(body["created_by"]) == {
        "id",
        "uuid",
        "distinct_id",
        "first_name",
        "last_name",
        "email",
        "is_email_verified",
        "hedgehog_config",
        "role_at_organization",
    }
    assert body["last_modified_by"]["email"] == "owner@example.com"
    assert body["effective_restriction_level"] == 21 and body["effective_privilege_level"] == 37
    assert body["user_access_level"] == "manager"
    assert body["filters_hash"].startswith("cache_")
    assert InsightViewed.objects.filter(insight_id=body["id"], user=world.owner).count() == 1
    assert activities(body["id"]) == ["created"]


def test_member_sees_editor_access_level_on_others_insight(owner_client, member_client, world, clickhouse):
    insight = create(owner_client, world.team.id, name="x")
    body = member_client.get(url(world.team.id, f"{insight['id']}/")).json()
    assert body["user_access_level"] == "editor"
    assert body["last_viewed_at"] is None


def test_create_without_any_name_logs_no_activity_and_derived_name_is_logged(owner_client, world, clickhouse):
    unnamed = create(owner_client, world.team.id)
    derived = create(owner_client, world.team.id, derived_name="Pageview count")
    assert activities(unnamed["id"]) == []
    assert activities(derived["id"]) == ["created"]
    entry = ActivityLog.objects.get(item_id=str(derived["id"]))
    assert entry.detail["name"] == "Pageview count" and entry.detail["short_id"] == derived["short_id"]


def test_bare_hogql_is_wrapped_in_data_visualization_node(owner_client, world, clickhouse):
    body = create(owner_client, world.team.id, query={"kind": "HogQLQuery", "query": "select 1"})
    assert body["query"] == {"kind": "DataVisualizationNode", "source": {"kind": "HogQLQuery", "query": "select 1"}}


def test_short_id_and_filters_hash_are_not_writable(owner_client, world, clickhouse):
    body = create(owner_client, world.team.id, short_id="abc", filters_hash="mine")
    assert body["short_id"] != "abc" and body["filters_hash"] != "mine"


def test_legacy_trends_filters_render_as_a_query(owner_client, world, clickhouse):
    """Current PostHog (its insight serializer without the old `hogql_insights_replace_filters` flag) answers
    `filters: {}` and the converted `query` whenever the filters convert; its older tests that expect the filters
    back as sent date from before that change (issue 18 item 8: decided for spec insights-api §3)."""
    filters = {"events": [{"id": "$pageview", "math": "dau", "order": 0}], "interval": "week", "date_from": "-30d"}
    body = create(owner_client, world.team.id, query=None, filters=filters)
    assert body["filters"] == {}
    assert body["query"] == {
        "kind": "InsightVizNode",
        "source": {
            "kind": "TrendsQuery",
            "series": [{"kind": "EventsNode", "event": "$pageview", "math": "dau"}],
            "dateRange": {"date_from": "-30d"},
            "interval": "week",
        },
        "full": True,
    }
    assert Insight.objects.get(pk=body["id"]).query is None  # stored as sent


def test_legacy_filters_that_do_not_convert_keep_filters_and_null_query_and_result(owner_client, world, clickhouse):
    legacy_paths = {"insight": "PATHS", "include_event_types": ["$pageview"]}
    body = create(owner_client, world.team.id, query=None, filters=legacy_paths)
    assert body["query"] is None and body["result"] is None
    assert body["filters"] == legacy_paths
    legacy_no_type = create(owner_client, world.team.id, query=None, filters={"events": "not a list"})
    assert legacy_no_type["query"] is None and legacy_no_type["filters"] == {
        "events": "not a list",
        "insight": "TRENDS",
    }


def test_basic_serializer_key_set(owner_client, world, clickhouse):
    insight = create(owner_client, world.team.id, name="b")
    body = owner_client.get(url(world.team.id, f"{insight['id']}/?basic=true")).json()
    assert list(body) == list(BASIC_FIELDS)
    assert body["refreshing"] is False and body["last_refresh"] is None


# ---- retrieve and cross-project access -------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["projects", "environments"])
def test_retrieve_by_id_or_short_id(owner_client, world, clickhouse, prefix):
    insight = create(owner_client, world.team.id, name="x")
    by_id = owner_client.get(url(world.team.id, f"{insight['id']}/", prefix))
    by_short_id = owner_client.get(url(world.team.id, insight["short_id"], prefix))
    assert by_id.status_code == by_short_id.status_code == 200
    assert by_id.json()["id"] == by_short_id.json()["id"] == insight["id"]
    assert owner_client.get(url(world.team.id, "NoSuchId/", prefix)).status_code == 404


def test_numeric_short_id_falls_back_to_short_id(owner_client, world, clickhouse):
    insight = Insight.objects.create(team=world.team, name="numeric", short_id="99999999")
    body = owner_client.get(url(world.team.id, "99999999/")).json()
    assert body["id"] == insight.id


@pytest.mark.parametrize("prefix", ["projects", "environments"])
def test_insight_of_another_project_is_404_by_id_and_short_id(outsider_client, owner_client, world, clickhouse, prefix):
    foreign = create(outsider_client, world.other_team.id, name="secret")
    for lookup in (foreign["id"], foreign["short_id"]):
        response = owner_client.get(url(world.team.id, f"{lookup}/", prefix))
        assert response.status_code == 404
        assert response.json() == {"type": "invalid_request", "code": "not_found", "detail": "Not found.", "attr": None}
        patched = owner_client.patch(url(world.team.id, f"{lookup}/", prefix), {"name": "pwned"}, format="json")
        assert patched.status_code == 404
    assert Insight.objects.get(pk=foreign["id"]).name == "secret"
    # and the outsider cannot use our project at all
    assert outsider_client.get(url(world.team.id, "", prefix)).status_code == 403


def test_anonymous_request_is_403(client, world):
    response = client.get(url(world.team.id))
    assert response.status_code == 403
    assert response.json()["code"] == "not_authenticated"


# ---- update rules ---------------------------------------------------------------------------------------


def test_last_modified_at_bumped_only_by_material_fields(owner_client, member_client, world, clickhouse):
    with freeze_time("2024-01-01T10:00:00Z"):
        insight = create(owner_client, world.team.id, name="first")
    path = url(world.team.id, f"{insight['id']}/")
    with freeze_time("2024-01-02T10:00:00Z"):
        for body in ({"favorited": True}, {"tags": ["a"]}, {"order": 3}, {"query": {**TRENDS, "interval": "week"}}):
            response = member_client.patch(path, body, format="json")
            assert response.status_code == 200, response.json()
            assert response.json()["last_modified_at"] == "2024-01-01T10:00:00Z", body
            assert response.json()["updated_at"] == "2024-01-02T10:00:00Z"
    assert response.json()["last_modified_by"]["email"] == "owner@example.com"
    for field, value in (("name", "second"), ("description", "d"), ("filters", {"insight": "TRENDS"})):
        with freeze_time("2024-01-03T10:00:00Z"):
            body = member_client.patch(path, {field: value}, format="json").json()
        assert body["last_modified_at"] == "2024-01-03T10:00:00Z", field
        assert body["last_modified_by"]["email"] == "member@example.com"
    assert body["created_by"]["email"] == "owner@example.com"
    assert body["created_at"] == "2024-01-01T10:00:00Z"


def test_update_forces_saved_true_unless_given_and_logs_changes(owner_client, world, clickhouse):
    insight = create(owner_client, world.team.id, name="old", saved=False)
    assert insight["saved"] is False
    path = url(world.team.id, f"{insight['id']}/")
    assert owner_client.patch(path, {"saved": False, "favorited": True}, format="json").json()["saved"] is False
    assert owner_client.patch(path, {"name": "new"}, format="json").json()["saved"] is True
    entry = ActivityLog.objects.filter(item_id=str(insight["id"])).order_by("-created_at").first()
    assert entry.activity == "updated"
    assert entry.detail["changes"] == [
        {"type": "Insight", "action": "changed", "field": "name", "before": "old", "after": "new"}
    ]
    assert entry.detail["name"] == "new"


def test_put_behaves_like_patch(owner_client, world, clickhouse):
    insight = create(owner_client, world.team.id, name="old", description="keep")
    body = owner_client.put(url(world.team.id, f"{insight['id']}/"), {"name": "new"}, format="json").json()
    assert body["name"] == "new" and body["description"] == "keep"


def test_tags_replace_and_clear_and_orphans_are_removed(owner_client, world, clickhouse):
    insight = create(owner_client, world.team.id, name="t", tags=["a", "b"])
    path = url(world.team.id, f"{insight['id']}/")
    assert owner_client.patch(path, {"tags": ["B", "c"]}, format="json").json()["tags"] == ["b", "c"]
    assert owner_client.patch(path, {"name": "t2"}, format="json").json()["tags"] == ["b", "c"]
    assert owner_client.patch(path, {"tags": []}, format="json").json()["tags"] == []
    assert not world.team.tags.exists()


# ---- dashboards, soft delete and restore ---------------------------------------------------------------


@pytest.fixture
def dashboards(world):
    return [Dashboard.objects.create(team=world.team, name=f"D{i}", created_by=world.owner) for i in range(2)]


def test_create_on_dashboards_adds_stacked_tiles(owner_client, world, clickhouse, dashboards):
    first = create(owner_client, world.team.id, name="a", dashboards=[dashboards[0].id])
    second = create(owner_client, world.team.id, name="b", dashboards=[dashboards[0].id, dashboards[1].id])
    assert first["dashboards"] == [dashboards[0].id]
    assert first["dashboard_tiles"] == [
        {"id": DashboardTile.objects.get(insight_id=first["id"]).id, "dashboard_id": dashboards[0].id, "deleted": None}
    ]
    assert sorted(second["dashboards"]) == [dashboards[0].id, dashboards[1].id]
    layout = DashboardTile.objects.get(insight_id=second["id"], dashboard=dashboards[0]).layouts
    assert layout["sm"] == {"x": 6, "y": 0, "w": 6, "h": 5} and layout["xs"] == layout["sm"]


def test_unknown_foreign_or_deleted_dashboards_are_400(owner_client, outsider_client, world, clickhouse, dashboards):
    foreign = Dashboard.objects.create(team=world.other_team, name="theirs")
    deleted = Dashboard.objects.create(team=world.team, name="gone", deleted=True)
    insight = create(owner_client, world.team.id, name="x")
    for dashboard_id in (999999, foreign.id, deleted.id):
        response = owner_client.post(url(world.team.id), {"query": TRENDS, "dashboards": [dashboard_id]}, format="json")
        assert response.status_code == 400
        assert response.json()["attr"] == "dashboards" and response.json()["code"] == "does_not_exist"
        patch = owner_client.patch(
            url(world.team.id, f"{insight['id']}/"), {"dashboards": [dashboard_id]}, format="json"
        )
        assert patch.status_code == 400
    assert Insight.objects.filter(team=world.team).count() == 1
    assert not DashboardTile.objects_including_soft_deleted.filter(insight_id=insight["id"]).exists()


def test_dashboard_membership_is_reconciled_with_tile_soft_deletion(owner_client, world, clickhouse, dashboards):
    insight = create(owner_client, world.team.id, name="m", dashboards=[dashboards[0].id])
    path = url(world.team.id, f"{insight['id']}/")
    tile_id = insight["dashboard_tiles"][0]["id"]
    body = owner_client.patch(path, {"dashboards": [dashboards[1].id]}, format="json").json()
    assert body["dashboards"] == [dashboards[1].id]
    assert DashboardTile.objects_including_soft_deleted.get(pk=tile_id).deleted is True
    entry = ActivityLog.objects.filter(item_id=str(insight["id"])).order_by("-created_at").first()
    assert entry.detail["changes"] == [
        {
            "type": "Insight",
            "action": "changed",
            "field": "dashboards",
            "before": [{"id": dashboards[0].id, "name": "D0"}],
            "after": [{"id": dashboards[1].id, "name": "D1"}],
        }
    ]
    body = owner_client.patch(path, {"dashboards": [dashboards[0].id, dashboards[1].id]}, format="json").json()
    restored = [tile for tile in body["dashboard_tiles"] if tile["dashboard_id"] == dashboards[0].id]
    assert restored == [{"id": tile_id, "dashboard_id": dashboards[0].id, "deleted": False}]


def test_member_cannot_add_to_or_edit_insight_on_restricted_dashboard(owner_client, member_client, world, clickhouse):
    restricted = Dashboard.objects.create(
        team=world.team,
        name="R",
        created_by=world.owner,
        restriction_level=RestrictionLevel.ONLY_COLLABORATORS_CAN_EDIT,
    )
    response = member_client.post(url(world.team.id), {"query": TRENDS, "dashboards": [restricted.id]}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == f"You don't have permission to add insights to dashboard: {restricted.id}"
    insight = create(owner_client, world.team.id, name="on restricted", dashboards=[restricted.id])
    assert insight["effective_restriction_level"] == 37
    as_member = member_client.get(url(world.team.id, f"{insight['id']}/")).json()
    assert as_member["effective_privilege_level"] == 21
    assert member_client.patch(url(world.team.id, f"{insight['id']}/"), {"name": "x"}, format="json").status_code == 403


def test_hard_delete_is_405_and_insight_remains(owner_client, world, clickhouse):
    insight = create(owner_client, world.team.id, name="keep")
    response = owner_client.delete(url(world.team.id, f"{insight['id']}/"))
    assert response.status_code == 405
    assert owner_client.get(url(world.team.id, f"{insight['id']}/")).status_code == 200


def test_soft_delete_and_restore_with_tiles(owner_client, outsider_client, world, clickhouse, dashboards):
    insight = create(owner_client, world.team.id, name="bye", dashboards=[dashboards[0].id])
    path = url(world.team.id, f"{insight['id']}/")
    deleted = owner_client.patch(path, {"deleted": True}, format="json")
    assert deleted.status_code == 200 and deleted.json()["deleted"] is True
    assert owner_client.get(path).status_code == 404
    assert owner_client.get(url(world.team.id, f"{insight['short_id']}/")).status_code == 404
    assert DashboardTile.objects_including_soft_deleted.get(insight_id=insight["id"]).deleted is True
    # Only `deleted: false` reaches a deleted insight; other writes are 404.
    assert owner_client.patch(path, {"name": "x"}, format="json").status_code == 404
    # Another project cannot restore it.
    foreign_path = url(world.other_team.id, f"{insight['id']}/")
    assert outsider_client.patch(foreign_path, {"deleted": False}, format="json").status_code == 404
    restored = owner_client.patch(path, {"deleted": False}, format="json")
    assert restored.status_code == 200 and restored.json()["deleted"] is False
    assert restored.json()["dashboards"] == []  # tiles are not restored automatically
    assert owner_client.get(path).status_code == 200
    assert activities(insight["id"]) == ["created", "deleted", "restored"]


# ---- bad payloads -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "attr"),
    [
        ("not a valid query", "query"),
        ({"kind": "NoSuchQuery"}, "query"),
        ({"kind": "TrendsQuery", "series": [{"kind": "EventsNode", "math": "bogus"}]}, "query__series__0__math"),
        ({"kind": "InsightVizNode", "source": {"kind": "TrendsQuery"}}, "query__source__series"),
    ],
)
def test_invalid_query_is_400_with_path(owner_client, world, query, attr):
    response = owner_client.post(url(world.team.id), {"query": query}, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["type"] == "validation_error"
    assert response.json()["attr"] == attr
    assert not Insight.objects.exists()


def test_non_json_bodies_are_rejected(owner_client, world):
    malformed = owner_client.post(url(world.team.id), data="{not json", content_type="application/json")
    assert malformed.status_code == 400 and malformed.json()["code"] == "parse_error"
    form = owner_client.post(url(world.team.id), data={"name": "x"})
    assert form.status_code == 415
    listed = owner_client.post(url(world.team.id), data="[1, 2]", content_type="application/json")
    assert listed.status_code == 400
    assert not Insight.objects.exists()


def test_wrong_field_types_are_400(owner_client, world):
    for body, attr in (({"tags": "a"}, "tags"), ({"order": "x"}, "order"), ({"dashboards": ["x"]}, "dashboards__0")):
        response = owner_client.post(url(world.team.id), body, format="json")
        assert response.status_code == 400, body
        assert response.json()["attr"] == attr


# ---- personal API key scopes --------------------------------------------------------------------------------


def test_personal_api_key_scopes(owner_client, world, clickhouse):
    insight = create(owner_client, world.team.id, name="scoped")
    detail = url(world.team.id, f"{insight['id']}/")
    reader = key_client(world.owner, ["insight:read"])
    assert reader.get(url(world.team.id)).status_code == 200
    assert reader.get(detail).status_code == 200
    denied = reader.patch(detail, {"name": "x"}, format="json")
    assert denied.status_code == 403
    assert denied.json()["detail"] == "API key missing required scope 'insight:write'"
    assert reader.get(url(world.team.id, "activity/")).json()["detail"] == (
        "API key missing required scope 'activity_log:read'"
    )
    writer = key_client(world.owner, ["insight:write"])
    assert writer.patch(detail, {"name": "x"}, format="json").status_code == 200
    assert writer.post(url(world.team.id), {"query": TRENDS}, format="json").status_code == 201
    other = key_client(world.owner, ["dashboard:read"])
    assert other.get(detail).json()["detail"] == "API key missing required scope 'insight:read'"
    assert other.get(url(world.team.id)).status_code == 403


# ---- list --------------------------------------------------------------------------------------------------


def test_list_renders_full_or_basic_and_excludes_deleted_and_foreign(owner_client, outsider_client, world, clickhouse):
    kept = create(owner_client, world.team.id, name="kept")
    gone = create(owner_client, world.team.id, name="gone")
    create(outsider_client, world.other_team.id, name="foreign")
    owner_client.patch(url(world.team.id, f"{gone['id']}/"), {"deleted": True}, format="json")
    body = owner_client.get(url(world.team.id)).json()
    assert body["count"] == 1 and [item["id"] for item in body["results"]] == [kept["id"]]
    assert list(body["results"][0]) == [*FULL_FIELDS, "filters_hash"]
    assert body["results"][0]["last_viewed_at"] is not None  # the creator's view
    basic = owner_client.get(url(world.team.id, "?basic=true")).json()
    assert list(basic["results"][0]) == list(BASIC_FIELDS)


def _list_query_count(client, team_id: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(team_id, "?limit=100"))
    assert response.status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow_with_page_size(owner_client, world, clickhouse, dashboards):
    def add(count: int) -> None:
        for index in range(count):
            insight = create(owner_client, world.team.id, name=f"i{index}", tags=["a", f"t{index}"])
            owner_client.patch(
                url(world.team.id, f"{insight['id']}/"), {"dashboards": [d.id for d in dashboards]}, format="json"
            )

    add(3)
    few = _list_query_count(owner_client, world.team.id)
    add(27)
    many = _list_query_count(owner_client, world.team.id)
    assert owner_client.get(url(world.team.id)).json()["count"] == 30
    assert few == many


# ---- CSV and the wired actions -----------------------------------------------------------------------------


def test_list_as_csv_by_format_and_accept_header(owner_client, world, clickhouse):
    insight = create(owner_client, world.team.id, name="csv me", tags=["x"])
    for response in (
        owner_client.get(url(world.team.id, "?format=csv")),
        owner_client.get(url(world.team.id), HTTP_ACCEPT="text/csv"),
    ):
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        header, row = response.content.decode().splitlines()[:2]
        columns = header.split(",")
        assert "results.0.id" in columns and "results.0.tags.0" in columns
        assert row.split(",")[columns.index("results.0.id")] == str(insight["id"])


def test_actions_are_wired(owner_client, world, clickhouse):
    insight = create(owner_client, world.team.id, name="wired", tags=["a"])
    detail = url(world.team.id, f"{insight['id']}/")
    tags = owner_client.post(
        url(world.team.id, "bulk_update_tags/"), {"ids": [insight["id"]], "action": "add", "tags": ["b"]}, format="json"
    )
    assert tags.status_code == 200 and tags.json()["updated"] == [{"id": insight["id"], "tags": ["a", "b"]}]
    assert owner_client.post(url(world.team.id, "cancel/"), {"client_query_id": "q1"}, format="json").status_code == 201
    assert (
        owner_client.post(url(world.team.id, "viewed/"), {"insight_ids": [insight["id"]]}, format="json").status_code
        == 201
    )
    assert [item["id"] for item in owner_client.get(url(world.team.id, "my_last_viewed/")).json()] == [insight["id"]]
    assert owner_client.get(url(world.team.id, "trending/")).json()["results"][0]["id"] == insight["id"]
    assert owner_client.get(url(world.team.id, "activity/")).json()["total_count"] == 2
    own = owner_client.get(f"{detail}activity/").json()
    assert [entry["activity"] for entry in own["results"]] == ["updated", "created"]


def test_ai_actions_without_llm(owner_client, world, clickhouse, settings):
    settings.INSIGHTS_LLM_URL = None
    insight = create(owner_client, world.team.id, name="ai")
    generate = url(world.team.id, "generate_metadata/")
    metadata = owner_client.post(generate, {"query": VIZ_TRENDS}, format="json")
    assert metadata.status_code == 200 and set(metadata.json()) == {"name", "description"}
    assert metadata.json()["name"]
    missing = owner_client.post(generate, {}, format="json")
    assert missing.status_code == 400 and missing.json()["detail"] == "Missing 'query' field in request body"
    invalid = owner_client.post(generate, {"query": {"kind": "Nope"}}, format="json")
    assert invalid.status_code == 400 and invalid.json()["detail"] == "Invalid query format"
    analysis = owner_client.get(url(world.team.id, f"{insight['id']}/analyze/"))
    assert analysis.status_code == 200 and isinstance(analysis.json()["result"], str)
    for method in ("get", "post"):
        suggested = getattr(owner_client, method)(url(world.team.id, f"{insight['id']}/suggestions/"))
        assert suggested.status_code == 200 and isinstance(suggested.json(), list)
    hogql = create(owner_client, world.team.id, query={"kind": "HogQLQuery", "query": "select 1"})
    assert owner_client.get(url(world.team.id, f"{hogql['id']}/analyze/")).json() == {"result": ""}
    assert owner_client.get(url(world.team.id, f"{hogql['id']}/suggestions/")).json() == []


def test_ai_actions_need_approval_only_with_an_llm_configured(owner_client, world, clickhouse, settings):
    insight = create(owner_client, world.team.id, name="ai")
    settings.INSIGHTS_LLM_URL = "http://127.0.0.1:9/v1"
    world.organization.is_ai_data_processing_approved = False
    world.organization.save()
    for response in (
        owner_client.post(url(world.team.id, "generate_metadata/"), {"query": VIZ_TRENDS}, format="json"),
        owner_client.get(url(world.team.id, f"{insight['id']}/analyze/")),
        owner_client.get(url(world.team.id, f"{insight['id']}/suggestions/")),
    ):
        assert response.status_code == 403
        assert response.json()["detail"] == "AI data processing must be approved by your organization"


def test_insights_are_project_wide_across_environments(owner_client, world, clickhouse):
    from insights_server.models import Team

    staging = Team.objects.create(
        id=world.team.id + 1000, organization=world.organization, project=world.team.project, name="Staging"
    )
    created = owner_client.post(url(staging.id, prefix="environments"), {"query": TRENDS}, format="json").json()
    assert Insight.objects.get(pk=created["id"]).team_id == staging.id
    from_project = owner_client.get(url(world.team.id)).json()
    from_environment = owner_client.get(url(staging.id, prefix="environments")).json()
    assert [item["id"] for item in from_project["results"]] == [created["id"]]
    assert [item["id"] for item in from_environment["results"]] == [created["id"]]
    assert owner_client.get(url(world.team.id, f"{created['short_id']}/")).status_code == 200
