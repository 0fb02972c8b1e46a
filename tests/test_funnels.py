"""POST /query/ with FunnelsQuery steps: every number checked against a plain-Python funnel over the same events.

`reference_actor` below is written from the semantics in spec §3.9 (per step the latest path that reached it,
window from the entry, exclusions inside an unfinished path, strict resets, optional steps), independently of the
SQL. Tests with hand-counted numbers pin the tricky edges on top of that.
"""

import statistics
from collections import defaultdict
from datetime import UTC, datetime

import pytest

from tests.query_helpers import capture_events, run_query

pytestmark = pytest.mark.usefixtures("clickhouse")

DAY = 86400
RANGE = ("2024-01-01", "2024-01-20")


def at(day: int, hour: int = 0, minute: int = 0, second: int = 0) -> str:
    return datetime(2024, 1, day, hour, minute, second, tzinfo=UTC).isoformat().replace("+00:00", "Z")


# (event, distinct_id, properties, timestamp)
EVENTS = [
    # alice: a full pass, then a second, slower one.
    ("signup", "alice", {"$browser": "Chrome"}, at(2, 10)),
    ("view", "alice", {"$browser": "Chrome"}, at(2, 10, 5)),
    ("buy", "alice", {"$browser": "Firefox"}, at(2, 11)),
    ("signup", "alice", {"$browser": "Chrome"}, at(5, 9)),
    ("view", "alice", {"$browser": "Chrome"}, at(6, 9)),
    # bob: repeated entries, then the steps; the last entry before `view` is the one kept.
    ("signup", "bob", {"$browser": "Safari"}, at(3, 8)),
    ("signup", "bob", {"$browser": "Safari"}, at(3, 9)),
    ("signup", "bob", {"$browser": "Safari"}, at(3, 10)),
    ("view", "bob", {}, at(3, 10, 30)),
    ("cancel", "bob", {}, at(3, 10, 45)),
    ("buy", "bob", {}, at(3, 12)),
    # carol: view before signup only (ordered: 1 step; unordered: 2).
    ("view", "carol", {"$browser": "Chrome"}, at(4, 10)),
    ("signup", "carol", {"$browser": "Chrome"}, at(4, 11)),
    # dave: buy exactly 14 days after signup (inside the window), view in between.
    ("signup", "dave", {"$browser": "Firefox"}, at(1, 0)),
    ("view", "dave", {"$browser": "Firefox"}, at(7, 0)),
    ("buy", "dave", {"$browser": "Firefox"}, at(15, 0)),
    # erin: buy one second past 14 days.
    ("signup", "erin", {}, at(1, 12)),
    ("view", "erin", {}, at(2, 12)),
    ("buy", "erin", {}, at(15, 12, 0, 1)),
    # frank: interleaved noise, then a strict pass on a later day.
    ("signup", "frank", {"$browser": "Edge"}, at(8, 10)),
    ("noise", "frank", {}, at(8, 10, 1)),
    ("view", "frank", {"$browser": "Edge"}, at(8, 10, 2)),
    ("buy", "frank", {"$browser": "Edge"}, at(8, 10, 3)),
    ("signup", "frank", {"$browser": "Edge"}, at(9, 10)),
    ("view", "frank", {"$browser": "Edge"}, at(9, 10, 10)),
    ("buy", "frank", {"$browser": "Edge"}, at(9, 10, 30)),
    # anon-1 then user-1 after $identify: one person through the whole funnel.
    ("signup", "anon-1", {"$browser": "Chrome"}, at(10, 9)),
    ("$identify", "user-1", {"$anon_distinct_id": "anon-1"}, at(10, 9, 30)),
    ("view", "user-1", {}, at(10, 10)),
    ("buy", "user-1", {}, at(10, 13)),
    # gina: same timestamp for signup and view.
    ("signup", "gina", {"$browser": "Safari"}, at(11, 10)),
    ("view", "gina", {"$browser": "Safari"}, at(11, 10)),
    ("cancel", "gina", {}, at(11, 12)),
    ("buy", "gina", {"$browser": "Safari"}, at(12, 10)),
    # hank: skips view (optional step), buys.
    ("signup", "hank", {"$browser": "Chrome"}, at(12, 8)),
    ("buy", "hank", {"$browser": "Chrome"}, at(12, 9)),
    # ivan: cancels before view (an exclusion between steps 0 and 1).
    ("signup", "ivan", {"$browser": "Firefox"}, at(13, 8)),
    ("cancel", "ivan", {}, at(13, 8, 30)),
    ("view", "ivan", {"$browser": "Firefox"}, at(13, 9)),
    ("buy", "ivan", {"$browser": "Firefox"}, at(13, 10)),
    # outside the range
    ("signup", "zed", {}, "2023-12-31T23:59:59Z"),
    ("view", "zed", {}, at(21, 0, 0, 1)),
]
MERGED = {"anon-1": "user-1"}
STEPS = ["signup", "view", "buy"]


