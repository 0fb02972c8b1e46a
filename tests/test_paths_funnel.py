"""POST /query/ with a PathsQuery carrying `funnelPathsFilter`: edges checked against a computation in Python."""

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from queries.hogql.execute import print_select
from queries.hogql.printer import PrintContext
from queries.runners.paths import PathsQueryRunner
from queries.runners.paths_funnel import window_seconds_from_2018
from queries.schema.insights import PathsQuery
from tests.query_helpers import capture_events, run_query

pytestmark = pytest.mark.usefixtures("clickhouse")

PATHS_RANGE = {"date_from": "2024-03-01", "date_to": "2024-03-10"}
FUNNEL_RANGE = {"date_from": "2024-03-01", "date_to": "2024-03-05"}
PATHS_BOUNDS = (datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 3, 10, 23, 59, 59, 999999, tzinfo=UTC))
FUNNEL_BOUNDS = (datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 3, 5, 23, 59, 59, 999999, tzinfo=UTC))
STEPS = ["signup", "purchase"]
WINDOW = timedelta(days=1)


def at(day: int, hour: int, minute: int = 0) -> str:
    return datetime(2024, 3, day, hour, minute, tzinfo=UTC).isoformat()


def pageview(distinct_id: str, path: str, moment: str) -> tuple:
    return ("$pageview", distinct_id, {"$current_url": path}, moment)


EVENTS = [
    # converted: pages before, between (two hours apart: one session only with the funnel window) and after.
    pageview("p1", "/a", at(2, 9)),
    pageview("p1", "/b", at(2, 9, 5)),
    ("signup", "p1", {"plan": "pro"}, at(2, 9, 10)),
    pageview("p1", "/c", at(2, 9, 15)),
    pageview("p1", "/d", at(2, 11, 15)),
    ("purchase", "p1", {}, at(2, 12)),
    pageview("p1", "/e", at(2, 12, 5)),
    pageview("p1", "/f", at(2, 14)),
    # converted too, other pages.
    pageview("p5", "/a", at(3, 8)),
    ("signup", "p5", {}, at(3, 8, 1)),
    pageview("p5", "/c", at(3, 8, 2)),
    pageview("p5", "/x", at(3, 8, 3)),
    ("purchase", "p5", {}, at(3, 9)),
    pageview("p5", "/e", at(3, 9, 30)),
    # dropped off: pages right after the signup, then more than a window later (a new session).
    pageview("p2", "/z", at(2, 9, 59)),
    pageview("p2", "/a", at(2, 10)),
    ("signup", "p2", {}, at(2, 10, 1)),
    pageview("p2", "/x", at(2, 10, 2)),
    pageview("p2", "/y", at(2, 10, 3)),
    pageview("p2", "/late1", at(4, 10, 30)),
    pageview("p2", "/late2", at(4, 10, 31)),
    # purchased after the window: a drop-off at step 2 as well.
    pageview("p4", "/b", at(2, 7)),
    ("signup", "p4", {}, at(2, 8)),
    pageview("p4", "/x", at(2, 9)),
    ("purchase", "p4", {}, at(4, 9)),
    pageview("p4", "/late1", at(4, 9, 30)),
    pageview("p4", "/late2", at(4, 9, 40)),
    # never in the funnel: contributes nothing.
    pageview("p3", "/a", at(2, 9)),
    pageview("p3", "/c", at(2, 9, 1)),
    pageview("p3", "/e", at(2, 9, 2)),
    # in the funnel only outside the funnel's own date range (its pages are inside the paths range).
    pageview("p6", "/a", at(7, 9)),
    ("signup", "p6", {}, at(7, 9, 1)),
    pageview("p6", "/c", at(7, 9, 2)),
    ("purchase", "p6", {}, at(7, 9, 3)),
    pageview("p6", "/e", at(7, 9, 4)),
    # one person under two distinct ids (merged after both exist): one funnel actor, one path.
    pageview("anon-7", "/a", at(3, 15)),
    ("signup", "anon-7", {}, at(3, 15, 1)),
    ("$identify", "user-7", {"$anon_distinct_id": "anon-7"}, at(3, 15, 2)),
    pageview("user-7", "/c", at(3, 15, 3)),
    ("purchase", "user-7", {}, at(3, 15, 4)),
    pageview("user-7", "/f", at(3, 15, 5)),
]
MERGED = {"anon-7": "user-7"}


def item(name: str, props: dict, types: list[str]) -> str | None:
    if name == "$pageview" and (not types or "$pageview" in types):
        return props["$current_url"]
    if not types or ("custom_event" in types and not name.startswith("$")):
        return name
    return None


