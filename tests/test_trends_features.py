"""Trends first-time maths, histogram breakdowns, stickiness over all time, and the series this server cannot answer."""

from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from queries.runners.common.series import SESSION_DURATION_ERROR, UNSUPPORTED_SERIES
from queries.runners.lifecycle import GROUP_LIFECYCLE_ERROR
from queries.runners.trends.query_builder import BREAKDOWN_NULL_STRING_LABEL
from tests.query_helpers import capture_events, run_query

pytestmark = pytest.mark.usefixtures("clickhouse")


def clickhouse_number(value: float) -> str:
    """How ClickHouse prints a number in a label: whole numbers without `.0`."""
    return str(int(value)) if float(value).is_integer() else str(value)


EVENTS = [
    ("$pageview", "alice", {"$browser": "Firefox", "amount": 1}, "2023-12-30T10:00:00Z"),
    ("$pageview", "alice", {"$browser": "Chrome", "amount": 2}, "2024-01-02T10:00:00Z"),
    ("$pageview", "alice", {"$browser": "Chrome", "amount": 4}, "2024-01-03T10:00:00Z"),
    ("$pageview", "bob", {"$browser": "Chrome", "amount": 5}, "2024-01-02T11:00:00Z"),
    ("$pageview", "bob", {"$browser": "Firefox", "amount": 7}, "2024-01-04T11:00:00Z"),
    ("$pageview", "carol", {"$browser": "Firefox", "amount": 10}, "2024-01-03T12:00:00Z"),
    ("$pageview", "carol", {"$browser": "Chrome"}, "2024-01-04T12:00:00Z"),
    ("$pageview", "dave", {"$browser": "Chrome", "amount": "n/a"}, "2024-01-05T12:00:00Z"),
    # anon-1 and user-1 become one person whose first pageview (Safari) is on the 1st.
    ("$pageview", "anon-1", {"$browser": "Safari", "amount": 3}, "2024-01-01T09:00:00Z"),
    ("$identify", "user-1", {"$anon_distinct_id": "anon-1"}, "2024-01-03T08:00:00Z"),
    ("$pageview", "user-1", {"$browser": "Chrome", "amount": 6}, "2024-01-03T09:00:00Z"),
    ("purchase", "erin", {"amount": 100}, "2024-01-03T09:00:00Z"),
]
MERGED = {"anon-1": "user-1"}
DAYS = ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"]
CHROME = {"key": "$browser", "value": "Chrome", "operator": "exact", "type": "event"}


def insight(client, team_id, source, status=200):
    source.setdefault("dateRange", {"date_from": DAYS[0], "date_to": DAYS[-1]})
    response = run_query(client, team_id, {"kind": "InsightVizNode", "source": source}, refresh="force_blocking")
    assert response.status_code == status, response.json()
    return response.json()


@pytest.fixture
def data(client, world):
    capture_events(client, world.team, EVENTS)
    capture_events(client, world.other_team, [("$pageview", "mallory", {"$browser": "Chrome"}, DAYS[1])] * 3)


def first_events(matching_only: bool, keep=lambda props: True) -> Counter:
    """Persons per day of their first pageview (first_time_for_user) or first matching one (first_matching)."""
    pageviews = sorted((ts, MERGED.get(d, d), props) for name, d, props, ts in EVENTS if name == "$pageview")
    firsts: dict = {}
    for ts, person, props in pageviews:
        if person in firsts or (matching_only and not keep(props)):
            continue
        firsts[person] = (ts, keep(props))
    return Counter(ts[:10] for ts, matches in firsts.values() if matches)


@pytest.mark.parametrize(
    ("math_name", "properties", "expected"),
    [
        ("first_time_for_user", [], [1, 1, 1, 0, 1]),
        ("first_time_for_user", [CHROME], [0, 1, 0, 0, 1]),
        ("first_matching_event_for_user", [CHROME], [0, 2, 1, 1, 1]),
    ],
)
def test_trends_first_time_maths_count_each_person_at_their_first_event(owner_client, world, data, math_name,
                                                                         properties, expected):  # fmt: skip
    series = {"kind": "EventsNode", "event": "$pageview", "math": math_name, "properties": properties}
    [result] = insight(owner_client, world.team.id, {"kind": "TrendsQuery", "series": [series]})["results"]
    keep = (lambda props: props.get("$browser") == "Chrome") if properties else (lambda props: True)
    firsts = first_events(math_name == "first_matching_event_for_user", keep)
    assert [firsts.get(day, 0) for day in DAYS] == expected
    assert result["data"] == expected


