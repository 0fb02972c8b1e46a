"""POST /query/ with an InsightVizNode-wrapped TrendsQuery: numbers checked against counts made in Python."""

import itertools
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from queries.hogql.execute import print_select
from queries.runners.trends.query_builder import (
    BREAKDOWN_NULL_STRING_LABEL,
    BREAKDOWN_OTHER_STRING_LABEL,
    TrendsQueryBuilder,
)
from queries.runners.trends.runner import TrendsQueryRunner
from queries.schema.insights import TrendsQuery
from tests.query_helpers import capture_events, run_query

pytestmark = pytest.mark.usefixtures("clickhouse")

EVENTS = [
    ("$pageview", "alice", {"$browser": "Chrome", "amount": 10}, "2024-01-01T10:00:00Z"),
    ("$pageview", "alice", {"$browser": "Chrome", "amount": 20}, "2024-01-01T11:00:00Z"),
    ("$pageview", "bob", {"$browser": "Firefox", "amount": 5}, "2024-01-01T12:00:00Z"),
    ("$pageview", "bob", {"$browser": "Firefox"}, "2024-01-03T09:00:00Z"),
    ("$pageview", "carol", {"$browser": "Safari"}, "2024-01-03T10:00:00Z"),
    ("$pageview", "dave", {}, "2024-01-04T10:00:00Z"),
    ("$pageview", "erin", {"$browser": ""}, "2024-01-04T11:00:00Z"),
    ("purchase", "bob", {"amount": 30}, "2024-01-02T09:00:00Z"),
    ("purchase", "carol", {"amount": 7}, "2024-01-04T09:00:00Z"),
]
DAYS = ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"]


def trends(client, team_id, series, **fields):
    source = {"kind": "TrendsQuery", "series": series, **fields}
    source.setdefault("dateRange", {"date_from": "2024-01-01", "date_to": "2024-01-05"})
    response = run_query(client, team_id, {"kind": "InsightVizNode", "source": source}, refresh="force_blocking")
    assert response.status_code == 200, response.json()
    return response.json()


def per_day(events, name=None, days=DAYS, zone="UTC"):
    """Events per day of the given timezone, counted in Python."""
    counts = Counter(
        datetime.fromisoformat(ts).astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d")
        for event, _, _, ts in events
        if name is None or event == name
    )
    return [counts.get(day, 0) for day in days]


@pytest.fixture
def data(client, world):
    capture_events(client, world.team, EVENTS)
    capture_events(client, world.other_team, [("$pageview", "mallory", {}, "2024-01-02T10:00:00Z")] * 3)


def test_trends_total_per_day_zero_filled(owner_client, world, data):
    body = trends(owner_client, world.team.id, [{"kind": "EventsNode", "event": "$pageview"}])
    [result] = body["results"]
    expected = per_day(EVENTS, "$pageview")
    assert expected == [3, 0, 2, 2, 0]
    assert result["data"] == expected
    assert result["days"] == DAYS
    assert result["labels"] == ["1-Jan-2024", "2-Jan-2024", "3-Jan-2024", "4-Jan-2024", "5-Jan-2024"]
    assert result["count"] == 7.0
    assert result["label"] == "$pageview"
    assert result["order"] == 0
    assert result["action"]["id"] == "$pageview" and result["action"]["type"] == "events"
    assert result["action"]["math"] == "total"
    assert result["filter"]["insight"] == "TRENDS" and result["filter"]["interval"] == "day"
    assert "breakdown_value" not in result and "compare" not in result
    assert body["hasMore"] is False


def test_trends_all_events_and_other_projects_excluded(owner_client, world, data):
    body = trends(owner_client, world.team.id, [{"kind": "EventsNode", "event": None}])
    [result] = body["results"]
    assert result["label"] == "All events"
    assert result["data"] == per_day(EVENTS)
    assert result["data"][1] == 1  # only bob's purchase; mallory's pageviews belong to the other project


def test_trends_property_maths(owner_client, world, data):
    series = [
        {"kind": "EventsNode", "event": "$pageview", "math": "sum", "math_property": "amount"},
        {"kind": "EventsNode", "event": "$pageview", "math": "max", "math_property": "amount"},
        {"kind": "EventsNode", "event": "purchase", "math": "avg", "math_property": "amount"},
        {"kind": "EventsNode", "event": "$pageview", "math": "median", "math_property": "amount"},
        {"kind": "EventsNode", "event": "$pageview", "math": "hogql", "math_hogql": "count() * 2"},
    ]
    results = trends(owner_client, world.team.id, series)["results"]
    assert [r["data"] for r in results] == [
        [35, 0, 0, 0, 0],
        [20, 0, 0, 0, 0],
        [0, 30, 0, 7, 0],
        [10, 0, 0, 0, 0],
        [6, 0, 4, 4, 0],
    ]
    assert results[0]["count"] == 35.0


