"""The persons behind a data point of stickiness, lifecycle, retention, paths and funnels are exactly the persons
counted in it, checked against the chart and against a Python model of the captured events."""

from datetime import date, timedelta

import pytest

from tests.actors_helpers import DAYS, RANGE, actor_names, actors, capture_world, insight
from tests.query_helpers import capture_events, run_query

pytestmark = pytest.mark.usefixtures("clickhouse")
PAGEVIEWS = [{"kind": "EventsNode", "event": "$pageview"}]


@pytest.fixture
def model(client, world):
    return capture_world(client, world)


def point(source: dict, **fields) -> dict:
    return {"kind": "InsightActorsQuery", "source": source, **fields}


def test_stickiness_actors_of_n_days_are_the_persons_active_n_days(owner_client, world, model):
    source = {"kind": "StickinessQuery", "series": PAGEVIEWS, "dateRange": RANGE}
    data = insight(owner_client, world.team.id, source)["results"][0]["data"]
    days = model.days_of("$pageview")
    for n in range(1, len(DAYS) + 1):
        result = actors(owner_client, world.team.id, point(source, day=n))
        assert len(result["results"]) == data[n - 1]
        assert actor_names(result) == {person for person, active in days.items() if len(active) == n}


def test_lifecycle_actors_of_each_status_and_day_match_the_chart(owner_client, world, model):
    source = {"kind": "LifecycleQuery", "series": PAGEVIEWS, "dateRange": RANGE, "interval": "day"}
    results = insight(owner_client, world.team.id, source)["results"]
    days = model.days_of("$pageview")
    for row in results:
        for index, day in enumerate(DAYS):
            result = actors(owner_client, world.team.id, point(source, day=day, status=row["status"]))
            assert len(result["results"]) == abs(row["data"][index]), (row["status"], day)
            previous = (date.fromisoformat(day) - timedelta(days=1)).isoformat()
            if row["status"] == "returning":
                expected = {p for p, active in days.items() if day in active and previous in active}
                assert actor_names(result) == expected
            if row["status"] == "dormant":
                expected = {p for p, active in days.items() if previous in active and day not in active}
                assert actor_names(result) == expected


def test_retention_actors_of_a_cohort_row_with_their_appearances(owner_client, world, model):
    source = {"kind": "RetentionQuery", "dateRange": RANGE, "retentionFilter": {"period": "Day", "totalIntervals": 5}}
    results = insight(owner_client, world.team.id, source)["results"]
    days = model.days_of("$pageview")
    for interval, row in enumerate(results):
        start = date.fromisoformat(row["date"][:10])
        result = actors(owner_client, world.team.id, point(source, interval=interval),
                        select=["person", "appearances", "day_0", "day_1"])  # fmt: skip
        assert len(result["results"]) == row["values"][0]["count"]
        expected = {}
        for person, active in days.items():
            offsets = sorted((date.fromisoformat(d) - start).days for d in active)
            if 0 in offsets:
                expected[person] = [o for o in offsets if 0 <= o < 5]
        got = {actor_names({"results": [r]}).pop(): r for r in result["results"]}
        assert set(got) == set(expected)
        for person, r in got.items():
            assert r[1] == expected[person]
            assert (r[2], r[3]) == (0 in expected[person], 1 in expected[person])
        for index, value in enumerate(row["values"]):
            returning = [p for p, offsets in expected.items() if index in offsets]
            assert value["count"] == len(returning)


PATH_EVENTS = [
    ("$pageview", "alice", {"$current_url": "/home"}, "2024-01-06T10:00:00Z"),
    ("$pageview", "alice", {"$current_url": "/pricing"}, "2024-01-06T10:05:00Z"),
    ("$pageview", "alice", {"$current_url": "/signup"}, "2024-01-06T10:10:00Z"),
    ("$pageview", "bob", {"$current_url": "/home"}, "2024-01-06T10:00:00Z"),
    ("$pageview", "bob", {"$current_url": "/pricing"}, "2024-01-06T10:02:00Z"),
    ("$pageview", "anon", {"$current_url": "/home"}, "2024-01-06T10:00:00Z"),
    ("$pageview", "user", {"$current_url": "/docs"}, "2024-01-06T10:03:00Z"),
    ("$pageview", "carol", {"$current_url": "/home"}, "2024-01-06T11:00:00Z"),
]


