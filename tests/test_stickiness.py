"""POST /query/ with an InsightVizNode-wrapped StickinessQuery: distributions checked against counts made in Python."""

from collections import Counter, defaultdict
from datetime import datetime

import pytest

from tests.query_helpers import capture_events, run_query

pytestmark = pytest.mark.usefixtures("clickhouse")

EVENTS = [
    ("$pageview", "alice", {}, "2024-01-01T10:00:00Z"),
    ("$pageview", "alice", {}, "2024-01-01T11:00:00Z"),
    ("$pageview", "alice", {}, "2024-01-02T10:00:00Z"),
    ("$pageview", "alice", {}, "2024-01-05T10:00:00Z"),
    ("$pageview", "bob", {}, "2024-01-03T10:00:00Z"),
    ("$pageview", "bob", {}, "2024-01-03T12:00:00Z"),
    ("$pageview", "carol", {"$browser": "Chrome"}, "2024-01-02T10:00:00Z"),
    ("$pageview", "carol", {"$browser": "Chrome"}, "2024-01-04T10:00:00Z"),
    # anon-1 and user-1 become one person: active on the 1st, 2nd and 3rd.
    ("$pageview", "anon-1", {}, "2024-01-01T08:00:00Z"),
    ("$identify", "user-1", {"$anon_distinct_id": "anon-1"}, "2024-01-02T09:00:00Z"),
    ("$pageview", "user-1", {}, "2024-01-02T10:00:00Z"),
    ("$pageview", "user-1", {}, "2024-01-03T10:00:00Z"),
    # Outside the range.
    ("$pageview", "dave", {}, "2023-12-31T23:59:00Z"),
    ("$pageview", "dave", {}, "2024-01-06T00:00:00Z"),
    ("purchase", "bob", {}, "2024-01-02T09:00:00Z"),
]
MERGED = {"anon-1": "user-1"}
RANGE = ("2024-01-01", "2024-01-05")


def stickiness(client, team_id, series, **fields):
    source = {"kind": "StickinessQuery", "series": series, **fields}
    source.setdefault("dateRange", {"date_from": RANGE[0], "date_to": RANGE[1]})
    response = run_query(client, team_id, {"kind": "InsightVizNode", "source": source}, refresh="force_blocking")
    assert response.status_code == 200, response.json()
    return response.json()


def expected_distribution(events, name, size=5, key=lambda day: day, keep=lambda per_day_count: per_day_count > 0):
    """Persons per number of qualifying intervals (1..size), from the events inside RANGE."""
    per_person_interval: dict = defaultdict(Counter)
    for event, distinct_id, _props, ts in events:
        day = datetime.fromisoformat(ts).strftime("%Y-%m-%d")
        if (name is None or event == name) and RANGE[0] <= day <= RANGE[1]:
            per_person_interval[MERGED.get(distinct_id, distinct_id)][key(day)] += 1
    intervals = Counter(sum(1 for n in counts.values() if keep(n)) for counts in per_person_interval.values())
    return [intervals.get(n, 0) for n in range(1, size + 1)]


@pytest.fixture
def data(client, world):
    capture_events(client, world.team, EVENTS)
    capture_events(
        client, world.other_team, [("$pageview", "mallory", {}, f"2024-01-0{d}T10:00:00Z") for d in (1, 2, 3)]
    )


def test_stickiness_days_distribution(owner_client, world, data):
    body = stickiness(owner_client, world.team.id, [{"kind": "EventsNode", "event": "$pageview"}])
    [result] = body["results"]
    expected = expected_distribution(EVENTS, "$pageview")
    # bob: 1 day; carol: 2; alice and the merged user-1: 3 each. mallory's project is not this one.
    assert expected == [1, 1, 2, 0, 0]
    assert result["data"] == expected
    assert result["count"] == 4
    assert result["days"] == [1, 2, 3, 4, 5]
    assert result["labels"] == ["1 day", "2 days", "3 days", "4 days", "5 days"]
    assert result["label"] == "$pageview"
    assert result["action"] == {
        "order": 0,
        "type": "events",
        "name": "$pageview",
        "id": "$pageview",
        "custom_name": None,
    }