def test_trends_series_and_query_properties(owner_client, world, data):
    browser = {"key": "$browser", "value": "Chrome", "operator": "exact", "type": "event"}
    series = [{"kind": "EventsNode", "event": "$pageview", "properties": [browser]}]
    assert trends(owner_client, world.team.id, series)["results"][0]["data"] == [2, 0, 0, 0, 0]
    body = trends(owner_client, world.team.id, [{"kind": "EventsNode", "event": None}], properties=[browser])
    assert body["results"][0]["data"] == [2, 0, 0, 0, 0]


def test_trends_dau_counts_a_merged_person_once(owner_client, world, client):
    events = [
        ("$pageview", "anon-1", {}, "2024-01-02T08:00:00Z"),
        ("$identify", "user-1", {"$anon_distinct_id": "anon-1"}, "2024-01-02T09:00:00Z"),
        ("$pageview", "user-1", {}, "2024-01-02T10:00:00Z"),
        ("$pageview", "user-2", {}, "2024-01-02T11:00:00Z"),
        ("$pageview", "user-2", {}, "2024-01-03T11:00:00Z"),
    ]
    capture_events(client, world.team, events)
    series = [{"kind": "EventsNode", "event": "$pageview", "math": "dau"}]
    result = trends(owner_client, world.team.id, series)["results"][0]
    # anon-1 and user-1 are one person after $identify: two people on the 2nd, one on the 3rd.
    assert result["data"] == [0, 2, 1, 0, 0]
    total = trends(owner_client, world.team.id, [{"kind": "EventsNode", "event": "$pageview"}])["results"][0]
    assert total["data"] == [0, 3, 1, 0, 0]


def test_trends_buckets_in_project_timezone(owner_client, world, client):
    world.team.timezone = "America/New_York"
    world.team.save()
    events = [
        ("$pageview", "a", {}, "2024-01-02T03:00:00Z"),  # 22:00 on the 1st in New York
        ("$pageview", "b", {}, "2024-01-02T06:00:00Z"),  # 01:00 on the 2nd
        ("$pageview", "c", {}, "2024-01-03T04:59:00Z"),  # 23:59 on the 2nd
        ("$pageview", "d", {}, "2024-01-03T05:00:00Z"),  # 00:00 on the 3rd
    ]
    capture_events(client, world.team, events)
    days = ["2024-01-01", "2024-01-02", "2024-01-03"]
    body = trends(
        owner_client,
        world.team.id,
        [{"kind": "EventsNode", "event": "$pageview"}],
        dateRange={"date_from": "2024-01-01", "date_to": "2024-01-03"},
    )
    result = body["results"][0]
    assert result["days"] == days
    assert result["data"] == per_day(events, days=days, zone="America/New_York") == [1, 2, 1]
    assert body["resolved_date_range"]["date_from"] == "2024-01-01T00:00:00-05:00"
    utc = trends(
        owner_client,
        world.team.id,
        [{"kind": "EventsNode", "event": "$pageview", "custom_name": "x"}],
        dateRange={"date_from": "2024-01-01", "date_to": "2024-01-03"},
    )
    assert utc["results"][0]["action"]["custom_name"] == "x"


@pytest.mark.parametrize(
    ("week_start_day", "days", "data", "labels"),
    [
        (0, ["2023-12-31", "2024-01-07", "2024-01-14"], [4, 2, 1], ["1–6 Jan", "7–13 Jan", "14-Jan-2024"]),
        (1, ["2024-01-01", "2024-01-08"], [5, 2], ["1–7 Jan", "8–14 Jan"]),
    ],
)
def test_trends_week_buckets_follow_week_start(owner_client, world, client, week_start_day, days, data, labels):
    world.team.week_start_day = week_start_day
    world.team.save()
    stamps = ["2024-01-01", "2024-01-03", "2024-01-05", "2024-01-06", "2024-01-07", "2024-01-08", "2024-01-14"]
    capture_events(client, world.team, [("$pageview", "a", {}, f"{d}T12:00:00Z") for d in stamps])
    result = trends(
        owner_client,
        world.team.id,
        [{"kind": "EventsNode", "event": "$pageview"}],
        interval="week",
        dateRange={"date_from": "2024-01-01", "date_to": "2024-01-14"},
    )["results"][0]
    assert result["days"] == days
    assert result["data"] == data
    assert result["labels"] == labels