def test_paths_actors_of_an_edge_a_node_and_a_drop_off(client, owner_client, world, model):
    capture_events(client, world.team, PATH_EVENTS)
    base = {"kind": "PathsQuery", "dateRange": {"date_from": "2024-01-06", "date_to": "2024-01-06"},
            "pathsFilter": {"includeEventTypes": ["$pageview"]}}  # fmt: skip
    edges = {(e["source"], e["target"]): e["value"] for e in insight(owner_client, world.team.id, base)["results"]}
    assert edges == {("1_/home", "2_/pricing"): 2, ("2_/pricing", "3_/signup"): 1, ("1_/home", "2_/docs"): 1}

    def who(**keys) -> set[str]:
        source = {**base, "pathsFilter": {**base["pathsFilter"], **keys}}
        return actor_names(actors(owner_client, world.team.id, point(source)))

    assert who(pathStartKey="1_/home", pathEndKey="2_/pricing") == {"alice", "bob"}
    assert who(pathStartKey="2_/pricing") == {"alice"}
    assert who(pathEndKey="2_/docs") == {"user"}
    assert who(pathDropoffKey="2_/pricing") == {"bob"}
    assert who() == {"alice", "bob", "user"}


FUNNEL = {
    "kind": "FunnelsQuery",
    "series": [{"kind": "EventsNode", "event": e} for e in ("$pageview", "signup", "purchase")],
    "dateRange": RANGE,
}


def steps_reached(model) -> dict[str, int]:
    """Greedy ordered funnel in Python: each person's furthest step within 14 days of its first step."""
    names = [node["event"] for node in FUNNEL["series"]]
    best = {}
    for person in {p for _, p, _, _ in model.events}:
        events = sorted((when, name) for name, p, _, when in model.events if p == person)
        furthest = 0
        for index, (when, name) in enumerate(events):
            if name != names[0]:
                continue
            step, last = 1, when
            for later, other in events[index + 1 :]:
                if step < len(names) and other == names[step] and later >= last:
                    step, last = step + 1, later
            furthest = max(furthest, step)
        if furthest:
            best[person] = furthest
    return best


def funnel_actors(owner_client, world, source=FUNNEL, **fields) -> set[str]:
    node = {"kind": "FunnelsActorsQuery", "source": source, **fields}
    return actor_names(actors(owner_client, world.team.id, node))


def test_funnel_actors_of_converted_and_dropped_steps(owner_client, world, model):
    counts = [step["count"] for step in insight(owner_client, world.team.id, FUNNEL)["results"]]
    reached = steps_reached(model)
    for step in (1, 2, 3):
        converted = funnel_actors(owner_client, world, funnelStep=step)
        assert len(converted) == counts[step - 1]
        assert converted == {p for p, n in reached.items() if n >= step}
    for step in (2, 3):
        dropped = funnel_actors(owner_client, world, funnelStep=-step)
        assert dropped == {p for p, n in reached.items() if n == step - 1}
        assert len(dropped) == counts[step - 2] - counts[step - 1]
    assert funnel_actors(owner_client, world, funnelCustomSteps=[2]) == {p for p, n in reached.items() if n == 2}
    response = run_query(owner_client, world.team.id, {"kind": "ActorsQuery", "source": {"kind": "FunnelsActorsQuery",
                         "source": FUNNEL}})  # fmt: skip
    assert response.status_code == 400
    assert response.json()["detail"] == "Missing both funnelStep and funnelCustomSteps"


