"""POST /query/ with an InsightVizNode-wrapped PathsQuery: edges checked against a computation in Python."""

import random
import re
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest

from queries.person_overrides import has_person_overrides
from tests.query_helpers import capture_events, run_query

pytestmark = pytest.mark.usefixtures("clickhouse")

DATE_FROM, DATE_TO = "2024-03-01", "2024-03-03"
START = datetime(2024, 3, 1, 8, tzinfo=UTC)
URLS = [
    "https://shop.test/",
    "https://shop.test/pricing/",
    "https://shop.test/product/17",
    "https://shop.test/product/42/",
    "https://shop.test/cart",
    "https://shop.test/checkout",
    "https://shop.test/blog/hello",
]
SCREENS = ["Home", "Settings", "Profile"]
CUSTOM = ["signed_up", "purchase", "invite_sent"]


def generated_events() -> list[tuple[str, str, dict, str]]:
    """Twelve persons browsing over two days: repeated pages, gaps of 30+ minutes, screens and custom events."""
    rng = random.Random(7)
    events = []
    for number in range(12):
        distinct_id = f"person-{number}"
        moment = START + timedelta(minutes=rng.randint(0, 600))
        for _ in range(rng.randint(6, 18)):
            moment += timedelta(
                seconds=rng.choice([5, 30, 90, 400, 1799, 1800, 4000]), milliseconds=rng.randint(0, 999)
            )
            kind = rng.random()
            if kind < 0.65:
                url = rng.choice(URLS[:3]) if rng.random() < 0.4 else rng.choice(URLS)
                events.append(("$pageview", distinct_id, {"$current_url": url}, moment.isoformat()))
            elif kind < 0.8:
                events.append(("$screen", distinct_id, {"$screen_name": rng.choice(SCREENS)}, moment.isoformat()))
            elif kind < 0.95:
                events.append((rng.choice(CUSTOM), distinct_id, {}, moment.isoformat()))
            else:
                events.append(("$autocapture", distinct_id, {}, moment.isoformat()))
    return events


HAND_EVENTS = [
    # a person merged from two distinct ids: one path across both.
    ("$pageview", "anon-1", {"$current_url": "https://shop.test/"}, "2024-03-02T10:00:00+00:00"),
    ("$pageview", "anon-1", {"$current_url": "https://shop.test/pricing"}, "2024-03-02T10:01:00+00:00"),
    ("$identify", "user-1", {"$anon_distinct_id": "anon-1"}, "2024-03-02T10:01:30+00:00"),
    ("$pageview", "user-1", {"$current_url": "https://shop.test/cart"}, "2024-03-02T10:02:00+00:00"),
    ("$pageview", "user-1", {"$current_url": "https://shop.test/checkout"}, "2024-03-02T10:03:00+00:00"),
    # a test account and an event outside the range.
    (
        "$pageview",
        "tester",
        {"$current_url": "https://shop.test/", "email": "qa@posthog.com"},
        "2024-03-02T11:00:00+00:00",
    ),
    (
        "$pageview",
        "tester",
        {"$current_url": "https://shop.test/cart", "email": "qa@posthog.com"},
        "2024-03-02T11:00:05+00:00",
    ),
    ("$pageview", "late", {"$current_url": "https://shop.test/"}, "2024-03-04T00:00:01+00:00"),
    ("$pageview", "late", {"$current_url": "https://shop.test/cart"}, "2024-03-04T00:00:02+00:00"),
]
EVENTS = generated_events() + HAND_EVENTS
MERGED = {"anon-1": "user-1"}


def raw_item(name: str, props: dict, types: list[str], excluded: list[str]) -> str:
    """Without event types every kind is read its own way unless excluded (PostHog's rule)."""
    if ("$screen" in types or not types and "$screen" not in excluded) and name == "$screen":
        return props.get("$screen_name") or ""
    if ("$pageview" in types or not types and "$pageview" not in excluded) and name == "$pageview":
        url = props.get("$current_url") or ""
        return url[:-1] if len(url) > 1 and url.endswith("/") else url
    return name


def type_matches(name: str, types: list[str]) -> bool:
    if not types:
        return True
    return (
        ("$pageview" in types and name == "$pageview")
        or ("$screen" in types and name == "$screen")
        or ("custom_event" in types and not name.startswith("$"))
    )


