"""/api/projects/ and /api/environments/: list, create, retrieve, update, and who may do what."""

import pytest

from tests.conftest import key_client


def test_list_shows_the_current_organizations_projects(owner_client, world):
    response = owner_client.get("/api/projects/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["next"] is None and body["previous"] is None
    item = body["results"][0]
    assert item["id"] == world.team.id == item["project_id"]
    assert item["api_token"].startswith("phc_")
    assert item["organization"] == str(world.organization.id)
    assert set(item) == {
        "id", "uuid", "organization", "project_id", "api_token", "name", "completed_snippet_onboarding",
        "has_completed_onboarding_for", "ingested_event", "is_demo", "timezone", "access_control",
    }  # fmt: skip


@pytest.mark.parametrize("prefix", ["projects", "environments"])
def test_retrieve_by_id_and_current(owner_client, world, prefix):
    by_id = owner_client.get(f"/api/{prefix}/{world.team.id}/").json()
    current = owner_client.get(f"/api/{prefix}/@current").json()
    assert by_id == current
    assert by_id["timezone"] == "UTC"
    assert by_id["effective_membership_level"] == 15
    assert by_id["user_access_level"] == "admin"
    assert by_id["test_account_filters"][0]["key"] == "$host"
    assert ("product_description" in by_id) == (prefix == "projects")


def test_outsider_gets_403_and_unknown_gets_404(outsider_client, world):
    response = outsider_client.get(f"/api/projects/{world.team.id}/")
    assert response.status_code == 403
    assert response.json()["detail"] == "You don't have access to the project."
    assert outsider_client.patch(f"/api/environments/{world.team.id}/", {"name": "x"}, format="json").status_code == 403
    assert outsider_client.get("/api/projects/424242/").json()["detail"] == "Project not found."
    assert [p["id"] for p in outsider_client.get("/api/projects/").json()["results"]] == [world.other_team.id]


def test_admin_creates_a_project_with_the_same_id_as_its_environment(owner_client, world):
    response = owner_client.post(
        "/api/projects/", {"name": "  Mobile app ", "timezone": "Europe/Berlin"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Mobile app"
    assert body["id"] == body["project_id"]
    assert body["timezone"] == "Europe/Berlin"
    assert owner_client.get(f"/api/environments/{body['id']}/").json()["name"] == "Mobile app"
    assert owner_client.get("/api/users/@me/").json()["team"]["id"] == body["id"]


def test_member_cannot_create_a_project(member_client):
    response = member_client.post("/api/projects/", {"name": "Mine"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "You need to be an organization admin or above to create new projects."


def test_duplicate_project_name_conflicts(owner_client, world):
    name = world.team.name.upper()
    response = owner_client.post("/api/projects/", {"name": name}, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "type": "invalid_request",
        "code": "conflict",
        "detail": f'There is already a project called "{name}" in this organization. Choose a different name.',
        "attr": None,
    }


def test_primary_dashboard_cannot_be_set_on_creation(owner_client):
    response = owner_client.post("/api/projects/", {"primary_dashboard": 1}, format="json")
    assert response.status_code == 400
    assert response.json()["attr"] == "primary_dashboard"


def test_admin_updates_settings(owner_client, world):
    response = owner_client.patch(
        f"/api/projects/{world.team.id}/",
        {"timezone": "America/New_York", "week_start_day": 1, "name": "Renamed", "product_description": "Shop"},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["timezone"], body["week_start_day"], body["name"], body["product_description"]) == (
        "America/New_York", 1, "Renamed", "Shop",
    )  # fmt: skip
    world.team.refresh_from_db()
    assert world.team.timezone == "America/New_York"
    assert world.team.project.name == "Renamed"


def test_member_may_change_only_member_settings(member_client, world):
    ok = member_client.patch(f"/api/projects/{world.team.id}/", {"completed_snippet_onboarding": True}, format="json")
    assert ok.status_code == 200 and ok.json()["completed_snippet_onboarding"] is True
    response = member_client.patch(
        f"/api/projects/{world.team.id}/", {"timezone": "Europe/Paris", "name": "x"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "Only project admins can modify these settings: name, timezone"


def test_invalid_timezone_and_week_start_day(owner_client, world):
    response = owner_client.patch(f"/api/projects/{world.team.id}/", {"timezone": "Mars/Olympus"}, format="json")
    assert response.json() == {
        "type": "validation_error",
        "code": "invalid_choice",
        "detail": '"Mars/Olympus" is not a valid choice.',
        "attr": "timezone",
    }
    response = owner_client.patch(f"/api/projects/{world.team.id}/", {"week_start_day": 3}, format="json")
    assert response.json()["code"] == "invalid_choice" and response.json()["attr"] == "week_start_day"


def test_modifiers_merge_and_unknown_modifier_is_rejected(owner_client, world):
    url = f"/api/projects/{world.team.id}/"
    owner_client.patch(url, {"modifiers": {"inCohortVia": "subquery"}}, format="json")
    body = owner_client.patch(url, {"modifiers": {"personsArgMaxVersion": "v2"}}, format="json").json()
    assert body["modifiers"] == {"inCohortVia": "subquery", "personsArgMaxVersion": "v2"}
    assert body["default_modifiers"]["inCohortVia"] == "subquery"
    response = owner_client.patch(url, {"modifiers": {"noSuchModifier": 1}}, format="json")
    assert response.status_code == 400 and response.json()["detail"] == "Invalid modifier key."


def test_access_control_is_deprecated(owner_client, world):
    response = owner_client.patch(f"/api/projects/{world.team.id}/", {"access_control": True}, format="json")
    assert response.status_code == 400 and response.json()["attr"] == "access_control"


def test_invalid_path_cleaning_regex_is_rejected(owner_client, world):
    response = owner_client.patch(
        f"/api/projects/{world.team.id}/", {"path_cleaning_filters": [{"regex": "(", "alias": "x"}]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Invalid path cleaning regex '(':")


def test_multiple_environments_are_gone(owner_client, world):
    response = owner_client.get(f"/api/projects/{world.team.id}/environments/")
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Multiple environments per project are no longer available.")


def test_project_scope_rules_for_keys(world):
    reader = key_client(world.owner, ["project:read"])
    assert reader.get(f"/api/projects/{world.team.id}/").status_code == 200
    denied = reader.patch(f"/api/projects/{world.team.id}/", {"name": "x"}, format="json")
    assert denied.json()["detail"] == "API key missing required scope 'project:write'"
    team_key = key_client(world.owner, ["project:read"], scoped_teams=[world.team.id])
    assert team_key.get(f"/api/projects/{world.team.id}/").status_code == 200
    listing = team_key.get("/api/projects/")
    assert listing.status_code == 403
    assert listing.json()["detail"] == "API keys with scoped projects are only supported on project-based endpoints."
