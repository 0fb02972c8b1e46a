"""Trends formulas through POST /query/: numbers checked against per-day counts made in Python (spec §3.7)."""

from collections import Counter
from datetime import datetime, timedelta

import pytest

from queries.runners.trends.query_builder import BREAKDOWN_NULL_STRING_LABEL
from tests.query_helpers import capture_events, run_query

pytestmark = pytest.mark.usefixtures("clickhouse")

EVENTS = [
    ("$pageview", "alice", {"$browser": "Chrome"}, "2024-01-01T10:00:00Z"),
    ("$pageview", "alice", {"$browser": "Chrome"}, "2024-01-01T11:00:00Z"),
    ("$pageview", "bob", {"$browser": "Firefox"}, "2024-01-01T12:00:00Z"),
    ("$pageview", "bob", {"$browser": "Firefox"}, "2024-01-03T09:00:00Z"),
    ("$pageview", "carol", {"$browser": "Safari"}, "2024-01-03T10:00:00Z"),
    ("$pageview", "dave", {}, "2024-01-04T10:00:00Z"),
    ("purchase", "bob", {"$browser": "Firefox"}, "2024-01-01T09:00:00Z"),
    ("purchase", "bob", {"$browser": "Firefox"}, "2024-01-02T09:00:00Z"),
    ("purchase", "carol", {"$browser": "Chrome"}, "2024-01-04T09:00:00Z"),
    ("purchase", "carol", {"$browser": "Chrome"}, "2024-01-04T09:30:00Z"),
]
DAYS = ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"]
SERIES = [{"kind": "EventsNode", "event": "$pageview"}, {"kind": "EventsNode", "event": "purchase"}]


def trends(client, team_id, series=SERIES, status=200, **fields):
    source = {"kind": "TrendsQuery", "series": series, **fields}
    source.setdefault("dateRange", {"date_from": "2024-01-01", "date_to": "2024-01-05"})
    response = run_query(client, team_id, {"kind": "InsightVizNode", "source": source}, refresh="force_blocking")
    assert response.status_code == status, response.json()
    return response.json()


def per_day(name, browser=None):
    counts = Counter(
        datetime.fromisoformat(ts).strftime("%Y-%m-%d")
        for event, _, props, ts in EVENTS
        if event == name and (browser is None or props.get("$browser") == browser)
    )
    return [counts.get(day, 0) for day in DAYS]


@pytest.fixture
def data(client, world):
    capture_events(client, world.team, EVENTS)


def test_formula_sum_of_two_series(owner_client, world, data):
    body = trends(owner_client, world.team.id, trendsFilter={"formula": "A + B"})
    [result] = body["results"]
    expected = [a + b for a, b in zip(per_day("$pageview"), per_day("purchase"), strict=True)]
    assert expected == [4, 1, 2, 3, 0]
    assert result["data"] == expected
    assert result["count"] == float(sum(expected))
    assert result["label"] == "Formula (A + B)"
    assert result["action"] is None and result["order"] == 0
    assert result["days"] == DAYS
    assert result["labels"] == ["1-Jan-2024", "2-Jan-2024", "3-Jan-2024", "4-Jan-2024", "5-Jan-2024"]


def test_formula_division_by_zero_is_zero(owner_client, world, data):
    body = trends(owner_client, world.team.id, trendsFilter={"formulas": ["A / B"]})
    [result] = body["results"]
    expected = [a / b if b else 0 for a, b in zip(per_day("$pageview"), per_day("purchase"), strict=True)]
    assert expected == [3.0, 0.0, 0, 0.5, 0]
    assert result["data"] == pytest.approx(expected)
    assert result["count"] == pytest.approx(sum(expected))


def test_formula_nodes_win_and_keep_their_order_and_custom_names(owner_client, world, data):
    body = trends(
        owner_client,
        world.team.id,
        trendsFilter={
            "formula": "A",
            "formulas": ["B"],
            "formulaNodes": [{"formula": "(a - B) * 2", "custom_name": "Gap"}, {"formula": "-B + 1.5"}],
        },
    )
    gap, shifted = body["results"]
    pageviews, purchases = per_day("$pageview"), per_day("purchase")
    assert gap["data"] == [(a - b) * 2 for a, b in zip(pageviews, purchases, strict=True)] == [4, -2, 4, -2, 0]
    assert (gap["label"], gap["order"]) == ("Gap", 0)
    assert shifted["data"] == [-b + 1.5 for b in purchases]
    assert (shifted["label"], shifted["order"]) == ("Formula (-B + 1.5)", 1)