def seconds(timestamp: str) -> float:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()


def in_range(timestamp: str) -> bool:
    moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    return datetime(2024, 1, 1, tzinfo=UTC) <= moment <= datetime(2024, 1, 20, 23, 59, 59, 999999, tzinfo=UTC)


# ---- the reference -----------------------------------------------------------------------------------------


def reference_actor(events, steps, window, order="ordered", exclusions=(), optional=frozenset(), step_filter=None):
    """The furthest path (step timestamps, -1 for a skipped optional step) of one actor, or None if excluded.

    `events`: (ts, event, props) sorted by time; `exclusions`: (event, from_step, to_step);
    `step_filter(step, props)` may veto a step match (step breakdown attribution, entrance periods).
    """

    def matches(name, props):
        found = {i for i, step in enumerate(steps) if step is None or step == name}
        return {i for i in found if step_filter is None or step_filter(i, props)}

    if order == "unordered":
        return reference_unordered(events, steps, window, exclusions)
    paths: list = [None] * len(steps)
    best: list = []
    ordered_events = sorted(events, key=lambda e: (e[0], min(matches(e[1], e[2]) or {99})))
    for ts, name, props in ordered_events:
        matched = matches(name, props)
        interrupts = set()
        if not matched:
            for excluded, low, high in exclusions:
                if name == excluded:
                    interrupts |= set(range(low + 1, high + 1))
        for step in interrupts:
            source = paths[step - 1]
            if source and ts - source[0] <= window and not (paths[step] and paths[step][0] == source[0]):
                return None
        new = list(paths)
        for step in sorted(matched, reverse=True):
            if step == 0:
                if not (paths[0] and paths[0][0] == ts):
                    new[0] = [ts]
                continue
            sources = [step - 1]
            while sources[-1] > 0 and sources[-1] in optional:
                sources.append(sources[-1] - 1)
            for source_step in sources:
                source = paths[source_step]
                if source and ts - source[0] <= window and not (paths[step] and paths[step][0] == source[0]):
                    new[step] = source + [-1] * (step - 1 - source_step) + [ts]
                    break
        if order == "strict":
            new = [path if step in matched else None for step, path in enumerate(new)]
        furthest = max((len(p) for p in paths if p), default=0)
        if furthest > len(best):
            best = paths[furthest - 1]
        paths = new
        if paths[-1]:
            break
    furthest = max((len(p) for p in paths if p), default=0)
    if furthest > len(best):
        best = paths[furthest - 1]
    return best


def reference_unordered(events, steps, window, exclusions):
    best: list = []
    step_events = [(ts, name) for ts, name, _ in events if name in steps]
    for opening, _ in step_events:
        firsts = []
        for step in steps:
            times = [ts for ts, name in step_events if name == step and opening <= ts <= opening + window]
            if times:
                firsts.append(min(times))
        path = sorted(firsts)
        if len(path) > len(best):
            best = path
    excluded_names = {name for name, _, _ in exclusions}
    if len(best) > 1 and any(n in excluded_names and best[0] <= ts <= best[-1] for ts, n, _ in events):
        return None
    return best