def test_trends_month_and_hour_intervals(owner_client, world, data):
    month = trends(
        owner_client,
        world.team.id,
        [{"kind": "EventsNode", "event": "$pageview"}],
        interval="month",
        dateRange={"date_from": "2023-12-15", "date_to": "2024-02-10"},
    )["results"][0]
    assert month["labels"] == ["Dec 2023", "Jan 2024", "Feb 2024"]
    assert month["days"] == ["2023-12-01", "2024-01-01", "2024-02-01"]
    assert month["data"] == [0, 7, 0]
    hour = trends(
        owner_client,
        world.team.id,
        [{"kind": "EventsNode", "event": "$pageview"}],
        interval="hour",
        dateRange={"date_from": "2024-01-01 10:00", "date_to": "2024-01-01 12:00"},
    )["results"][0]
    assert hour["days"] == ["2024-01-01 10:00:00", "2024-01-01 11:00:00", "2024-01-01 12:00:00"]
    assert hour["labels"] == ["1-Jan 10:00", "1-Jan 11:00", "1-Jan 12:00"]
    assert hour["data"] == [1, 1, 1]


def test_trends_breakdown_limit_other_and_null(owner_client, world, data):
    breakdown = {"breakdown": "$browser", "breakdown_type": "event", "breakdown_limit": 2}
    body = trends(
        owner_client, world.team.id, [{"kind": "EventsNode", "event": "$pageview"}], breakdownFilter=breakdown
    )
    by_value = Counter(
        props.get("$browser") or BREAKDOWN_NULL_STRING_LABEL for e, _, props, _ in EVENTS if e == "$pageview"
    )
    assert by_value == {"Chrome": 2, "Firefox": 2, "Safari": 1, BREAKDOWN_NULL_STRING_LABEL: 2}
    results = body["results"]
    assert [r["breakdown_value"] for r in results] == ["Chrome", "Firefox", BREAKDOWN_OTHER_STRING_LABEL]
    assert [r["label"] for r in results] == ["Chrome", "Firefox", BREAKDOWN_OTHER_STRING_LABEL]
    assert results[0]["data"] == [2, 0, 0, 0, 0]
    assert results[1]["data"] == [1, 0, 1, 0, 0]
    assert results[2]["data"] == [0, 0, 1, 2, 0]  # Safari plus the missing and empty values
    assert body["hasMore"] is True

    everything = trends(
        owner_client,
        world.team.id,
        [{"kind": "EventsNode", "event": "$pageview"}, {"kind": "EventsNode", "event": "purchase"}],
        breakdownFilter={"breakdown": "$browser"},
    )
    assert everything["hasMore"] is False
    labels = [(r["label"], r["count"]) for r in everything["results"]]
    assert labels == [
        ("$pageview - Chrome", 2.0),
        ("$pageview - Firefox", 2.0),
        ("$pageview - Safari", 1.0),
        (f"$pageview - {BREAKDOWN_NULL_STRING_LABEL}", 2.0),
        (f"purchase - {BREAKDOWN_NULL_STRING_LABEL}", 2.0),
    ]
    hidden = trends(
        owner_client,
        world.team.id,
        [{"kind": "EventsNode", "event": "$pageview"}],
        breakdownFilter={**breakdown, "breakdown_hide_other_aggregation": True},
    )
    assert [r["breakdown_value"] for r in hidden["results"]] == ["Chrome", "Firefox"] and hidden["hasMore"] is True


def test_trends_person_breakdown(owner_client, world, client):
    events = [
        ("$pageview", "p1", {"$set": {"plan": "pro"}}, "2024-01-01T10:00:00Z"),
        ("$pageview", "p1", {}, "2024-01-02T10:00:00Z"),
        ("$pageview", "p2", {"$set": {"plan": "free"}}, "2024-01-02T10:00:00Z"),
    ]
    capture_events(client, world.team, events)
    body = trends(
        owner_client,
        world.team.id,
        [{"kind": "EventsNode", "event": "$pageview"}],
        breakdownFilter={"breakdown": "plan", "breakdown_type": "person"},
    )
    assert [(r["breakdown_value"], r["data"][:2]) for r in body["results"]] == [("pro", [1, 1]), ("free", [0, 1])]


