"""Trends `*_count_per_actor` math and multiple breakdowns, checked against counts per person made in Python."""

import itertools
import statistics
from collections import Counter, defaultdict

import pytest

from queries.runners.trends.query_builder import BREAKDOWN_NULL_STRING_LABEL, BREAKDOWN_OTHER_STRING_LABEL
from tests.query_helpers import capture_events, run_query

pytestmark = pytest.mark.usefixtures("clickhouse")

EVENTS = [
    ("$pageview", "alice", {"$browser": "Chrome", "$os": "Mac"}, "2024-01-01T10:00:00Z"),
    ("$pageview", "alice", {"$browser": "Chrome", "$os": "Mac"}, "2024-01-01T11:00:00Z"),
    ("$pageview", "alice", {"$browser": "Chrome", "$os": "Mac"}, "2024-01-01T12:00:00Z"),
    ("$pageview", "alice", {"$browser": "Chrome", "$os": "Windows"}, "2024-01-02T10:00:00Z"),
    ("$pageview", "bob", {"$browser": "Firefox", "$os": "Mac"}, "2024-01-01T09:00:00Z"),
    ("$pageview", "bob", {"$browser": "Firefox", "$os": "Mac"}, "2024-01-03T09:00:00Z"),
    ("$pageview", "bob", {"$browser": "Firefox", "$os": "Mac"}, "2024-01-03T10:00:00Z"),
    # anon-1 and user-1 become one person: 3 pageviews on the 1st for that one actor.
    ("$pageview", "anon-1", {"$browser": "Chrome", "$os": "Mac"}, "2024-01-01T08:00:00Z"),
    ("$identify", "user-1", {"$anon_distinct_id": "anon-1"}, "2024-01-01T08:30:00Z"),
    ("$pageview", "user-1", {"$browser": "Chrome", "$os": "Mac"}, "2024-01-01T13:00:00Z"),
    ("$pageview", "user-1", {"$browser": "Chrome", "$os": "Mac"}, "2024-01-01T14:00:00Z"),
    ("$pageview", "carol", {"$browser": "Safari"}, "2024-01-03T11:00:00Z"),
    ("$pageview", "dave", {"$browser": "Edge", "$os": "Linux"}, "2024-01-04T11:00:00Z"),
    ("purchase", "bob", {"$browser": "Firefox", "$os": "Mac"}, "2024-01-02T09:00:00Z"),
    ("purchase", "carol", {"$browser": "Safari", "$os": "Mac"}, "2024-01-03T09:00:00Z"),
]
MERGED = {"anon-1": "user-1"}
DAYS = ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"]
NULL, OTHER = BREAKDOWN_NULL_STRING_LABEL, BREAKDOWN_OTHER_STRING_LABEL


def trends(client, team_id, series, status=200, **fields):
    source = {"kind": "TrendsQuery", "series": series, **fields}
    source.setdefault("dateRange", {"date_from": "2024-01-01", "date_to": "2024-01-05"})
    response = run_query(client, team_id, {"kind": "InsightVizNode", "source": source}, refresh="force_blocking")
    assert response.status_code == status, response.json()
    return response.json()


def quantile(values, level):
    """ClickHouse `quantile` on small samples: linear interpolation between the order statistics."""
    ordered = sorted(values)
    position = level * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


AGGREGATES = {
    "avg": statistics.mean,
    "min": min,
    "max": max,
    "median": lambda values: quantile(values, 0.5),
    "p75": lambda values: quantile(values, 0.75),
    "p90": lambda values: quantile(values, 0.9),
    "p95": lambda values: quantile(values, 0.95),
    "p99": lambda values: quantile(values, 0.99),
}


def counts_per_actor(event, key=lambda props: None, per_day=True):
    """{(day or None, breakdown key): {person: count}} computed in Python, merged persons joined."""
    counts = defaultdict(Counter)
    for name, distinct_id, props, ts in EVENTS:
        if name != event:
            continue
        day = ts[:10] if per_day else None
        counts[(day, key(props))][MERGED.get(distinct_id, distinct_id)] += 1
    return counts


def expected_series(event, aggregate, key=lambda props: None):
    counts = counts_per_actor(event, key)
    keys = {k for _, k in counts}
    return {
        k: [float(aggregate(list(counts[(day, k)].values()))) if (day, k) in counts else 0.0 for day in DAYS]
        for k in keys
    }


@pytest.fixture
def data(client, world):
    capture_events(client, world.team, EVENTS)
    capture_events(
        client, world.other_team, [("$pageview", "mallory", {"$browser": "Chrome"}, "2024-01-01T10:00:00Z")] * 9
    )