def funnel_times(events: list) -> dict[str, list[datetime]]:
    """Per person, the times of the funnel steps reached (signup, then purchase within the window)."""
    per_person = defaultdict(list)
    for name, distinct_id, _, ts in events:
        moment = datetime.fromisoformat(ts)
        if name in STEPS and FUNNEL_BOUNDS[0] <= moment <= FUNNEL_BOUNDS[1]:
            per_person[MERGED.get(distinct_id, distinct_id)].append((moment, name))
    reached = {}
    for person, items in per_person.items():
        items.sort()
        best: list[datetime] = []
        for entry, name in items:
            if name != STEPS[0]:
                continue
            path = [entry]
            later = [m for m, n in items if n == STEPS[1] and entry < m <= entry + WINDOW]
            if later:
                path.append(later[0])
            if len(path) > len(best):
                best = path
        if best:
            reached[person] = best
    return reached


def expected(events: list, path_type: str, step: int, types: list[str], gap: timedelta = WINDOW) -> list[dict]:
    """Spec §3.13 (funnel part): the funnel's actors of `step`, their events around the step times, then paths."""
    actors = funnel_times(events)
    bounds = {}
    for person, times in actors.items():
        if not (step > 0 and len(times) >= step or step < 0 and len(times) == -step - 1):
            continue
        index = step - 1 if step > 0 else -step - 2
        target, previous = times[index], times[index - 1] if index > 0 else datetime(1970, 1, 1, tzinfo=UTC)
        if path_type == "funnel_path_before_step":
            bounds[person] = (datetime(1970, 1, 1, tzinfo=UTC), target)
        elif path_type == "funnel_path_between_steps":
            bounds[person] = (previous, target)
        else:
            bounds[person] = (target + (WINDOW if step < 0 else timedelta(0)), datetime(2100, 1, 1, tzinfo=UTC))
    per_person = defaultdict(list)
    for name, distinct_id, props, ts in events:
        person, moment = MERGED.get(distinct_id, distinct_id), datetime.fromisoformat(ts)
        path_item = item(name, props, types)
        if path_item is None or person not in bounds or not PATHS_BOUNDS[0] <= moment <= PATHS_BOUNDS[1]:
            continue
        if bounds[person][0] <= moment <= bounds[person][1]:
            per_person[person].append((moment, path_item))
    transitions = defaultdict(list)
    for pairs in per_person.values():
        pairs.sort()
        sessions, previous = [], None
        for moment, path_item in pairs:
            if previous is None or moment - previous >= gap:
                sessions.append([])
            sessions[-1].append((path_item, moment))
            previous = moment
        for session in sessions:
            following = [name for name, _ in session[1:]] + [""]
            collapsed = [pair for pair, after in zip(session, following, strict=True) if pair[0] != after][:5]
            for index in range(1, len(collapsed)):
                (before, t0), (after, t1) = collapsed[index - 1], collapsed[index]
                transitions[(f"{index}_{before}", f"{index + 1}_{after}")].append((t1 - t0).total_seconds())
    rows = sorted(
        ((s, t, len(times), sum(times) / len(times) * 1000) for (s, t), times in transitions.items()),
        key=lambda row: (-row[2], row[0], row[1]),
    )
    return [{"source": s, "target": t, "value": v, "average_conversion_time": avg} for s, t, v, avg in rows]


def funnel_source(**filters) -> dict:
    return {
        "kind": "FunnelsQuery",
        "series": [{"kind": "EventsNode", "event": name} for name in STEPS],
        "dateRange": FUNNEL_RANGE,
        "funnelsFilter": {"funnelWindowInterval": 1, "funnelWindowIntervalUnit": "day", **filters},
    }


def query(path_type: str | None, step: int | None, types=("$pageview",), source=None, **paths_filter) -> dict:
    funnel_paths = {"funnelSource": source or funnel_source()}
    if path_type is not None:
        funnel_paths["funnelPathType"] = path_type
    if step is not None:
        funnel_paths["funnelStep"] = step
    return {
        "kind": "PathsQuery",
        "pathsFilter": {"includeEventTypes": list(types), **paths_filter},
        "funnelPathsFilter": funnel_paths,
        "dateRange": PATHS_RANGE,
    }


def post(client, team_id, source: dict):
    return run_query(client, team_id, {"kind": "InsightVizNode", "source": source}, refresh="force_blocking")


def results(client, team_id, source: dict) -> list[dict]:
    response = post(client, team_id, source)
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def edges(rows: list[dict]) -> list[tuple]:
    return [(row["source"], row["target"], row["value"], round(row["average_conversion_time"], 3)) for row in rows]


@pytest.fixture
def data(client, world):
    capture_events(client, world.team, [event for event in EVENTS if event[0] != "$identify"])
    capture_events(client, world.team, [event for event in EVENTS if event[0] == "$identify"])


