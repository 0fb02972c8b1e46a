"""POST /query/ with HogQLQuery, EventsQuery (in a DataTableNode) and HogQLMetadata."""

import pytest

from tests.conftest import key_client
from tests.query_helpers import capture_events, hogql, run_query

pytestmark = pytest.mark.usefixtures("clickhouse")

EVENTS = [
    ("$pageview", "alice", {"$browser": "Chrome", "$set": {"email": "alice@example.com"}}, "2024-06-01T10:00:00Z"),
    ("$pageview", "alice", {"$browser": "Chrome"}, "2024-06-02T10:00:00Z"),
    ("$pageview", "bob", {"$browser": "Firefox", "amount": 12}, "2024-06-02T11:00:00Z"),
    ("purchase", "bob", {"amount": 30, "plan": "pro"}, "2024-06-03T09:00:00Z"),
    ("purchase", "carol", {"amount": 5}, "2024-06-04T09:00:00Z"),
]


@pytest.fixture
def data(client, world):
    capture_events(client, world.team, EVENTS)
    capture_events(client, world.other_team, [("$pageview", "mallory", {"$browser": "Chrome"}, "2024-06-01T10:00:00Z")])


def test_hogql_counts_match_what_was_captured(owner_client, world, data):
    response = hogql(owner_client, world.team.id, "select event, count() from events group by event order by event")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["results"] == [["$pageview", 3], ["purchase", 2]]
    assert body["columns"] == ["event", "count()"]
    assert body["types"] == [["event", "String"], ["count()", "UInt64"]]
    assert body["hasMore"] is False and body["limit"] == 100 and body["offset"] == 0
    assert f"FROM events AS __t1 WHERE equals(__t1.team_id, {world.team.id})" in body["clickhouse"]
    assert body["hogql"].startswith("SELECT event, count() FROM events")


def test_comparisons_of_never_null_columns_print_plainly_and_answer_the_same(owner_client, world, data):
    """event and timestamp can never be NULL: their comparisons print without ifNull, and answer exactly what the
    same comparisons give with the wrapper kept (toNullable makes the operand nullable to the printer). The first
    column is renamed: a bare `event` in the select list would make `event` a select alias, which stays wrapped."""
    template = (
        "select event as name, {event} = 'purchase' as is_purchase, count(), "
        "countIf({timestamp} < toDateTime('2024-06-03 00:00:00')) from events "
        "where {timestamp} >= toDateTime('2024-06-02 00:00:00') and {event} != 'nope' "
        "group by name, is_purchase order by name"
    )
    plain = hogql(owner_client, world.team.id, template.format(event="event", timestamp="timestamp")).json()
    assert "ifNull" not in plain["clickhouse"]
    assert plain["results"] == [["$pageview", 0, 2, 2], ["purchase", 1, 2, 0]]
    wrapped = hogql(
        owner_client, world.team.id, template.format(event="toNullable(event)", timestamp="toNullable(timestamp)")
    ).json()
    assert wrapped["clickhouse"].count("ifNull(") == 4
    assert wrapped["results"] == plain["results"]
    assert [t for _, t in wrapped["types"]] == [t for _, t in plain["types"]]


def test_property_access_and_person_properties(owner_client, world, data):
    sql = (
        "select properties.$browser as browser, count(distinct person_id) from events "
        "where event = '$pageview' group by browser order by browser"
    )
    assert hogql(owner_client, world.team.id, sql).json()["results"] == [["Chrome", 1], ["Firefox", 1]]
    emails = hogql(
        owner_client,
        world.team.id,
        "select distinct person.properties.email from events where person.properties.email is not null",
    )
    assert emails.json()["results"] == [["alice@example.com"]]
    total = hogql(
        owner_client, world.team.id, "select sum(toFloat(properties.amount)) from events where event = 'purchase'"
    )
    assert total.json()["results"] == [[35.0]]


def test_other_projects_rows_are_never_visible(owner_client, world, data):
    body = hogql(owner_client, world.team.id, "select distinct distinct_id from events order by distinct_id").json()
    assert [r[0] for r in body["results"]] == ["alice", "bob", "carol"]


def test_persons_table(owner_client, world, data):
    body = hogql(owner_client, world.team.id, "select count() from persons").json()
    assert body["results"] == [[3]]


def test_placeholders_take_values_as_parameters(owner_client, world, data):
    body = hogql(
        owner_client, world.team.id, "select count() from events where distinct_id = {who}", values={"who": "bob"}
    ).json()
    assert body["results"] == [[2]]
    missing = hogql(owner_client, world.team.id, "select {nope}", values={"who": 1})
    assert missing.status_code == 400
    assert missing.json()["detail"].startswith("Placeholder {nope} is not available in this context.")