def test_trends_first_time_with_breakdown_and_total_value(owner_client, world, data):
    series = [{"kind": "EventsNode", "event": "$pageview", "math": "first_time_for_user"}]
    breakdown = {"breakdown": "$browser", "breakdown_type": "event"}
    body = insight(owner_client, world.team.id, {"kind": "TrendsQuery", "series": series, "breakdownFilter": breakdown})
    # The value is the browser of each person's first pageview: bob and dave Chrome, carol Firefox, user-1 Safari.
    assert {r["breakdown_value"]: r["count"] for r in body["results"]} == {"Chrome": 2.0, "Firefox": 1.0, "Safari": 1.0}
    bold = {"kind": "TrendsQuery", "series": series, "trendsFilter": {"display": "BoldNumber"}}
    assert insight(owner_client, world.team.id, bold)["results"][0]["aggregated_value"] == 4


def test_trends_histogram_breakdown_bins_the_values(owner_client, world, data):
    source = {
        "kind": "TrendsQuery",
        "series": [{"kind": "EventsNode", "event": "$pageview"}],
        "breakdownFilter": {"breakdown": "amount", "breakdown_type": "event", "breakdown_histogram_bin_count": 3},
        "trendsFilter": {"display": "ActionsTable"},
    }
    body = insight(owner_client, world.team.id, source)
    # In range: amounts 2, 4, 5, 7, 10, 3, 6 (min 2, max 10, width 8/3) plus two pageviews without a number.
    amounts = [p["amount"] for n, _, p, ts in EVENTS if n == "$pageview" and ts >= DAYS[0] and "amount" in p]
    numbers = [a for a in amounts if isinstance(a, int)]
    low, width = min(numbers), (max(numbers) - min(numbers)) / 3
    edges = [(low + i * width, low + (i + 1) * width) for i in range(3)]
    edges[-1] = (edges[-1][0], max(numbers) + 0.01)
    expected = Counter()
    for value in numbers:
        bin_index = next(i for i, (a, b) in enumerate(edges) if a <= value < b)
        low_label, high_label = (clickhouse_number(round(edge, 2)) for edge in edges[bin_index])
        expected[f"[{low_label},{high_label}]"] += 1
    in_range = [ts for n, _, _, ts in EVENTS if n == "$pageview" and ts >= DAYS[0]]
    expected[BREAKDOWN_NULL_STRING_LABEL] = len(in_range) - len(numbers)  # no amount, or not a number
    assert expected == {"[2,4.67]": 3, "[4.67,7.33]": 3, "[7.33,10.01]": 1, BREAKDOWN_NULL_STRING_LABEL: 2}
    assert {r["breakdown_value"]: r["aggregated_value"] for r in body["results"]} == expected


def test_stickiness_all_time_starts_at_the_first_event(owner_client, world, data):
    world.team.timezone = "UTC"
    world.team.save()
    source = {
        "kind": "StickinessQuery",
        "series": [{"kind": "EventsNode", "event": "$pageview"}],
        "dateRange": {"date_from": "all", "date_to": "2024-01-05"},
    }
    body = insight(owner_client, world.team.id, source)
    [result] = body["results"]
    # From alice's first pageview on Dec 30 to Jan 5: seven days.
    assert body["resolved_date_range"]["date_from"].startswith("2023-12-30")
    assert result["days"] == [1, 2, 3, 4, 5, 6, 7]
    active_days = Counter()
    for name, distinct_id, _, ts in EVENTS:
        if name == "$pageview":
            active_days[(MERGED.get(distinct_id, distinct_id), ts[:10])] = 1
    per_person = Counter(person for person, _ in active_days)
    expected = Counter(per_person.values())
    assert result["data"] == [expected.get(n, 0) for n in range(1, 8)] == [1, 3, 1, 0, 0, 0, 0]