CASES = {
    "after step 1": ("funnel_path_after_step", 1, ["$pageview"]),
    "after step 2": ("funnel_path_after_step", 2, ["$pageview"]),
    "before step 2": ("funnel_path_before_step", 2, ["$pageview"]),
    "before step 1": ("funnel_path_before_step", 1, ["$pageview"]),
    "between steps 1 and 2": ("funnel_path_between_steps", 2, ["$pageview"]),
    "after a drop-off before step 2": ("funnel_path_after_step", -2, ["$pageview"]),
    "before a drop-off before step 2": ("funnel_path_before_step", -2, ["$pageview"]),
    "between, step events included": ("funnel_path_between_steps", 2, ["$pageview", "custom_event"]),
    "before, step events included": ("funnel_path_before_step", 2, ["$pageview", "custom_event"]),
    "after, step events included": ("funnel_path_after_step", 1, ["$pageview", "custom_event"]),
}


@pytest.mark.parametrize(("path_type", "step", "types"), CASES.values(), ids=CASES.keys())
def test_funnel_paths_match_python(owner_client, world, data, path_type, step, types):
    want = expected(EVENTS, path_type, step, types)
    assert want, "the case should produce edges"
    assert edges(results(owner_client, world.team.id, query(path_type, step, types))) == edges(want)


def test_funnel_paths_by_hand(owner_client, world, data):
    # between signup and purchase: p1 /c -> /d (two hours: one session in a one-day window), p5 /c -> /x, and
    # the merged person's single page makes no edge.
    rows = results(owner_client, world.team.id, query("funnel_path_between_steps", 2))
    assert edges(rows) == [("1_/c", "2_/d", 1, 7_200_000.0), ("1_/c", "2_/x", 1, 60_000.0)]
    # the drop-offs' pages a window after their signup: p2 and p4 (whose purchase came too late); p3 never signed
    # up and p6 only outside the funnel's range, though /a -> /c -> /e is inside the paths range for both.
    rows = results(owner_client, world.team.id, query("funnel_path_after_step", -2))
    assert edges(rows) == [("1_/late1", "2_/late2", 2, 330_000.0)]
    everything = results(owner_client, world.team.id, query("funnel_path_after_step", 1, ["$pageview", "custom_event"]))
    assert not any(row["source"] == "1_/a" and row["target"] == "2_/c" for row in everything)
    # the merged person: the signup under the anonymous id, then the pages under the identified one.
    merged = results(owner_client, world.team.id, query("funnel_path_after_step", 2, ["$pageview", "custom_event"]))
    assert ("1_purchase", "2_/f", 1, 60_000.0) in edges(merged)


def test_funnel_window_splits_sessions(owner_client, world, data):
    # a ten-minute window converts only user-7 (one page between the steps: no edge).
    day = edges(results(owner_client, world.team.id, query("funnel_path_before_step", 1)))
    assert day == edges(expected(EVENTS, "funnel_path_before_step", 1, ["$pageview"]))
    assert ("1_/a", "2_/b", 1, 300_000.0) in day
    source = funnel_source(funnelWindowInterval=10, funnelWindowIntervalUnit="minute")
    rows = results(owner_client, world.team.id, query("funnel_path_between_steps", 2, source=source))
    assert rows == []
    # 3 hours: p1's purchase is inside the window; /c -> /d (2h) one session, but /e -> /f (1h55) too.
    source = funnel_source(funnelWindowInterval=3, funnelWindowIntervalUnit="hour")
    rows = results(owner_client, world.team.id, query("funnel_path_after_step", 2, source=source))
    assert ("1_/e", "2_/f", 1, 6_900_000.0) in edges(rows)
    # the plain paths query splits at 30 minutes: no /e -> /f edge.
    plain = {"kind": "PathsQuery", "pathsFilter": {"includeEventTypes": ["$pageview"]}, "dateRange": PATHS_RANGE}
    assert not any(
        row["source"] == "1_/e" and row["target"] == "2_/f" for row in results(owner_client, world.team.id, plain)
    )


def test_funnel_paths_start_point_and_step_limit(owner_client, world, data):
    rows = results(owner_client, world.team.id, query("funnel_path_after_step", 1, startPoint="/c", stepLimit=2))
    assert edges(rows) == [
        ("1_/c", "2_/d", 1, 7_200_000.0),
        ("1_/c", "2_/f", 1, 120_000.0),
        ("1_/c", "2_/x", 1, 60_000.0),
    ]


def test_window_seconds_from_2018():
    assert window_seconds_from_2018(1, "month") == 31 * 86400
    assert window_seconds_from_2018(2, "month") == 59 * 86400
    assert window_seconds_from_2018(14, "month") == (365 + 59) * 86400
    assert window_seconds_from_2018(3, "week") == 21 * 86400