def cut_session(items: list, start: str | None, end: str | None, limit: int) -> list | None:
    """Spec §3.13 steps 3-4 over one collapsed session of (item, seconds); None when the session is dropped."""
    names = [item for item, _ in items]
    if start and end:
        if start not in names:
            return None
        items = items[names.index(start) :]
        names = [item for item, _ in items]
        if end not in names:
            return None
        items = items[: names.index(end) + 1]
        if len(items) > limit:
            half = limit // 2
            items = items[:half] + [("...", items[half][1])] + (items[-half:] if half else [])
        return items
    if start:
        return items[names.index(start) :][:limit] if start in names else None
    if end:
        return items[: names.index(end) + 1][-limit:] if end in names else None
    return items[:limit]


def expected_paths(events, filters: dict, test_filter=False) -> list[dict]:
    """Edges computed directly from spec §3.13 and §2.5."""
    types = filters.get("includeEventTypes") or []
    rules = [(r["regex"], r["alias"]) for r in filters.get("localPathCleaningFilters", [])]
    groupings = filters.get("pathGroupings", [])
    lower, upper = datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 3, 3, 23, 59, 59, 999999, tzinfo=UTC)
    per_person = defaultdict(list)
    for name, distinct_id, props, ts in events:
        moment = datetime.fromisoformat(ts)
        if not lower <= moment <= upper or not type_matches(name, types):
            continue
        if test_filter and props.get("email", "").endswith("@posthog.com"):
            continue
        item = raw_item(name, props, types, filters.get("excludeEvents", []))
        for regex, alias in rules:
            item = re.sub(regex, alias, item)
        for grouping in groupings:
            if re.search(re.escape(grouping).replace("\\*", ".*"), item):
                item = grouping
                break
        if types and item in filters.get("excludeEvents", []):
            continue
        per_person[MERGED.get(distinct_id, distinct_id)].append((moment.timestamp(), item))
    start, end = filters.get("startPoint"), filters.get("endPoint")
    start = start[:-1] if start and len(start) > 1 and start.endswith("/") else start
    end = end[:-1] if end and len(end) > 1 and end.endswith("/") else end
    transitions = defaultdict(list)
    for pairs in per_person.values():
        pairs.sort()
        sessions, previous = [], None
        for seconds, item in pairs:
            if previous is None or seconds - previous >= 1800:
                sessions.append([])
            sessions[-1].append((item, seconds))
            previous = seconds
        for session in sessions:
            following = [item for item, _ in session[1:]] + [""]
            collapsed = [step for step, after in zip(session, following, strict=True) if step[0] != after]
            steps = cut_session(collapsed, start, end, filters.get("stepLimit") or 5)
            for index in range(1, len(steps or [])):
                (before, t0), (after, t1) = steps[index - 1], steps[index]
                transitions[(f"{index}_{before}", f"{index + 1}_{after}")].append(t1 - t0)
    rows = [(source, target, len(times), sum(times) / len(times)) for (source, target), times in transitions.items()]
    if filters.get("minEdgeWeight"):
        rows = [row for row in rows if row[2] >= filters["minEdgeWeight"]]
    if filters.get("maxEdgeWeight"):
        rows = [row for row in rows if row[2] <= filters["maxEdgeWeight"]]
    rows = sorted(rows, key=lambda row: (-row[2], row[0], row[1]))[: filters.get("edgeLimit") or 50]
    reached, frontier = set(), {row[0] for row in rows if row[0].startswith("1_")}
    while frontier:
        reached |= frontier
        frontier = {row[1] for row in rows if row[0] in frontier} - reached
    return [
        {"source": s, "target": t, "value": v, "average_conversion_time": avg * 1000}
        for s, t, v, avg in rows
        if s in reached
    ]


def paths(client, team_id, filters: dict, **fields) -> dict:
    source = {"kind": "PathsQuery", "pathsFilter": filters, **fields}
    source.setdefault("dateRange", {"date_from": DATE_FROM, "date_to": DATE_TO})
    response = run_query(client, team_id, {"kind": "InsightVizNode", "source": source}, refresh="force_blocking")
    assert response.status_code == 200, response.json()
    return response.json()


def assert_same_edges(actual: list[dict], expected: list[dict]) -> None:
    assert [(e["source"], e["target"], e["value"]) for e in actual] == [
        (e["source"], e["target"], e["value"]) for e in expected
    ]
    for got, want in zip(actual, expected, strict=True):
        assert got["average_conversion_time"] == pytest.approx(want["average_conversion_time"], abs=1e-3)