def test_formula_with_breakdown_matches_rows_by_value(owner_client, world, data):
    body = trends(
        owner_client,
        world.team.id,
        trendsFilter={"formula": "A + B"},
        breakdownFilter={"breakdown": "$browser"},
    )
    results = {r["breakdown_value"]: r for r in body["results"]}
    assert set(results) == {"Chrome", "Firefox", "Safari", BREAKDOWN_NULL_STRING_LABEL}
    for value, result in results.items():
        browser = None if value == BREAKDOWN_NULL_STRING_LABEL else value
        pageviews = per_day("$pageview", browser) if browser else [0, 0, 0, 1, 0]
        purchases = per_day("purchase", browser) if browser else [0] * 5
        expected = [a + b for a, b in zip(pageviews, purchases, strict=True)]
        assert result["data"] == expected, value
        assert result["label"] == "Formula (A + B)" and result["action"] is None
    # Real values by count DESC (Chrome 4, Firefox 4 both before Safari 1), the null value last.
    ordered = [r["breakdown_value"] for r in body["results"]]
    assert ordered[-1] == BREAKDOWN_NULL_STRING_LABEL
    assert set(ordered[:2]) == {"Chrome", "Firefox"} and ordered[2] == "Safari"
    assert results["Safari"]["data"] == [0, 0, 1, 0, 0]  # no purchase row for Safari: B counts as 0


def test_formula_on_total_value_display(owner_client, world, data):
    body = trends(owner_client, world.team.id, trendsFilter={"formula": "A * 10 / B", "display": "BoldNumber"})
    [result] = body["results"]
    total_pageviews, total_purchases = sum(per_day("$pageview")), sum(per_day("purchase"))
    assert result["aggregated_value"] == pytest.approx(total_pageviews * 10 / total_purchases)
    # PostHog's shape for a formula over totals: no `data`, `count` 0 ("it has always been so").
    assert result["data"] is None and result["count"] == 0 and result["action"] is None


def test_formula_with_compare_on_total_value_display(owner_client, world, data):
    """PostHog's test_formula_with_compare_total_value: one row per period, each the formula of that period's totals."""
    body = trends(
        owner_client,
        world.team.id,
        trendsFilter={"formula": "A + 2 * B", "display": "BoldNumber"},
        dateRange={"date_from": "2024-01-02", "date_to": "2024-01-04"},
        compareFilter={"compare": True},
    )

    def total(name, first, last):
        return sum(1 for event, _, _, ts in EVENTS if event == name and first <= ts[:10] <= last)

    def expected(first, last):
        return total("$pageview", first, last) + 2 * total("purchase", first, last)

    current, previous = body["results"]
    assert current["compare_label"] == "current" and previous["compare_label"] == "previous"
    assert current["aggregated_value"] == expected("2024-01-02", "2024-01-04") == 9
    assert previous["aggregated_value"] == expected("2023-12-30", "2024-01-01") == 5
    for row in (current, previous):
        assert row["label"] == "Formula (A + 2 * B)" and row["count"] == 0 and row["data"] is None


def test_formula_with_compare_runs_per_period(owner_client, world, data):
    body = trends(
        owner_client,
        world.team.id,
        trendsFilter={"formula": "A - B"},
        dateRange={"date_from": "2024-01-03", "date_to": "2024-01-04"},
        compareFilter={"compare": True},
    )
    current, previous = body["results"]
    assert current["compare_label"] == "current" and current["data"] == [2, -1]
    assert previous["compare_label"] == "previous" and previous["data"] == [2, -1]
    assert previous["days"] == ["2024-01-01", "2024-01-02"]