def test_trends_total_value_displays(owner_client, world, data):
    for display in ("BoldNumber", "ActionsPie", "ActionsTable"):
        body = trends(
            owner_client,
            world.team.id,
            [{"kind": "EventsNode", "event": "$pageview"}, {"kind": "EventsNode", "event": "purchase", "math": "dau"}],
            trendsFilter={"display": display},
        )
        assert [r["aggregated_value"] for r in body["results"]] == [7, 2]
        assert body["results"][0]["data"] == [] and body["results"][0]["count"] == 0
        assert "labels" not in body["results"][0]
    pie = trends(
        owner_client,
        world.team.id,
        [{"kind": "EventsNode", "event": "$pageview"}],
        trendsFilter={"display": "ActionsPie"},
        breakdownFilter={"breakdown": "$browser", "breakdown_limit": 1},
    )
    assert [(r["breakdown_value"], r["aggregated_value"]) for r in pie["results"]] == [
        ("Chrome", 2),
        (BREAKDOWN_OTHER_STRING_LABEL, 5),
    ]


def test_trends_compare_to_previous_period(owner_client, world, client):
    stamps = ["2024-01-01", "2024-01-01", "2024-01-03", "2024-01-08", "2024-01-10", "2024-01-14"]
    capture_events(client, world.team, [("$pageview", "a", {}, f"{d}T12:00:00Z") for d in stamps])
    body = trends(
        owner_client,
        world.team.id,
        [{"kind": "EventsNode", "event": "$pageview"}],
        dateRange={"date_from": "2024-01-08", "date_to": "2024-01-14"},
        compareFilter={"compare": True},
    )
    current, previous = body["results"]
    assert (current["compare"], current["compare_label"]) == (True, "current")
    assert (previous["compare"], previous["compare_label"]) == (True, "previous")
    assert current["days"][0] == "2024-01-08" and current["data"] == [1, 0, 1, 0, 0, 0, 1]
    assert previous["days"] == [(datetime(2024, 1, 1) + timedelta(days=n)).strftime("%Y-%m-%d") for n in range(7)]
    assert previous["data"] == [2, 0, 1, 0, 0, 0, 0]
    assert previous["labels"][0] == "1-Jan-2024"
    assert body["resolved_compare_date_range"]["date_from"] == "2024-01-01T00:00:00Z"


def test_trends_filter_test_accounts_and_unique_sessions(owner_client, world, client):
    world.team.test_account_filters = [{"key": "is_internal", "value": ["yes"], "operator": "is_not", "type": "event"}]
    world.team.save()
    events = [
        ("$pageview", "a", {"$session_id": "s1"}, "2024-01-01T10:00:00Z"),
        ("$pageview", "a", {"$session_id": "s1"}, "2024-01-01T11:00:00Z"),
        ("$pageview", "b", {"$session_id": "s2", "is_internal": "yes"}, "2024-01-01T12:00:00Z"),
    ]
    capture_events(client, world.team, events)
    series = [{"kind": "EventsNode", "event": "$pageview", "math": "unique_session"}]
    assert trends(owner_client, world.team.id, series)["results"][0]["data"][0] == 2
    filtered = trends(owner_client, world.team.id, series, filterTestAccounts=True)
    assert filtered["results"][0]["data"][0] == 1
    assert filtered["results"][0]["filter"]["filter_test_accounts"] is True


def test_trends_all_time_starts_at_first_event_of_series(owner_client, world, data):
    body = trends(
        owner_client,
        world.team.id,
        [{"kind": "EventsNode", "event": "purchase"}],
        dateRange={"date_from": "all", "date_to": "2024-01-04"},
    )
    result = body["results"][0]
    assert result["days"] == ["2024-01-02", "2024-01-03", "2024-01-04"]
    assert result["data"] == [1, 0, 1]


def test_trends_event_names_are_parameters_in_the_sql(world, db):
    query = TrendsQuery(
        series=[{"kind": "EventsNode", "event": "x') OR 1=1 --"}],
        dateRange={"date_from": "2024-01-01", "date_to": "2024-01-05"},
        breakdownFilter={"breakdown": "$browser"},
    )
    runner = TrendsQueryRunner(query, world.team)
    builder = TrendsQueryBuilder(query, world.team, query.series[0], runner.query_date_range(), False)
    context = runner.print_context()
    sql = print_select(builder.build(), context)
    assert "OR 1=1" not in sql
    assert "x') OR 1=1 --" in context.parameters.values()
    assert f"equals(__t1.team_id, {world.team.id})" in sql
    assert "toStartOfDay(toTimeZone(__t1.timestamp" in sql


