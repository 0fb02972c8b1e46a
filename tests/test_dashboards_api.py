"""Dashboards API: create, list, retrieve, patch, soft delete and restore, restriction levels, access and scopes."""

from activity.models import ActivityLog
from dashboards.models import Dashboard, DashboardTile, Text
from dashboards.services import RESTRICTION_CHANGE_DENIED
from insights.models import Insight, Tag
from insights_server.models import OrganizationMembership
from tests.conftest import key_client, session_client

BASIC_KEYS = [
    "id",
    "name",
    "description",
    "pinned",
    "created_at",
    "created_by",
    "last_accessed_at",
    "last_viewed_at",
    "is_shared",
    "deleted",
    "creation_mode",
    "tags",
    "restriction_level",
    "effective_restriction_level",
    "effective_privilege_level",
    "user_access_level",
    "access_control_version",
    "last_refresh",
    "team_id",
]
FULL_KEYS = [
    "id",
    "name",
    "description",
    "pinned",
    "created_at",
    "created_by",
    "last_accessed_at",
    "last_viewed_at",
    "is_shared",
    "deleted",
    "creation_mode",
    "filters",
    "variables",
    "breakdown_colors",
    "data_color_theme_id",
    "tags",
    "restriction_level",
    "effective_restriction_level",
    "effective_privilege_level",
    "user_access_level",
    "access_control_version",
    "last_refresh",
    "persisted_filters",
    "persisted_variables",
    "team_id",
    "tiles",
]


def url(team_id, suffix=""):
    return f"/api/projects/{team_id}/dashboards/{suffix}"