def test_funnel_actors_of_a_breakdown_value(owner_client, world, model):
    source = {**FUNNEL, "breakdownFilter": {"breakdown": "$browser", "breakdown_type": "event"}}
    results = insight(owner_client, world.team.id, source)["results"]
    for steps in results:
        value = steps[0]["breakdown_value"]
        for index, step in enumerate(steps):
            found = funnel_actors(owner_client, world, source, funnelStep=index + 1, funnelStepBreakdown=value)
            assert len(found) == step["count"], (value, index)
    assert funnel_actors(owner_client, world, source, funnelStep=1, funnelStepBreakdown=["Chrome"]) == {"alice"}


def test_funnel_trends_actors_of_an_entrance_period(owner_client, world, model):
    source = {**FUNNEL, "funnelsFilter": {"funnelVizType": "trends"}}
    converted = funnel_actors(owner_client, world, source, funnelTrendsDropOff=False,
                              funnelTrendsEntrancePeriodStart="2024-01-01")  # fmt: skip
    reached = steps_reached(model)
    first_day = {p for p in reached if "2024-01-01" in model.days_of("$pageview")[p]}
    assert converted == {p for p in first_day if reached[p] == 3}
    dropped = funnel_actors(owner_client, world, source, funnelTrendsDropOff=True,
                            funnelTrendsEntrancePeriodStart="2024-01-01")  # fmt: skip
    assert dropped == first_day - converted


def test_funnel_actors_options_list_the_baseline_and_each_breakdown_value(owner_client, world, model):
    source = {**FUNNEL, "breakdownFilter": {"breakdown": "$browser", "breakdown_type": "event"}}
    node = {"kind": "InsightActorsQueryOptions", "source": {"kind": "FunnelsActorsQuery", "source": source}}
    options = run_query(owner_client, world.team.id, node).json()
    assert options["breakdown"][0] == {"label": "Baseline", "value": None}
    assert {"label": "Chrome", "value": ["Chrome"]} in options["breakdown"]


@pytest.mark.parametrize("compare_filter", [{"compare": True}, {"compare": True, "compare_to": "-5d"}])
def test_funnel_actors_of_the_previous_period_of_a_compare(owner_client, world, model, compare_filter):
    """The range after the events compared with the one before: `compare: "previous"` lists the persons of the
    earlier period (PostHog's funnel actors), the current side nobody."""
    later = {
        **FUNNEL,
        "dateRange": {"date_from": "2024-01-06", "date_to": "2024-01-10"},
        "compareFilter": compare_filter,
    }
    reached = steps_reached(model)
    for step in (1, 2, 3):
        previous = funnel_actors(owner_client, world, later, funnelStep=step, compare="previous")
        assert previous == {p for p, n in reached.items() if n >= step}
        assert funnel_actors(owner_client, world, later, funnelStep=step, compare="current") == set()
        assert funnel_actors(owner_client, world, later, funnelStep=step) == set()
    dropped = funnel_actors(owner_client, world, later, funnelStep=-3, compare="previous")
    assert dropped == {p for p, n in reached.items() if n == 2}
    trends = {**later, "funnelsFilter": {"funnelVizType": "trends"}}
    converted = funnel_actors(owner_client, world, trends, funnelTrendsDropOff=False, compare="previous",
                              funnelTrendsEntrancePeriodStart="2024-01-01")  # fmt: skip
    first_day = {p for p in reached if "2024-01-01" in model.days_of("$pageview")[p]}
    assert converted == {p for p in first_day if reached[p] == 3}
    # Without a compare on the insight, `compare: "previous"` changes nothing (as for trends).
    plain = {**later, "compareFilter": None}
    assert funnel_actors(owner_client, world, plain, funnelStep=1, compare="previous") == set()
    options_node = {"kind": "InsightActorsQueryOptions", "source": {"kind": "FunnelsActorsQuery", "source": later}}
    options = run_query(owner_client, world.team.id, options_node).json()
    assert options["compare"] == [{"label": "Current", "value": "current"}, {"label": "Previous", "value": "previous"}]
    trends_options = {"kind": "InsightActorsQueryOptions", "source": {"kind": "FunnelsActorsQuery", "source": trends}}
    assert run_query(owner_client, world.team.id, trends_options).json()["compare"] is None