def test_filters_placeholder(owner_client, world, data):
    filters = {
        "dateRange": {"date_from": "2024-06-02", "date_to": "2024-06-04"},
        "properties": [{"key": "$browser", "value": "Chrome", "operator": "exact", "type": "event"}],
    }
    body = hogql(owner_client, world.team.id, "select count() from events where {filters}", filters=filters).json()
    assert body["results"] == [[1]]


def test_limit_default_paging_and_cap(owner_client, world, data):
    body = hogql(owner_client, world.team.id, "select number from numbers(150)").json()
    assert len(body["results"]) == 100 and body["hasMore"] is True
    capped = hogql(owner_client, world.team.id, "select number from numbers(60000) limit 60000").json()
    assert len(capped["results"]) == 50000 and "hasMore" not in capped


def test_syntax_and_query_errors_are_400(owner_client, world, data):
    syntax = hogql(owner_client, world.team.id, "select from where")
    assert syntax.status_code == 400
    assert syntax.json()["type"] == "validation_error" and syntax.json()["code"] == "hogql_syntax_error"
    unknown = hogql(owner_client, world.team.id, "select cout() from events")
    assert unknown.status_code == 400
    assert unknown.json()["detail"] == "Unsupported function call 'cout(...)'. Perhaps you meant 'count(...)'?"
    table = hogql(owner_client, world.team.id, "select * from system.tables")
    assert table.status_code == 400 and table.json()["detail"].startswith("Unknown table `system.tables`.")
    clickhouse = hogql(owner_client, world.team.id, "select event + 1 from events")
    assert clickhouse.status_code == 400 and clickhouse.json()["code"] == "illegal_type_of_argument"
    # The message names the problem without quoting the printed SQL (internals, settings).
    assert clickhouse.json()["detail"] == "Illegal types String and UInt8 of arguments of function plus."


def test_invalid_query_node_is_400_with_attr(owner_client, world):
    response = run_query(owner_client, world.team.id, {"kind": "HogQLQuery"})
    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert response.json()["attr"] == "query__query"
    unknown = run_query(owner_client, world.team.id, {"kind": "NoSuchQuery"})
    assert unknown.status_code == 400


def test_events_query_in_a_data_table(owner_client, world, data):
    query = {
        "kind": "DataTableNode",
        "source": {
            "kind": "EventsQuery",
            "select": ["*", "event", "person", "properties.$browser -- Browser"],
            "after": "2024-06-01",
            "before": "2024-06-05",
            "event": "$pageview",
            "limit": 2,
        },
    }
    body = run_query(owner_client, world.team.id, query).json()
    assert body["columns"] == ["*", "event", "person", "properties.$browser -- Browser"]
    assert body["hasMore"] is True and body["limit"] == 2 and len(body["results"]) == 2
    star, event, person, browser = body["results"][0]
    assert star["event"] == "$pageview" and star["distinct_id"] == "bob" and star["properties"]["amount"] == 12
    assert event == "$pageview" and browser == "Firefox"
    assert person["distinct_id"] == "bob" and person["properties"] == {}


def test_events_query_aggregates_group_and_order(owner_client, world, data):
    query = {"kind": "EventsQuery", "select": ["event", "count()"], "after": "all"}
    body = run_query(owner_client, world.team.id, query).json()
    assert body["results"] == [["$pageview", 3], ["purchase", 2]]


def test_metadata_reports_validity_and_positions(owner_client, world):
    valid = run_query(
        owner_client, world.team.id, {"kind": "HogQLMetadata", "language": "hogQL", "query": "select event from events"}
    )
    assert valid.json()["isValid"] is True and valid.json()["table_names"] == ["events"]
    invalid = run_query(
        owner_client, world.team.id, {"kind": "HogQLMetadata", "language": "hogQL", "query": "select nope from events"}
    )
    body = invalid.json()
    assert body["isValid"] is False
    assert body["errors"][0]["message"] == "Unable to resolve field: nope"
    assert (body["errors"][0]["start"], body["errors"][0]["end"]) == (7, 11)


def test_query_scope_and_tenancy(world, data, outsider_client):
    assert hogql(key_client(world.owner, ["query:read"]), world.team.id, "select 1").status_code == 200
    denied = hogql(key_client(world.owner, ["insight:read"]), world.team.id, "select 1")
    assert denied.json()["detail"] == "API key missing required scope 'query:read'"
    assert hogql(outsider_client, world.team.id, "select 1").status_code == 403
    assert hogql(key_client(world.owner, ["query:read"]), world.team.id, "select 1").json()["results"] == [[1]]