UNSUPPORTED = [
    (
        {
            "kind": "DataWarehouseNode",
            "id": "x",
            "table_name": "payments",
            "id_field": "id",
            "timestamp_field": "created",
            "distinct_id_field": "customer",
        },
        UNSUPPORTED_SERIES["DataWarehouseNode"],
    ),
    ({"kind": "EventsNode", "event": "$pageview", "math": "avg", "math_property": "$session_duration"},
     SESSION_DURATION_ERROR),
]  # fmt: skip


@pytest.mark.parametrize("kind", ["TrendsQuery", "StickinessQuery", "LifecycleQuery"])
@pytest.mark.parametrize(("series", "message"), UNSUPPORTED, ids=["data-warehouse", "session-duration"])
def test_unsupported_series_answer_400(owner_client, world, data, kind, series, message):
    body = insight(owner_client, world.team.id, {"kind": kind, "series": [series]}, status=400)
    assert body["type"] == "validation_error"
    assert body["detail"] == message


def test_group_node_series_answer_400(owner_client, world, data):
    group = {"kind": "GroupNode", "operator": "OR", "nodes": [{"kind": "EventsNode", "event": "$pageview"}]}
    body = insight(owner_client, world.team.id, {"kind": "TrendsQuery", "series": [group]}, status=400)
    assert body["detail"] == UNSUPPORTED_SERIES["GroupNode"]


def test_histogram_bin_count_out_of_bounds_is_400(owner_client, world, data):
    source = {
        "kind": "TrendsQuery",
        "series": [{"kind": "EventsNode", "event": "$pageview"}],
        "breakdownFilter": {"breakdown": "amount", "breakdown_histogram_bin_count": 0},
    }
    body = insight(owner_client, world.team.id, source, status=400)
    assert "breakdown_histogram_bin_count" in body["detail"]


def test_first_time_today_is_bucketed_in_project_timezone(owner_client, world, client):
    world.team.timezone = "America/New_York"
    world.team.save()
    events = [("$pageview", "a", {}, "2024-01-02T03:00:00Z"), ("$pageview", "b", {}, "2024-01-02T06:00:00Z")]
    capture_events(client, world.team, events)
    series = [{"kind": "EventsNode", "event": "$pageview", "math": "first_time_for_user"}]
    [result] = insight(owner_client, world.team.id, {"kind": "TrendsQuery", "series": series})["results"]
    local_days = Counter(
        datetime.fromisoformat(ts).astimezone(ZoneInfo("America/New_York")).strftime("%Y-%m-%d") for *_, ts in events
    )
    assert result["data"] == [local_days.get(day, 0) for day in DAYS] == [1, 1, 0, 0, 0]


def test_stickiness_of_groups_and_of_a_hogql_actor(owner_client, world, client):
    events = [
        ("$pageview", "a", {"$group_0": "acme", "team": "red"}, "2024-01-01T10:00:00Z"),
        ("$pageview", "b", {"$group_0": "acme", "team": "red"}, "2024-01-02T10:00:00Z"),
        ("$pageview", "c", {"$group_0": "globex", "team": "red"}, "2024-01-02T11:00:00Z"),
        ("$pageview", "d", {"team": "blue"}, "2024-01-03T10:00:00Z"),
    ]
    capture_events(client, world.team, events)

    def distribution(key):
        days: dict = {}
        for _, _, props, ts in events:
            if key(props):
                days.setdefault(key(props), set()).add(ts[:10])
        counts = Counter(len(d) for d in days.values())
        return [counts.get(n, 0) for n in range(1, 6)]

    group = {"kind": "EventsNode", "event": "$pageview", "math": "unique_group", "math_group_type_index": 0}
    hogql = {"kind": "EventsNode", "event": "$pageview", "math": "hogql", "math_hogql": "properties.team"}
    body = insight(owner_client, world.team.id, {"kind": "StickinessQuery", "series": [group, hogql]})
    # acme on two days, globex on one (d has no group); red on two days, blue on one.
    assert body["results"][0]["data"] == distribution(lambda p: p.get("$group_0")) == [1, 1, 0, 0, 0]
    assert body["results"][1]["data"] == distribution(lambda p: p.get("team")) == [1, 1, 0, 0, 0]


