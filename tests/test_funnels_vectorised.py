"""The vectorised funnel evaluations (queries/runners/funnels/vectorised.py) against the fold they replace.

Each query runs twice over the same random events through POST /query/, once on its vectorised path and once on
the fold (sequence.py), and the results must be identical: strict and unordered funnels, ordered funnels with
exclusions and funnel trends, with breakdowns, windows short enough to cut paths, repeated events, steps sharing
events and equal timestamps.
"""

import random
from datetime import UTC, datetime, timedelta

import pytest

from queries.runners.funnels import query_builder
from queries.runners.funnels.query_builder import FunnelQueryBuilder
from tests.query_helpers import capture_events, run_query

pytestmark = pytest.mark.usefixtures("clickhouse")

NAMES = ["a", "b", "c", "d", "x", "y"]
START = datetime(2024, 1, 2, tzinfo=UTC)


def random_events(seed: int, people: int = 40) -> list[tuple]:
    rng = random.Random(seed)
    events = []
    for person in range(people):
        moment = START + timedelta(hours=rng.randrange(0, 48))
        for _ in range(rng.randrange(1, 25)):
            # Mostly minutes apart, sometimes at the same second, sometimes days apart.
            gap = rng.choice([0, 0, 1, 5, 30, 60, 600, 3600, 86400, 3 * 86400])
            moment += timedelta(seconds=gap, milliseconds=rng.choice([0, 0, 0, 250]))
            name = rng.choices(NAMES, weights=[5, 4, 3, 1, 2, 1])[0]
            props = {"$browser": rng.choice(["Chrome", "Firefox", ""])} if rng.random() < 0.8 else {}
            stamp = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
            events.append((name, f"p{person}", props, stamp))
    return events


@pytest.fixture
def random_data(client, world):
    capture_events(client, world.team, random_events(11) + random_events(12, people=30))


def run(client, team_id, source: dict, vectorised: bool, monkeypatch) -> dict:
    monkeypatch.setattr(query_builder, "VECTORISED", vectorised)
    source = {"dateRange": {"date_from": "2024-01-01", "date_to": "2024-01-12"}, **source}
    response = run_query(client, team_id, {"kind": "InsightVizNode", "source": source}, refresh="force_blocking")
    assert response.status_code == 200, response.json()
    return response.json()


def series(*names) -> list[dict]:
    return [{"kind": "EventsNode", "event": name} for name in names]


def exclusion(name: str, from_step: int, to_step: int) -> dict:
    return {"kind": "EventsNode", "event": name, "funnelFromStep": from_step, "funnelToStep": to_step}


