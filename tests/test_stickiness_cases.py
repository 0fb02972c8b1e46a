"""Stickiness correctness matrix over the generated trends data set (New York time), recomputed in plain Python."""

from collections import Counter, defaultdict

import pytest

from tests.test_trends_cases import (  # noqa: F401 - `data` is a fixture
    EVENTS,
    bounds,
    buckets,
    data,
    local,
    person_of,
    run_insight,
    setup_week_start,
    start_of,
)

pytestmark = pytest.mark.usefixtures("clickhouse", "data")
CRITERIA = {"gte": lambda n, v: n >= v, "lte": lambda n, v: n <= v, "exact": lambda n, v: n == v}


def expected_stickiness(event, date_from, date_to, interval, week_start=0, criteria=None) -> list[int]:
    """Persons per number of intervals (1..N) in which their event count passes the criteria."""
    low, high = bounds(date_from, date_to, interval, week_start)
    per_person = defaultdict(Counter)
    for name, distinct_id, _props, ts in EVENTS:
        moment = local(ts)
        if (event is None or name == event) and low <= moment <= high:
            per_person[person_of(distinct_id)][start_of(moment, interval, week_start)] += 1
    passes = (lambda n: n > 0) if criteria is None else (lambda n: CRITERIA[criteria[0]](n, criteria[1]))
    numbers = Counter(sum(1 for n in counts.values() if passes(n)) for counts in per_person.values())
    size = len(buckets(date_from, date_to, interval, week_start))
    return [numbers.get(n, 0) for n in range(1, size + 1)]


CASES = {
    "day": ("$pageview", "2024-01-03", "2024-01-24", "day", 0, None),
    "week-sunday": ("$pageview", "2023-12-20", "2024-02-05", "week", 0, None),
    "week-monday": ("$pageview", "2023-12-20", "2024-02-05", "week", 1, None),
    "month": ("$pageview", "2023-12-20", "2024-02-05", "month", 0, None),
    "hour": ("$pageview", "2024-01-10 00:00:00", "2024-01-10 23:59:59", "hour", 0, None),
    "all-events": (None, "2024-01-03", "2024-01-24", "day", 0, None),
    "criteria-gte-2": ("$pageview", "2023-12-01", "2024-02-10", "week", 0, ("gte", 2)),
    "criteria-lte-1": ("$pageview", "2023-12-01", "2024-02-10", "week", 0, ("lte", 1)),
    "criteria-exact-2": ("$pageview", "2023-12-01", "2024-02-10", "week", 1, ("exact", 2)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_stickiness_distribution_matches_python(owner_client, world, case):
    event, date_from, date_to, interval, week_start, criteria = CASES[case]
    setup_week_start(world, week_start)
    source = {
        "kind": "StickinessQuery",
        "series": [{"kind": "EventsNode", "event": event}],
        "interval": interval,
        "dateRange": {"date_from": date_from, "date_to": date_to},
    }
    if criteria:
        source["stickinessFilter"] = {"stickinessCriteria": {"operator": criteria[0], "value": criteria[1]}}
    [result] = run_insight(owner_client, world.team.id, source)["results"]
    expected = expected_stickiness(event, date_from, date_to, interval, week_start, criteria)
    assert sum(expected) > 0
    assert result["data"] == expected
    assert result["days"] == list(range(1, len(expected) + 1))
    assert result["count"] == sum(expected)


def test_stickiness_cumulative_matches_python(owner_client, world):
    source = {
        "kind": "StickinessQuery",
        "series": [{"kind": "EventsNode", "event": "$pageview"}],
        "dateRange": {"date_from": "2024-01-03", "date_to": "2024-01-24"},
        "stickinessFilter": {"computedAs": "cumulative"},
    }
    [result] = run_insight(owner_client, world.team.id, source)["results"]
    plain = expected_stickiness("$pageview", "2024-01-03", "2024-01-24", "day")
    assert result["data"] == [sum(plain[i:]) for i in range(len(plain))]
    assert result["count"] == sum(plain)
    assert result["labels"][1] == "2 days or more"