def per_actor_events(events=EVENTS, include_identify=False):
    actors = defaultdict(list)
    for name, distinct_id, props, timestamp in events:
        if in_range(timestamp) and (include_identify or name != "$identify"):
            actors[MERGED.get(distinct_id, distinct_id)].append((seconds(timestamp), name, props))
    return actors


def summarize(paths: list, steps: int) -> list[dict]:
    """Step counts and conversion times (avg, median over times > 0) of the furthest paths."""
    result = []
    for i in range(steps):
        reached = [p for p in paths if len(p) > i and p[i] >= 0]
        times = []
        if i:
            for p in reached:
                previous = max(t for t in p[:i] if t >= 0)
                if p[i] - previous > 0:
                    times.append(p[i] - previous)
        result.append(
            {
                "count": len(reached),
                "average_conversion_time": statistics.mean(times) if times else None,
                "median_conversion_time": statistics.median(times) if times else None,
            }
        )
    return result


def expected_steps(steps=STEPS, window=14 * DAY, order="ordered", exclusions=(), optional=frozenset()):
    paths = []
    # Strict funnels see every event of the actor, $identify included.
    for events in per_actor_events(include_identify=order == "strict").values():
        path = reference_actor(events, steps, window, order, exclusions, optional)
        if path:
            paths.append(path)
    return summarize(paths, len(steps))


def observed(steps: list[dict]) -> list[dict]:
    return [{k: step[k] for k in ("count", "average_conversion_time", "median_conversion_time")} for step in steps]


def assert_same(actual: list[dict], expected: list[dict]) -> None:
    assert [s["count"] for s in actual] == [s["count"] for s in expected]
    for got, want in zip(actual, expected, strict=True):
        for key in ("average_conversion_time", "median_conversion_time"):
            assert got[key] == pytest.approx(want[key]) if want[key] is not None else got[key] is None


# ---- the API -------------------------------------------------------------------------------------------------


def funnel(client, team_id, steps=STEPS, status=200, **fields):
    source = {"kind": "FunnelsQuery", "series": [{"kind": "EventsNode", "event": s} for s in steps], **fields}
    source.setdefault("dateRange", {"date_from": RANGE[0], "date_to": RANGE[1]})
    response = run_query(client, team_id, {"kind": "InsightVizNode", "source": source}, refresh="force_blocking")
    assert response.status_code == status, response.json()
    return response.json()


@pytest.fixture
def data(client, world):
    capture_events(client, world.team, EVENTS)
    capture_events(client, world.other_team, [("signup", "mallory", {}, at(2)), ("view", "mallory", {}, at(2, 1))])


def test_funnel_steps_shape_and_counts(owner_client, world, data):
    body = funnel(owner_client, world.team.id)
    results = body["results"]
    # Hand count: erin buys a second too late; carol and hank never view.
    assert [step["count"] for step in results] == [10, 8, 7]
    assert results[0] == {
        "action_id": "signup",
        "name": "signup",
        "custom_name": None,
        "order": 0,
        "people": [],
        "count": 10,
        "type": "events",
        "average_conversion_time": None,
        "median_conversion_time": None,
    }
    assert [step["action_id"] for step in results] == STEPS
    assert [step["order"] for step in results] == [0, 1, 2]
    assert_same(results, expected_steps())
    assert body["is_cached"] is False


def test_funnel_window_edge_counts_the_event_exactly_at_the_limit(owner_client, world, data):
    results = funnel(owner_client, world.team.id)["results"]
    # dave buys exactly 14 days after his signup: counted; erin one second later: not.
    paths = {a: reference_actor(e, STEPS, 14 * DAY) for a, e in per_actor_events().items()}
    assert len(paths["dave"]) == 3 and len(paths["erin"]) == 2
    assert results[2]["count"] == expected_steps()[2]["count"]
    one_second_more = funnel(
        owner_client,
        world.team.id,
        funnelsFilter={"funnelWindowInterval": 1209601, "funnelWindowIntervalUnit": "second"},
    )["results"]
    assert one_second_more[2]["count"] == results[2]["count"] + 1