BROWSER = {"breakdown": "$browser", "breakdown_type": "event"}
CASES = {
    "strict": ({"funnelOrderType": "strict"}, series("a", "b", "c"), None),
    "strict short window": (
        {"funnelOrderType": "strict", "funnelWindowInterval": 2, "funnelWindowIntervalUnit": "minute"},
        series("a", "b", "c", "d"),
        None,
    ),
    "strict by distinct id": (
        {"funnelOrderType": "strict", "funnelAggregateByHogQL": "distinct_id"},
        series("a", "b"),
        None,
    ),
    "strict two steps": ({"funnelOrderType": "strict"}, series("b", "a"), None),
    "strict exclusions": (
        {"funnelOrderType": "strict", "exclusions": [exclusion("x", 0, 1), exclusion("y", 1, 2)]},
        series("a", "b", "c"),
        None,
    ),
    "strict breakdown": (
        {"funnelOrderType": "strict", "breakdownAttributionType": "last_touch"},
        series("a", "b"),
        BROWSER,
    ),
    "strict time to convert": (
        {"funnelOrderType": "strict", "funnelVizType": "time_to_convert", "funnelToStep": 1},
        series("a", "b", "c"),
        None,
    ),
    "strict shared events": ({"funnelOrderType": "strict"}, series("a", "a"), None),
    "strict shared events three steps": ({"funnelOrderType": "strict"}, series("a", "b", "a"), None),
    "strict shared events any event": (
        {"funnelOrderType": "strict", "funnelWindowInterval": 1, "funnelWindowIntervalUnit": "hour"},
        [*series("a"), {"kind": "EventsNode"}, *series("b")],
        None,
    ),
    "strict shared events exclusions": (
        {"funnelOrderType": "strict", "exclusions": [exclusion("x", 0, 1), exclusion("y", 1, 2)]},
        series("a", "a", "b"),
        None,
    ),
    "strict shared events breakdown": (
        {"funnelOrderType": "strict", "breakdownAttributionType": "all_events"},
        series("a", "a"),
        BROWSER,
    ),
    "strict shared events time to convert": (
        {"funnelOrderType": "strict", "funnelVizType": "time_to_convert"},
        series("b", "a", "a"),
        None,
    ),
    "exclusions": ({"exclusions": [exclusion("x", 0, 1)]}, series("a", "b", "c"), None),
    "exclusions wide": (
        {"exclusions": [exclusion("x", 0, 2), exclusion("y", 1, 3)], "funnelWindowInterval": 3},
        series("a", "b", "c", "d"),
        None,
    ),
    "exclusions short window": (
        {"exclusions": [exclusion("x", 1, 2)], "funnelWindowInterval": 90, "funnelWindowIntervalUnit": "minute"},
        series("a", "b", "c"),
        None,
    ),
    "exclusions repeated step": ({"exclusions": [exclusion("x", 0, 2)]}, series("a", "b", "a"), None),
    "exclusions any event": (
        {"exclusions": [exclusion("x", 1, 2)], "funnelWindowInterval": 1},
        [*series("a"), {"kind": "EventsNode"}, *series("c")],
        None,
    ),
    "exclusions by distinct id": (
        {"exclusions": [exclusion("x", 0, 1)], "funnelAggregateByHogQL": "distinct_id"},
        series("a", "b", "c"),
        None,
    ),
    "all events attribution": ({"breakdownAttributionType": "all_events"}, series("a", "b", "c"), BROWSER),
    "all events attribution strict": (
        {"breakdownAttributionType": "all_events", "funnelOrderType": "strict"},
        series("a", "b"),
        BROWSER,
    ),
    "all events attribution exclusions": (
        {"breakdownAttributionType": "all_events", "exclusions": [exclusion("x", 0, 1)]},
        series("a", "b", "c"),
        BROWSER,
    ),
    "step attribution": (
        {"breakdownAttributionType": "step", "breakdownAttributionValue": 1},
        series("a", "b", "c"),
        BROWSER,
    ),
    "step attribution repeated step": (
        {"breakdownAttributionType": "step", "breakdownAttributionValue": 2, "funnelWindowInterval": 1},
        series("a", "b", "a"),
        BROWSER,
    ),
    "step attribution time to convert": (
        {"breakdownAttributionType": "step", "breakdownAttributionValue": 0, "funnelVizType": "time_to_convert"},
        series("a", "b", "c"),
        BROWSER,
    ),
    "exclusions breakdown": ({"exclusions": [exclusion("y", 0, 1)]}, series("a", "b", "c"), BROWSER),
    "exclusions time to convert": (
        {"exclusions": [exclusion("x", 0, 1)], "funnelVizType": "time_to_convert"},
        series("a", "b", "c"),
        None,
    ),
    "unordered": ({"funnelOrderType": "unordered"}, series("a", "b", "c"), None),
    "unordered short window": (
        {"funnelOrderType": "unordered", "funnelWindowInterval": 10, "funnelWindowIntervalUnit": "minute"},
        series("a", "b", "c", "d"),
        None,
    ),
    "unordered exclusions": (
        {"funnelOrderType": "unordered", "exclusions": [exclusion("x", 0, 2)], "funnelWindowInterval": 1},
        series("a", "b", "c"),
        None,
    ),
    "unordered repeated step": ({"funnelOrderType": "unordered"}, series("a", "b", "a"), None),
    "unordered breakdown": ({"funnelOrderType": "unordered"}, series("a", "b", "c"), BROWSER),
    "unordered time to convert": (
        {"funnelOrderType": "unordered", "funnelVizType": "time_to_convert"},
        series("a", "b", "c"),
        None,
    ),
    "trends": ({"funnelVizType": "trends"}, series("a", "b", "c"), None),
    "trends short window": (
        {"funnelVizType": "trends", "funnelWindowInterval": 2, "funnelWindowIntervalUnit": "hour"},
        series("a", "b", "c", "d"),
        None,
    ),
    "trends repeated step": ({"funnelVizType": "trends", "funnelToStep": 1}, series("a", "a", "b"), None),
    "trends any event": ({"funnelVizType": "trends"}, [*series("a"), {"kind": "EventsNode"}, *series("c")], None),
    "strict trends": ({"funnelVizType": "trends", "funnelOrderType": "strict"}, series("a", "b", "c"), None),
    "strict trends short window": (
        {
            "funnelVizType": "trends",
            "funnelOrderType": "strict",
            "funnelWindowInterval": 3,
            "funnelWindowIntervalUnit": "minute",
            "funnelToStep": 1,
        },
        series("a", "b", "c"),
        None,
    ),
    "strict trends breakdown": (
        {"funnelVizType": "trends", "funnelOrderType": "strict"},
        series("b", "a"),
        BROWSER,
    ),
    "trends breakdown": (
        {"funnelVizType": "trends", "breakdownAttributionType": "first_touch"},
        series("a", "b"),
        BROWSER,
    ),
    "trends exclusions": (
        {"funnelVizType": "trends", "exclusions": [exclusion("x", 0, 1), exclusion("y", 1, 2)]},
        series("a", "b", "c"),
        None,
    ),
    "trends exclusions short window": (
        {
            "funnelVizType": "trends",
            "exclusions": [exclusion("x", 0, 2)],
            "funnelWindowInterval": 3,
            "funnelWindowIntervalUnit": "hour",
        },
        series("a", "b", "c"),
        None,
    ),
    "trends exclusions repeated step": (
        {"funnelVizType": "trends", "exclusions": [exclusion("x", 0, 2)], "funnelToStep": 2},
        series("a", "b", "a"),
        None,
    ),
    "trends exclusions breakdown": (
        {"funnelVizType": "trends", "exclusions": [exclusion("y", 0, 1)], "breakdownAttributionType": "last_touch"},
        series("a", "b"),
        BROWSER,
    ),
    "trends exclusions weekly from step 1": (
        {"funnelVizType": "trends", "exclusions": [exclusion("x", 1, 2)], "funnelFromStep": 1, "funnelToStep": 2},
        series("a", "b", "c"),
        None,
    ),
    "unordered trends": ({"funnelVizType": "trends", "funnelOrderType": "unordered"}, series("a", "b", "c"), None),
    "unordered trends short window": (
        {
            "funnelVizType": "trends",
            "funnelOrderType": "unordered",
            "funnelWindowInterval": 2,
            "funnelWindowIntervalUnit": "hour",
        },
        series("a", "b", "c"),
        None,
    ),
    "unordered trends exclusions": (
        {"funnelVizType": "trends", "funnelOrderType": "unordered", "exclusions": [exclusion("x", 0, 2)]},
        series("a", "b", "c"),
        None,
    ),
    "unordered trends breakdown": (
        {"funnelVizType": "trends", "funnelOrderType": "unordered", "breakdownAttributionType": "first_touch"},
        series("a", "b"),
        BROWSER,
    ),
    "trends weekly from step 1": (
        {"funnelVizType": "trends", "funnelFromStep": 1, "funnelToStep": 2},
        series("a", "b", "c"),
        None,
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_vectorised_path_equals_the_fold(owner_client, world, random_data, monkeypatch, case):
    filters, steps, breakdown = CASES[case]
    source = {"kind": "FunnelsQuery", "series": steps, "funnelsFilter": filters}
    if breakdown:
        source["breakdownFilter"] = breakdown
    if filters.get("funnelVizType") == "trends":
        source["interval"] = "hour" if "short" in case else "week" if "weekly" in case else "day"
    fast = run(owner_client, world.team.id, source, True, monkeypatch)
    slow = run(owner_client, world.team.id, source, False, monkeypatch)
    # The vectorised paths pack events with microsecond times; the fold (and unordered's windows) do not.
    assert "arrayFold" not in fast["hogql"] and "toUnixTimestamp64Micro" in fast["hogql"]
    assert "toUnixTimestamp64Micro" not in slow["hogql"]
    assert fast["results"] == slow["results"]
    assert counted(fast["results"]), "the random events should reach the funnel"


def counted(results) -> bool:
    """Some actor was counted (steps, breakdown steps, trends series or time-to-convert bins)."""
    if isinstance(results, dict):
        return any(count for _, count in results["bins"])
    flat = [item for group in results for item in (group if isinstance(group, list) else [group])]
    return any(item.get("count") or any(item.get("data") or []) for item in flat)


def test_vectorised_paths_are_picked_only_where_they_hold():
    def kind(filters: dict, steps: list[dict], breakdown=None, viz: str = "steps") -> str | None:
        from types import SimpleNamespace

        from queries.schema.insight_filters import FunnelsFilter
        from queries.schema.insights import FunnelsQuery

        node = FunnelsQuery.model_validate(
            {"kind": "FunnelsQuery", "series": steps, "funnelsFilter": filters, "breakdownFilter": breakdown}
        )
        node = node.model_copy(update={"funnelsFilter": node.funnelsFilter or FunnelsFilter()})
        team = SimpleNamespace(timezone="UTC", test_account_filters=[], week_start_day=0)
        return FunnelQueryBuilder(node, team, None, viz).vector_kind

    assert kind({}, series("a", "b")) is None  # the plain ordered path (greedy.py)
    assert kind({"funnelOrderType": "strict"}, series("a", "b")) == "strict"
    assert kind({"funnelOrderType": "strict"}, series("a", "a")) == "strict_shared"
    assert kind({"exclusions": [exclusion("x", 0, 1)]}, series("a", "b")) == "ordered"
    assert kind({"funnelOrderType": "unordered", "exclusions": [exclusion("x", 0, 1)]}, series("a", "b")) == "unordered"
    unordered_trends = {"funnelOrderType": "unordered", "funnelVizType": "trends"}
    assert kind(unordered_trends, series("a", "b"), viz="trends") == "period_unordered"
    assert kind({"funnelVizType": "trends"}, series("a", "b"), viz="trends") == "trends"
    assert kind({"exclusions": [exclusion("x", 0, 1)]}, series("a", "b"), viz="trends") == "period_ordered"
    strict_exclusions = {"funnelOrderType": "strict", "exclusions": [exclusion("x", 0, 1)]}
    assert kind(strict_exclusions, series("a", "b"), viz="trends") is None
    assert kind({"funnelOrderType": "strict", "funnelVizType": "trends"}, series("a", "b"), viz="trends") == (
        "strict_trends"
    )
    assert kind({"funnelOrderType": "strict", "funnelVizType": "trends"}, series("a", "a"), viz="trends") is None
    assert kind({"exclusions": [exclusion("x", 0, 1)]}, series("a", "b", "a")) == "ordered"
    assert kind({"funnelVizType": "trends"}, [*series("a"), {"kind": "EventsNode"}], viz="trends") == "trends"
    all_events = {"funnelOrderType": "strict", "breakdownAttributionType": "all_events"}
    assert kind(all_events, series("a", "b"), BROWSER) == "strict"
    assert kind({"breakdownAttributionType": "step"}, series("a", "b"), BROWSER) == "ordered"
    assert kind({"funnelOrderType": "strict", "breakdownAttributionType": "step"}, series("a", "b"), BROWSER) is None
    assert kind({"funnelOrderType": "unordered", "breakdownAttributionType": "step"}, series("a", "b"), BROWSER) is None
    assert kind({"exclusions": [exclusion("x", 0, 1)]}, series(*"abcdefgh")) is None  # too many bits to pack


def test_fold_keeps_repeats_that_move_a_path_further(owner_client, world, client, monkeypatch):
    # `b` is steps 2 and 3: the first `b` moves the path to step 2, the repeat to step 3 (the fold used to drop
    # repeats of a step mask, which is only right when the mask has no two consecutive steps).
    capture_events(
        client,
        world.team,
        [
            ("a", "q1", {}, "2024-01-03T10:00:00Z"),
            ("b", "q1", {}, "2024-01-03T10:01:00Z"),
            ("b", "q1", {}, "2024-01-03T10:03:00Z"),
            ("a", "q2", {}, "2024-01-03T10:00:00Z"),
            ("b", "q2", {}, "2024-01-03T10:01:00Z"),
        ],
    )
    for order in ("strict", "ordered"):
        source = {"kind": "FunnelsQuery", "series": series("a", "b", "b"), "funnelsFilter": {"funnelOrderType": order}}
        for vectorised in (True, False):
            steps = run(owner_client, world.team.id, source, vectorised, monkeypatch)["results"]
            assert [step["count"] for step in steps] == [2, 2, 1], (order, vectorised)
            assert [step["average_conversion_time"] for step in steps] == [None, 60.0, 120.0]


def test_trends_exclusions_drop_actors_per_entrance_period(owner_client, world, random_data, monkeypatch):
    # The random events do hit the exclusions: without them the conversion rates differ (both ways: an excluded
    # actor leaves the entering and the converting counts).
    filters = {"funnelVizType": "trends", "exclusions": [exclusion("x", 0, 1), exclusion("y", 1, 2)]}
    source = {"kind": "FunnelsQuery", "series": series("a", "b", "c"), "funnelsFilter": filters, "interval": "day"}
    excluding = run(owner_client, world.team.id, source, True, monkeypatch)["results"][0]
    plain = {**source, "funnelsFilter": {"funnelVizType": "trends"}}
    including = run(owner_client, world.team.id, plain, True, monkeypatch)["results"][0]
    assert excluding["days"] == including["days"]
    assert excluding["data"] != including["data"]