def create(client, team_id, **body):
    response = client.post(url(team_id), body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def patch(client, team_id, dashboard_id, **body):
    return client.patch(url(team_id, f"{dashboard_id}/"), body, format="json")


def test_create_dashboard_returns_201_with_the_full_shape(owner_client, world):
    body = create(owner_client, world.team.id, name="Growth", description="weekly", tags=[" KPI ", "kpi", "Web"])

    assert list(body) == FULL_KEYS
    assert body["name"] == "Growth"
    assert body["description"] == "weekly"
    assert body["tags"] == ["kpi", "web"]
    assert body["tiles"] == []
    assert body["creation_mode"] == "default"
    assert body["restriction_level"] == 21
    assert body["effective_restriction_level"] == 21
    assert body["effective_privilege_level"] == 37
    assert body["user_access_level"] == "manager"
    assert body["access_control_version"] == "v2"
    assert body["created_by"]["email"] == "owner@example.com"
    assert body["filters"] == {} and body["persisted_filters"] is None
    assert body["team_id"] == world.team.id
    dashboard = Dashboard.objects.get(id=body["id"])
    assert dashboard.team_id == world.team.id and dashboard.created_by_id == world.owner.id


def test_create_dashboard_with_bad_filters_answers_400(owner_client, world):
    response = owner_client.post(url(world.team.id), {"name": "x", "filters": ["date_from"]}, format="json")
    assert response.status_code == 400
    assert response.json()["attr"] == "filters"
    assert response.json()["detail"] == "Filters must be a dictionary"
    response = owner_client.post(url(world.team.id), {"name": "x", "restriction_level": 5}, format="json")
    assert response.status_code == 400 and response.json()["attr"] == "restriction_level"


def test_create_with_template_is_refused_and_duplicate_copies_tiles(owner_client, world):
    response = owner_client.post(url(world.team.id), {"name": "t", "use_template": "web"}, format="json")
    assert response.status_code == 400
    assert response.json()["attr"] == "use_template"
    source = Dashboard.objects.create(team=world.team, name="Source", filters={"date_from": "-14d"})
    text = Text.objects.create(team=world.team, body="hello")
    DashboardTile.objects.create(dashboard=source, text=text, layouts={"sm": {"x": 0, "y": 0}}, color="blue")

    body = create(owner_client, world.team.id, name="Copy", use_dashboard=source.id)

    assert body["creation_mode"] == "duplicate"
    assert body["filters"] == {"date_from": "-14d"}
    assert [tile["text"]["body"] for tile in body["tiles"]] == ["hello"]
    assert body["tiles"][0]["color"] == "blue"
    other = Dashboard.objects.create(team=world.other_team, name="Foreign")
    response = owner_client.post(url(world.team.id), {"name": "c", "use_dashboard": other.id}, format="json")
    assert response.status_code == 400 and response.json()["attr"] == "use_dashboard"


def test_list_is_paginated_ordered_pinned_first_and_hides_deleted_and_unlisted(owner_client, world):
    Dashboard.objects.create(team=world.team, name="b")
    Dashboard.objects.create(team=world.team, name="a")
    Dashboard.objects.create(team=world.team, name="z", pinned=True)
    Dashboard.objects.create(team=world.team, name="gone", deleted=True)
    Dashboard.objects.create(team=world.team, name="hidden", creation_mode="unlisted")
    Dashboard.objects.create(team=world.other_team, name="foreign")

    response = owner_client.get(url(world.team.id))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [d["name"] for d in body["results"]] == ["z", "a", "b"]
    assert list(body["results"][0]) == BASIC_KEYS
    page = owner_client.get(url(world.team.id), {"limit": 1, "offset": 1}).json()
    assert [d["name"] for d in page["results"]] == ["a"]
    assert "offset=2" in page["next"]
    unlisted = owner_client.get(url(world.team.id), {"creation_mode": "unlisted"}).json()
    assert [d["name"] for d in unlisted["results"]] == ["hidden"]


def test_list_filters_by_tags(owner_client, world):
    tagged = create(owner_client, world.team.id, name="tagged", tags=["kpi"])
    create(owner_client, world.team.id, name="plain")

    body = owner_client.get(url(world.team.id), {"tags": "kpi"}).json()

    assert [d["id"] for d in body["results"]] == [tagged["id"]]
    assert body["results"][0]["tags"] == ["kpi"]


def test_environment_prefix_serves_the_same_dashboards(owner_client, world):
    created = create(owner_client, world.team.id, name="Env")
    response = owner_client.get(f"/api/environments/{world.team.id}/dashboards/{created['id']}")
    assert response.status_code == 200
    assert response.json()["name"] == "Env"


def test_retrieve_records_last_accessed_at_and_applies_filters_override(owner_client, world):
    created = create(owner_client, world.team.id, name="Acc", filters={"date_from": "-7d"})
    assert created["last_accessed_at"] is None

    response = owner_client.get(url(world.team.id, f"{created['id']}/"), {"filters_override": '{"date_to": "-1d"}'})

    assert response.status_code == 200
    body = response.json()
    assert body["last_accessed_at"] is not None
    assert body["filters"] == {"date_from": "-7d", "date_to": "-1d"}
    assert body["persisted_filters"] == {"date_from": "-7d"}
    bad = owner_client.get(url(world.team.id, f"{created['id']}/"), {"filters_override": "{nope"})
    assert bad.status_code == 400
    assert bad.json()["attr"] == "filters_override"
    assert bad.json()["detail"] == "Invalid JSON passed in filters_override parameter"


def test_patch_updates_fields_tags_and_cleans_orphan_tags(owner_client, world):
    created = create(owner_client, world.team.id, name="Old", tags=["a", "b"])

    response = patch(
        owner_client,
        world.team.id,
        created["id"],
        name="New",
        description="d",
        pinned=True,
        filters={"date_from": "-30d", "properties": [{"key": "$browser", "value": "Chrome", "type": "event"}]},
        variables={"v1": {"code_name": "x", "variableId": "v1", "value": 3}},
        tags=["b", "C"],
        breakdown_colors=[{"breakdownValue": "x", "colorToken": "preset-1"}],
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["name"], body["description"], body["pinned"]) == ("New", "d", True)
    assert body["tags"] == ["b", "c"]
    assert body["filters"]["date_from"] == "-30d"
    assert body["variables"] == {"v1": {"code_name": "x", "variableId": "v1", "value": 3}}
    assert body["breakdown_colors"] == [{"breakdownValue": "x", "colorToken": "preset-1"}]
    assert set(Tag.objects.filter(team=world.team).values_list("name", flat=True)) == {"b", "c"}
    # As in PostHog, an empty filters object leaves the stored filters alone; null keys clear them.
    kept = patch(owner_client, world.team.id, created["id"], filters={})
    assert kept.json()["filters"]["date_from"] == "-30d"
    cleared = patch(owner_client, world.team.id, created["id"], filters={"date_from": None, "properties": None})
    assert cleared.json()["persisted_filters"] == {"date_from": None, "properties": None}


def test_patch_updates_tile_layouts_and_colors_and_adds_text_tiles(owner_client, world):
    dashboard = Dashboard.objects.create(team=world.team, name="Tiles", created_by=world.owner)
    first = DashboardTile.objects.create(
        dashboard=dashboard, text=Text.objects.create(team=world.team, body="first"), layouts={"sm": {"x": 0, "y": 5}}
    )
    layouts = {"sm": {"x": 0, "y": 0, "w": 6, "h": 5}, "xs": {"x": 0, "y": 0, "w": 1, "h": 5}}

    response = patch(
        owner_client,
        world.team.id,
        dashboard.id,
        tiles=[
            {"id": first.id, "layouts": layouts, "color": "green"},
            {"text": {"body": "second"}, "layouts": {"sm": {"x": 6, "y": 0}}},
        ],
    )

    assert response.status_code == 200, response.json()
    tiles = response.json()["tiles"]
    assert [tile["text"]["body"] for tile in tiles] == ["first", "second"]  # y then x
    assert tiles[0]["layouts"] == layouts and tiles[0]["color"] == "green"
    assert [tile["order"] for tile in tiles] == [0, 1]
    assert tiles[1]["text"]["created_by"]["email"] == "owner@example.com"
    first.refresh_from_db()
    assert first.color == "green"
    unknown = patch(owner_client, world.team.id, dashboard.id, tiles=[{"id": 999999, "color": "red"}])
    assert unknown.status_code == 400 and unknown.json()["attr"] == "tiles"


def test_patch_removes_a_tile_by_soft_deleting_it(owner_client, world):
    dashboard = Dashboard.objects.create(team=world.team, name="Tiles", created_by=world.owner)
    tile = DashboardTile.objects.create(dashboard=dashboard, text=Text.objects.create(team=world.team, body="t"))

    response = patch(owner_client, world.team.id, dashboard.id, tiles=[{"id": tile.id, "deleted": True}])

    assert response.status_code == 200
    assert response.json()["tiles"] == []
    assert DashboardTile.objects_including_soft_deleted.get(id=tile.id).deleted is True


def _dashboard_with_insights(world):
    dashboard = Dashboard.objects.create(team=world.team, name="Main", created_by=world.owner)
    only_here = Insight.objects.create(team=world.team, name="only here")
    shared = Insight.objects.create(team=world.team, name="shared")
    other = Dashboard.objects.create(team=world.team, name="Other")
    DashboardTile.objects.create(dashboard=dashboard, insight=only_here)
    DashboardTile.objects.create(dashboard=dashboard, insight=shared)
    DashboardTile.objects.create(dashboard=other, insight=shared)
    return dashboard, only_here, shared


def test_soft_delete_hides_the_dashboard_and_its_tiles_and_restore_brings_them_back(owner_client, world):
    dashboard, only_here, shared = _dashboard_with_insights(world)
    world.team.primary_dashboard_id = dashboard.id
    world.team.save()

    response = patch(owner_client, world.team.id, dashboard.id, deleted=True)

    assert response.status_code == 200
    assert response.json()["deleted"] is True
    assert owner_client.get(url(world.team.id, f"{dashboard.id}/")).status_code == 404
    assert dashboard.id not in [d["id"] for d in owner_client.get(url(world.team.id)).json()["results"]]
    assert set(
        DashboardTile.objects_including_soft_deleted.filter(dashboard=dashboard).values_list("deleted", flat=True)
    ) == {True}
    assert (
        Insight.objects.filter(id__in=[only_here.id, shared.id]).count() == 2
    )  # insights stay without delete_insights
    world.team.refresh_from_db()
    assert world.team.primary_dashboard_id is None
    # Only a PATCH with deleted=false reaches a deleted dashboard.
    assert patch(owner_client, world.team.id, dashboard.id, name="x").status_code == 404

    restored = patch(owner_client, world.team.id, dashboard.id, deleted=False)

    assert restored.status_code == 200
    assert restored.json()["deleted"] is False
    assert DashboardTile.objects.filter(dashboard=dashboard).count() == 2


def test_soft_delete_with_delete_insights_deletes_insights_only_on_this_dashboard(owner_client, world):
    dashboard, only_here, shared = _dashboard_with_insights(world)

    response = patch(owner_client, world.team.id, dashboard.id, deleted=True, delete_insights=True)

    assert response.status_code == 200
    assert Insight.objects_including_soft_deleted.get(id=only_here.id).deleted is True
    assert Insight.objects_including_soft_deleted.get(id=shared.id).deleted is False
    patch(owner_client, world.team.id, dashboard.id, deleted=False)
    assert Insight.objects_including_soft_deleted.get(id=only_here.id).deleted is False


def test_bad_bodies_answer_400_or_415(owner_client, world):
    created = create(owner_client, world.team.id, name="Body")
    detail = url(world.team.id, f"{created['id']}/")

    assert owner_client.patch(detail, [1, 2], format="json").status_code == 400
    assert owner_client.patch(detail, {"tiles": "nope"}, format="json").status_code == 400
    assert owner_client.patch(detail, "name=x", content_type="application/x-www-form-urlencoded").status_code == 415
    assert owner_client.put(detail, {"name": "Put"}, format="json").json()["name"] == "Put"


def test_delete_is_405_and_keeps_the_dashboard(owner_client, world):
    created = create(owner_client, world.team.id, name="Keep")
    response = owner_client.delete(url(world.team.id, f"{created['id']}/"))
    assert response.status_code == 405
    assert Dashboard.objects.filter(id=created["id"]).exists()


def test_activity_log_records_created_updated_deleted_and_restored(owner_client, world):
    created = create(owner_client, world.team.id, name="Logged")
    patch(owner_client, world.team.id, created["id"], name="Renamed")
    patch(owner_client, world.team.id, created["id"], pinned=False)  # no change: no entry
    patch(owner_client, world.team.id, created["id"], deleted=True)
    patch(owner_client, world.team.id, created["id"], deleted=False)

    entries = list(ActivityLog.objects.filter(scope="Dashboard", item_id=str(created["id"])).order_by("created_at"))

    assert [entry.activity for entry in entries] == ["created", "updated", "deleted", "restored"]
    assert entries[1].detail["changes"] == [
        {"type": "Dashboard", "action": "changed", "field": "name", "before": "Logged", "after": "Renamed"}
    ]
    assert entries[1].detail["name"] == "Renamed" and entries[1].detail["type"] == "dashboard"
    assert all(entry.team_id == world.team.id and entry.user_id == world.owner.id for entry in entries)


def test_member_cannot_edit_a_restricted_dashboard_of_the_owner_but_an_admin_can(world, owner_client, member_client):
    created = create(owner_client, world.team.id, name="Locked", restriction_level=37)
    assert created["effective_restriction_level"] == 37
    assert created["access_control_version"] == "v1"

    seen = member_client.get(url(world.team.id, f"{created['id']}/")).json()
    assert seen["effective_privilege_level"] == 21
    assert seen["user_access_level"] == "editor"
    denied = patch(member_client, world.team.id, created["id"], name="Mine")
    assert denied.status_code == 403
    assert denied.json()["detail"] == "You don't have edit permissions for this dashboard."
    assert Dashboard.objects.get(id=created["id"]).name == "Locked"

    membership = OrganizationMembership.objects.get(user=world.member)
    membership.level = OrganizationMembership.Level.ADMIN
    membership.save(update_fields=["level"])
    admin_client = session_client(world.member)
    assert admin_client.get(url(world.team.id, f"{created['id']}/")).json()["effective_privilege_level"] == 37
    assert patch(admin_client, world.team.id, created["id"], name="Admin edit").status_code == 200


def test_only_creator_or_admin_may_change_the_restriction_level(world, owner_client, member_client):
    owned_by_owner = create(owner_client, world.team.id, name="Owner's")

    denied = patch(member_client, world.team.id, owned_by_owner["id"], restriction_level=37)

    assert denied.status_code == 403
    assert denied.json()["detail"] == RESTRICTION_CHANGE_DENIED
    # Editing other fields of an unrestricted dashboard is fine for members.
    assert patch(member_client, world.team.id, owned_by_owner["id"], name="Member edit").status_code == 200
    owned_by_member = create(member_client, world.team.id, name="Member's")
    assert patch(member_client, world.team.id, owned_by_member["id"], restriction_level=37).status_code == 200


def test_dashboards_of_another_project_are_404_and_outsiders_get_403(world, owner_client, outsider_client):
    foreign = Dashboard.objects.create(team=world.other_team, name="Foreign")
    mine = Dashboard.objects.create(team=world.team, name="Mine")

    assert owner_client.get(url(world.team.id, f"{foreign.id}/")).status_code == 404
    assert patch(owner_client, world.team.id, foreign.id, name="x").status_code == 404
    assert patch(owner_client, world.team.id, foreign.id, deleted=False).status_code == 404
    response = outsider_client.get(url(world.team.id, f"{mine.id}/"))
    assert response.status_code == 403
    assert response.json()["detail"] == "You don't have access to the project."
    assert outsider_client.get(url(world.team.id)).status_code == 403


def test_personal_api_keys_need_dashboard_scopes(world):
    dashboard = Dashboard.objects.create(team=world.team, name="Scoped")
    reader = key_client(world.owner, ["dashboard:read"])
    insight_only = key_client(world.owner, ["insight:read"])
    writer = key_client(world.owner, ["dashboard:write"])

    assert reader.get(url(world.team.id)).status_code == 200
    assert reader.get(url(world.team.id, f"{dashboard.id}/")).status_code == 200
    denied = reader.patch(url(world.team.id, f"{dashboard.id}/"), {"name": "x"}, format="json")
    assert denied.status_code == 403
    assert denied.json()["detail"] == "API key missing required scope 'dashboard:write'"
    missing = insight_only.get(url(world.team.id))
    assert missing.status_code == 403
    assert missing.json()["detail"] == "API key missing required scope 'dashboard:read'"
    assert writer.post(url(world.team.id), {"name": "by key"}, format="json").status_code == 201
    assert writer.get(url(world.team.id)).status_code == 200


def test_anonymous_requests_are_refused(client, world):
    response = client.get(url(world.team.id))
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_list_runs_a_bounded_number_of_queries(owner_client, member_client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count_queries(client):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(world.team.id)).status_code == 200
        return len(captured)

    def add_dashboards(n):
        for i in range(n):
            created = create(owner_client, world.team.id, name=f"d{i}", tags=["t"], restriction_level=37)
            assert created["restriction_level"] == 37

    add_dashboards(2)
    count_queries(member_client)  # the first request fills the per-process access cache (team, membership)
    few = count_queries(member_client)
    add_dashboards(6)
    assert count_queries(member_client) == few


def test_primary_dashboard_must_belong_to_the_team(owner_client, world):
    foreign = Dashboard.objects.create(team=world.other_team, name="Foreign")
    mine = Dashboard.objects.create(team=world.team, name="Mine")

    response = owner_client.patch(f"/api/projects/{world.team.id}/", {"primary_dashboard": foreign.id}, format="json")

    assert response.status_code == 400
    assert response.json()["attr"] == "primary_dashboard"
    assert response.json()["detail"] == "Dashboard does not belong to this team."
    ok = owner_client.patch(f"/api/projects/{world.team.id}/", {"primary_dashboard": mine.id}, format="json")
    assert ok.status_code == 200
    assert ok.json()["primary_dashboard"] == mine.id