@pytest.mark.parametrize(
    ("interval", "unit"),
    [(1, "hour"), (90, "minute"), (1, "day"), (2, "day"), (1, "week"), (1, "month"), (3600, "second")],
)
def test_funnel_window_units(owner_client, world, data, interval, unit):
    seconds_per = {"second": 1, "minute": 60, "hour": 3600, "day": DAY, "week": 7 * DAY, "month": 31 * DAY}
    window = interval * seconds_per[unit]
    filters = {"funnelWindowInterval": interval, "funnelWindowIntervalUnit": unit}
    results = funnel(owner_client, world.team.id, funnelsFilter=filters)["results"]
    assert_same(results, expected_steps(window=window))


def test_funnel_repeated_entries_keep_the_latest(owner_client, world, data):
    results = funnel(owner_client, world.team.id, steps=["signup", "view"])["results"]
    # bob's third signup (10:00) is the entry: 30 minutes to view, not 2h30.
    bob = reference_actor(per_actor_events()["bob"], ["signup", "view"], 14 * DAY)
    assert bob[1] - bob[0] == 1800
    assert_same(results, expected_steps(steps=["signup", "view"]))


def test_funnel_same_event_in_two_steps_needs_two_events(owner_client, world, data):
    steps = ["signup", "signup"]
    results = funnel(owner_client, world.team.id, steps=steps)["results"]
    # alice and bob signed up more than once; one event never counts for two steps.
    assert [s["count"] for s in results] == [10, 3]
    assert_same(results, expected_steps(steps=steps))


def test_funnel_strict_order_breaks_on_any_other_event(owner_client, world, data):
    results = funnel(owner_client, world.team.id, funnelsFilter={"funnelOrderType": "strict"})["results"]
    expected = expected_steps(order="strict")
    # frank's first pass has noise between signup and view; his second is clean.
    frank = reference_actor(
        [(seconds(t), n, p) for n, d, p, t in EVENTS if d == "frank"], STEPS, 14 * DAY, order="strict"
    )
    assert frank[0] == seconds(at(9, 10))
    assert_same(results, expected)
    # user-1's $identify falls between signup and view: strict stops the merged person at signup.
    assert [s["count"] for s in results] == [10, 6, 3]


def test_funnel_strict_with_all_event_kinds_in_between(owner_client, world, data):
    # bob's `cancel` sits between view and buy: strict stops him at view.
    results = funnel(owner_client, world.team.id, funnelsFilter={"funnelOrderType": "strict"})["results"]
    bob = reference_actor(per_actor_events()["bob"], STEPS, 14 * DAY, order="strict")
    assert len(bob) == 2
    assert results[2]["count"] < funnel(owner_client, world.team.id)["results"][2]["count"]


def test_funnel_unordered_counts_steps_in_any_order(owner_client, world, data):
    results = funnel(owner_client, world.team.id, funnelsFilter={"funnelOrderType": "unordered"})["results"]
    assert [s["name"] for s in results] == ["Completed 1 step", "Completed 2 steps", "Completed 3 steps"]
    assert all(s["action_id"] is None for s in results)
    assert_same(results, expected_steps(order="unordered"))
    # carol viewed before signing up, hank bought without viewing: two steps here, one when ordered.
    assert results[1]["count"] == funnel(owner_client, world.team.id)["results"][1]["count"] + 2


@pytest.mark.parametrize(
    ("exclusion", "low", "high"),
    [("cancel", 0, 1), ("cancel", 1, 2), ("cancel", 0, 2), ("noise", 0, 1)],
)
def test_funnel_exclusions_drop_actors_inside_the_range(owner_client, world, data, exclusion, low, high):
    exclusions = [{"kind": "EventsNode", "event": exclusion, "funnelFromStep": low, "funnelToStep": high}]
    results = funnel(owner_client, world.team.id, funnelsFilter={"exclusions": exclusions})["results"]
    assert_same(results, expected_steps(exclusions=[(exclusion, low, high)]))


