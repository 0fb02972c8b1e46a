"""The sharing management API of insights and dashboards (spec sharing §1.2-1.3), through HTTP."""

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import check_password
from django.utils import timezone
from freezegun import freeze_time

from activity.models import ActivityLog
from sharing.models import SharePassword, SharingConfiguration
from tests.conftest import key_client
from tests.sharing_helpers import enable, make_dashboard, make_insight, sharing_url


def test_get_creates_nothing_and_answers_the_unsaved_state(owner_client, world):
    insight = make_insight(world.team)
    body = owner_client.get(sharing_url(world.team.id, insight)).json()
    assert body["created_at"] is None and body["enabled"] is False and body["settings"] is None
    assert body["password_required"] is False and body["share_passwords"] == []
    assert len(body["access_token"]) >= 20
    assert SharingConfiguration.objects.count() == 0


def test_patch_enables_and_persists_keeping_the_token_across_toggles(owner_client, world):
    insight = make_insight(world.team)
    first = enable(owner_client, world.team.id, insight)
    assert first["enabled"] is True and first["created_at"] is not None
    off = owner_client.patch(sharing_url(world.team.id, insight), {"enabled": False}, format="json").json()
    again = enable(owner_client, world.team.id, insight)
    assert first["access_token"] == off["access_token"] == again["access_token"]
    assert owner_client.get(sharing_url(world.team.id, insight)).json()["access_token"] == first["access_token"]


def test_settings_keep_known_keys_only_and_refuse_non_objects(owner_client, world):
    insight = make_insight(world.team)
    body = enable(owner_client, world.team.id, insight, settings={"whitelabel": True, "customSetting": "x"})
    assert body["settings"] == {"whitelabel": True}
    response = owner_client.patch(sharing_url(world.team.id, insight), {"settings": "nope"}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "Invalid settings format" and response.json()["attr"] == "settings"
    assert enable(owner_client, world.team.id, insight, settings=None)["settings"] is None


def test_enabling_and_disabling_are_logged_for_insights_and_dashboards(owner_client, world):
    insight = make_insight(world.team)
    dashboard = make_dashboard(world.team, insight)
    enable(owner_client, world.team.id, insight)
    owner_client.patch(sharing_url(world.team.id, insight), {"enabled": False}, format="json")
    enable(owner_client, world.team.id, dashboard)
    activities = list(ActivityLog.objects.order_by("created_at").values_list("scope", "activity", "item_id"))
    assert activities == [
        ("Insight", "sharing enabled", str(insight.id)),
        ("Insight", "sharing disabled", str(insight.id)),
        ("Dashboard", "sharing enabled", str(dashboard.id)),
    ]
    entry = ActivityLog.objects.filter(activity="sharing enabled", scope="Insight").get()
    assert entry.detail["changes"] == [{"type": "Insight", "action": "changed", "field": "sharing", "after": True}]


def test_refresh_rotates_the_token_and_the_old_one_works_for_the_grace_period(owner_client, client, world):
    insight = make_insight(world.team)
    old = enable(owner_client, world.team.id, insight, settings={"legend": True})["access_token"]
    with freeze_time(timezone.now()) as clock:
        new = owner_client.post(sharing_url(world.team.id, insight, "refresh/")).json()
        assert new["access_token"] != old and new["enabled"] is True and new["settings"] == {"legend": True}
        clock.tick(timedelta(minutes=4))
        assert client.get(f"/shared/{old}.json").status_code == 200
        clock.tick(timedelta(minutes=2))
        assert client.get(f"/shared/{old}.json").status_code == 404
        assert client.get(f"/shared/{new['access_token']}.json").status_code == 200
    assert ActivityLog.objects.filter(activity="access token refreshed", item_id=str(insight.id)).count() == 1


def test_passwords_need_protection_are_returned_once_hashed_and_deactivated(owner_client, world):
    insight = make_insight(world.team)
    enable(owner_client, world.team.id, insight)
    url = sharing_url(world.team.id, insight, "passwords/")
    refused = owner_client.post(url, {"raw_password": "long enough"}, format="json")
    assert refused.status_code == 400 and refused.json() == {
        "error": "Password protection must be enabled before creating passwords"
    }
    enable(owner_client, world.team.id, insight, password_required=True)
    short = owner_client.post(url, {"raw_password": "short"}, format="json")
    assert short.status_code == 400 and short.json()["attr"] == "raw_password"
    assert short.json()["detail"] == "Password must be at least 8 characters long."
    created = owner_client.post(url, {"raw_password": "correct horse", "note": "for Bob"}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert body["password"] == "correct horse" and body["note"] == "for Bob"
    assert body["created_by_email"] == "owner@example.com"
    stored = SharePassword.objects.get(pk=body["id"])
    assert stored.password_hash != "correct horse" and check_password("correct horse", stored.password_hash)
    generated = owner_client.post(url, {}, format="json").json()["password"]
    assert len(generated) >= 16
    listing = owner_client.get(sharing_url(world.team.id, insight)).json()["share_passwords"]
    assert {p["note"] for p in listing} == {"for Bob", ""} and "password" not in listing[0]
    assert owner_client.delete(f"{url}{body['id']}/").status_code == 204
    assert owner_client.delete(f"{url}{body['id']}/").json()["detail"] == "Password not found"
    assert len(owner_client.get(sharing_url(world.team.id, insight)).json()["share_passwords"]) == 1
    activities = set(ActivityLog.objects.values_list("activity", flat=True))
    assert {"share password added", "share password removed"} <= activities


def test_other_projects_and_missing_resources_answer_404(owner_client, outsider_client, world):
    insight = make_insight(world.team)
    dashboard = make_dashboard(world.team)
    assert outsider_client.get(sharing_url(world.other_team.id, insight)).json()["detail"] == "Insight not found."
    assert outsider_client.get(sharing_url(world.other_team.id, dashboard)).json()["detail"] == "Dashboard not found."
    assert outsider_client.get(sharing_url(world.team.id, insight)).status_code == 403
    missing = owner_client.get(f"/api/projects/{world.team.id}/insights/999999/sharing/")
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("scopes", "method", "expected"),
    [
        (["sharing_configuration:read"], "get", 200),
        (["sharing_configuration:read"], "patch", 403),
        (["sharing_configuration:write"], "patch", 200),
        (["insight:read"], "get", 403),
    ],
)
def test_api_key_scopes(world, scopes, method, expected):
    insight = make_insight(world.team)
    client = key_client(world.owner, scopes)
    url = sharing_url(world.team.id, insight)
    response = client.get(url) if method == "get" else client.patch(url, {"enabled": True}, format="json")
    assert response.status_code == expected


def test_environments_prefix_serves_the_same_configuration(owner_client, world):
    insight = make_insight(world.team)
    token = enable(owner_client, world.team.id, insight)["access_token"]
    body = owner_client.get(f"/api/environments/{world.team.id}/insights/{insight.id}/sharing").json()
    assert body["access_token"] == token
