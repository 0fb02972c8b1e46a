"""Fidelity with PostHog's public API pages (seeds create-insight / insights-endpoints / insights-more-endpoints) and
the behaviours pinned by PostHog's insight tests (spec insights-api §13) that the other insight test files do not
cover: the seeds' example requests are replayed and the answers compared key by key and type by type.
"""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from dashboards.models import Dashboard, DashboardTile
from insights.models import Insight
from tests.conftest import key_client

SEED_TRENDS = {
    "kind": "InsightVizNode",
    "source": {
        "kind": "TrendsQuery",
        "series": [{"kind": "EventsNode", "event": "$pageview", "name": "$pageview"}],
        "dateRange": {"date_from": "-7d"},
        "interval": "day",
    },
}
SEED_CREATE = {
    "name": "Pageviews Last 7 Days",
    "description": "Daily pageview count for the past week",
    "query": SEED_TRENDS,
    "saved": True,
}
# The full insight as the OpenAPI example of the insights pages lists it, in order. PostHog keeps `filters` and
# `saved` out of its OpenAPI schema (they are in the payload, see spec §3.1) and `_create_in_folder` is write-only.
SEED_INSIGHT_KEYS = [
    "id",
    "short_id",
    "name",
    "derived_name",
    "query",
    "order",
    "deleted",
    "dashboards",
    "dashboard_tiles",
    "last_refresh",
    "cache_target_age",
    "next_allowed_client_refresh",
    "result",
    "hasMore",
    "columns",
    "created_at",
    "created_by",
    "description",
    "updated_at",
    "tags",
    "favorited",
    "last_modified_at",
    "last_modified_by",
    "is_sample",
    "effective_restriction_level",
    "effective_privilege_level",
    "user_access_level",
    "timezone",
    "is_cached",
    "query_status",
    "hogql",
    "types",
    "resolved_date_range",
    "alerts",
    "last_viewed_at",
]
SEED_USER_KEYS = [
    "id",
    "uuid",
    "distinct_id",
    "first_name",
    "last_name",
    "email",
    "is_email_verified",
    "hedgehog_config",
    "role_at_organization",
]
SEED_ACTIVITY_ENTRY_KEYS = {"id", "user", "activity", "scope", "item_id", "detail", "created_at"}
SEED_ACTIVITY_DETAIL_KEYS = {"id", "changes", "merge", "trigger", "name", "short_id", "type"}
SEED_LIST_PARAMETERS = {
    "basic",
    "created_by",
    "created_date_from",
    "created_date_to",
    "dashboards",
    "date_from",
    "date_to",
    "favorited",
    "format",
    "insight",
    "last_viewed_date_from",
    "last_viewed_date_to",
    "limit",
    "offset",
    "refresh",
    "saved",
    "search",
    "short_id",
    "tags",
    "user",
}
SEED_REQUEST_FIELDS = {
    "name",
    "derived_name",
    "query",
    "order",
    "deleted",
    "dashboards",
    "description",
    "tags",
    "favorited",
    "_create_in_folder",
}
HOGQL_VIZ = {
    "kind": "DataVisualizationNode",
    "source": {"kind": "HogQLQuery", "query": "SELECT event, count() AS count FROM events GROUP BY event"},
}
EVENTS_TABLE = {
    "kind": "DataTableNode",
    "source": {
        "kind": "EventsQuery",
        "select": ["*", "event", "person", "coalesce(properties.$current_url, properties.$screen_name)", "timestamp"],
        "properties": [{"type": "event", "key": "$browser", "operator": "exact", "value": "Chrome"}],
        "limit": 100,
    },
}


def url(team_id: int, suffix: str = "", prefix: str = "projects") -> str:
    return f"/api/{prefix}/{team_id}/insights/{suffix}"


def create(client, team_id: int, body: dict, **headers) -> dict:
    response = client.post(url(team_id), body, format="json", **headers)
    assert response.status_code == 201, response.json()
    return response.json()


def is_utc_timestamp(value) -> bool:
    """How PostHog's JSON renderer writes UTC datetimes: ISO 8601 ending in `Z`."""
    return isinstance(value, str) and "T" in value and value.endswith("Z")


def assert_error(response, status: int, attr, code: str | None = None, type_: str = "validation_error") -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) >= {"type", "code", "detail", "attr"}
    assert body["type"] == type_ and body["attr"] == attr, body
    if code is not None:
        assert body["code"] == code, body
    return body


