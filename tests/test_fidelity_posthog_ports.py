"""PostHog's own test expectations for behaviour this server got wrong (ported as black-box tests; facts only).

Sources (PostHog's public test files): test_funnel_unordered.py `test_unordered_trend_with_partial_steps_and_exclusion`;
the activity log's tag changes; property filters without `type`; histogram bin labels.
"""

import pytest

from activity.changes import changes_between
from queries.runners.trends.histogram import bin_label
from tests.query_helpers import capture_events, run_query

pytestmark = pytest.mark.usefixtures("clickhouse")

UNORDERED_EXCLUSION_EVENTS = [
    ("step 1", "user_1", {}, "2024-03-01T10:00:00Z"),
    ("step 2", "user_1", {}, "2024-03-01T11:00:00Z"),
    ("exclusion event", "user_1", {}, "2024-03-01T12:00:00Z"),
    ("step 3", "user_1", {}, "2024-03-01T13:00:00Z"),
    ("step 1", "user_2", {}, "2024-03-01T10:00:00Z"),
    ("step 2", "user_2", {}, "2024-03-01T11:00:00Z"),
    ("step 3", "user_2", {}, "2024-03-01T12:00:00Z"),
]


def unordered_funnel(**funnels_filter) -> dict:
    return {
        "kind": "FunnelsQuery",
        "series": [{"kind": "EventsNode", "event": f"step {n}"} for n in (1, 2, 3)],
        "dateRange": {"date_from": "2024-03-01", "date_to": "2024-03-01"},
        "funnelsFilter": {
            "funnelOrderType": "unordered",
            "funnelWindowInterval": 6,
            "funnelWindowIntervalUnit": "hour",
            "exclusions": [{"kind": "EventsNode", "event": "exclusion event", "funnelFromStep": 0, "funnelToStep": 2}],
            **funnels_filter,
        },
    }


def test_unordered_funnel_keeps_an_excluded_person_at_step_one(client, owner_client, world):
    capture_events(client, world.team, UNORDERED_EXCLUSION_EVENTS)
    results = run_query(owner_client, world.team.id, unordered_funnel()).json()["results"]
    assert [step["count"] for step in results] == [2, 1, 1]


def test_unordered_funnel_trend_with_an_exclusion_converts_half(client, owner_client, world):
    capture_events(client, world.team, UNORDERED_EXCLUSION_EVENTS)
    query = unordered_funnel(funnelVizType="trends", funnelToStep=1)
    results = run_query(owner_client, world.team.id, query).json()["results"]
    assert len(results) == 1
    assert results[0]["data"] == [50.0]


def test_first_tag_is_a_change_from_an_empty_list():
    assert changes_between("Insight", {"tags": []}, {"tags": ["a"]}) == [
        {"type": "Insight", "action": "changed", "field": "tags", "before": [], "after": ["a"]}
    ]
    assert changes_between("Insight", {"tags": ["a"]}, {"tags": []}) == [
        {"type": "Insight", "action": "changed", "field": "tags", "before": ["a"], "after": []}
    ]


def test_property_filter_without_type_is_an_event_filter(client, owner_client, world):
    capture_events(
        client,
        world.team,
        [
            ("$pageview", "u1", {"$browser": "Chrome"}, "2024-03-01T10:00:00Z"),
            ("$pageview", "u2", {"$browser": "Safari"}, "2024-03-01T10:00:00Z"),
        ],
    )
    query = {
        "kind": "TrendsQuery",
        "series": [{"kind": "EventsNode", "event": "$pageview", "math": "total"}],
        "dateRange": {"date_from": "2024-03-01", "date_to": "2024-03-01"},
        "properties": [{"key": "$browser", "value": "Chrome", "operator": "exact"}],
    }
    response = run_query(owner_client, world.team.id, query)
    assert response.status_code == 200, response.json()
    assert response.json()["results"][0]["count"] == 1


def test_histogram_bin_labels_print_whole_numbers_without_a_fraction():
    assert bin_label(10.0, 20.0) == "[10,20]"
    assert bin_label(2.0, 4.666666) == "[2,4.67]"