def test_trends_sampling_scales_counts_and_sums_but_not_unique_users(owner_client, world, client, clickhouse):
    events = [("$pageview", f"user-{n}", {"amount": n}, f"2024-01-0{1 + n % 5}T10:00:00Z") for n in range(200)]
    capture_events(client, world.team, events)
    series = [
        {"kind": "EventsNode", "event": "$pageview"},
        {"kind": "EventsNode", "event": "$pageview", "math": "sum", "math_property": "amount"},
        {"kind": "EventsNode", "event": "$pageview", "math": "dau"},
    ]
    body = insight(owner_client, world.team.id, {"kind": "TrendsQuery", "series": series, "samplingFactor": 0.5})
    # The sample is the events whose cityHash64(distinct_id) falls in the first half: asked of ClickHouse directly.
    sampled = clickhouse.query(
        "SELECT toString(toDate(timestamp)) AS day, count(), sum(toFloat64(JSONExtractRaw(properties, 'amount'))), "
        f"uniqExact(person_id) FROM events SAMPLE 1/2 WHERE team_id = {world.team.id} GROUP BY day"
    ).result_rows
    per_day = {day: (count, amount, users) for day, count, amount, users in sampled}
    assert 0 < sum(row[0] for row in per_day.values()) < 200
    zero = (0, 0, 0)
    assert body["results"][0]["data"] == [round(per_day.get(day, zero)[0] / 0.5) for day in DAYS]
    assert body["results"][1]["data"] == [round(per_day.get(day, zero)[1] / 0.5) for day in DAYS]
    assert body["results"][2]["data"] == [per_day.get(day, zero)[2] for day in DAYS]


def test_trends_aggregated_by_group_counts_groups(owner_client, world, client):
    events = [
        ("$pageview", "a", {"$group_0": "acme"}, "2024-01-01T10:00:00Z"),
        ("$pageview", "b", {"$group_0": "acme"}, "2024-01-01T11:00:00Z"),
        ("$pageview", "c", {"$group_0": "globex"}, "2024-01-01T12:00:00Z"),
        ("$pageview", "d", {}, "2024-01-02T13:00:00Z"),
    ]
    capture_events(client, world.team, events)
    source = {
        "kind": "TrendsQuery",
        "series": [{"kind": "EventsNode", "event": "$pageview", "math": "dau"}],
        "aggregation_group_type_index": 0,
    }
    [result] = insight(owner_client, world.team.id, source)["results"]
    groups_per_day = Counter()
    for day in DAYS:
        groups_per_day[day] = len({p["$group_0"] for _, _, p, ts in events if ts[:10] == day and p.get("$group_0")})
    # Two groups on the 1st; d on the 2nd belongs to no group.
    assert result["data"] == [groups_per_day[day] for day in DAYS] == [2, 0, 0, 0, 0]


def test_lifecycle_by_group_answers_400(owner_client, world, data):
    source = {
        "kind": "LifecycleQuery",
        "series": [{"kind": "EventsNode", "event": "$pageview"}],
        "aggregation_group_type_index": 0,
    }
    assert insight(owner_client, world.team.id, source, status=400)["detail"] == GROUP_LIFECYCLE_ERROR


def test_trends_breakdown_normalize_url_merges_trailing_slashes(owner_client, world, client):
    urls = ["/pricing/", "/pricing", "/pricing?", "/", "//", "/docs#", "/docs", None]
    events = [
        ("$pageview", f"u{n}", {"$current_url": url} if url else {}, "2024-01-02T10:00:00Z")
        for n, url in enumerate(urls)
    ]
    capture_events(client, world.team, events)
    breakdown = {"breakdown": "$current_url", "breakdown_type": "event", "breakdown_normalize_url": True}
    source = {
        "kind": "TrendsQuery",
        "series": [{"kind": "EventsNode", "event": "$pageview"}],
        "breakdownFilter": breakdown,
    }
    results = insight(owner_client, world.team.id, source)["results"]
    expected = Counter((url.rstrip("/?#") or "/") if url else BREAKDOWN_NULL_STRING_LABEL for url in urls)
    assert expected == {"/pricing": 3, "/": 2, "/docs": 2, BREAKDOWN_NULL_STRING_LABEL: 1}
    assert {r["breakdown_value"]: r["count"] for r in results} == expected
