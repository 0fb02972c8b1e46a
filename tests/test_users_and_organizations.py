"""/api/users/@me/ and /api/organizations/."""

from tests.conftest import PASSWORD, key_client


def test_me_describes_the_user_their_team_and_organizations(owner_client, world):
    body = owner_client.get("/api/users/@me/").json()
    assert body["email"] == "owner@example.com"
    assert body["uuid"] == str(world.owner.uuid)
    assert body["team"]["id"] == world.team.id
    assert body["organization"]["id"] == str(world.organization.id)
    assert body["organization"]["membership_level"] == 15
    assert [o["id"] for o in body["organizations"]] == [str(world.organization.id)]
    assert body["has_password"] is True
    assert "password" not in body


def test_patch_me_updates_preferences(owner_client):
    response = owner_client.patch(
        "/api/users/@me/", {"first_name": "Ada", "theme_mode": "dark", "role_at_organization": "data"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["first_name"], response.json()["theme_mode"]) == ("Ada", "dark")
    bad = owner_client.patch("/api/users/@me/", {"role_at_organization": "wizard"}, format="json")
    assert bad.json() == {
        "type": "validation_error",
        "code": "invalid_choice",
        "detail": '"wizard" is not a valid choice.',
        "attr": "role_at_organization",
    }


def test_set_current_team_must_be_visible(owner_client, world):
    response = owner_client.patch("/api/users/@me/", {"set_current_team": world.other_team.id}, format="json")
    assert response.json() == {
        "type": "validation_error",
        "code": "does_not_exist",
        "detail": f"Object with id={world.other_team.id} does not exist.",
        "attr": "set_current_team",
    }


def test_switching_organization_switches_team(outsider_client, world):
    world.organization.memberships.create(user=world.outsider, level=1)
    body = outsider_client.patch(
        "/api/users/@me/", {"set_current_organization": str(world.organization.id)}, format="json"
    ).json()
    assert body["organization"]["id"] == str(world.organization.id)
    assert body["team"]["id"] == world.team.id


def test_password_change_needs_current_password(owner_client):
    missing = owner_client.patch("/api/users/@me/", {"password": "a-new-long-password"}, format="json")
    assert missing.json()["attr"] == "current_password"
    assert missing.json()["detail"] == "This field is required when updating your password."
    wrong = owner_client.patch(
        "/api/users/@me/", {"password": "a-new-long-password", "current_password": "wrong"}, format="json"
    )
    assert wrong.json()["detail"] == "Your current password is incorrect."
    ok = owner_client.patch(
        "/api/users/@me/", {"password": "a-new-long-password", "current_password": PASSWORD}, format="json"
    )
    assert ok.status_code == 200
    assert owner_client.get("/api/users/@me/").status_code == 200  # session survives


def test_key_cannot_change_password(world):
    response = key_client(world.owner).patch("/api/users/@me/", {"password": "x" * 12}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"].startswith("You can only change your email or password from the PostHog app")


def test_non_staff_only_reaches_me(owner_client, world):
    response = owner_client.get(f"/api/users/{world.member.uuid}/")
    assert response.status_code == 403
    assert response.json()["detail"] == "As a non-staff user you're only allowed to access the `@me` user instance."


def test_user_scope_and_team_scoped_key_can_read_me(world):
    client = key_client(world.owner, ["user:read"], scoped_teams=[world.team.id])
    assert client.get("/api/users/@me/").status_code == 200
    assert client.patch("/api/users/@me/", {"first_name": "x"}, format="json").status_code == 403


def test_organizations_list_and_current(owner_client, world):
    listing = owner_client.get("/api/organizations/").json()
    assert listing["count"] == 1
    current = owner_client.get("/api/organizations/@current/").json()
    assert current["id"] == str(world.organization.id)
    assert current["member_count"] == 2
    assert current["membership_level"] == 15
    assert [t["id"] for t in current["teams"]] == [world.team.id]
    assert current["projects"] == [
        {"id": world.team.project_id, "organization_id": str(world.organization.id), "name": world.team.name}
    ]


def test_outsider_cannot_see_another_organization(outsider_client, world):
    assert outsider_client.get(f"/api/organizations/{world.organization.id}/").status_code == 404
    assert outsider_client.get("/api/organizations/not-a-uuid/").status_code == 404


def test_member_cannot_update_organization_but_admin_can(member_client, owner_client, world):
    url = f"/api/organizations/{world.organization.id}/"
    denied = member_client.patch(url, {"name": "Hacked"}, format="json")
    assert denied.status_code == 403
    assert denied.json()["detail"] == "Your organization access level is insufficient."
    assert owner_client.patch(url, {"name": "Acme Inc"}, format="json").json()["name"] == "Acme Inc"


def test_create_organization_makes_the_creator_owner_with_a_project(outsider_client):
    response = outsider_client.post("/api/organizations/", {"name": "Initech"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["membership_level"] == 15 and body["slug"] == "initech" and len(body["projects"]) == 1
    assert outsider_client.get("/api/organizations/@current/").json()["id"] == body["id"]


def test_organization_scoped_key_sees_only_its_organizations(world, owner_client):
    second = owner_client.post("/api/organizations/", {"name": "Second"}, format="json").json()
    client = key_client(world.owner, ["organization:read"], scoped_organizations=[second["id"]])
    assert [o["id"] for o in client.get("/api/organizations/").json()["results"]] == [second["id"]]
    assert client.get(f"/api/organizations/{world.organization.id}/").status_code == 404
    assert client.get(f"/api/organizations/{second['id']}/").status_code == 200
