"""Errors keep PostHog's JSON shape on every path, internals stay out of responses, and clients get arrays."""

from rest_framework.test import APIClient

from insights_server.models import Organization, User
from insights_server.services.organizations import organization_create
from tests.conftest import key_client


def csrf_checking_client(user: User) -> APIClient:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_a_write_to_an_unknown_path_is_a_json_404_even_without_csrf(world):
    response = csrf_checking_client(world.owner).post("/api/not-a-route/", {}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_logout_of_a_signed_in_browser_needs_the_csrf_token(world):
    client = csrf_checking_client(world.owner)
    response = client.post("/api/logout/")
    assert response.status_code == 403
    assert client.get("/api/users/@me/").status_code == 200  # still signed in


def test_patch_on_the_organizations_list_route_is_405(owner_client):
    response = owner_client.patch("/api/organizations/", {"name": "x"}, format="json")
    assert response.status_code == 405
    assert response.json()["type"] == "invalid_request"


def test_create_project_with_a_json_null_body_is_400(owner_client):
    response = owner_client.post("/api/projects/", "null", content_type="application/json")
    assert response.status_code == 400


def test_deleting_the_current_organization_moves_members_to_another(world):
    second = organization_create("Second", owner=world.owner)
    world.owner.refresh_from_db()
    assert world.owner.current_organization_id == second.id
    client = APIClient()
    client.force_login(world.owner)
    assert client.delete(f"/api/organizations/{second.id}/").status_code == 204
    world.owner.refresh_from_db()
    assert world.owner.current_organization_id == world.organization.id
    assert world.owner.current_team_id == world.team.id
    assert client.get("/api/projects/").status_code == 200
    assert not Organization.objects.filter(id=second.id).exists()


def test_api_keys_list_scoped_teams_and_organizations_as_arrays(world):
    client = key_client(world.owner)
    body = client.get("/api/personal_api_keys/@current/").json()
    assert body["scoped_teams"] == [] and body["scoped_organizations"] == []
