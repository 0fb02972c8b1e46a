"""`?sharing_access_token=` opens GETs of the shared object and nothing else (spec sharing §1.5)."""

import pytest

from tests.sharing_helpers import enable, make_dashboard, make_insight

pytestmark = pytest.mark.usefixtures("clickhouse")


def insight_url(team_id, insight, token):
    return f"/api/projects/{team_id}/insights/{insight.id}/?sharing_access_token={token}"


def test_a_token_reads_its_insight_and_no_other(client, owner_client, world):
    shared, other = make_insight(world.team, name="Shared"), make_insight(world.team, name="Other")
    token = enable(owner_client, world.team.id, shared)["access_token"]
    response = client.get(insight_url(world.team.id, shared, token))
    assert response.status_code == 200 and response.json()["name"] == "Shared"
    assert client.get(insight_url(world.team.id, other, token)).status_code == 403
    listing = client.get(f"/api/projects/{world.team.id}/insights/?sharing_access_token={token}").json()
    assert [row["name"] for row in listing["results"]] == ["Shared"]


def test_a_dashboard_token_reads_only_insights_on_that_dashboard(client, owner_client, world):
    on_board, off_board = make_insight(world.team, name="On"), make_insight(world.team, name="Off")
    dashboard = make_dashboard(world.team, on_board)
    token = enable(owner_client, world.team.id, dashboard)["access_token"]
    assert client.get(insight_url(world.team.id, on_board, token)).status_code == 200
    assert client.get(insight_url(world.team.id, off_board, token)).status_code == 403


def test_a_token_cannot_reach_another_project_or_write_or_other_resources(client, owner_client, world):
    shared = make_insight(world.team)
    token = enable(owner_client, world.team.id, shared)["access_token"]
    other_project = f"/api/projects/{world.other_team.id}/insights/?sharing_access_token={token}"
    assert client.get(other_project).status_code == 403
    patch = client.patch(insight_url(world.team.id, shared, token), {"name": "x"}, content_type="application/json")
    # 403, not 401: views open to shares send no WWW-Authenticate challenge, as PostHog's do.
    assert patch.status_code == 403
    assert patch.json()["detail"] == "Sharing access token can only be used for GET requests."
    actions = f"/api/projects/{world.team.id}/actions/?sharing_access_token={token}"
    assert client.get(actions).status_code in (401, 403)
    sharing = f"/api/projects/{world.team.id}/insights/{shared.id}/sharing/?sharing_access_token={token}"
    assert client.get(sharing).status_code in (401, 403)


def test_disabled_and_unknown_tokens_are_refused(client, owner_client, world):
    shared = make_insight(world.team)
    token = enable(owner_client, world.team.id, shared)["access_token"]
    owner_client.patch(
        f"/api/projects/{world.team.id}/insights/{shared.id}/sharing/", {"enabled": False}, format="json"
    )
    response = client.get(insight_url(world.team.id, shared, token))
    assert response.status_code == 403 and response.json()["detail"] == "Sharing access token is invalid."
    assert client.get(insight_url(world.team.id, shared, "nope")).status_code == 403


def test_a_token_cannot_force_a_recomputation(client, owner_client, world):
    shared = make_insight(world.team)
    token = enable(owner_client, world.team.id, shared)["access_token"]
    first = client.get(insight_url(world.team.id, shared, token) + "&refresh=true").json()
    again = client.get(insight_url(world.team.id, shared, token) + "&refresh=force_blocking").json()
    assert first["result"] is not None, first
    assert again["is_cached"] is True and again["last_refresh"] == first["last_refresh"]