@pytest.mark.parametrize("name", list(AGGREGATES))
def test_count_per_actor_per_day(owner_client, world, data, name):
    math = f"{name}_count_per_actor"
    body = trends(owner_client, world.team.id, [{"kind": "EventsNode", "event": "$pageview", "math": math}])
    [result] = body["results"]
    expected = expected_series("$pageview", AGGREGATES[name])[None]
    assert result["data"] == pytest.approx(expected)
    assert result["days"] == DAYS
    assert result["action"]["math"] == math
    assert result["count"] == pytest.approx(sum(expected))


def test_count_per_actor_merged_person_is_one_actor_and_other_projects_ignored(owner_client, world, data):
    series = [{"kind": "EventsNode", "event": "$pageview", "math": "max_count_per_actor"}]
    [result] = trends(owner_client, world.team.id, series)["results"]
    # On the 1st: alice 3, bob 1, user-1 (with anon-1) 3; mallory's 9 in the other project never count.
    assert result["data"][0] == 3.0
    [avg] = trends(owner_client, world.team.id, [{**series[0], "math": "avg_count_per_actor"}])["results"]
    assert avg["data"][0] == pytest.approx(7 / 3)
    # Total value: mallory (9 pageviews in the other project) would be the maximum if counted.
    body = trends(owner_client, world.team.id, series, trendsFilter={"display": "BoldNumber"})
    assert body["results"][0]["aggregated_value"] == 4.0


def test_count_per_actor_with_breakdown(owner_client, world, data):
    series = [{"kind": "EventsNode", "event": "$pageview", "math": "avg_count_per_actor"}]
    body = trends(owner_client, world.team.id, series, breakdownFilter={"breakdown": "$browser"})
    expected = expected_series("$pageview", statistics.mean, key=lambda props: props.get("$browser") or NULL)
    got = {row["breakdown_value"]: row["data"] for row in body["results"]}
    assert set(got) == set(expected)
    for value, data in expected.items():
        assert got[value] == pytest.approx(data)


@pytest.mark.parametrize("name", ["avg", "max", "median", "p90"])
def test_count_per_actor_total_value(owner_client, world, data, name):
    series = [{"kind": "EventsNode", "event": "$pageview", "math": f"{name}_count_per_actor"}]
    body = trends(owner_client, world.team.id, series, trendsFilter={"display": "BoldNumber"})
    [result] = body["results"]
    counts = counts_per_actor("$pageview", per_day=False)[(None, None)]
    assert counts == {"alice": 4, "bob": 3, "user-1": 3, "carol": 1, "dave": 1}
    assert result["aggregated_value"] == pytest.approx(AGGREGATES[name](list(counts.values())))


def _combo(props):
    return [props.get("$browser") or NULL, props.get("$os") or NULL]


def test_multiple_breakdowns_values_and_labels(owner_client, world, data):
    breakdowns = [{"property": "$browser"}, {"type": "event", "property": "$os"}]
    body = trends(
        owner_client,
        world.team.id,
        [{"kind": "EventsNode", "event": "$pageview"}],
        breakdownFilter={"breakdowns": breakdowns},
    )
    expected = defaultdict(lambda: [0] * len(DAYS))
    for name, _, props, ts in EVENTS:
        if name == "$pageview":
            expected[tuple(_combo(props))][DAYS.index(ts[:10])] += 1
    got = {tuple(row["breakdown_value"]): row for row in body["results"]}
    assert set(got) == set(expected)
    for key, data in expected.items():
        assert got[key]["data"] == data
        assert isinstance(got[key]["breakdown_value"], list)
        assert got[key]["label"] == "::".join(key)
    # Ordered by total DESC, then value ASC; the row with a null value is a real combination.
    order = [tuple(row["breakdown_value"]) for row in body["results"]]
    assert order == sorted(expected, key=lambda key: (-sum(expected[key]), key))
    assert got[("Chrome", "Mac")]["data"] == [6, 0, 0, 0, 0]
    assert got[("Safari", NULL)]["data"] == [0, 0, 1, 0, 0]
    assert body["hasMore"] is False


def test_multiple_breakdowns_hogql_and_several_series_labels(owner_client, world, data):
    breakdowns = [{"type": "hogql", "property": "upper(properties.$browser)"}, {"property": "$os"}]
    series = [{"kind": "EventsNode", "event": "$pageview"}, {"kind": "EventsNode", "event": "purchase"}]
    body = trends(owner_client, world.team.id, series, breakdownFilter={"breakdowns": breakdowns})
    labels = {row["label"] for row in body["results"]}
    assert "$pageview - CHROME::Mac" in labels
    assert "purchase - FIREFOX::Mac" in labels
    purchase = [row for row in body["results"] if row["action"]["id"] == "purchase"]
    assert {tuple(row["breakdown_value"]) for row in purchase} == {("FIREFOX", "Mac"), ("SAFARI", "Mac")}