@pytest.fixture
def data(client, world):
    # The $identify arrives after both ids have persons of their own: a merge applied at query time (overrides).
    capture_events(client, world.team, [event for event in EVENTS if event[0] != "$identify"])
    capture_events(client, world.team, [event for event in EVENTS if event[0] == "$identify"])
    mallory = [
        ("$pageview", "mallory", {"$current_url": f"https://shop.test/mallory-{n}"}, f"2024-03-02T10:00:0{n}Z")
        for n in range(3)
    ]
    capture_events(client, world.other_team, mallory)


CASES = {
    "pageviews": {"includeEventTypes": ["$pageview"]},
    "screens": {"includeEventTypes": ["$screen"]},
    "custom events": {"includeEventTypes": ["custom_event"]},
    "all types": {},
    "pageviews and custom events": {"includeEventTypes": ["$pageview", "custom_event"]},
    "start point": {"includeEventTypes": ["$pageview"], "startPoint": "https://shop.test/pricing/"},
    "end point": {"includeEventTypes": ["$pageview"], "endPoint": "https://shop.test/cart"},
    "start and end point": {
        "includeEventTypes": ["$pageview"],
        "startPoint": "https://shop.test",
        "endPoint": "https://shop.test/checkout",
        "stepLimit": 5,
    },
    "start and end point, short limit": {
        "includeEventTypes": ["$pageview"],
        "startPoint": "https://shop.test",
        "endPoint": "https://shop.test/cart",
        "stepLimit": 3,
    },
    "start and end point, even limit": {
        "includeEventTypes": ["$pageview", "$screen"],
        "startPoint": "https://shop.test",
        "endPoint": "https://shop.test/cart/",
        "stepLimit": 4,
    },
    "end point with a trailing slash": {"includeEventTypes": ["$pageview"], "endPoint": "https://shop.test/pricing/"},
    "step limit": {"includeEventTypes": ["$pageview"], "stepLimit": 2},
    "long step limit": {"includeEventTypes": ["$pageview", "$screen"], "stepLimit": 10},
    "edge limit": {"includeEventTypes": ["$pageview"], "edgeLimit": 4},
    "min edge weight": {"includeEventTypes": ["$pageview"], "minEdgeWeight": 2},
    "max edge weight": {"includeEventTypes": ["$pageview"], "maxEdgeWeight": 1},
    "min and max edge weight": {"includeEventTypes": ["$pageview", "$screen"], "minEdgeWeight": 2, "maxEdgeWeight": 3},
    "cleaning rules": {
        "includeEventTypes": ["$pageview"],
        "localPathCleaningFilters": [
            {"regex": "/product/\\d+", "alias": "/product/:id"},
            {"regex": "^https://shop\\.test", "alias": ""},
        ],
    },
    "excluded events": {
        "includeEventTypes": ["$pageview", "custom_event"],
        "excludeEvents": ["purchase", "https://shop.test/cart"],
    },
    "excluded events need event types": {"excludeEvents": ["purchase", "$screen"], "stepLimit": 3},
    "path groupings": {"includeEventTypes": ["$pageview"], "pathGroupings": ["*/product/*", "*/blog*"]},
}


@pytest.mark.parametrize("filters", CASES.values(), ids=CASES.keys())
def test_paths_edges_match_python(owner_client, world, data, filters):
    response = paths(owner_client, world.team.id, filters)
    expected = expected_paths(EVENTS, filters)
    assert expected, "the case should produce edges"
    assert_same_edges(response["results"], expected)


def test_paths_merged_person_is_one_path_and_other_projects_are_excluded(owner_client, world, data):
    assert has_person_overrides(world.team.id)  # the merge is applied at query time
    results = paths(
        owner_client, world.team.id, {"includeEventTypes": ["$pageview"], "startPoint": "https://shop.test/pricing"}
    )
    edges = {(e["source"], e["target"]): e for e in results["results"]}
    # anon-1's pricing page leads on to user-1's cart: one person, one session.
    cart = edges[("1_https://shop.test/pricing", "2_https://shop.test/cart")]
    expected = [
        e
        for e in expected_paths(EVENTS, {"includeEventTypes": ["$pageview"], "startPoint": "https://shop.test/pricing"})
        if e["source"] == "1_https://shop.test/pricing" and e["target"] == "2_https://shop.test/cart"
    ]
    assert cart["value"] == expected[0]["value"] >= 1
    assert ("2_https://shop.test/cart", "3_https://shop.test/checkout") in edges
    # mallory's pageviews belong to the other project.
    everything = paths(owner_client, world.team.id, {"includeEventTypes": ["$pageview"], "edgeLimit": 1000})
    assert not any("mallory" in e["source"] + e["target"] for e in everything["results"])