def test_funnel_exclusion_hand_counted(owner_client, world, data):
    exclusions = [{"kind": "EventsNode", "event": "cancel", "funnelFromStep": 0, "funnelToStep": 1}]
    results = funnel(owner_client, world.team.id, funnelsFilter={"exclusions": exclusions})["results"]
    # ivan cancels between signup and view: gone. bob and gina cancel after view: they stay.
    assert [s["count"] for s in results] == [9, 7, 6]


def test_funnel_optional_step(owner_client, world, data):
    series = [
        {"kind": "EventsNode", "event": "signup"},
        {"kind": "EventsNode", "event": "view", "optionalInFunnel": True},
        {"kind": "EventsNode", "event": "buy"},
    ]
    source = {"kind": "FunnelsQuery", "series": series, "dateRange": {"date_from": RANGE[0], "date_to": RANGE[1]}}
    response = run_query(
        owner_client, world.team.id, {"kind": "InsightVizNode", "source": source}, refresh="force_blocking"
    )
    assert response.status_code == 200, response.json()
    results = response.json()["results"]
    expected = expected_steps(optional={1})
    # hank bought without viewing: he counts at buy but not at view.
    assert results[2]["count"] == funnel(owner_client, world.team.id)["results"][2]["count"] + 1
    assert_same(results, expected)


def test_funnel_person_merge_counts_once(owner_client, world, data):
    results = funnel(owner_client, world.team.id, steps=["signup", "buy"])["results"]
    # anon-1 signed up, user-1 bought: the merged person converts (and is counted once at step 0).
    assert_same(results, expected_steps(steps=["signup", "buy"]))
    persons_with_signup = {MERGED.get(d, d) for n, d, _, t in EVENTS if n == "signup" and in_range(t)}
    assert results[0]["count"] == len(persons_with_signup)


def test_funnel_event_and_global_properties(owner_client, world, data):
    chrome = {"key": "$browser", "value": "Chrome", "operator": "exact", "type": "event"}
    series = [
        {"kind": "EventsNode", "event": "signup", "properties": [chrome]},
        {"kind": "EventsNode", "event": "view"},
    ]
    source = {"kind": "FunnelsQuery", "series": series, "dateRange": {"date_from": RANGE[0], "date_to": RANGE[1]}}
    body = run_query(
        owner_client, world.team.id, {"kind": "InsightVizNode", "source": source}, refresh="force_blocking"
    ).json()
    chrome_signups = [(n, d, p, t) for n, d, p, t in EVENTS if n != "signup" or p.get("$browser") == "Chrome"]
    paths = []
    for events in per_actor_events(chrome_signups).values():
        path = reference_actor(events, ["signup", "view"], 14 * DAY)
        if path:
            paths.append(path)
    assert_same(body["results"], summarize(paths, 2))
    not_safari = {"key": "$browser", "value": "Safari", "operator": "is_not", "type": "event"}
    body = funnel(owner_client, world.team.id, steps=["signup", "view"], properties=[not_safari])
    kept = [(n, d, p, t) for n, d, p, t in EVENTS if p.get("$browser") != "Safari"]
    paths = [p for e in per_actor_events(kept).values() if (p := reference_actor(e, ["signup", "view"], 14 * DAY))]
    assert_same(body["results"], summarize(paths, 2))


def test_funnel_conversion_times_hand_counted(owner_client, world, data):
    results = funnel(
        owner_client, world.team.id, steps=["signup", "view"], dateRange={"date_from": at(3), "date_to": at(4, 23)}
    )["results"]
    # In range: bob (10:00 -> 10:30, 1800 s) and carol (view before signup: no conversion).
    assert [s["count"] for s in results] == [2, 1]
    assert results[1]["average_conversion_time"] == 1800.0
    assert results[1]["median_conversion_time"] == 1800.0


def test_funnel_all_events_step(owner_client, world, data):
    steps = ["signup", None]
    body = funnel(owner_client, world.team.id, steps=steps)
    assert [s["name"] for s in body["results"]] == ["signup", "All events"]
    assert body["results"][1]["action_id"] is None
    # "All events" matches any event, $identify and a later signup included (never the entering event itself).
    paths = []
    for events in per_actor_events(include_identify=True).values():
        path = reference_actor(events, steps, 14 * DAY)
        if path:
            paths.append(path)
    assert_same(body["results"], summarize(paths, 2))