def test_multiple_breakdowns_limit_and_other(owner_client, world, data):
    breakdowns = [{"property": "$browser"}, {"property": "$os"}]
    body = trends(
        owner_client,
        world.team.id,
        [{"kind": "EventsNode", "event": "$pageview"}],
        breakdownFilter={"breakdowns": breakdowns, "breakdown_limit": 2},
    )
    totals = Counter(tuple(_combo(p)) for n, _, p, _ in EVENTS if n == "$pageview")
    ranked = sorted(totals, key=lambda key: (key == (NULL, NULL), -totals[key], key))
    assert [tuple(row["breakdown_value"]) for row in body["results"]] == [*ranked[:2], (OTHER, OTHER)]
    other = body["results"][-1]
    assert other["breakdown_value"] == [OTHER, OTHER]
    assert other["count"] == float(sum(totals[key] for key in ranked[2:]))
    assert body["hasMore"] is True
    hidden = trends(
        owner_client,
        world.team.id,
        [{"kind": "EventsNode", "event": "$pageview"}],
        breakdownFilter={"breakdowns": breakdowns, "breakdown_limit": 2, "breakdown_hide_other_aggregation": True},
    )
    assert [tuple(row["breakdown_value"]) for row in hidden["results"]] == ranked[:2]
    assert hidden["hasMore"] is True


def test_multiple_breakdowns_total_value(owner_client, world, data):
    body = trends(
        owner_client,
        world.team.id,
        [{"kind": "EventsNode", "event": "$pageview", "math": "dau"}],
        breakdownFilter={"breakdowns": [{"property": "$browser"}, {"property": "$os"}]},
        trendsFilter={"display": "ActionsTable"},
    )
    expected = defaultdict(set)
    for name, distinct_id, props, _ in EVENTS:
        if name == "$pageview":
            expected[tuple(_combo(props))].add(MERGED.get(distinct_id, distinct_id))
    got = {tuple(row["breakdown_value"]): row["aggregated_value"] for row in body["results"]}
    assert got == {key: len(persons) for key, persons in expected.items()}


def test_multiple_breakdowns_formula_matches_full_value_list(owner_client, world, data):
    series = [{"kind": "EventsNode", "event": "$pageview"}, {"kind": "EventsNode", "event": "purchase"}]
    body = trends(
        owner_client,
        world.team.id,
        series,
        breakdownFilter={"breakdowns": [{"property": "$browser"}, {"property": "$os"}]},
        trendsFilter={"formula": "A + 10 * B"},
    )
    per_series = {
        event: Counter((tuple(_combo(p)), ts[:10]) for n, _, p, ts in EVENTS if n == event)
        for event in ("$pageview", "purchase")
    }
    keys = {key for counter in per_series.values() for key, _ in counter}
    got = {tuple(row["breakdown_value"]): row["data"] for row in body["results"]}
    assert set(got) == keys
    for key, day in itertools.product(keys, DAYS):
        expected = per_series["$pageview"][(key, day)] + 10 * per_series["purchase"][(key, day)]
        assert got[key][DAYS.index(day)] == expected
    # Firefox::Mac on the 2nd comes only from B; Safari::Mac (B) and Safari::null (A) stay apart.
    assert got[("Firefox", "Mac")][1] == 10
    assert got[("Safari", "Mac")][2] == 10 and got[("Safari", NULL)][2] == 1


def test_four_breakdowns_rejected(owner_client, world, data):
    breakdowns = [{"property": p} for p in ("$browser", "$os", "$lib", "$device_type")]
    response = run_query(
        owner_client,
        world.team.id,
        {
            "kind": "InsightVizNode",
            "source": {
                "kind": "TrendsQuery",
                "series": [{"kind": "EventsNode", "event": "$pageview"}],
                "breakdownFilter": {"breakdowns": breakdowns},
            },
        },
        refresh="force_blocking",
    )
    assert response.status_code == 400


@pytest.mark.parametrize("name", ["avg", "min", "p95"])
def test_count_per_actor_without_events_is_zero(owner_client, world, data, name):
    series = [{"kind": "EventsNode", "event": "$pageview", "math": f"{name}_count_per_actor"}]
    date_range = {"date_from": "2023-06-01", "date_to": "2023-06-03"}
    body = trends(owner_client, world.team.id, series, dateRange=date_range, trendsFilter={"display": "BoldNumber"})
    assert body["results"][0]["aggregated_value"] == 0
    [result] = trends(owner_client, world.team.id, series, dateRange=date_range)["results"]
    assert result["data"] == [0, 0, 0]
