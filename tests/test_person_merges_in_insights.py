"""A person merged after both of its distinct ids had their own person counts once in every insight kind.

The events of `anon` and `user` are captured before the `$identify` that merges them, so each event row keeps
the person id it was written with and only the query-time overrides can join them (ARCHITECTURE.md: persons).
"""

import pytest

from queries.person_overrides import has_person_overrides
from tests.query_helpers import capture_events, run_query

pytestmark = pytest.mark.usefixtures("clickhouse")

RANGE = {"date_from": "2024-01-01", "date_to": "2024-01-04"}


@pytest.fixture
def merged(client, world):
    capture_events(
        client,
        world.team,
        [
            ("$pageview", "anon", {"$current_url": "https://x.io/a"}, "2024-01-01T10:00:00Z"),
            ("signup", "anon", {}, "2024-01-01T10:05:00Z"),
            ("$pageview", "other", {"$current_url": "https://x.io/a"}, "2024-01-01T11:00:00Z"),
        ],
    )
    capture_events(
        client,
        world.team,
        [
            ("$pageview", "user", {"$current_url": "https://x.io/b"}, "2024-01-02T10:00:00Z"),
            ("purchase", "user", {}, "2024-01-01T10:15:00Z"),
        ],
    )
    capture_events(client, world.team, [("$identify", "user", {"$anon_distinct_id": "anon"}, "2024-01-02T12:00:00Z")])
    assert has_person_overrides(world.team.id)
    return world.team


def insight(client, team_id, source: dict) -> dict:
    response = run_query(client, team_id, {"kind": "InsightVizNode", "source": source}, refresh="force_blocking")
    assert response.status_code == 200, response.json()
    return response.json()


def pageviews(**fields) -> list[dict]:
    return [{"kind": "EventsNode", "event": "$pageview", **fields}]


def test_trends_unique_users_count_the_merged_person_once(owner_client, merged):
    source = {"kind": "TrendsQuery", "series": pageviews(math="dau"), "dateRange": RANGE,
              "trendsFilter": {"display": "BoldNumber"}}  # fmt: skip
    assert insight(owner_client, merged.id, source)["results"][0]["aggregated_value"] == 2


def test_stickiness_sees_one_person_active_on_two_days(owner_client, merged):
    source = {"kind": "StickinessQuery", "series": pageviews(), "dateRange": RANGE}
    assert insight(owner_client, merged.id, source)["results"][0]["data"][:2] == [1, 1]


def test_lifecycle_sees_the_merged_person_returning(owner_client, merged):
    source = {"kind": "LifecycleQuery", "series": pageviews(), "dateRange": RANGE, "interval": "day"}
    statuses = {row["status"]: row["data"] for row in insight(owner_client, merged.id, source)["results"]}
    # Day 2 (index 1): the merged person returns; "other" goes dormant.
    assert statuses["returning"][1] == 1
    assert statuses["new"][1] == 0


def test_retention_keeps_the_merged_person_in_its_cohort(owner_client, merged):
    source = {"kind": "RetentionQuery", "dateRange": RANGE,
              "retentionFilter": {"period": "Day", "totalIntervals": 3}}  # fmt: skip
    first_day = insight(owner_client, merged.id, source)["results"][0]
    assert [value["count"] for value in first_day["values"][:2]] == [2, 1]


def test_paths_follow_the_merged_person_across_distinct_ids(owner_client, merged):
    source = {"kind": "PathsQuery", "dateRange": RANGE, "pathsFilter": {"includeEventTypes": ["custom_event"]}}
    edges = {(e["source"], e["target"]): e["value"] for e in insight(owner_client, merged.id, source)["results"]}
    assert edges == {("1_signup", "2_purchase"): 1}


def test_funnel_converts_the_merged_person_across_distinct_ids(owner_client, merged):
    steps = [{"kind": "EventsNode", "event": "signup"}, {"kind": "EventsNode", "event": "purchase"}]
    source = {"kind": "FunnelsQuery", "series": steps, "dateRange": RANGE}
    # anon signed up, user purchased: one person, one conversion.
    assert [step["count"] for step in insight(owner_client, merged.id, source)["results"]] == [1, 1]


def test_a_merge_after_a_query_that_saw_no_merges_applies_to_the_next_query(client, owner_client, world):
    from django.core.cache import cache

    from queries import person_overrides

    capture_events(
        client,
        world.team,
        [
            ("$pageview", "anon", {}, "2024-01-01T10:00:00Z"),
            ("$pageview", "user", {}, "2024-01-02T10:00:00Z"),
        ],
    )
    source = {"kind": "TrendsQuery", "series": pageviews(math="dau"), "dateRange": RANGE,
              "trendsFilter": {"display": "BoldNumber"}}  # fmt: skip
    assert insight(owner_client, world.team.id, source)["results"][0]["aggregated_value"] == 2
    assert cache.get(f"insights:person-overrides:{world.team.id}") == person_overrides.NO
    capture_events(client, world.team, [("$identify", "user", {"$anon_distinct_id": "anon"}, "2024-01-02T12:00:00Z")])
    # As if the merge had happened in another process: only the shared cache carries it here.
    person_overrides.forget_person_overrides()
    assert insight(owner_client, world.team.id, source)["results"][0]["aggregated_value"] == 1
