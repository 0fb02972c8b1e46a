"""Activity log: writing entries (log_activity), the change diff, per-resource pages and the project activity log."""

import datetime
import uuid

import pytest
from django.db import transaction
from rest_framework.request import Request

from activity.api import activity_page
from activity.changes import changes_between
from activity.models import ActivityLog
from activity.services import log_activity
from insights_server.models import Team
from tests.conftest import key_client


def write(
    world, user=None, *, item_id=1, scope="Insight", activity="updated", detail=None, team=None, at=None, **kwargs
):
    """Logs one entry (created at `at`, an ISO text, when given)."""
    team = team or world.team
    existing = set(ActivityLog.objects.values_list("id", flat=True))
    log_activity(
        team_id=team.id,
        organization_id=team.organization_id,
        user=user,
        item_id=item_id,
        scope=scope,
        activity=activity,
        detail=detail if detail is not None else {"name": "n", "changes": [{"type": scope, "action": "changed"}]},
        **kwargs,
    )
    if at:
        ActivityLog.objects.exclude(id__in=existing).update(created_at=datetime.datetime.fromisoformat(at))


def test_log_activity_writes_entry_with_encoded_detail(world):
    moment = datetime.datetime(2024, 5, 1, 12, 30, tzinfo=datetime.UTC)
    marker = uuid.UUID("12345678-1234-5678-1234-567812345678")
    write(world, world.owner, item_id=42, activity="created", detail={"name": "x", "when": moment, "ref": marker})
    entry = ActivityLog.objects.get()
    assert entry.item_id == "42"
    assert entry.is_system is False
    assert entry.user == world.owner
    assert entry.detail == {"name": "x", "when": "2024-05-01T12:30:00+00:00", "ref": str(marker)}


def test_log_activity_skips_updates_without_changes_unless_forced(world):
    write(world, world.owner, detail={"name": "x", "changes": []})
    write(world, world.owner, detail={"name": "x", "changes": None})
    assert ActivityLog.objects.count() == 0
    write(world, world.owner, detail={"name": "x", "changes": []}, force_save=True)
    assert ActivityLog.objects.count() == 1


def test_log_activity_skips_impersonation_without_user_and_marks_system(world):
    write(world, None, activity="created", was_impersonated=True)
    assert ActivityLog.objects.count() == 0
    write(world, None, activity="created")
    assert ActivityLog.objects.get().is_system is True