def test_paths_outsider_cannot_query_the_project(outsider_client, world, data):
    source = {"kind": "PathsQuery", "pathsFilter": {"includeEventTypes": ["$pageview"]}}
    response = run_query(outsider_client, world.team.id, {"kind": "InsightVizNode", "source": source})
    assert response.status_code in (403, 404)


HAND_MADE = [
    # one session with a repeated page (the later one stays), then a gap of 38 minutes starts another.
    ("$pageview", "h1", {"$current_url": "/a"}, "2024-03-01T10:00:00+00:00"),
    ("$pageview", "h1", {"$current_url": "/a/"}, "2024-03-01T10:00:10+00:00"),
    ("$pageview", "h1", {"$current_url": "/b/"}, "2024-03-01T10:00:40+00:00"),
    ("$pageview", "h1", {"$current_url": "/c"}, "2024-03-01T10:01:40+00:00"),
    ("$pageview", "h1", {"$current_url": "/a"}, "2024-03-01T10:40:00+00:00"),
    ("$pageview", "h1", {"$current_url": "/b"}, "2024-03-01T10:40:30.500+00:00"),
    # exactly 30 minutes apart: a new session, so no edge from /x.
    ("$pageview", "h2", {"$current_url": "/x"}, "2024-03-01T12:00:00+00:00"),
    ("$pageview", "h2", {"$current_url": "/y"}, "2024-03-01T12:30:00+00:00"),
    # $session_id plays no part: a new id a minute later is the same path.
    ("$pageview", "h4", {"$current_url": "/p", "$session_id": "s-1"}, "2024-03-01T15:00:00+00:00"),
    ("$pageview", "h4", {"$current_url": "/q", "$session_id": "s-2"}, "2024-03-01T15:01:00+00:00"),
    # six steps eight seconds apart for the start/end elision.
    *[("$pageview", "h3", {"$current_url": f"/s{n}"}, f"2024-03-02T09:00:{n * 8:02d}+00:00") for n in range(1, 7)],
]


def test_paths_collapse_sessions_and_times_by_hand(owner_client, world, client):
    capture_events(client, world.team, HAND_MADE)
    results = paths(owner_client, world.team.id, {"includeEventTypes": ["$pageview"], "edgeLimit": 4})["results"]
    assert results == [
        {"source": "1_/a", "target": "2_/b", "value": 2, "average_conversion_time": pytest.approx(30250.0)},
        {"source": "1_/p", "target": "2_/q", "value": 1, "average_conversion_time": pytest.approx(60000.0)},
        {"source": "1_/s1", "target": "2_/s2", "value": 1, "average_conversion_time": pytest.approx(8000.0)},
        {"source": "2_/b", "target": "3_/c", "value": 1, "average_conversion_time": pytest.approx(60000.0)},
    ]


def test_paths_start_and_end_point_elide_the_middle(owner_client, world, client):
    capture_events(client, world.team, HAND_MADE)
    filters = {"includeEventTypes": ["$pageview"], "startPoint": "/s2/", "endPoint": "/s6", "stepLimit": 3}
    results = paths(owner_client, world.team.id, filters)["results"]
    assert [(e["source"], e["target"], e["value"], e["average_conversion_time"]) for e in results] == [
        ("1_/s2", "2_...", 1, pytest.approx(8000.0)),
        ("2_...", "3_/s6", 1, pytest.approx(24000.0)),
    ]
    # the end point alone keeps the last steps up to it.
    results = paths(
        owner_client, world.team.id, {"includeEventTypes": ["$pageview"], "endPoint": "/s4", "stepLimit": 2}
    )
    assert [(e["source"], e["target"]) for e in results["results"]] == [("1_/s3", "2_/s4")]