def test_funnel_other_projects_do_not_leak(owner_client, outsider_client, world, data):
    results = funnel(owner_client, world.team.id)["results"]
    assert results[0]["count"] == expected_steps()[0]["count"]
    # mallory's events live in the other project: its funnel sees only her.
    assert [s["count"] for s in funnel(outsider_client, world.other_team.id)["results"]] == [1, 1, 0]
    source = {"kind": "FunnelsQuery", "series": [{"kind": "EventsNode", "event": s} for s in STEPS]}
    assert run_query(owner_client, world.other_team.id, source).status_code in (403, 404)


def test_funnel_aggregated_by_hogql_distinct_id(owner_client, world, data):
    filters = {"funnelAggregateByHogQL": "distinct_id"}
    results = funnel(owner_client, world.team.id, steps=["signup", "view"], funnelsFilter=filters)["results"]
    # By distinct id the merge does not apply: anon-1 signed up, user-1 viewed; they count apart.
    by_distinct_id = defaultdict(list)
    for name, distinct_id, props, timestamp in EVENTS:
        if in_range(timestamp) and name != "$identify":
            by_distinct_id[distinct_id].append((seconds(timestamp), name, props))
    paths = [p for e in by_distinct_id.values() if (p := reference_actor(e, ["signup", "view"], 14 * DAY))]
    assert_same(results, summarize(paths, 2))
    assert (
        results[1]["count"] == funnel(owner_client, world.team.id, steps=["signup", "view"])["results"][1]["count"] - 1
    )


GROUP_EVENTS = [
    # acme: two people make one pass (u1 signs up, u2 views and buys); u5's later view starts nothing new.
    ("signup", "u1", {"$group_0": "acme"}, at(2, 10)),
    ("view", "u2", {"$group_0": "acme"}, at(3, 10)),
    ("buy", "u2", {"$group_0": "acme"}, at(3, 11)),
    ("view", "u5", {"$group_0": "acme"}, at(4, 10)),
    # globex: signs up and views, but the view comes after the window.
    ("signup", "u3", {"$group_0": "globex"}, at(2, 10)),
    ("view", "u3", {"$group_0": "globex"}, at(17, 10)),
    # initech only in group type 1; u4 has no group at all: neither is an actor of group type 0.
    ("signup", "u6", {"$group_1": "initech"}, at(2, 10)),
    ("view", "u6", {"$group_1": "initech"}, at(2, 11)),
    ("signup", "u4", {}, at(2, 10)),
]


def test_funnel_aggregated_by_group(owner_client, world, client):
    capture_events(client, world.team, GROUP_EVENTS)
    by_group = defaultdict(list)
    for name, _distinct_id, props, timestamp in GROUP_EVENTS:
        if props.get("$group_0"):
            by_group[props["$group_0"]].append((seconds(timestamp), name, props))
    paths = [p for e in by_group.values() if (p := reference_actor(e, STEPS, 14 * DAY))]
    results = funnel(owner_client, world.team.id, aggregation_group_type_index=0)["results"]
    assert_same(results, summarize(paths, 3))
    assert [step["count"] for step in results] == [2, 1, 1]  # acme converts as a group, globex stops at signup
    by_type_1 = funnel(owner_client, world.team.id, aggregation_group_type_index=1)["results"]
    assert [step["count"] for step in by_type_1] == [1, 1, 0]
    funnel(owner_client, world.team.id, status=400, aggregation_group_type_index=5)


def test_funnel_date_from_all_reaches_back_to_the_first_event(owner_client, world, data):
    results = funnel(owner_client, world.team.id, steps=["signup", "view"], dateRange={"date_from": "all"})["results"]
    # zed signed up on Dec 31st and viewed on Jan 21st: outside the 14-day window, but counted at step 0.
    assert results[0]["count"] == expected_steps(steps=["signup", "view"])[0]["count"] + 1