def test_log_activity_rolls_back_with_the_surrounding_transaction(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        write(world, world.owner, activity="created")
        raise RuntimeError("abort")
    assert ActivityLog.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_log_activity_defers_insert_until_commit():
    from insights_server.models import User
    from insights_server.services.organizations import organization_create

    user = User.objects.create_user("tx@example.com", "pw-12345678")
    team = Team.objects.get(organization=organization_create("Tx", owner=user))
    with transaction.atomic():
        log_activity(
            team_id=team.id,
            organization_id=team.organization_id,
            user=user,
            item_id=1,
            scope="Insight",
            activity="created",
            detail={"name": "n"},
        )
        assert ActivityLog.objects.count() == 0
    assert ActivityLog.objects.count() == 1


def test_changes_between_reports_created_changed_deleted_and_ignores_exclusions():
    before = {"id": 1, "name": "old", "description": "", "filters": {"a": 1}, "order": 1, "favorited": False}
    after = {"id": 2, "name": "new", "description": "desc", "filters": {}, "order": 5, "favorited": True}
    assert changes_between("Insight", before, after) == [
        {"type": "Insight", "action": "changed", "field": "name", "before": "old", "after": "new"},
        {"type": "Insight", "action": "created", "field": "description", "before": None, "after": "desc"},
        {"type": "Insight", "action": "deleted", "field": "filters", "before": {"a": 1}, "after": None},
        {"type": "Insight", "action": "changed", "field": "favorited", "before": False, "after": True},
    ]


def test_changes_between_renames_tags_and_dashboards_and_sorts_tag_lists():
    before = {"tagged_items": ["b", "a"], "dashboards": [1], "dashboard_tiles": [{"id": 1, "name": "D"}]}
    after = {"tagged_items": ["a", "b", "c"], "dashboards": [1], "dashboard_tiles": [{"id": 1, "name": "D"}]}
    assert changes_between("Insight", before, after) == [
        {"type": "Insight", "action": "changed", "field": "tags", "before": ["a", "b"], "after": ["a", "b", "c"]}
    ]
    assert changes_between("Insight", {"tags": ["b", "a"]}, {"tags": ["a", "b"]}) == []
    assert changes_between("Insight", {"name": None}, {"name": ""}) == []


def test_activity_page_paginates_newest_first_with_absolute_links(world, rf):
    for number in range(5):
        detail = {"name": f"v{number}", "changes": [{"type": "Insight"}]}
        write(world, world.owner, item_id=7, detail=detail, at=f"2024-01-0{number + 1}T00:00:00+00:00")
    write(world, world.owner, item_id=8)
    request = rf.get("/api/projects/1/insights/7/activity/", {"limit": 2, "page": 2})
    body = activity_page(Request(request), world.team.id, "Insight", item_id=7).data
    assert body["total_count"] == 5
    assert [entry["detail"]["name"] for entry in body["results"]] == ["v2", "v1"]
    assert body["next"] == "http://testserver/api/projects/1/insights/7/activity/?limit=2&page=3"
    assert body["previous"] == "http://testserver/api/projects/1/insights/7/activity/?limit=2&page=1"


def test_activity_entry_shape_for_user_and_system(world, rf):
    write(
        world,
        world.owner,
        item_id=3,
        at="2012-01-14T03:21:34+00:00",
        detail={
            "changes": [{"type": "Insight", "action": "changed", "field": "name", "before": "a", "after": "b"}],
            "trigger": None,
            "type": None,
            "name": "b",
            "short_id": "abc",
            "context": {"x": 1},
        },
    )
    write(
        world,
        None,
        item_id=3,
        activity="created",
        detail={"name": "b", "short_id": "abc"},
        at="2012-01-14T03:31:34+00:00",
    )
    body = activity_page(Request(rf.get("/x")), world.team.id, "Insight").data
    system, user_entry = body["results"]
    assert system["user"] == {"first_name": "System", "email": None, "is_system": True}
    assert system["detail"] == {"name": "b", "short_id": "abc"}
    assert list(user_entry) == ["id", "user", "activity", "scope", "item_id", "detail", "created_at"]
    assert user_entry["user"] == {"first_name": "Olive", "email": "owner@example.com"}
    assert user_entry["detail"] == {
        "changes": [{"type": "Insight", "action": "changed", "field": "name", "before": "a", "after": "b"}],
        "trigger": None,
        "name": "b",
        "short_id": "abc",
        "type": None,
    }
    assert user_entry["created_at"] == "2012-01-14T03:21:34Z"
    assert body["next"] is None and body["previous"] is None


def activity_log_url(team) -> str:
    return f"/api/projects/{team.id}/activity_log/"


def test_project_activity_log_filters_by_scope_scopes_item_and_user(world, owner_client):
    write(world, world.owner, item_id=1, scope="Insight")
    write(world, world.member, item_id=2, scope="Dashboard")
    write(world, world.member, item_id=3, scope="FeatureFlag")
    write(world, world.owner, item_id=9, scope="Insight", team=world.other_team)

    def items(**params):
        response = owner_client.get(activity_log_url(world.team), params)
        assert response.status_code == 200, response.json()
        return sorted(entry["item_id"] for entry in response.json()["results"])

    assert items() == ["1", "2", "3"]
    assert items(scope="Insight") == ["1"]
    assert items(scopes="Insight,Dashboard") == ["1", "2"]
    assert items(item_id="3") == ["3"]
    assert items(user=str(world.member.uuid)) == ["2", "3"]
    assert owner_client.get(activity_log_url(world.team), {"user": "nope"}).status_code == 400


def test_project_activity_log_entry_fields(world, owner_client):
    write(world, world.owner, item_id=1)
    entry = owner_client.get(activity_log_url(world.team)).json()["results"][0]
    assert set(entry) == {
        "id",
        "user",
        "unread",
        "organization_id",
        "was_impersonated",
        "is_system",
        "activity",
        "item_id",
        "scope",
        "detail",
        "created_at",
    }
    assert entry["user"]["email"] == "owner@example.com" and entry["user"]["uuid"] == str(world.owner.uuid)
    assert entry["unread"] is False


def test_project_activity_log_cursor_and_page_number_pagination(world, owner_client):
    for number in range(5):
        write(world, world.owner, item_id=number, at=f"2024-01-0{number + 1}T00:00:00+00:00")
    first = owner_client.get(activity_log_url(world.team), {"page_size": 2}).json()
    assert set(first) == {"next", "previous", "results"}
    assert [entry["item_id"] for entry in first["results"]] == ["4", "3"]
    second = owner_client.get(first["next"]).json()
    assert [entry["item_id"] for entry in second["results"]] == ["2", "1"]
    numbered = owner_client.get(activity_log_url(world.team), {"page": 2, "page_size": 2}).json()
    assert numbered["count"] == 5
    assert [entry["item_id"] for entry in numbered["results"]] == ["2", "1"]
    ascending = owner_client.get(activity_log_url(world.team), {"ordering": "created_at"}).json()
    assert [entry["item_id"] for entry in ascending["results"]] == ["0", "1", "2", "3", "4"]


def test_project_activity_log_access_and_scopes(world, outsider_client):
    assert outsider_client.get(activity_log_url(world.team)).status_code == 403
    assert key_client(world.owner, ["activity_log:read"]).get(activity_log_url(world.team)).status_code == 200
    denied = key_client(world.owner, ["insight:read"]).get(activity_log_url(world.team))
    assert denied.status_code == 403
    assert denied.json()["detail"] == "API key missing required scope 'activity_log:read'"


def test_important_changes_lists_others_changes_to_my_items(world, owner_client):
    from insights.models import Insight

    mine = Insight.objects.create(team=world.team, name="mine", created_by=world.owner)
    write(world, world.member, item_id=mine.id, at="2024-01-01T00:00:00+00:00")
    write(world, world.owner, item_id=77, scope="Dashboard", at="2024-01-02T00:00:00+00:00")
    write(world, world.member, item_id=77, scope="Dashboard", at="2024-01-03T00:00:00+00:00")
    write(world, world.member, item_id=78, scope="Dashboard")
    write(world, None, item_id=77, scope="Dashboard")
    write(world, world.owner, item_id=mine.id)
    response = owner_client.get(f"{activity_log_url(world.team)}important_changes")
    assert response.status_code == 200
    body = response.json()
    assert body["last_read"] is None
    assert [(entry["scope"], entry["item_id"]) for entry in body["results"]] == [
        ("Dashboard", "77"),
        ("Insight", str(mine.id)),
    ]
    assert all(entry["user"]["email"] == "member@example.com" for entry in body["results"])