@pytest.mark.parametrize(
    ("path_type", "step", "source", "message"),
    [
        (None, 2, None, "funnelPathType"),
        ("funnel_path_after_step", None, None, "funnelStep"),
        ("funnel_path_after_step", 0, None, "funnelStep"),
        ("funnel_path_after_step", -1, None, "funnelStep"),
        ("funnel_path_after_step", 3, None, "funnelStep"),
        ("funnel_path_before_step", -3, None, "funnelStep"),
        (
            "funnel_path_after_step",
            1,
            {"kind": "FunnelsQuery", "series": [{"kind": "EventsNode", "event": "signup"}]},
            "at least two steps",
        ),
        ("funnel_path_after_step", 1, funnel_source(funnelWindowInterval=-3), "funnelWindowInterval"),
    ],
)
def test_funnel_paths_bad_input_answers_400(owner_client, world, path_type, step, source, message):
    response = post(owner_client, world.team.id, query(path_type, step, source=source))
    assert response.status_code == 400, response.json()
    body = response.json()
    assert set(body) >= {"type", "code", "detail", "attr"}
    assert message in body["detail"]


def test_funnel_paths_with_exclusions(owner_client, world, data):
    # another evaluation of the funnel (exclusions): times read at full precision, the same edges.
    source = funnel_source(
        exclusions=[{"kind": "EventsNode", "event": "never", "funnelFromStep": 0, "funnelToStep": 1}]
    )
    rows = results(
        owner_client, world.team.id, query("funnel_path_between_steps", 2, ["$pageview", "custom_event"], source)
    )
    assert edges(rows) == edges(expected(EVENTS, "funnel_path_between_steps", 2, ["$pageview", "custom_event"]))
    # every actor saw a page between signup and purchase (or within the window after signup): all are excluded.
    pages = [{"kind": "EventsNode", "event": "$pageview", "funnelFromStep": 0, "funnelToStep": 1}]
    rows = results(
        owner_client, world.team.id, query("funnel_path_after_step", 1, source=funnel_source(exclusions=pages))
    )
    assert rows == []


def printed(source: dict) -> tuple[str, dict]:
    team = SimpleNamespace(
        id=1, timezone="UTC", week_start_day=0, path_cleaning_filters=[], test_account_filters=[], modifiers=None
    )
    runner = PathsQueryRunner(PathsQuery(**source), team)
    select, values = runner.build(runner.query_date_range())
    context = PrintContext(team_id=1, timezone="UTC", person_overrides=False, values=values)
    return print_select(select, context, default_limit=runner.edge_limit), context.parameters


def test_funnel_paths_printed_sql():
    source = query(
        "funnel_path_after_step", -2, source=funnel_source(funnelWindowInterval=2, funnelWindowIntervalUnit="month")
    )
    sql, parameters = printed(source)
    # the paths events joined to the funnel's actors by person, kept a window after the last step reached.
    assert "AS __t5 INNER JOIN (SELECT __t7.aggregation_target AS actor_id" in sql
    assert "ON equals(__t5.person_id, __t6.actor_id)" in sql
    assert (
        "greaterOrEquals(toUnixTimestamp64Milli(__t5.timestamp), toUnixTimestamp64Milli(plus(fromUnixTimestamp64Milli("
        "__t6.target_ms, {hogql_val_" in sql
    )
    assert "toIntervalMonth(2)" in sql and "equals(length(__t7.best), 1)" in sql
    # sessions split at two calendar months counted from January 2018 (59 days), not 30 minutes.
    assert f"less(tupleElement(x, 3), {59 * 86400})" in sql
    sql, _ = printed(query("funnel_path_between_steps", 2))
    assert "greaterOrEquals(length(__t7.best), 2)" in sql and "__t6.previous_ms" in sql


def test_funnel_paths_use_the_funnels_own_filters(owner_client, world, data):
    # only p1's signup has plan=pro: the funnel's properties pick the actors, the paths events stay unfiltered.
    source = {**funnel_source(), "properties": [{"key": "plan", "type": "event", "operator": "exact", "value": "pro"}]}
    rows = results(owner_client, world.team.id, query("funnel_path_before_step", 1, source=source))
    assert edges(rows) == [("1_/a", "2_/b", 1, 300_000.0)]
    # and the funnel's date range, not the paths one, decides who is in it: from the 3rd, p5 and user-7 only.
    source = {**funnel_source(), "dateRange": {"date_from": "2024-03-03", "date_to": "2024-03-05"}}
    rows = results(owner_client, world.team.id, query("funnel_path_after_step", 1, source=source))
    assert edges(rows) == [
        ("1_/c", "2_/f", 1, 120_000.0),
        ("1_/c", "2_/x", 1, 60_000.0),
        ("2_/x", "3_/e", 1, 5_220_000.0),
    ]