# ---- create-insight.txt ----------------------------------------------------------------------------------


def test_seed_create_trends_example_answers_201_with_the_documented_fields(owner_client, world, clickhouse):
    body = create(owner_client, world.team.id, SEED_CREATE)
    assert isinstance(body["id"], int)
    assert isinstance(body["short_id"], str) and len(body["short_id"]) == 8
    assert body["name"] == "Pageviews Last 7 Days"
    assert body["derived_name"] is None  # only ever supplied by the client, never computed by the server
    assert body["description"] == "Daily pageview count for the past week"
    assert body["query"] == SEED_TRENDS
    # "Insights are not automatically calculated on creation"
    assert body["result"] is None and body["last_refresh"] is None and body["is_cached"] is False
    assert body["saved"] is True and body["favorited"] is False
    assert body["dashboards"] == [] and body["tags"] == []
    assert list(body["created_by"]) == SEED_USER_KEYS
    assert body["created_by"]["email"] == world.owner.email
    assert is_utc_timestamp(body["created_at"]) and is_utc_timestamp(body["last_modified_at"])


def test_seed_create_defaults_saved_true_and_favorited_false(owner_client, world, clickhouse):
    body = create(owner_client, world.team.id, {"query": SEED_TRENDS})
    assert body["saved"] is True and body["favorited"] is False and body["name"] is None
    unsaved = create(owner_client, world.team.id, {"query": SEED_TRENDS, "saved": False, "favorited": True})
    assert unsaved["saved"] is False and unsaved["favorited"] is True


def test_seed_funnel_example_is_rejected_like_posthog_and_accepted_with_funnels_filter(owner_client, world, clickhouse):
    # The page puts funnelWindowInterval on the FunnelsQuery itself; PostHog's schema forbids extra keys there
    # (they belong in funnelsFilter), so the example as printed is a 400 naming the offending key.
    source = {
        "kind": "FunnelsQuery",
        "series": [
            {"kind": "EventsNode", "event": "signup_started", "name": "Signup Started"},
            {"kind": "EventsNode", "event": "signup_completed", "name": "Signup Completed"},
            {"kind": "EventsNode", "event": "first_action", "name": "First Action"},
        ],
        "dateRange": {"date_from": "-30d"},
    }
    printed = {**source, "funnelWindowInterval": 7, "funnelWindowIntervalUnit": "day"}
    response = owner_client.post(
        url(world.team.id),
        {"name": "Signup Funnel", "query": {"kind": "InsightVizNode", "source": printed}},
        format="json",
    )
    assert_error(response, 400, "query__source__funnelWindowInterval")
    fixed = {**source, "funnelsFilter": {"funnelWindowInterval": 7, "funnelWindowIntervalUnit": "day"}}
    body = create(
        owner_client, world.team.id, {"name": "Signup Funnel", "query": {"kind": "InsightVizNode", "source": fixed}}
    )
    assert body["query"]["source"]["funnelsFilter"] == {"funnelWindowInterval": 7, "funnelWindowIntervalUnit": "day"}


def test_seed_sql_example_display_must_be_a_chart_type(owner_client, world, clickhouse):
    printed = {**HOGQL_VIZ, "display": {"type": "table"}}
    response = owner_client.post(url(world.team.id), {"name": "Top Events by Count", "query": printed}, format="json")
    assert_error(response, 400, "query__display")
    body = create(
        owner_client, world.team.id, {"name": "Top Events", "query": {**HOGQL_VIZ, "display": "ActionsTable"}}
    )
    assert body["query"]["kind"] == "DataVisualizationNode" and body["query"]["display"] == "ActionsTable"


def test_seed_add_to_dashboard_example(owner_client, world, clickhouse):
    query = {
        "kind": "InsightVizNode",
        "source": {"kind": "TrendsQuery", "series": [{"kind": "EventsNode", "event": "x"}]},
    }
    response = owner_client.post(
        url(world.team.id), {"name": "User Signups", "query": query, "dashboards": [456, 789]}, format="json"
    )
    body = assert_error(response, 400, "dashboards", "does_not_exist")
    assert "456" in body["detail"]
    assert not Insight.objects.filter(name="User Signups").exists()
    first = Dashboard.objects.create(team=world.team, name="One", created_by=world.owner)
    second = Dashboard.objects.create(team=world.team, name="Two", created_by=world.owner)
    body = create(
        owner_client, world.team.id, {"name": "User Signups", "query": query, "dashboards": [first.id, second.id]}
    )
    assert sorted(body["dashboards"]) == [first.id, second.id]
    assert all(list(tile) == ["id", "dashboard_id", "deleted"] for tile in body["dashboard_tiles"])
    assert {tile["dashboard_id"] for tile in body["dashboard_tiles"]} == {first.id, second.id}