def test_merged_person_counts_once_in_hogql(owner_client, client, world):
    capture_events(client, world.team, [("$pageview", "anon-1", {}, "2024-06-01T10:00:00Z")])
    capture_events(client, world.team, [("$pageview", "user-1", {}, "2024-06-01T11:00:00Z")])
    sql = "select count(distinct person_id), count(distinct person.id) from events"
    assert hogql(owner_client, world.team.id, sql).json()["results"] == [[2, 2]]
    capture_events(
        client, world.team, [("$identify", "user-1", {"$anon_distinct_id": "anon-1"}, "2024-06-01T12:00:00Z")]
    )
    body = hogql(owner_client, world.team.id, sql, refresh="force_blocking").json()
    assert body["results"] == [[1, 1]]
    assert "person_distinct_id_overrides" in body["clickhouse"]


def test_filters_override_applies_dashboard_dates_and_properties(owner_client, world, data):
    query = {"kind": "HogQLQuery", "query": "select count() from events where {filters}"}
    override = {
        "date_from": "2024-06-02",
        "date_to": "2024-06-03",
        "properties": [{"key": "$browser", "value": "Chrome", "operator": "exact", "type": "event"}],
    }
    body = run_query(owner_client, world.team.id, query, filters_override=override).json()
    assert body["results"] == [[1]]
    assert run_query(owner_client, world.team.id, query).json()["results"] == [[5]]


def test_variables_override_sets_values(owner_client, world, data):
    query = {
        "kind": "HogQLQuery",
        "query": "select count() from events where distinct_id = {variables.who}",
        "variables": {"v1": {"variableId": "v1", "code_name": "who", "value": "alice"}},
    }
    assert run_query(owner_client, world.team.id, query).json()["results"] == [[2]]
    overridden = run_query(owner_client, world.team.id, query, variables_override={"v1": {"value": "bob"}})
    assert overridden.json()["results"] == [[2]]
    carol = run_query(owner_client, world.team.id, query, variables_override={"v1": {"value": "carol"}})
    assert carol.json()["results"] == [[1]]


def test_events_query_accepts_aliased_columns(owner_client, world, data):
    query = {"kind": "EventsQuery", "select": ["event", "count() as total"], "after": "all"}
    body = run_query(owner_client, world.team.id, query).json()
    assert body["columns"] == ["event", "count() as total"]
    assert body["results"] == [["$pageview", 3], ["purchase", 2]]


def test_subquery_person_id_follows_merges_and_keeps_its_name(owner_client, client, world):
    # Two persons first, merged afterwards: only then does person_id need the overrides at query time.
    capture_events(client, world.team, [("$pageview", "anon-2", {}, "2024-06-01T10:00:00Z")])
    capture_events(client, world.team, [("$pageview", "user-2", {}, "2024-06-01T11:00:00Z")])
    capture_events(
        client, world.team, [("$identify", "user-2", {"$anon_distinct_id": "anon-2"}, "2024-06-01T12:00:00Z")]
    )
    sql = "select count(distinct sub.person_id) from (select person_id from events) as sub"
    body = hogql(owner_client, world.team.id, sql).json()
    assert body["results"] == [[1]], body
    assert "person_distinct_id_overrides" in body["clickhouse"]


def test_changing_test_account_filters_changes_the_cache_key(owner_client, client, world):
    capture_events(
        client,
        world.team,
        [("$pageview", "staff", {"email": "a@internal.io"}, "2024-06-01T10:00:00Z"),
         ("$pageview", "customer", {"email": "b@gmail.com"}, "2024-06-01T10:00:00Z")],
    )  # fmt: skip
    query = {
        "kind": "TrendsQuery",
        "series": [{"kind": "EventsNode", "event": "$pageview"}],
        "dateRange": {"date_from": "2024-06-01", "date_to": "2024-06-01"},
        "filterTestAccounts": True,
    }
    first = run_query(owner_client, world.team.id, query).json()
    assert first["results"][0]["count"] == 2
    world.team.test_account_filters = [
        {"key": "email", "value": "@internal.io", "operator": "not_icontains", "type": "event"}
    ]
    world.team.save()
    second = run_query(owner_client, world.team.id, query).json()
    assert second["is_cached"] is False
    assert second["results"][0]["count"] == 1


def test_filters_override_dates_bound_an_events_query(owner_client, world, data):
    query = {"kind": "EventsQuery", "select": ["event", "timestamp"], "orderBy": ["timestamp"], "after": "2024-01-01"}
    override = {"date_from": "2024-06-02", "date_to": "2024-06-03"}
    body = run_query(owner_client, world.team.id, query, filters_override=override).json()
    # `after`/`before` take the dates: from the start of June 2nd to (not including) June 3rd.
    assert [row[0] for row in body["results"]] == ["$pageview", "$pageview"]