def test_stickiness_several_series_all_events_and_properties(owner_client, world, data):
    chrome = {"key": "$browser", "value": "Chrome", "operator": "exact", "type": "event"}
    series = [
        {"kind": "EventsNode", "event": None},
        {"kind": "EventsNode", "event": "$pageview", "properties": [chrome]},
    ]
    results = stickiness(owner_client, world.team.id, series)["results"]
    assert results[0]["label"] == "All events"
    # With all events bob has the 2nd (purchase) and 3rd; user-1's $identify falls on a day already counted.
    assert results[0]["data"] == expected_distribution(EVENTS, None) == [0, 2, 2, 0, 0]
    chrome_events = [e for e in EVENTS if e[2].get("$browser") == "Chrome"]
    assert results[1]["data"] == expected_distribution(chrome_events, "$pageview") == [0, 1, 0, 0, 0]
    assert results[1]["action"]["order"] == 1


def test_stickiness_criteria_and_cumulative(owner_client, world, data):
    series = [{"kind": "EventsNode", "event": "$pageview"}]
    criteria = {"stickinessCriteria": {"operator": "gte", "value": 2}}
    result = stickiness(owner_client, world.team.id, series, stickinessFilter=criteria)["results"][0]
    # Days with at least two pageviews: alice on the 1st, bob on the 3rd.
    assert result["data"] == expected_distribution(EVENTS, "$pageview", keep=lambda n: n >= 2) == [2, 0, 0, 0, 0]
    cumulative = {"computedAs": "cumulative"}
    result = stickiness(owner_client, world.team.id, series, stickinessFilter=cumulative)["results"][0]
    assert result["data"] == [4, 3, 2, 0, 0]
    assert result["count"] == 4
    assert result["labels"][0] == "1 day or more" and result["labels"][1] == "2 days or more"


def test_stickiness_week_interval_and_compare(owner_client, world, data):
    series = [{"kind": "EventsNode", "event": "$pageview"}]
    # Sunday-based weeks: Dec 31 - Jan 6 and Jan 7 - 13, so a range of Jan 1 - Jan 10 spans two buckets.
    body = stickiness(
        owner_client,
        world.team.id,
        series,
        interval="week",
        dateRange={"date_from": "2024-01-01", "date_to": "2024-01-10"},
    )
    [result] = body["results"]
    assert result["labels"] == ["1 week", "2 weeks"]
    # Everyone active in the range was active in one week only (dave's Jan 6 pageview now counts too).
    assert result["data"] == [5, 0]
    compared = stickiness(owner_client, world.team.id, series, compareFilter={"compare": True})["results"]
    # The previous period is Dec 27 - Dec 31: only dave's pageview at 23:59 on the 31st, one day.
    assert [(r["compare_label"], r["data"]) for r in compared] == [
        ("current", [1, 1, 2, 0, 0]),
        ("previous", [1, 0, 0, 0, 0]),
    ]
    assert all(r["compare"] is True for r in compared)


def test_stickiness_interval_count_groups_days_back_from_date_to(owner_client, world, data):
    series = [{"kind": "EventsNode", "event": "$pageview"}]
    result = stickiness(owner_client, world.team.id, series, intervalCount=2)["results"][0]
    # Groups of two days counted back from Jan 5: {4, 5}, {2, 3}, {1}, so N = ceil(5 / 2) = 3.
    group = {"2024-01-05": 0, "2024-01-04": 0, "2024-01-03": 1, "2024-01-02": 1, "2024-01-01": 2}
    expected = expected_distribution(EVENTS, "$pageview", size=3, key=group.get)
    assert expected == [1, 2, 1]  # bob in one group; carol and user-1 in two; alice in all three
    assert result["data"] == expected
    assert result["days"] == [1, 2, 3]
