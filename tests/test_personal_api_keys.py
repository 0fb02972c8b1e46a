"""/api/personal_api_keys/: create (value shown once), list, update, delete, roll, @current."""

from rest_framework.test import APIClient

from tests.conftest import key_client


def create_key(client, **body):
    return client.post("/api/personal_api_keys/", {"label": "ci", "scopes": ["insight:read"], **body}, format="json")


def test_create_returns_the_value_once(owner_client, world):
    response = create_key(owner_client)
    assert response.status_code == 201
    body = response.json()
    assert body["value"].startswith("phx_")
    assert body["mask_value"] == f"{body['value'][:4]}...{body['value'][-4:]}"
    assert body["user_id"] == world.owner.id
    assert body["scopes"] == ["insight:read"]
    assert set(body) == {
        "id", "label", "value", "mask_value", "created_at", "last_used_at", "last_rolled_at",
        "user_id", "scopes", "scoped_teams", "scoped_organizations",
    }  # fmt: skip
    again = owner_client.get(f"/api/personal_api_keys/{body['id']}/").json()
    assert again["value"] is None
    listed = owner_client.get("/api/personal_api_keys/").json()
    assert isinstance(listed, list) and listed[0]["id"] == body["id"] and listed[0]["value"] is None


def test_create_requires_scopes_and_label(owner_client):
    response = owner_client.post("/api/personal_api_keys/", {"label": "x"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "code": "required",
        "detail": "This field is required.",
        "attr": "scopes",
    }
    response = create_key(owner_client, label="")
    assert response.json()["attr"] == "label"
    assert response.json()["code"] == "blank"


def test_invalid_scope_is_rejected(owner_client):
    response = create_key(owner_client, scopes=["insight:admin"])
    assert response.status_code == 400
    assert response.json()["detail"] == "Invalid scope: insight:admin"
    assert response.json()["attr"] == "scopes"


def test_all_scope_is_allowed(owner_client):
    assert create_key(owner_client, scopes=["*"]).json()["scopes"] == ["*"]


def test_at_most_ten_keys(owner_client):
    for _ in range(10):
        assert create_key(owner_client).status_code == 201
    response = create_key(owner_client)
    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "code": "invalid_input",
        "detail": "You can only have 10 personal API keys. Remove an existing key before creating a new one.",
        "attr": None,
    }


def test_scoped_teams_must_be_the_users(owner_client, world):
    ok = create_key(owner_client, scoped_teams=[world.team.id])
    assert ok.status_code == 201 and ok.json()["scoped_teams"] == [world.team.id]
    response = create_key(owner_client, scoped_teams=[world.other_team.id])
    assert response.status_code == 400
    assert response.json()["detail"] == "You must be a member of all teams that you are scoping the key to."


def test_scoped_organizations_must_be_valid_and_the_users(owner_client, world):
    assert create_key(owner_client, scoped_organizations=["nope"]).json()["detail"] == "Invalid organization UUID"
    response = create_key(owner_client, scoped_organizations=[str(world.other_organization.id)])
    assert response.json()["detail"] == "You must be a member of all organizations that you are scoping the key to."


def test_update_and_delete(owner_client):
    key_id = create_key(owner_client).json()["id"]
    response = owner_client.patch(
        f"/api/personal_api_keys/{key_id}/", {"label": "renamed", "scopes": ["*"]}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["label"] == "renamed" and response.json()["scopes"] == ["*"]
    assert owner_client.delete(f"/api/personal_api_keys/{key_id}/").status_code == 204
    assert owner_client.get(f"/api/personal_api_keys/{key_id}/").status_code == 404


def test_other_users_keys_are_not_found(owner_client, member_client):
    key_id = create_key(owner_client).json()["id"]
    assert member_client.get(f"/api/personal_api_keys/{key_id}/").status_code == 404
    assert member_client.get("/api/personal_api_keys/").json() == []


def test_roll_replaces_the_value(owner_client):
    created = create_key(owner_client, scopes=["*"]).json()
    rolled = owner_client.post(f"/api/personal_api_keys/{created['id']}/roll/").json()
    assert rolled["value"].startswith("phx_") and rolled["value"] != created["value"]
    assert rolled["last_rolled_at"] is not None
    assert rolled["mask_value"] != created["mask_value"]
    old, new = APIClient(), APIClient()
    old.credentials(HTTP_AUTHORIZATION=f"Bearer {created['value']}")
    new.credentials(HTTP_AUTHORIZATION=f"Bearer {rolled['value']}")
    assert old.get("/api/users/@me/").status_code == 401
    assert new.get("/api/users/@me/").status_code == 200


def test_current_describes_the_key_in_use(world):
    client = key_client(world.owner, ["personal_api_key:read"])
    response = client.get("/api/personal_api_keys/@current/")
    assert response.status_code == 200
    assert response.json()["mask_value"] == f"{client.key_value[:4]}...{client.key_value[-4:]}"
    assert response.json()["value"] is None


def test_current_with_a_session_is_not_found(owner_client):
    assert owner_client.get("/api/personal_api_keys/@current/").status_code == 404


def test_a_key_cannot_manage_keys(world):
    client = key_client(world.owner, ["*"])
    expected = "This action does not support Personal API Key access"
    assert client.get("/api/personal_api_keys/").json()["detail"] == expected
    assert create_key(client).json()["detail"] == expected
    assert client.get("/api/personal_api_keys/").status_code == 403
