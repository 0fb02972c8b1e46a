"""The project-scoped base viewset: both URL prefixes, @current, tenancy and API-key scopes."""

import pytest
from rest_framework.test import APIClient

from tests.conftest import key_client

pytestmark = pytest.mark.urls("tests.project_scoped_urls")


@pytest.mark.parametrize("prefix", ["projects", "environments"])
@pytest.mark.parametrize("slash", ["/", ""])
def test_both_prefixes_with_and_without_slash_resolve_the_team(owner_client, world, prefix, slash):
    response = owner_client.get(f"/api/{prefix}/{world.team.id}/widgets{slash}")
    assert response.status_code == 200
    assert response.json() == {"team_id": world.team.id, "project_id": world.team.project_id}


def test_current_resolves_the_users_current_team(member_client, world):
    assert member_client.get("/api/projects/@current/widgets/").json()["team_id"] == world.team.id


def test_unknown_and_non_numeric_ids_are_project_not_found(owner_client):
    for raw in ["999999", "abc"]:
        response = owner_client.get(f"/api/projects/{raw}/widgets/")
        assert response.status_code == 404
        assert response.json() == {
            "type": "invalid_request",
            "code": "not_found",
            "detail": "Project not found.",
            "attr": None,
        }


def test_outsider_gets_403_on_another_organizations_project(outsider_client, world):
    for method in ("get", "post"):
        response = getattr(outsider_client, method)(f"/api/projects/{world.team.id}/widgets/")
        assert response.status_code == 403
        assert response.json() == {
            "type": "authentication_error",
            "code": "permission_denied",
            "detail": "You don't have access to the project.",
            "attr": None,
        }


def test_anonymous_request_on_a_sharing_enabled_view_gets_403(world):
    response = APIClient().get(f"/api/projects/{world.team.id}/widgets/")
    assert response.status_code == 403
    assert response.json()["code"] == "not_authenticated"


def test_read_scope_allows_list_but_not_create(world):
    client = key_client(world.owner, ["insight:read"])
    assert client.get(f"/api/projects/{world.team.id}/widgets/").status_code == 200
    response = client.post(f"/api/projects/{world.team.id}/widgets/", {}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "API key missing required scope 'insight:write'"


def test_write_scope_implies_read(world):
    client = key_client(world.owner, ["insight:write"])
    assert client.get(f"/api/projects/{world.team.id}/widgets/").status_code == 200
    assert client.post(f"/api/projects/{world.team.id}/widgets/", {}, format="json").status_code == 201


def test_key_without_the_object_scope_is_refused(world):
    response = key_client(world.owner, ["dashboard:read"]).get(f"/api/projects/{world.team.id}/widgets/")
    assert response.status_code == 403
    assert response.json()["detail"] == "API key missing required scope 'insight:read'"


def test_action_with_declared_scope_uses_it(world):
    assert (
        key_client(world.owner, ["activity_log:read"])
        .get(f"/api/projects/{world.team.id}/widgets/activity/")
        .status_code
        == 200
    )
    denied = key_client(world.owner, ["insight:write"]).get(f"/api/projects/{world.team.id}/widgets/activity/")
    assert denied.json()["detail"] == "API key missing required scope 'activity_log:read'"


def test_action_without_declared_scope_refuses_keys_even_with_all_scope(world, owner_client):
    response = key_client(world.owner, ["*"]).post(
        f"/api/projects/{world.team.id}/widgets/undeclared/", {}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "This action does not support Personal API Key access"
    assert owner_client.post(f"/api/projects/{world.team.id}/widgets/undeclared/", {}, format="json").status_code == 200


def test_key_scoped_to_another_project_is_refused(world, owner_client):
    from insights_server.services.projects import project_create

    _, second = project_create(world.organization, "Second", creator=world.owner)
    client = key_client(world.owner, ["*"], scoped_teams=[second.id])
    assert client.get(f"/api/projects/{second.id}/widgets/").status_code == 200
    response = client.get(f"/api/projects/{world.team.id}/widgets/")
    assert response.status_code == 403
    assert response.json()["detail"] == f"API key does not have access to the requested project: ID {world.team.id}."


def test_key_scoped_to_another_organization_is_refused(world):
    client = key_client(world.outsider, ["*"], scoped_organizations=[str(world.other_organization.id)])
    assert client.get(f"/api/projects/{world.other_team.id}/widgets/").status_code == 200
    world.organization.memberships.create(user=world.outsider, level=1)
    response = client.get(f"/api/projects/{world.team.id}/widgets/")
    assert response.status_code == 403
    assert response.json()["detail"] == (
        f"API key does not have access to the requested organization: ID {world.organization.id}."
    )


def test_legacy_key_without_scopes_may_do_everything(world):
    client = key_client(world.owner, [])
    assert client.post(f"/api/projects/{world.team.id}/widgets/undeclared/", {}, format="json").status_code == 200


def test_organization_disallowing_keys_refuses_members_but_not_admins(world):
    world.organization.members_can_use_personal_api_keys = False
    world.organization.save(update_fields=["members_can_use_personal_api_keys"])
    member = key_client(world.member, ["*"]).get(f"/api/projects/{world.team.id}/widgets/")
    assert member.status_code == 403
    assert member.json()["detail"] == (
        "Organization 'Acme' does not allow using personal API keys. "
        "Contact an admin to enable personal API keys for this organization."
    )
    assert key_client(world.owner, ["*"]).get(f"/api/projects/{world.team.id}/widgets/").status_code == 200


def test_outsider_key_cannot_reach_another_project(world):
    response = key_client(world.outsider, ["*"]).get(f"/api/environments/{world.team.id}/widgets/")
    assert response.status_code == 403
    assert response.json()["detail"] == "You don't have access to the project."