def test_trends_cumulative_counts_each_person_once(owner_client, world, data):
    cumulative = {"display": "ActionsLineGraphCumulative"}
    total = trends(owner_client, world.team.id, [{"kind": "EventsNode", "event": "$pageview"}], trendsFilter=cumulative)
    assert total["results"][0]["data"] == [3, 3, 5, 7, 7] and total["results"][0]["count"] == 7.0
    series = [{"kind": "EventsNode", "event": "$pageview", "math": "dau"}]
    people = trends(owner_client, world.team.id, series, trendsFilter=cumulative)["results"][0]
    first_seen: dict[str, str] = {}
    for event, distinct_id, _, ts in EVENTS:
        if event == "$pageview":
            first_seen[distinct_id] = min(first_seen.get(distinct_id, ts), ts)
    first_days = Counter(ts[:10] for ts in first_seen.values())
    expected = list(itertools.accumulate(first_days.get(day, 0) for day in DAYS))
    assert people["data"] == expected == [2, 2, 3, 5, 5]


def test_trends_unique_groups_and_unsupported_math(owner_client, world, client):
    events = [
        ("$pageview", "a", {"$group_0": "acme"}, "2024-01-01T10:00:00Z"),
        ("$pageview", "b", {"$group_0": "acme"}, "2024-01-01T11:00:00Z"),
        ("$pageview", "c", {"$group_0": "globex"}, "2024-01-01T12:00:00Z"),
        ("$pageview", "d", {}, "2024-01-01T13:00:00Z"),
    ]
    capture_events(client, world.team, events)
    series = [{"kind": "EventsNode", "event": "$pageview", "math": "unique_group", "math_group_type_index": 0}]
    assert trends(owner_client, world.team.id, series)["results"][0]["data"][0] == 2
    source = {
        "kind": "TrendsQuery",
        "series": [{"kind": "EventsNode", "event": "$pageview", "math": "first_time_for_user_with_filters"}],
    }
    response = run_query(owner_client, world.team.id, {"kind": "InsightVizNode", "source": source})
    assert response.status_code == 400  # a funnel-only math
    assert "first_time_for_user_with_filters" in response.json()["detail"]


def test_trends_results_are_cached(owner_client, world, data):
    query = {
        "kind": "InsightVizNode",
        "source": {
            "kind": "TrendsQuery",
            "series": [{"kind": "EventsNode", "event": "$pageview"}],
            "dateRange": {"date_from": "2024-01-01", "date_to": "2024-01-05"},
        },
    }
    first = run_query(owner_client, world.team.id, query).json()
    second = run_query(owner_client, world.team.id, query).json()
    assert first["is_cached"] is False and second["is_cached"] is True
    assert second["results"][0]["data"] == [3, 0, 2, 2, 0]
    assert first["timezone"] == "UTC"


def test_trends_hogql_breakdown(client, owner_client, world):
    events = [
        ("$pageview", "a", {"plan": "pro", "$browser": "Chrome"}, "2024-01-01T10:00:00Z"),
        ("$pageview", "b", {"plan": "pro", "$browser": "Firefox"}, "2024-01-01T11:00:00Z"),
        ("$pageview", "c", {"plan": "free", "$browser": "Chrome"}, "2024-01-02T12:00:00Z"),
    ]
    capture_events(client, world.team, events)
    capture_events(client, world.other_team, [("$pageview", "x", {"plan": "pro"}, "2024-01-01T10:00:00Z")])
    series = [{"kind": "EventsNode", "event": "$pageview"}]
    breakdown = {"breakdown": "concat(properties.plan, '/', properties.$browser)", "breakdown_type": "hogql"}
    results = trends(owner_client, world.team.id, series, breakdownFilter=breakdown)["results"]
    totals = {row["breakdown_value"]: row["count"] for row in results}
    assert totals == {"pro/Chrome": 1.0, "pro/Firefox": 1.0, "free/Chrome": 1.0}
    bad = {"breakdown": "file('x')", "breakdown_type": "hogql"}
    source = {"kind": "TrendsQuery", "series": series, "breakdownFilter": bad}
    response = run_query(owner_client, world.team.id, {"kind": "InsightVizNode", "source": source})
    assert response.status_code == 400
