"""Bad input is a clear 4xx in PostHog's error shape, never a 500: ids, page bounds, body size and depth."""

import pytest

from insights_server.parsers import JSON_NUL_CHARACTER, JSON_TOO_DEEP, MAX_JSON_DEPTH, json_depth_exceeds, json_has_nul

QUERY = {"kind": "HogQLQuery", "query": "select 1"}


@pytest.mark.parametrize("raw_id", ["%C2%B2", "%D9%A3", "99999999999999999999", "1e3"])
def test_project_id_that_is_not_an_ascii_integer_is_404(owner_client, raw_id):
    response = owner_client.get(f"/api/projects/{raw_id}/insights/")
    assert response.status_code == 404
    assert response.json()["detail"] == "Project not found."


def test_huge_limit_and_offset_on_a_list_are_served_not_500(owner_client, world):
    base = f"/api/projects/{world.team.id}/insights/"
    assert owner_client.get(base + "?limit=9223372036854775808").status_code == 200
    response = owner_client.get(base + "?offset=9223372036854775808")
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize("params", ["limit=9223372036854775808", "offset=-1", "limit=%C2%B2", "limit=0"])
def test_events_list_bounds_are_400_with_the_parameter_as_attr(owner_client, world, params):
    response = owner_client.get(f"/api/projects/{world.team.id}/events/?{params}")
    assert response.status_code == 400
    assert response.json()["attr"] == params.split("=")[0]


def test_persons_list_limit_beyond_the_maximum_is_400(owner_client, world):
    response = owner_client.get(f"/api/projects/{world.team.id}/persons/?limit=9223372036854775808")
    assert response.status_code == 400
    assert response.json()["attr"] == "limit"


def test_body_over_the_upload_limit_is_413(owner_client, world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"query": {"kind": "HogQLQuery", "query": "select \'' + "x" * 2000 + "'\"}}"
    response = owner_client.post(f"/api/projects/{world.team.id}/query/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def test_json_nested_ten_thousand_deep_is_400(owner_client, world):
    body = "[" * 10_000 + "]" * 10_000
    response = owner_client.post(f"/api/projects/{world.team.id}/query/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_json_nested_past_the_depth_limit_names_the_limit(owner_client, world):
    body = '{"a": ' * (MAX_JSON_DEPTH + 1) + "1" + "}" * (MAX_JSON_DEPTH + 1)
    response = owner_client.post(f"/api/projects/{world.team.id}/insights/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == JSON_TOO_DEEP


def test_depth_check_counts_containers_only():
    assert not json_depth_exceeds({"a": [1, {"b": "deep string"}]}, limit=3)
    assert json_depth_exceeds({"a": [1, {"b": []}]}, limit=3)


def test_lone_surrogate_in_a_query_body_is_400(owner_client, world):
    body = '{"query": {"kind": "HogQLQuery", "query": "select \'\\ud800\'"}}'
    response = owner_client.post(f"/api/projects/{world.team.id}/query/", body, content_type="application/json")
    assert response.status_code == 400


def test_a_nul_character_in_a_json_body_is_400_not_500(owner_client, world):
    # Found by tests/test_schema_fuzz.py: PostgreSQL's jsonb refuses U+0000, which ended in a 500 at save.
    base = f"/api/projects/{world.team.id}/actions/"
    response = owner_client.post(base, {"name": "a", "steps": [{"properties": [{"key": "k\u0000"}]}]}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == JSON_NUL_CHARACTER
    assert not json_has_nul({"a": ["\\u0000"]}) and json_has_nul({"a\u0000": 1})


def test_integers_beyond_the_column_are_400_not_500(owner_client, world):
    # Found by tests/test_schema_fuzz.py: dashboard `data_color_theme_id` and insight `order` reached the database.
    from dashboards.models import Dashboard
    from insights.models import Insight

    dashboard = Dashboard.objects.create(team=world.team, name="d")
    insight = Insight.objects.create(team=world.team, name="i")
    base = f"/api/projects/{world.team.id}"
    too_big = 2**31
    response = owner_client.patch(f"{base}/dashboards/{dashboard.id}/", {"data_color_theme_id": too_big}, format="json")
    assert (response.status_code, response.json()["attr"]) == (400, "data_color_theme_id")
    response = owner_client.patch(f"{base}/insights/{insight.id}/", {"order": -too_big - 5}, format="json")
    assert (response.status_code, response.json()["attr"]) == (400, "order")


def test_a_nul_character_in_a_query_parameter_or_path_is_answered_not_500(owner_client, world):
    # Found by tests/test_schema_fuzz.py: `?scope=%00` reached PostgreSQL (DataError) on the activity log.
    from insights_server.params import NUL_NOT_ALLOWED

    for name in ("scope", "scopes", "item_id"):
        response = owner_client.get(f"/api/projects/{world.team.id}/activity_log/?{name}=a%00b")
        assert response.status_code == 400
        assert (response.json()["detail"], response.json()["attr"]) == (NUL_NOT_ALLOWED, name)
    assert owner_client.get("/api/personal_api_keys/a%00b/").status_code == 404
    assert owner_client.get(f"/api/projects/{world.team.id}/activity_log/?scope=%2500").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/projects/{team}/insights/?short_id=a%00",
        "/api/projects/{team}/insights/?feature_flag=a%00",
        "/api/projects/{team}/insights/?insight=a%00",
        "/api/projects/{team}/insights/?tags=%5B%22a%5Cu0000%22%5D",
        "/api/projects/{team}/dashboards/?creation_mode=a%00",
        "/api/projects/{team}/dashboards/?tags=a%00",
        "/api/projects/?search=a%00",
    ],
)
def test_a_nul_character_in_a_filter_parameter_is_400(owner_client, world, path):
    from insights_server.params import NUL_NOT_ALLOWED

    response = owner_client.get(path.format(team=world.team.id))
    assert response.status_code == 400 and response.json()["detail"] == NUL_NOT_ALLOWED


@pytest.mark.usefixtures("clickhouse")
def test_client_query_id_with_a_nul_or_beyond_its_length_is_400(owner_client, world):
    url = f"/api/projects/{world.team.id}/query/"
    query = {"kind": "HogQLQuery", "query": "select 1"}
    nul = owner_client.post(url, {"query": query, "client_query_id": "a\x00b"}, format="json")
    assert nul.status_code == 400 and nul.json()["code"] == "parse_error", nul.json()
    long = owner_client.post(url, {"query": query, "client_query_id": "q" * 10_000}, format="json")
    assert long.status_code == 400 and long.json()["attr"] == "client_query_id", long.json()
    fine = owner_client.post(url, {"query": query, "client_query_id": "q" * 256}, format="json")
    assert fine.status_code == 200, fine.json()
