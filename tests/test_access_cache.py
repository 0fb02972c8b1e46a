"""The per-process access cache (key -> user, team, membership): every access change applies on the next request."""

from django.core.cache import cache
from django.db import connection

from insights_server.access import NO_PROJECT_ACCESS
from insights_server.access_cache import GENERATION_KEY
from insights_server.models import OrganizationMembership, PersonalAPIKey
from insights_server.permissions import missing_scope_message, team_not_in_key_message
from tests.conftest import key_client, session_client


def actions(client, team_id: int):
    return client.get(f"/api/projects/{team_id}/actions/")


def warm(client, team_id: int) -> None:
    """Two requests: the first writes the key's last_used_at (the key reloads once), the second fills the cache."""
    for _ in range(2):
        assert actions(client, team_id).status_code == 200


def count_queries(client, team_id: int) -> int:
    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        assert actions(client, team_id).status_code == 200
    return len([sql for sql in queries if "personal_api_key" in sql or "organizationmembership" in sql])


def test_repeated_requests_resolve_key_team_and_membership_from_the_cache(world):
    client = key_client(world.member, ["action:read"])
    warm(client, world.team.id)
    assert count_queries(client, world.team.id) == 0


def test_deleted_key_is_refused_on_the_very_next_request(world):
    client = key_client(world.owner, ["action:read"])
    warm(client, world.team.id)
    key = PersonalAPIKey.objects.get(user=world.owner)
    assert session_client(world.owner).delete(f"/api/personal_api_keys/{key.id}/").status_code == 204
    refused = actions(client, world.team.id)
    assert refused.status_code == 401
    assert refused.json()["detail"] == "Personal API key found in request Authorization header is invalid."


def test_rolled_key_old_value_is_refused_on_the_very_next_request(world):
    client = key_client(world.owner, ["action:read"])
    warm(client, world.team.id)
    key = PersonalAPIKey.objects.get(user=world.owner)
    rolled = session_client(world.owner).post(f"/api/personal_api_keys/{key.id}/roll/")
    assert rolled.status_code == 200
    assert actions(client, world.team.id).status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {rolled.json()['value']}")
    assert actions(client, world.team.id).status_code == 200


def test_scope_change_is_enforced_on_the_very_next_request(world):
    client = key_client(world.owner, ["action:read"])
    warm(client, world.team.id)
    key = PersonalAPIKey.objects.get(user=world.owner)
    changed = session_client(world.owner).patch(
        f"/api/personal_api_keys/{key.id}/", {"scopes": ["dashboard:read"]}, format="json"
    )
    assert changed.status_code == 200
    refused = actions(client, world.team.id)
    assert refused.status_code == 403
    assert refused.json()["detail"] == missing_scope_message("action:read")


def test_project_restriction_change_is_enforced_on_the_very_next_request(world):
    client = key_client(world.owner, ["action:read"])
    warm(client, world.team.id)
    key = PersonalAPIKey.objects.get(user=world.owner)
    key.scoped_teams = [world.team.id + 1000]
    key.save(update_fields=["scoped_teams"])
    refused = actions(client, world.team.id)
    assert refused.status_code == 403
    assert refused.json()["detail"] == team_not_in_key_message(world.team.id)


def test_removed_membership_is_refused_on_the_very_next_request(world):
    client = key_client(world.member, ["action:read"])
    warm(client, world.team.id)
    OrganizationMembership.objects.filter(user=world.member, organization=world.organization).delete()
    refused = actions(client, world.team.id)
    assert refused.status_code == 403
    assert refused.json()["detail"] == NO_PROJECT_ACCESS


def test_deactivated_user_key_is_refused_on_the_very_next_request(world):
    client = key_client(world.member, ["action:read"])
    warm(client, world.team.id)
    world.member.is_active = False
    world.member.save(update_fields=["is_active"])
    assert actions(client, world.team.id).status_code == 401


def test_other_projects_stay_closed_with_a_warm_cache(world):
    owner = key_client(world.owner, ["action:read"])
    outsider = key_client(world.outsider, ["action:read"])
    warm(owner, world.team.id)
    warm(outsider, world.other_team.id)
    for _ in range(2):
        assert actions(outsider, world.team.id).status_code == 403
        assert actions(owner, world.other_team.id).status_code == 403


def test_a_generation_bumped_by_another_process_drops_this_process_entries(world):
    client = key_client(world.member, ["action:read"])
    warm(client, world.team.id)
    # A write this process does not see (another process's, here raw SQL that sends no signal): its entries still
    # answer, until the generation in the shared cache moves, as another process's write moves it.
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {OrganizationMembership._meta.db_table} WHERE user_id = %s", [world.member.pk])
    assert actions(client, world.team.id).status_code == 200
    cache.set(GENERATION_KEY, "bumped-by-another-process", timeout=None)
    assert actions(client, world.team.id).status_code == 403


def test_bulk_updates_of_access_models_apply_on_the_very_next_request(world):
    """A queryset update sends no signal: the models' AccessQuerySet invalidates instead (keys, users, memberships)."""
    client = key_client(world.member, ["action:read"])
    warm(client, world.team.id)
    PersonalAPIKey.objects.filter(user=world.member).update(scopes=["dashboard:read"])
    refused = actions(client, world.team.id)
    assert refused.status_code == 403 and refused.json()["detail"] == missing_scope_message("action:read")

    PersonalAPIKey.objects.filter(user=world.member).update(scopes=["action:read"])
    warm(client, world.team.id)
    world.member.memberships.all().update(organization=world.other_organization)  # through a related manager
    assert actions(client, world.team.id).status_code == 403


def test_a_key_last_use_refresh_keeps_the_generation(world):
    before = cache.get(GENERATION_KEY)
    assert PersonalAPIKey.objects.filter(user=world.owner).update(last_used_at=None) == 0  # no key yet: no rows
    key_client(world.owner, ["action:read"])
    after_create = cache.get(GENERATION_KEY)
    assert after_create != before  # a saved key is an access change
    PersonalAPIKey.objects.filter(user=world.owner).update(last_used_at=None)
    assert cache.get(GENERATION_KEY) == after_create