def test_seed_error_responses_for_query_and_auth(owner_client, world, clickhouse):
    body = assert_error(owner_client.post(url(world.team.id), {"query": [1, 2]}, format="json"), 400, "query")
    assert body["detail"] == "Query must be a valid JSON object"
    from rest_framework.test import APIClient

    anonymous = APIClient().post(url(world.team.id), SEED_CREATE, format="json")
    assert_error(anonymous, 403, None, "not_authenticated", "authentication_error")
    outsider = APIClient()
    outsider.force_authenticate(world.outsider)
    denied = outsider.post(url(world.team.id), SEED_CREATE, format="json")
    body = assert_error(denied, 403, None, "permission_denied", "authentication_error")
    assert body["detail"] == "You don't have access to the project."
    missing = owner_client.post(url(987654), SEED_CREATE, format="json")
    assert assert_error(missing, 404, None, "not_found", "invalid_request")["detail"] == "Project not found."


# ---- insights-endpoints.txt: the OpenAPI example payloads --------------------------------------------------


def test_full_insight_keys_follow_the_openapi_example_order_and_types(owner_client, world, clickhouse):
    created = create(owner_client, world.team.id, SEED_CREATE)
    for prefix in ("projects", "environments"):
        response = owner_client.get(url(world.team.id, f"{created['id']}/?refresh=blocking", prefix=prefix))
        body = response.json()
        keys = [key for key in body if key not in ("filters", "saved", "filters_hash")]
        assert keys == SEED_INSIGHT_KEYS
        assert list(body["created_by"]) == SEED_USER_KEYS and list(body["last_modified_by"]) == SEED_USER_KEYS
        for key in ("last_refresh", "cache_target_age", "next_allowed_client_refresh", "created_at", "updated_at"):
            assert is_utc_timestamp(body[key]), (key, body[key])
        assert list(body["resolved_date_range"]) == ["date_from", "date_to"]
        assert all(is_utc_timestamp(value) for value in body["resolved_date_range"].values())
        assert isinstance(body["result"], list) and isinstance(body["hasMore"], bool)
        assert isinstance(body["hogql"], str) and body["timezone"] == "UTC"
        assert body["is_cached"] is (prefix == "environments")
        assert body["effective_restriction_level"] in (21, 37) and body["effective_privilege_level"] in (21, 37)
        assert isinstance(body["user_access_level"], str)
        assert body["alerts"] == [] and body["query_status"] is None
        assert isinstance(body["filters_hash"], str) and body["filters_hash"].startswith("cache_")