def test_paths_filter_test_accounts_and_properties(owner_client, world, data):
    world.team.test_account_filters = [
        {"key": "email", "type": "event", "operator": "not_icontains", "value": "@posthog.com"}
    ]
    world.team.save()
    filters = {"includeEventTypes": ["$pageview"], "startPoint": "https://shop.test"}
    with_testers = paths(owner_client, world.team.id, filters)["results"]
    without = paths(owner_client, world.team.id, filters, filterTestAccounts=True)["results"]
    assert_same_edges(with_testers, expected_paths(EVENTS, filters))
    assert_same_edges(without, expected_paths(EVENTS, filters, test_filter=True))
    assert with_testers != without
    only_testers = paths(
        owner_client,
        world.team.id,
        filters,
        properties=[{"key": "email", "type": "event", "operator": "exact", "value": "qa@posthog.com"}],
    )["results"]
    assert [(e["source"], e["target"], e["value"]) for e in only_testers] == [
        ("1_https://shop.test", "2_https://shop.test/cart", 1)
    ]


def test_paths_hogql_items_and_project_cleaning_rules(owner_client, world, data):
    hogql = {"includeEventTypes": ["hogql"], "pathsHogQLExpression": "concat(event, '!')", "stepLimit": 3}
    results = paths(owner_client, world.team.id, hogql)["results"]
    # every event counts, read through the expression: the same as paths over the events renamed in Python.
    renamed = [(name + "!", distinct_id, {}, ts) for name, distinct_id, _, ts in EVENTS]
    assert_same_edges(results, expected_paths(renamed, {"stepLimit": 3}))
    assert any(e["source"] == "1_$pageview!" for e in results)

    rule = {"regex": "/product/\\d+", "alias": "/product/:id"}
    world.team.path_cleaning_filters = [rule, {"alias": "no regex: skipped"}, "not a rule"]
    world.team.save()
    filters = {"includeEventTypes": ["$pageview"], "pathReplacements": True}
    cleaned = paths(owner_client, world.team.id, filters)["results"]
    reference = {**filters, "localPathCleaningFilters": [rule]}
    assert_same_edges(cleaned, expected_paths(EVENTS, reference))
    assert any("/product/:id" in e["target"] for e in cleaned)
    # without pathReplacements the project's rules are not applied.
    raw = paths(owner_client, world.team.id, {"includeEventTypes": ["$pageview"]})["results"]
    assert not any(":id" in e["target"] for e in raw)


@pytest.mark.parametrize(
    ("filters", "fields", "message"),
    [
        ({"includeEventTypes": ["$pageview"], "localPathCleaningFilters": [{"regex": "(", "alias": "x"}]}, {}, "regex"),
        ({"includeEventTypes": ["hogql"], "pathsHogQLExpression": "nope(event"}, {}, ""),
        ({"includeEventTypes": ["$pageview"], "stepLimit": -1}, {}, "stepLimit"),
        ({"includeEventTypes": ["$pageview"], "edgeLimit": -5}, {}, "edgeLimit"),
        (
            {"includeEventTypes": ["$pageview"]},
            {
                "funnelPathsFilter": {
                    "funnelPathType": "funnel_path_after_step",
                    "funnelSource": {"kind": "FunnelsQuery", "series": []},
                }
            },
            "Funnel paths",
        ),
    ],
)
def test_paths_bad_input_answers_400(owner_client, world, filters, fields, message):
    source = {"kind": "PathsQuery", "pathsFilter": filters, **fields}
    response = run_query(
        owner_client, world.team.id, {"kind": "InsightVizNode", "source": source}, refresh="force_blocking"
    )
    assert response.status_code == 400, response.json()
    body = response.json()
    assert set(body) >= {"type", "code", "detail", "attr"}
    assert message in body["detail"]


def test_paths_date_range_bounds(owner_client, world, data):
    filters = {
        "includeEventTypes": ["$pageview"],
        "startPoint": "https://shop.test",
        "endPoint": "https://shop.test/cart",
    }
    edge = ("1_https://shop.test", "2_https://shop.test/cart")

    def count(**fields):
        results = paths(owner_client, world.team.id, filters, **fields)["results"]
        return {(e["source"], e["target"]): e["value"] for e in results}.get(edge, 0)

    in_range = count()
    assert in_range == next(e["value"] for e in expected_paths(EVENTS, filters) if (e["source"], e["target"]) == edge)
    # "late" browses just after the range ends: "all" includes them, a range ending on the 4th too.
    assert count(dateRange={"date_from": "all"}) == in_range + 1
    assert count(dateRange={"date_from": DATE_FROM, "date_to": "2024-03-04"}) == in_range + 1
    assert count(dateRange={"date_from": "2024-03-04", "date_to": "2024-03-05"}) == 1