def test_formula_power_and_modulo_as_the_spec_allows(owner_client, world, data):
    body = trends(owner_client, world.team.id, trendsFilter={"formulas": ["A ** 2", "A % B"]})
    power, modulo = body["results"]
    pageviews, purchases = per_day("$pageview"), per_day("purchase")
    assert power["data"] == [a**2 for a in pageviews]
    assert modulo["data"] == [a % b if b else 0 for a, b in zip(pageviews, purchases, strict=True)]


@pytest.mark.parametrize(
    "formula",
    [
        "__import__('os')",
        "A.__class__",
        "A if B else 1",
        "A < B",
        "'a' + A",
        "C + A",
        "A +",
        "AB",
        "A ** 9 ** 9",
        "A // B",
        "abs(A)",
    ],
)
def test_bad_formulas_are_rejected(owner_client, world, data, formula):
    body = trends(owner_client, world.team.id, status=400, trendsFilter={"formula": formula})
    assert body["detail"]


ACTIVE_EVENTS = [
    ("$pageview", "a", {}, "2023-12-20T10:00:00Z"),  # inside the 30-day MAU lookback only
    ("$pageview", "a", {}, "2024-01-02T10:00:00Z"),  # before the range, inside the WAU lookback
    ("$pageview", "b", {}, "2024-01-06T00:00:00Z"),  # exactly midnight: ends the 5 Jan bucket
    ("$pageview", "b", {}, "2024-01-09T15:00:00Z"),
    ("$pageview", "c", {}, "2024-01-12T23:59:00Z"),
    ("$pageview", "c", {}, "2024-01-13T08:00:00Z"),  # after the range
    ("purchase", "d", {}, "2024-01-08T08:00:00Z"),  # another event
]


def rolling_active(days, lookback):
    """Distinct persons with a $pageview in (end - lookback days, end], end being the end of each day."""
    counts = []
    for day in days:
        end = datetime.fromisoformat(f"{day}T00:00:00+00:00") + timedelta(days=1)
        counts.append(
            len(
                {
                    person
                    for event, person, _, ts in ACTIVE_EVENTS
                    if event == "$pageview" and end - timedelta(days=lookback) < datetime.fromisoformat(ts) <= end
                }
            )
        )
    return counts


@pytest.mark.parametrize("math,lookback", [("weekly_active", 7), ("monthly_active", 30)])
def test_rolling_active_users_per_day(owner_client, world, client, math, lookback):
    capture_events(client, world.team, ACTIVE_EVENTS)
    days = [(datetime(2024, 1, 5) + timedelta(days=n)).strftime("%Y-%m-%d") for n in range(8)]
    body = trends(
        owner_client,
        world.team.id,
        [{"kind": "EventsNode", "event": "$pageview", "math": math}],
        dateRange={"date_from": days[0], "date_to": days[-1]},
    )
    [result] = body["results"]
    expected = rolling_active(days, lookback)
    if math == "weekly_active":
        assert expected == [2, 2, 2, 2, 1, 1, 1, 2]
    assert result["days"] == days
    assert result["data"] == expected
    assert result["action"]["math"] == math


def test_weekly_active_on_week_intervals_is_unique_users(owner_client, world, client):
    capture_events(client, world.team, ACTIVE_EVENTS)
    body = trends(
        owner_client,
        world.team.id,
        [{"kind": "EventsNode", "event": "$pageview", "math": "weekly_active"}],
        dateRange={"date_from": "2024-01-07", "date_to": "2024-01-13"},
        interval="week",
    )
    assert body["results"][0]["data"] == [2]  # b and c in the week of Sunday 7 Jan, no lookback


def test_weekly_active_total_value_counts_the_last_seven_days(owner_client, world, client):
    capture_events(client, world.team, ACTIVE_EVENTS)
    body = trends(
        owner_client,
        world.team.id,
        [{"kind": "EventsNode", "event": "$pageview", "math": "weekly_active"}],
        dateRange={"date_from": "2024-01-01", "date_to": "2024-01-12"},
        trendsFilter={"display": "BoldNumber"},
    )
    assert body["results"][0]["aggregated_value"] == 2  # b (9 Jan) and c (12 Jan); a's 2 Jan is too early