def test_list_envelope_and_pagination_links(owner_client, world, clickhouse):
    for name in ("a", "b", "c"):
        create(owner_client, world.team.id, {"name": name, "query": SEED_TRENDS})
    first = owner_client.get(url(world.team.id, "?limit=2")).json()
    assert list(first) == ["count", "next", "previous", "results"]
    assert first["count"] == 3 and len(first["results"]) == 2 and first["previous"] is None
    assert first["next"] == f"http://testserver/api/projects/{world.team.id}/insights/?limit=2&offset=2"
    second = owner_client.get(first["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None
    assert second["previous"] == f"http://testserver/api/projects/{world.team.id}/insights/?limit=2"
    listed = [key for key in first["results"][0] if key not in ("filters", "saved", "filters_hash")]
    assert listed == SEED_INSIGHT_KEYS
    assert first["results"][0]["last_viewed_at"] is not None  # the creator's own view counts


def test_every_documented_list_parameter_is_accepted(owner_client, world, clickhouse):
    create(owner_client, world.team.id, {"name": "kept", "query": SEED_TRENDS, "favorited": True, "tags": ["t"]})
    params = {
        "basic": "true",
        "created_by": json.dumps([world.owner.id]),
        "created_date_from": "-7d",
        "created_date_to": "2100-01-01",
        "date_from": "-7d",
        "date_to": "2100-01-01",
        "favorited": "true",
        "format": "json",
        "insight": "TRENDS",
        "last_viewed_date_from": "-7d",
        "last_viewed_date_to": "2100-01-01",
        "limit": "10",
        "offset": "0",
        "refresh": "force_cache",
        "saved": "true",
        "search": "kept",
        "tags": json.dumps(["t"]),
        "user": "true",
    }
    assert set(params) | {"dashboards", "short_id"} == SEED_LIST_PARAMETERS
    body = owner_client.get(url(world.team.id), params).json()
    assert [item["name"] for item in body["results"]] == ["kept"]
    assert body["results"][0]["search_match_type"] == "exact"
    for insight_type in ("FUNNELS", "JSON", "LIFECYCLE", "PATHS", "RETENTION", "SQL", "STICKINESS", "TRENDS"):
        assert owner_client.get(url(world.team.id), {"insight": insight_type}).status_code == 200
    for mode in ("async", "async_except_on_cache_miss", "blocking", "force_blocking", "force_cache", "lazy_async"):
        assert owner_client.get(url(world.team.id), {"refresh": mode, "basic": "1"}).status_code == 200


def test_every_documented_retrieve_parameter_is_accepted(owner_client, world, clickhouse):
    created = create(owner_client, world.team.id, SEED_CREATE)
    dashboard = Dashboard.objects.create(team=world.team, name="D", created_by=world.owner)
    DashboardTile.objects.create(dashboard=dashboard, insight_id=created["id"])
    response = owner_client.get(
        url(world.team.id, f"{created['id']}/"),
        {
            "filters_override": json.dumps({"date_from": "-14d"}),
            "variables_override": json.dumps({}),
            "from_dashboard": dashboard.id,
            "refresh": "force_cache",
            "format": "json",
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["query"]["source"]["dateRange"]["date_from"] == "-14d"
    assert "color" in body and "layouts" in body


def test_delete_is_405_with_no_body(owner_client, world, clickhouse):
    created = create(owner_client, world.team.id, SEED_CREATE)
    response = owner_client.delete(url(world.team.id, f"{created['id']}/"))
    assert response.status_code == 405 and response.content == b""
    assert owner_client.get(url(world.team.id, f"{created['id']}/")).status_code == 200


def test_activity_pages_match_the_documented_shape(owner_client, world, clickhouse):
    created = create(owner_client, world.team.id, SEED_CREATE)
    owner_client.patch(url(world.team.id, f"{created['id']}/"), {"name": "Renamed"}, format="json")
    for suffix in (f"{created['id']}/activity/", "activity/"):
        body = owner_client.get(url(world.team.id, suffix)).json()
        assert list(body) == ["results", "next", "previous", "total_count"]
        assert body["total_count"] == 2 and body["next"] is None and body["previous"] is None
        updated, created_entry = body["results"]
        assert set(updated) == SEED_ACTIVITY_ENTRY_KEYS
        assert set(updated["detail"]) <= SEED_ACTIVITY_DETAIL_KEYS
        assert updated["activity"] == "updated" and updated["scope"] == "Insight"
        assert updated["item_id"] == str(created["id"]) and is_utc_timestamp(updated["created_at"])
        assert updated["user"] == {"first_name": world.owner.first_name, "email": world.owner.email}
        assert updated["detail"]["changes"] == [
            {
                "type": "Insight",
                "action": "changed",
                "field": "name",
                "before": "Pageviews Last 7 Days",
                "after": "Renamed",
            }
        ]
        assert created_entry["activity"] == "created" and created_entry["detail"]["changes"] is None
    paged = owner_client.get(url(world.team.id, "activity/?limit=1")).json()
    assert paged["next"] == f"http://testserver/api/projects/{world.team.id}/insights/activity/?limit=1&page=2"


def test_bulk_update_tags_documented_shape_and_limits(owner_client, world, clickhouse):
    mine = create(owner_client, world.team.id, {"query": SEED_TRENDS, "tags": ["old"]})
    foreign = Insight.objects.create(team=world.other_team, query=SEED_TRENDS)
    response = owner_client.post(
        url(world.team.id, "bulk_update_tags/"),
        {"ids": [mine["id"], foreign.id], "action": "add", "tags": [" New ", "new"]},
        format="json",
    )
    assert response.status_code == 200
    assert response.json() == {
        "updated": [{"id": mine["id"], "tags": ["new", "old"]}],
        "skipped": [{"id": foreign.id, "reason": "Not found or no edit access"}],
    }
    too_many = {"ids": list(range(1, 502)), "action": "set", "tags": []}
    assert_error(owner_client.post(url(world.team.id, "bulk_update_tags/"), too_many, format="json"), 400, "ids")
    not_ints = {"ids": ["a", "b"], "action": "set", "tags": []}
    assert_error(owner_client.post(url(world.team.id, "bulk_update_tags/"), not_ints, format="json"), 400, "ids__0")


def test_more_endpoints_answer_as_documented(owner_client, world, clickhouse):
    created = create(owner_client, world.team.id, SEED_CREATE)
    cancel = owner_client.post(url(world.team.id, "cancel/"), {"client_query_id": "abc"}, format="json")
    assert cancel.status_code == 201 and cancel.content == b""
    viewed = owner_client.post(url(world.team.id, "viewed/"), {"insight_ids": [created["id"]]}, format="json")
    assert viewed.status_code == 201 and viewed.content == b""
    last_viewed = owner_client.get(url(world.team.id, "my_last_viewed/")).json()
    assert isinstance(last_viewed, list) and [item["id"] for item in last_viewed] == [created["id"]]
    assert "result" not in last_viewed[0]
    trending = owner_client.get(url(world.team.id, "trending/"), {"days": 7, "limit": 5}).json()
    assert list(trending) == ["count", "next", "previous", "results"]
    item = trending["results"][0]
    assert item["id"] == created["id"] and item["view_count"] == 1
    assert [list(viewer) for viewer in item["viewers"]] == [SEED_USER_KEYS]
    assert list(item["last_modified_by"]) == SEED_USER_KEYS
    metadata = owner_client.post(url(world.team.id, "generate_metadata/"), {"query": SEED_TRENDS}, format="json")
    assert metadata.status_code == 200 and set(metadata.json()) == {"name", "description"}
    analysis = owner_client.get(url(world.team.id, f"{created['id']}/analyze/")).json()
    assert set(analysis) == {"result"} and isinstance(analysis["result"], str)
    for method in ("get", "post"):
        suggestions = getattr(owner_client, method)(url(world.team.id, f"{created['id']}/suggestions/"), format="json")
        assert suggestions.status_code == 200 and isinstance(suggestions.json(), list)


def test_personal_api_key_scopes_of_the_actions_follow_the_documented_ones(owner_client, world, clickhouse):
    created = create(owner_client, world.team.id, SEED_CREATE)
    every_scope = key_client(world.owner, ["insight:read", "insight:write", "activity_log:read"])
    documented = [
        ("get", "trending/", None),
        ("post", "viewed/", {"insight_ids": [created["id"]]}),
        ("post", "generate_metadata/", {"query": SEED_TRENDS}),
        ("get", f"{created['id']}/activity/", None),
        ("get", "activity/", None),
    ]
    for method, suffix, body in documented:
        assert getattr(every_scope, method)(url(world.team.id, suffix), body, format="json").status_code < 300, suffix
    # No scope is documented for these: PostHog refuses personal API keys there.
    undocumented = [
        ("get", "my_last_viewed/", None),
        ("post", "cancel/", {"client_query_id": "x"}),
        ("post", "bulk_update_tags/", {"ids": [created["id"]], "action": "add", "tags": ["a"]}),
        ("get", f"{created['id']}/analyze/", None),
        ("get", f"{created['id']}/suggestions/", None),
    ]
    for method, suffix, body in undocumented:
        response = getattr(every_scope, method)(url(world.team.id, suffix), body, format="json")
        assert_error(response, 403, None, "permission_denied", "authentication_error")
        assert response.json()["detail"] == "This action does not support Personal API Key access"
        assert getattr(owner_client, method)(url(world.team.id, suffix), body, format="json").status_code < 300


# ---- PostHog tests of spec §13 not covered elsewhere ---------------------------------------------------------


def test_query_shapes_events_query_events_table_and_persons_table_save(owner_client, world, clickhouse):
    events_query = dict(EVENTS_TABLE["source"])
    assert create(owner_client, world.team.id, {"name": "events", "query": events_query})["query"] == events_query
    assert create(owner_client, world.team.id, {"name": "table", "query": EVENTS_TABLE})["query"] == EVENTS_TABLE
    persons_table = {
        "kind": "DataTableNode",
        "columns": ["person", "id", "created_at", "person.$delete"],
        "source": {"kind": "EventsQuery", "select": ["*"]},
    }
    saved = create(owner_client, world.team.id, {"name": "persons", "query": persons_table})
    assert saved["query"] == persons_table  # stored as sent: no default filters are added
    assert saved["filters"] == {}
    create(owner_client, world.team.id, {"name": "legacy", "filters": {"events": [{"id": "$pageview"}]}})
    assert owner_client.get(url(world.team.id)).json()["count"] == 4


def test_cached_hogql_and_types_are_null_until_computed(owner_client, world, clickhouse):
    created = create(owner_client, world.team.id, {"name": "sql", "query": HOGQL_VIZ})
    before = owner_client.get(url(world.team.id, f"{created['id']}/")).json()
    assert before["hogql"] is None and before["types"] is None and before["columns"] is None
    computed = owner_client.get(url(world.team.id, f"{created['id']}/?refresh=blocking")).json()
    assert computed["is_cached"] is False and computed["hogql"] and computed["types"]
    assert computed["columns"] == ["event", "count"]
    cached = owner_client.get(url(world.team.id, f"{created['id']}/")).json()
    assert cached["is_cached"] is True
    assert (cached["hogql"], cached["types"], cached["last_refresh"]) == (
        computed["hogql"],
        computed["types"],
        computed["last_refresh"],
    )


def test_query_endpoint_reuses_the_insight_cache_whatever_the_client_query_id(owner_client, world, clickhouse):
    created = create(owner_client, world.team.id, SEED_CREATE)
    refreshed = owner_client.get(url(world.team.id, f"{created['id']}/?refresh=true")).json()
    assert refreshed["is_cached"] is False
    for client_query_id in ("one", "two"):
        response = owner_client.post(
            f"/api/projects/{world.team.id}/query/",
            {"query": SEED_TRENDS, "client_query_id": client_query_id},
            format="json",
        )
        body = response.json()
        assert body["is_cached"] is True and body["cache_key"] == refreshed["filters_hash"]


@pytest.mark.parametrize(
    ("query", "date_path"),
    [
        (
            {"kind": "DataTableNode", "source": {"kind": "HogQLQuery", "query": "SELECT 1"}},
            ("source", "filters", "dateRange", "date_from"),
        ),
        (
            {"kind": "DataVisualizationNode", "source": {"kind": "HogQLQuery", "query": "SELECT 1"}},
            ("source", "filters", "dateRange", "date_from"),
        ),
        ({"kind": "DataTableNode", "source": {"kind": "EventsQuery", "select": ["*"]}}, ("source", "after")),
    ],
)
def test_dashboard_filters_apply_to_sql_and_events_tables(owner_client, world, clickhouse, query, date_path):
    created = create(owner_client, world.team.id, {"name": "table", "query": query})
    dashboard = Dashboard.objects.create(
        team=world.team, name="D", created_by=world.owner, filters={"date_from": "-14d"}
    )
    DashboardTile.objects.create(dashboard=dashboard, insight_id=created["id"])
    plain = owner_client.get(url(world.team.id, f"{created['id']}/")).json()
    shown = owner_client.get(url(world.team.id, f"{created['id']}/?from_dashboard={dashboard.id}")).json()
    value = shown["query"]
    for key in date_path:
        value = value[key]
    assert value == "-14d"
    assert plain["query"] == query and shown["filters_hash"] != plain["filters_hash"]


def test_legacy_funnel_stickiness_and_lifecycle_filters_render_as_queries(owner_client, world, clickhouse):
    # test_save_new_funnel's payload: stored verbatim, shown (like every convertible legacy insight) as a query.
    funnel_filters = {
        "insight": "FUNNELS",
        "events": [
            {"id": "$pageview", "math": None, "name": "$pageview", "type": "events", "order": 0, "properties": []},
            {"id": "$rageclick", "math": None, "name": "$rageclick", "type": "events", "order": 2, "properties": []},
        ],
        "display": "FunnelViz",
        "interval": "day",
        "date_from": "-30d",
        "actions": [],
        "new_entity": [],
        "layout": "horizontal",
        "funnel_window_days": 7,
    }
    body = create(owner_client, world.team.id, {"name": "My Funnel One", "filters": funnel_filters})
    assert Insight.objects.get(pk=body["id"]).filters == funnel_filters
    assert body["filters"] == {}
    assert body["query"] == {
        "kind": "InsightVizNode",
        "source": {
            "kind": "FunnelsQuery",
            "series": [
                {"kind": "EventsNode", "event": "$pageview", "name": "$pageview"},
                {"kind": "EventsNode", "event": "$rageclick", "name": "$rageclick"},
            ],
            "dateRange": {"date_from": "-30d"},
            "interval": "day",
            "funnelsFilter": {"layout": "horizontal", "funnelWindowInterval": 7, "funnelWindowIntervalUnit": "day"},
        },
        "full": True,
    }
    computed = owner_client.get(url(world.team.id, f"{body['id']}/?refresh=blocking")).json()
    assert computed["query_status"] is None and isinstance(computed["result"], list)
    for insight_type, kind in (("STICKINESS", "StickinessQuery"), ("LIFECYCLE", "LifecycleQuery")):
        legacy = {"insight": insight_type, "events": [{"id": "$pageview"}], "interval": "week"}
        shown = create(owner_client, world.team.id, {"name": insight_type, "filters": legacy})
        assert shown["filters"] == {} and shown["query"]["source"]["kind"] == kind
        assert shown["query"]["source"]["interval"] == "week"


def test_activity_of_a_missing_or_deleted_insight_is_an_empty_404(owner_client, world, clickhouse):
    created = create(owner_client, world.team.id, SEED_CREATE)
    owner_client.patch(url(world.team.id, f"{created['id']}/"), {"deleted": True}, format="json")
    for lookup in (created["id"], 999999, "nope"):
        response = owner_client.get(url(world.team.id, f"{lookup}/activity/"))
        assert response.status_code == 404 and response.content == b""
    # The project-wide page still lists the deleted insight's entries.
    activities = [entry["activity"] for entry in owner_client.get(url(world.team.id, "activity/")).json()["results"]]
    assert activities == ["deleted", "created"]


def test_async_status_and_error_status_have_every_query_status_key(owner_client, world, clickhouse):
    created = create(owner_client, world.team.id, SEED_CREATE)
    status = owner_client.get(url(world.team.id, f"{created['id']}/?refresh=force_async")).json()["query_status"]
    assert status["complete"] is False and status["error"] is False
    assert is_utc_timestamp(status["start_time"])
    broken = create(owner_client, world.team.id, {"query": {"kind": "HogQLQuery", "query": "select nope from events"}})
    listed = owner_client.get(url(world.team.id), {"refresh": "blocking", "client_query_id": "q1"}).json()["results"]
    error_status = next(item for item in listed if item["id"] == broken["id"])["query_status"]
    assert error_status["error"] is True and error_status["error_message"] and error_status["id"] == "q1"
    assert set(status) <= set(error_status)


def test_soft_deleted_insight_of_another_team_cannot_be_restored(owner_client, world, clickhouse):
    foreign = Insight.objects_including_soft_deleted.create(team=world.other_team, query=SEED_TRENDS, deleted=True)
    response = owner_client.patch(url(world.team.id, f"{foreign.id}/"), {"deleted": False}, format="json")
    assert_error(response, 404, None, "not_found", "invalid_request")
    assert Insight.objects_including_soft_deleted.get(pk=foreign.id).deleted is True


# ---- MCP clients (X-PostHog-Client: mcp): PostHog's stricter query normalisation ----------------------------

MCP = {"HTTP_X_POSTHOG_CLIENT": "mcp"}


@pytest.mark.parametrize(
    ("query", "kind", "source_kind"),
    [
        (SEED_TRENDS, "InsightVizNode", "TrendsQuery"),
        (SEED_TRENDS["source"], "InsightVizNode", "TrendsQuery"),
        ({"kind": "HogQLQuery", "query": "select event from events limit 1"}, "DataVisualizationNode", "HogQLQuery"),
        (
            {"kind": "DataVisualizationNode", "source": {"kind": "HogQLQuery", "query": "select 1"}},
            "DataVisualizationNode",
            "HogQLQuery",
        ),
    ],
)
def test_mcp_create_normalizes_query(owner_client, world, clickhouse, query, kind, source_kind):
    body = create(owner_client, world.team.id, {"name": "mcp", "saved": True, "query": query}, **MCP)
    assert body["query"]["kind"] == kind and body["query"]["source"]["kind"] == source_kind


def test_mcp_create_preserves_viz_specific_options(owner_client, world, clickhouse):
    options = {"RETENTION": {"hideLineGraph": True}}
    query = {"kind": "InsightVizNode", "source": {"kind": "TrendsQuery", "series": []}, "vizSpecificOptions": options}
    body = create(owner_client, world.team.id, {"name": "mcp", "query": query}, **MCP)
    assert body["query"]["vizSpecificOptions"] == options


def test_mcp_create_rejects_what_cannot_be_saved_and_requires_a_query(owner_client, world, clickhouse):
    events_query = {"kind": "EventsQuery", "select": ["*"]}
    response = owner_client.post(url(world.team.id), {"name": "x", "query": events_query}, format="json", **MCP)
    body = assert_error(response, 400, "query")
    assert body["detail"].startswith("This query can't be saved: ") and "Traceback" not in body["detail"]
    # Without the header the same bare EventsQuery is a valid insight query.
    assert owner_client.post(url(world.team.id), {"name": "x", "query": events_query}, format="json").status_code == 201
    missing = owner_client.post(url(world.team.id), {"name": "no query"}, format="json", **MCP)
    assert_error(missing, 400, "query", "required")
    created = create(owner_client, world.team.id, {"name": "y", "query": SEED_TRENDS})
    renamed = owner_client.patch(url(world.team.id, f"{created['id']}/"), {"name": "z"}, format="json", **MCP)
    assert renamed.status_code == 200 and renamed.json()["name"] == "z"


# ---- the OpenAPI schema -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def openapi(django_db_blocker):
    out = StringIO()
    with django_db_blocker.unblock():
        call_command("spectacular", "--format", "openapi-json", stdout=out)
    return json.loads(out.getvalue())


def _operation(openapi: dict, path: str, method: str) -> dict:
    return openapi["paths"][path][method]


def _delete_is_refused(operation: dict) -> bool:
    """Hard delete documents a bodiless 405 and no success; the rest are the shared error responses."""
    responses = operation["responses"]
    return "content" not in responses["405"] and not [code for code in responses if code.startswith("2")]


def test_openapi_describes_insight_endpoints_like_posthog(openapi):
    base = "/api/projects/{project_id}/insights/"
    listing = _operation(openapi, base, "get")
    assert {parameter["name"] for parameter in listing["parameters"]} >= SEED_LIST_PARAMETERS
    refresh = next(parameter for parameter in listing["parameters"] if parameter["name"] == "refresh")
    assert refresh["schema"]["default"] == "force_cache" and "lazy_async" in refresh["schema"]["enum"]
    page = listing["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert page == "#/components/schemas/PaginatedInsightList"
    insight = openapi["components"]["schemas"]["Insight"]["properties"]
    assert [key for key in insight if key not in ("filters", "saved")] == SEED_INSIGHT_KEYS
    for level in ("effective_restriction_level", "effective_privilege_level"):
        reference = insight[level].get("$ref") or insight[level]["allOf"][0]["$ref"]
        assert openapi["components"]["schemas"][reference.rsplit("/", 1)[1]]["enum"] == [21, 37]
    request = openapi["components"]["schemas"]["InsightRequest"]["properties"]
    assert set(request) - {"filters", "saved"} == SEED_REQUEST_FIELDS
    retrieve = _operation(openapi, base + "{id}/", "get")
    assert {parameter["name"] for parameter in retrieve["parameters"]} >= {
        "filters_override",
        "format",
        "from_dashboard",
        "refresh",
        "variables_override",
    }
    assert _delete_is_refused(_operation(openapi, base + "{id}/", "delete"))
    trending = _operation(openapi, base + "trending/", "get")
    assert {parameter["name"] for parameter in trending["parameters"]} >= {"days", "limit"}
    activity = _operation(openapi, base + "{id}/activity/", "get")
    assert {parameter["name"] for parameter in activity["parameters"]} >= {"limit", "page"}


def test_openapi_operation_ids_are_unique_and_environments_are_deprecated(openapi):
    ids = [
        operation["operationId"]
        for operations in openapi["paths"].values()
        for method, operation in operations.items()
        if method != "parameters"
    ]
    assert len(ids) == len(set(ids))
    assert _operation(openapi, "/api/projects/{project_id}/insights/activity/", "get")["operationId"] == (
        "projects_insights_all_activity_retrieve"
    )
    assert _operation(openapi, "/api/projects/{project_id}/insights/{id}/activity/", "get")["operationId"] == (
        "projects_insights_activity_retrieve"
    )
    assert _operation(openapi, "/api/environments/{environment_id}/insights/", "get").get("deprecated") is True
    assert not _operation(openapi, "/api/projects/{project_id}/insights/", "get").get("deprecated")
    assert _delete_is_refused(_operation(openapi, "/api/projects/{project_id}/dashboards/{id}/", "delete"))
