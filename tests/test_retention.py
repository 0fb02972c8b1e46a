"""POST /query/ with an InsightVizNode-wrapped RetentionQuery: cohorts checked against a computation in Python.

The expected tables come from `expected_retention`, which applies spec §3.10 to the captured events directly: wall-clock
periods in the team's timezone, one person per merged distinct id, first-time and recurring cohorts, cumulative counts.
"""

import random
from collections import defaultdict
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta

from queries.hogql.execute import print_select
from queries.hogql.printer import PrintContext
from queries.runners.retention import RetentionQueryRunner
from queries.schema.insights import RetentionQuery
from queries.timestamps import utc_z
from tests.query_helpers import capture_events, run_query

pytestmark = pytest.mark.usefixtures("clickhouse")

PERSONS = [f"p{n}" for n in range(14)]
MERGED = {"anon-3": "p3", "anon-7": "p7"}
ANONYMOUS = {person: anon for anon, person in MERGED.items()}
IDENTIFIED_AT = datetime(2024, 1, 20, 12, tzinfo=ZoneInfo("UTC"))


def generate_events(seed: int = 7) -> list[tuple]:
    """About 400 events from mid December to March; hours spread over the whole day so midnights matter."""
    rng = random.Random(seed)
    start = datetime(2023, 12, 15, tzinfo=ZoneInfo("UTC"))
    events = []
    for number, person in enumerate(PERSONS):
        first_day = rng.randrange(0, 50)
        for _ in range(rng.randrange(8, 40)):
            moment = start + timedelta(days=first_day + rng.randrange(0, 60), minutes=rng.randrange(0, 24 * 60))
            name = rng.choice(["$pageview", "$pageview", "$pageview", "signup", "purchase"])
            properties = {
                "plan": rng.choice(["free", "free", "pro"]),
                "$browser": rng.choice(["Chrome", "Safari", "Firefox"]),
                "$host": "localhost:8000" if number == 5 else "app.example.com",
            }
            distinct_id = person
            if person in ANONYMOUS and moment < IDENTIFIED_AT:
                distinct_id = ANONYMOUS[person]
            events.append((name, distinct_id, properties, moment.strftime("%Y-%m-%dT%H:%M:%SZ")))
        # Exactly at local midnights of a few zones, to catch off-by-one periods.
        events.append(("$pageview", person, {"plan": "free"}, f"2024-01-{10 + number % 5:02d}T23:59:59Z"))
        events.append(("$pageview", person, {"plan": "free"}, f"2024-01-{11 + number % 5:02d}T00:00:00Z"))
    for anon, person in MERGED.items():
        identify = {"$anon_distinct_id": anon}
        events.append(("$identify", person, identify, IDENTIFIED_AT.strftime("%Y-%m-%dT%H:%M:%SZ")))
    return sorted(events, key=lambda e: e[3])


EVENTS = generate_events()


def capture_in_two_batches(client, team) -> None:
    """Anonymous events first, identification later: the merge then writes person overrides, as in production."""
    capture_events(client, team, [e for e in EVENTS if e[3] < IDENTIFIED_AT.strftime("%Y-%m-%dT%H:%M:%SZ")])
    capture_events(client, team, [e for e in EVENTS if e[3] >= IDENTIFIED_AT.strftime("%Y-%m-%dT%H:%M:%SZ")])


@pytest.fixture
def data(client, world):
    capture_in_two_batches(client, world.team)
    capture_events(client, world.other_team, [("$pageview", "mallory", {}, f"2024-01-0{d}T10:00:00Z") for d in (2, 3)])


def retention(client, team_id, retention_filter: dict, status: int = 200, **fields) -> dict:
    source = {"kind": "RetentionQuery", "retentionFilter": retention_filter, **fields}
    source.setdefault("dateRange", {"date_from": "2024-01-01", "date_to": "2024-01-10"})
    response = run_query(client, team_id, {"kind": "InsightVizNode", "source": source}, refresh="force_blocking")
    assert response.status_code == status, response.json()
    return response.json()


# ---- the reference computation -------------------------------------------------------------------------


def step(moment: datetime, period: str, count: int) -> datetime:
    naive = moment.replace(tzinfo=None)
    delta = {
        "Hour": timedelta(hours=count),
        "Day": timedelta(days=count),
        "Week": timedelta(weeks=count),
        "Month": relativedelta(months=count),
    }[period]
    return (naive + delta).replace(tzinfo=moment.tzinfo)


def truncate(moment: datetime, period: str, week_start: int) -> datetime:
    if period == "Hour":
        return moment.replace(minute=0, second=0, microsecond=0)
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "Week":
        # Python weekday: Monday 0; a Sunday week start goes back (weekday + 1) % 7 days.
        return day - timedelta(days=day.weekday() if week_start == 1 else (day.weekday() + 1) % 7)
    if period == "Month":
        return day.replace(day=1)
    return day


def matches(properties: dict, filters: list[dict]) -> bool:
    """Only the operators these tests use."""
    for item in filters:
        value = properties.get(item["key"])
        operator = item.get("operator", "exact")
        if operator == "exact" and value != item["value"]:
            return False
        if operator == "is_not" and value == item["value"]:
            return False
        if operator == "not_regex" and value is not None and value.startswith("localhost"):
            return False
    return True


def expected_retention(
    events,
    date_from: str,
    date_to: str,
    period: str = "Day",
    total: int = 8,
    timezone: str = "UTC",
    week_start: int = 0,
    kind: str = "retention_recurring",
    target: str = "$pageview",
    returning: str = "$pageview",
    target_filters: list | None = None,
    returning_filters: list | None = None,
    filters: list | None = None,
    cumulative: bool = False,
    minimum: int = 1,
    brackets: list[int] | None = None,
    actor=lambda distinct_id, properties: MERGED.get(distinct_id, distinct_id),
    breakdown=None,
) -> dict:
    """{(breakdown value, cohort index): [count per value index]} per spec §3.10."""
    zone = ZoneInfo(timezone)
    hour = period == "Hour"
    start = datetime.fromisoformat(date_from).replace(tzinfo=zone)
    end = datetime.fromisoformat(date_to).replace(tzinfo=zone)
    if not hour:
        end = end.replace(hour=23, minute=59, second=59)
    start = truncate(start, period, week_start)
    end = truncate(step(end, period, 1), period, week_start)
    bounds = [start]
    while bounds[-1] < end:
        bounds.append(step(start, period, len(bounds)))
    cohorts = len(bounds) - 1
    furthest = sum(brackets) if brackets else total - 1
    size = len(brackets) + 1 if brackets else total

    def index(moment: datetime) -> int | None:
        local = moment.astimezone(zone)
        for position in range(cohorts):
            if bounds[position] <= local < bounds[position + 1]:
                return position
        return None

    per_actor = defaultdict(list)
    for name, distinct_id, properties, ts in events:
        moment = datetime.fromisoformat(ts.replace("Z", "+00:00"))
        if filters and not matches(properties, filters):
            continue
        who = actor(distinct_id, properties)
        if who is None:
            continue
        value = breakdown(properties) if breakdown else None
        per_actor[(who, value)].append((moment, name, properties))

    def bracket(distance: int) -> int:
        if not brackets:
            return distance
        total_so_far = 0
        for position, width in enumerate(brackets, start=1):
            total_so_far += width
            if distance <= total_so_far:
                return position
        raise AssertionError(distance)

    table = defaultdict(lambda: [0] * size)
    for (_who, value), rows in per_actor.items():
        rows = [row for row in rows if row[0] < end.astimezone(ZoneInfo("UTC"))]
        is_target = [m for m, n, p in rows if target in (None, n) and matches(p, target_filters or [])]
        if kind == "retention_recurring":
            cohort_set = {index(m) for m in is_target} - {None}
        elif kind == "retention_first_time":
            cohort_set = {index(min(is_target))} - {None} if is_target else set()
        else:
            of_kind = sorted((m, p) for m, n, p in rows if target in (None, n))
            first_ok = of_kind and matches(of_kind[0][1], target_filters or [])
            cohort_set = {index(of_kind[0][0])} - {None} if first_ok else set()
        counts = defaultdict(int)
        for moment, name, props in rows:
            position = index(moment)
            if returning in (None, name) and matches(props, returning_filters or []) and position is not None:
                counts[position] += 1
        returns = {p for p, n in counts.items() if n >= minimum}
        for cohort in cohort_set:
            reached = {0} | {bracket(r - cohort) for r in returns if 0 < r - cohort <= furthest}
            if cumulative:
                reached = set(range(max(reached) + 1))
            for position in reached:
                table[(value, cohort)][position] += 1
    return {"cohorts": cohorts, "bounds": bounds[:-1], "size": size, "table": dict(table)}


def as_table(results: list[dict]) -> dict:
    return {
        (r["breakdown_value"], int(r["label"].split()[1])): [v["count"] for v in r["values"]]
        for r in results
        if any(v["count"] for v in r["values"])
    }


def check(body: dict, expected: dict) -> None:
    results = body["results"]
    assert len(results) == expected["cohorts"]
    assert as_table(results) == expected["table"]
    assert [r["date"] for r in results] == [utc_z(b.isoformat()) for b in expected["bounds"]]
    assert all(len(r["values"]) == expected["size"] for r in results)
    # Not vacuous: some cohorts and some returns.
    assert sum(row[0] for row in expected["table"].values()) > 0


# ---- correctness against Python ------------------------------------------------------------------------

CASES = {
    "day recurring": ({"period": "Day", "totalIntervals": 8}, {}, {}),
    "day first time": (
        {"period": "Day", "totalIntervals": 8, "retentionType": "retention_first_time"},
        {"kind": "retention_first_time"},
        {},
    ),
    "day recurring, signup then pageview": (
        {
            "targetEntity": {"id": "signup", "type": "events"},
            "returningEntity": {"id": "$pageview", "type": "events"},
            "totalIntervals": 10,
        },
        {"target": "signup", "total": 10},
        {},
    ),
    "day first time, signup then purchase": (
        {
            "retentionType": "retention_first_time",
            "targetEntity": {"id": "signup", "type": "events"},
            "returningEntity": {"id": "purchase", "type": "events"},
        },
        {"kind": "retention_first_time", "target": "signup", "returning": "purchase"},
        {"dateRange": {"date_from": "2024-01-05", "date_to": "2024-01-25"}},
    ),
    "week recurring": (
        {"period": "Week", "totalIntervals": 6},
        {"period": "Week", "total": 6},
        {"dateRange": {"date_from": "2024-01-01", "date_to": "2024-02-10"}},
    ),
    "week first time": (
        {"period": "Week", "totalIntervals": 6, "retentionType": "retention_first_time"},
        {"period": "Week", "total": 6, "kind": "retention_first_time"},
        {"dateRange": {"date_from": "2024-01-01", "date_to": "2024-02-10"}},
    ),
    "month recurring": (
        {"period": "Month", "totalIntervals": 3},
        {"period": "Month", "total": 3},
        {"dateRange": {"date_from": "2023-12-01", "date_to": "2024-02-10"}},
    ),
    "month first time": (
        {"period": "Month", "totalIntervals": 3, "retentionType": "retention_first_time"},
        {"period": "Month", "total": 3, "kind": "retention_first_time"},
        {"dateRange": {"date_from": "2024-01-01", "date_to": "2024-02-10"}},
    ),
    "hour recurring": (
        {"period": "Hour", "totalIntervals": 24},
        {"period": "Hour", "total": 24, "target": "$pageview"},
        {"dateRange": {"date_from": "2024-01-10T12:00:00", "date_to": "2024-01-12T12:00:00"}},
    ),
    "cumulative day recurring": (
        {"cumulative": True, "totalIntervals": 8},
        {"cumulative": True},
        {},
    ),
    "cumulative week first time": (
        {"cumulative": True, "period": "Week", "totalIntervals": 5, "retentionType": "retention_first_time"},
        {"cumulative": True, "period": "Week", "total": 5, "kind": "retention_first_time"},
        {"dateRange": {"date_from": "2024-01-01", "date_to": "2024-02-10"}},
    ),
    "query property filter": (
        {"totalIntervals": 8},
        {"filters": [{"key": "plan", "value": "free", "operator": "exact", "type": "event"}]},
        {"properties": [{"key": "plan", "value": "free", "operator": "exact", "type": "event"}]},
    ),
    "entity property filter": (
        {
            "targetEntity": {
                "id": "$pageview",
                "type": "events",
                "properties": [{"key": "$browser", "value": "Chrome", "operator": "exact", "type": "event"}],
            },
        },
        {"target_filters": [{"key": "$browser", "value": "Chrome", "operator": "exact"}]},
        {},
    ),
    "returning entity property filter": (
        {
            "returningEntity": {
                "id": "$pageview",
                "type": "events",
                "properties": [{"key": "plan", "value": "pro", "operator": "exact", "type": "event"}],
            },
        },
        {"returning_filters": [{"key": "plan", "value": "pro"}]},
        {},
    ),
    "all events returning, recurring": (
        {"returningEntity": {"id": None, "type": "events"}, "totalIntervals": 8},
        {"returning": None},
        {"dateRange": {"date_from": "2024-01-15", "date_to": "2024-01-25"}},
    ),
    "all events first time": (
        {"targetEntity": {"id": None, "type": "events"}, "retentionType": "retention_first_time"},
        {"target": None, "kind": "retention_first_time"},
        {"dateRange": {"date_from": "2023-12-15", "date_to": "2024-01-10"}},
    ),
    "first ever occurrence with entity filter": (
        {
            "retentionType": "retention_first_ever_occurrence",
            "targetEntity": {
                "id": "$pageview",
                "type": "events",
                "properties": [{"key": "plan", "value": "free", "operator": "exact", "type": "event"}],
            },
            "totalIntervals": 8,
        },
        {"kind": "first_ever", "target_filters": [{"key": "plan", "value": "free"}]},
        {"dateRange": {"date_from": "2023-12-20", "date_to": "2024-01-20"}},
    ),
    "test accounts filtered": (
        {"totalIntervals": 8},
        {"filters": [{"key": "$host", "operator": "not_regex"}]},
        {"filterTestAccounts": True},
    ),
    "minimum occurrences": (
        {"minimumOccurrences": 2, "totalIntervals": 8},
        {"minimum": 2},
        {},
    ),
    "custom brackets": (
        {"retentionCustomBrackets": [1, 2, 4], "totalIntervals": 8},
        {"brackets": [1, 2, 4]},
        {},
    ),
}


def failures_of(checks) -> list[str]:
    """Runs every (name, check) and names the failing ones, so one capture of the events serves many cases."""
    failed = []
    for name, run in checks:
        try:
            run()
        except AssertionError as error:
            failed.append(f"{name}: {str(error)[:300]}")
    return failed


@pytest.mark.parametrize("merges_later", [True, False], ids=["person overrides", "merged at write time"])
def test_retention_matches_python(owner_client, world, client, merges_later):
    if merges_later:
        capture_in_two_batches(client, world.team)
    else:
        capture_events(client, world.team, EVENTS)  # one batch: events already carry the merged person

    def run(name):
        retention_filter, reference, fields = CASES[name]
        date_range = fields.get("dateRange", {"date_from": "2024-01-01", "date_to": "2024-01-10"})
        body = retention(owner_client, world.team.id, retention_filter, **fields)
        check(body, expected_retention(EVENTS, date_range["date_from"], date_range["date_to"], **reference))

    assert failures_of((name, lambda name=name: run(name)) for name in CASES) == []


ZONES = [
    ("America/New_York", 0, "Day"),
    ("Asia/Tokyo", 0, "Day"),
    ("Asia/Kolkata", 0, "Hour"),
    ("America/New_York", 1, "Week"),
    ("Asia/Tokyo", 0, "Week"),
    ("UTC", 1, "Week"),
    ("Pacific/Auckland", 0, "Month"),
]


def test_retention_timezone_and_week_start(owner_client, world, data):
    def run(timezone, week_start, period):
        world.team.timezone = timezone
        world.team.week_start_day = week_start
        world.team.save()
        dates = {
            "Day": ("2024-01-05", "2024-01-15"),
            "Hour": ("2024-01-10T20:00:00", "2024-01-11T08:00:00"),
            "Week": ("2024-01-01", "2024-02-10"),
            "Month": ("2023-12-01", "2024-02-10"),
        }[period]
        total = {"Day": 8, "Hour": 12, "Week": 6, "Month": 3}[period]
        body = retention(
            owner_client,
            world.team.id,
            {"period": period, "totalIntervals": total},
            dateRange={"date_from": dates[0], "date_to": dates[1]},
        )
        expected = expected_retention(
            EVENTS, *dates, period=period, total=total, timezone=timezone, week_start=week_start
        )
        check(body, expected)
        bound = utc_z(expected["bounds"][0].isoformat())
        assert body["results"][0]["date"].endswith("Z" if bound.endswith("Z") else bound[-6:])

    assert failures_of((str(zone), lambda zone=zone: run(*zone)) for zone in ZONES) == []


def test_retention_breakdown_by_event_property_with_other(owner_client, world, data):
    breakdown = {"breakdown": "$browser", "breakdown_type": "event", "breakdown_limit": 2}
    body = retention(owner_client, world.team.id, {"totalIntervals": 8}, breakdownFilter=breakdown)
    expected = expected_retention(EVENTS, "2024-01-01", "2024-01-10", breakdown=lambda p: p.get("$browser") or "")
    sizes = defaultdict(int)
    for (value, _cohort), row in expected["table"].items():
        sizes[value] += row[0]
    ranked = sorted(sizes, key=lambda v: (-sizes[v], v))
    shown, others = ranked[:2], ranked[2:]
    assert others  # the midnight events have no browser: four values, two shown
    merged = defaultdict(lambda: [0] * 8)
    for (value, cohort), row in expected["table"].items():
        key = "$$_posthog_breakdown_other_$$" if value in others else value
        merged[(key, cohort)] = [a + b for a, b in zip(merged[(key, cohort)], row, strict=True)]
    results = body["results"]
    assert [r["breakdown_value"] for r in results[::10]] == [*shown, "$$_posthog_breakdown_other_$$"]
    assert len(results) == 3 * 10
    assert as_table(results) == {k: v for k, v in merged.items() if any(v)}


def test_retention_merged_person_counts_once(owner_client, world, data):
    # p3 browsed as anon-3 before being identified on the 20th; as one person the Jan 15-25 cohorts include p3 once.
    body = retention(
        owner_client,
        world.team.id,
        {"totalIntervals": 11},
        dateRange={"date_from": "2024-01-15", "date_to": "2024-01-25"},
    )
    expected = expected_retention(EVENTS, "2024-01-15", "2024-01-25", total=11)
    check(body, expected)
    assert "person_distinct_ids" in body["hogql"]  # the project has merges: actors are mapped to persons now
    split = expected_retention(EVENTS, "2024-01-15", "2024-01-25", total=11, actor=lambda d, p: d)
    assert split["table"] != expected["table"]  # counting distinct ids instead would give other numbers


def test_retention_group_aggregation(owner_client, world, client):
    events = [
        ("$pageview", "u1", {"$group_0": "acme"}, "2024-01-01T10:00:00Z"),
        ("$pageview", "u2", {"$group_0": "acme"}, "2024-01-02T10:00:00Z"),
        ("$pageview", "u3", {"$group_0": "globex"}, "2024-01-01T10:00:00Z"),
        ("$pageview", "u4", {}, "2024-01-02T10:00:00Z"),
    ]
    capture_events(client, world.team, events)
    body = retention(
        owner_client,
        world.team.id,
        {"totalIntervals": 3},
        aggregation_group_type_index=0,
        dateRange={"date_from": "2024-01-01", "date_to": "2024-01-03"},
    )
    rows = [[v["count"] for v in r["values"]] for r in body["results"]]
    # Groups of type 0 (the `$group_0` column): acme on both days, globex on the first only; u4 has no group.
    assert rows == [[2, 1, 0], [1, 0, 0], [0, 0, 0]]


# ---- shape, ranges and errors --------------------------------------------------------------------------


def test_retention_response_shape(owner_client, world, data):
    body = retention(owner_client, world.team.id, {"period": "Week", "totalIntervals": 3})
    first = body["results"][0]
    assert set(first) == {"date", "label", "breakdown_value", "values"}
    assert first["label"] == "Week 0" and body["results"][1]["label"] == "Week 1"
    assert [v["label"] for v in first["values"]] == ["Week 0", "Week 1", "Week 2"]
    assert first["breakdown_value"] is None
    # Jan 1 2024 is a Monday: Sunday-based weeks start on Dec 31; Jan 10 is padded to the week of Jan 14.
    assert first["date"] == "2023-12-31T00:00:00Z"
    assert len(body["results"]) == 2
    assert body["resolved_date_range"] == {
        "date_from": "2023-12-31T00:00:00Z",
        "date_to": "2024-01-14T00:00:00Z",
    }
    brackets = retention(owner_client, world.team.id, {"retentionCustomBrackets": [1, 3, 7]})
    assert [v["label"] for v in brackets["results"][0]["values"]] == ["Day 0", "Day 1", "Day 2-4", "Day 5-11"]


def test_retention_default_range_is_total_intervals_back_from_today(world):
    query = RetentionQuery.model_validate({"retentionFilter": {"period": "Day", "totalIntervals": 8}})
    runner = RetentionQueryRunner(query, world.team)
    runner.now = datetime(2024, 3, 10, 15, 30, tzinfo=ZoneInfo("UTC"))
    date_range = runner.query_date_range()
    assert date_range.date_from().isoformat() == "2024-03-03T00:00:00+00:00"
    assert date_range.date_to().isoformat() == "2024-03-11T00:00:00+00:00"
    assert date_range.intervals_between() == 8
    query = RetentionQuery.model_validate({"retentionFilter": {"period": "Month", "totalIntervals": None}})
    runner = RetentionQueryRunner(query, world.team)
    runner.now = datetime(2024, 3, 10, 15, 30, tzinfo=ZoneInfo("UTC"))
    # totalIntervals null falls back to 7.
    assert runner.query_date_range().date_from().isoformat() == "2023-09-01T00:00:00+00:00"


@pytest.mark.parametrize(
    ("retention_filter", "message"),
    [
        ({"targetEntity": {"id": 424242, "type": "actions"}}, "Action 424242 does not exist."),
        ({"returningEntity": {"id": 424243, "type": "actions", "kind": "ActionsNode"}}, "does not exist"),
        ({"timeWindowMode": "24_hour_windows", "cumulative": True}, "24 hour"),
        ({"totalIntervals": -3}, "totalIntervals"),
        ({"minimumOccurrences": -1}, "minimumOccurrences"),
        ({"retentionCustomBrackets": [1.5]}, "retentionCustomBrackets"),
        ({"period": "Hour", "totalIntervals": 200000}, "cells"),
    ],
)
def test_retention_bad_input_answers_400(owner_client, world, retention_filter, message):
    body = retention(owner_client, world.team.id, retention_filter, status=400)
    assert set(body) == {"type", "code", "detail", "attr"}
    assert message in body["detail"]


def printed(query: dict, timezone: str, week_start: int, merges: bool) -> tuple[str, dict]:
    team = SimpleNamespace(id=42, timezone=timezone, week_start_day=week_start, test_account_filters=[])
    runner = RetentionQueryRunner(RetentionQuery.model_validate(query), team)
    runner.person_overrides = merges
    context = PrintContext(team_id=42, timezone=timezone, person_overrides=merges)
    return print_select(runner.build(runner.query_date_range()), context), context.parameters


def test_retention_printed_sql_first_time_weeks_in_paris():
    retention_filter = {
        "period": "Week",
        "totalIntervals": 8,
        "retentionType": "retention_first_time",
        "targetEntity": {"id": "signup", "type": "events"},
    }
    query = {"retentionFilter": retention_filter, "dateRange": {"date_from": "2024-01-01", "date_to": "2024-02-20"}}
    sql, values = printed(query, "Europe/Paris", 1, merges=False)
    # Whole weeks since date_from, counted in Paris; the first signup ever, over all time before date_to.
    assert sql == (
        "SELECT __t1.start_interval_index AS start_interval_index, __t1.intervals_from_base AS "
        "intervals_from_base, count() AS count FROM (SELECT __t2.actor_id, "
        "arrayJoin(if(ifNull(greaterOrEquals(__t2.first_target, toDateTime64({hogql_val_12:String}, 6, "
        "{hogql_val_13:String})), 0), [intDiv(dateDiff({hogql_val_14:String}, toDateTime64({hogql_val_15:String}, "
        "6, {hogql_val_16:String}), __t2.first_target, {hogql_val_17:String}), 7)], [])) AS start_interval_index, "
        "arrayJoin(arrayConcat([0], arrayFilter((k) -> and(ifNull(greater(k, 0), 0), ifNull(lessOrEquals(k, 7), "
        "0)), arrayMap((r) -> minus(r, start_interval_index), __t2.return_periods)))) AS intervals_from_base FROM "
        "(SELECT __t3.person_id AS actor_id, minIf(__t3.timestamp, equals(__t3.event, "
        "{hogql_val_0:String})) AS first_target, groupUniqArrayIf(intDiv(dateDiff({hogql_val_1:String}, "
        "toDateTime64({hogql_val_2:String}, 6, {hogql_val_3:String}), __t3.timestamp, {hogql_val_4:String}), 7), "
        "and(equals(__t3.event, {hogql_val_5:String}), greaterOrEquals(__t3.timestamp, "
        "toDateTime64({hogql_val_6:String}, 6, {hogql_val_7:String})))) AS return_periods FROM events AS __t3 "
        "WHERE and(equals(__t3.team_id, 42), and(less(__t3.timestamp, toDateTime64({hogql_val_8:String}, "
        "6, {hogql_val_9:String})), ifNull(in(__t3.event, tuple({hogql_val_10:String}, "
        "{hogql_val_11:String})), 0))) GROUP BY actor_id) AS __t2) AS __t1 GROUP BY start_interval_index, "
        "intervals_from_base ORDER BY start_interval_index ASC, intervals_from_base ASC LIMIT 50000"
    )
    # Monday-based weeks in Paris: Jan 1 2024 00:00 CET is Dec 31 23:00 UTC; Feb 20 pads to the week of Feb 26.
    assert values == {
        "hogql_val_0": "signup",
        "hogql_val_1": "day",
        "hogql_val_2": "2023-12-31 23:00:00.000000",
        "hogql_val_3": "UTC",
        "hogql_val_4": "Europe/Paris",
        "hogql_val_5": "$pageview",
        "hogql_val_6": "2023-12-31 23:00:00.000000",
        "hogql_val_7": "UTC",
        "hogql_val_8": "2024-02-25 23:00:00.000000",
        "hogql_val_9": "UTC",
        "hogql_val_10": "$pageview",
        "hogql_val_11": "signup",
        "hogql_val_12": "2023-12-31 23:00:00.000000",
        "hogql_val_13": "UTC",
        "hogql_val_14": "day",
        "hogql_val_15": "2023-12-31 23:00:00.000000",
        "hogql_val_16": "UTC",
        "hogql_val_17": "Europe/Paris",
    }


def test_retention_printed_sql_with_merged_persons():
    query = {
        "retentionFilter": {"totalIntervals": 4},
        "dateRange": {"date_from": "2024-01-01", "date_to": "2024-01-04"},
    }
    sql, values = printed(query, "UTC", 0, merges=True)
    # Per person written on the events first, then one distinct id of each is mapped to its person now.
    assert sql == (
        "SELECT __t1.start_interval_index AS start_interval_index, __t1.intervals_from_base AS "
        "intervals_from_base, count() AS count FROM (SELECT __t2.actor_id, arrayJoin(__t2.cohort_periods) AS "
        "start_interval_index, arrayJoin(arrayConcat([0], arrayFilter((k) -> and(ifNull(greater(k, 0), 0), "
        "ifNull(lessOrEquals(k, 3), 0)), arrayMap((r) -> minus(r, start_interval_index), __t2.cohort_periods)))) "
        "AS intervals_from_base FROM (SELECT if(notEmpty(__t5.distinct_id), __t5.person_id, __t3.poe_person_id) "
        "AS actor_id, arrayDistinct(arrayFlatten(groupArray(__t3.cohort_periods))) AS cohort_periods FROM (SELECT "
        "__t4.person_id AS poe_person_id, any(__t4.distinct_id) AS distinct_id, "
        "groupUniqArray(dateDiff({hogql_val_0:String}, toDateTime64({hogql_val_1:String}, 6, "
        "{hogql_val_2:String}), __t4.timestamp, {hogql_val_3:String})) AS cohort_periods FROM events AS __t4 "
        "WHERE and(equals(__t4.team_id, 42), and(greaterOrEquals(__t4.timestamp, "
        "toDateTime64({hogql_val_4:String}, 6, {hogql_val_5:String})), less(__t4.timestamp, "
        "toDateTime64({hogql_val_6:String}, 6, {hogql_val_7:String})), equals(__t4.event, "
        "{hogql_val_8:String}))) GROUP BY poe_person_id) AS __t3 LEFT JOIN (SELECT distinct_id, "
        "argMax(person_id, version) AS person_id FROM person_distinct_id2 WHERE equals(team_id, 42) GROUP BY "
        "distinct_id HAVING equals(argMax(is_deleted, version), 0)) AS __t5 ON equals(__t3.distinct_id, "
        "__t5.distinct_id) GROUP BY actor_id) AS __t2) AS __t1 GROUP BY start_interval_index, intervals_from_base "
        "ORDER BY start_interval_index ASC, intervals_from_base ASC LIMIT 50000"
    )
    assert values == {
        "hogql_val_0": "day",
        "hogql_val_1": "2024-01-01 00:00:00.000000",
        "hogql_val_2": "UTC",
        "hogql_val_3": "UTC",
        "hogql_val_4": "2024-01-01 00:00:00.000000",
        "hogql_val_5": "UTC",
        "hogql_val_6": "2024-01-05 00:00:00.000000",
        "hogql_val_7": "UTC",
        "hogql_val_8": "$pageview",
    }


def test_retention_breakdown_by_person_property(owner_client, world, client):
    def pageview(distinct_id, tier, day):
        return ("$pageview", distinct_id, {"$set": {"tier": tier}}, f"2024-01-0{day}T12:00:00Z")

    events = [pageview("u1", "gold", 1), pageview("u1", "gold", 2), pageview("u2", "silver", 1)]
    events += [pageview("u3", "gold", 2), pageview("u3", "gold", 3)]
    capture_events(client, world.team, events)
    # The `breakdowns` list form; only its first entry is used.
    breakdown = {"breakdowns": [{"type": "person", "property": "tier"}]}
    dates = {"date_from": "2024-01-01", "date_to": "2024-01-03"}
    body = retention(owner_client, world.team.id, {"totalIntervals": 3}, dateRange=dates, breakdownFilter=breakdown)
    rows = [(r["breakdown_value"], r["label"], [v["count"] for v in r["values"]]) for r in body["results"]]
    # gold: u1 on days 0-1 and u3 on days 1-2 (cohort sizes 1 + 2 + 1); silver: u2 on day 0 only.
    assert rows == [
        ("gold", "Day 0", [1, 1, 0]),
        ("gold", "Day 1", [2, 1, 0]),
        ("gold", "Day 2", [1, 0, 0]),
        ("silver", "Day 0", [1, 0, 0]),
        ("silver", "Day 1", [0, 0, 0]),
        ("silver", "Day 2", [0, 0, 0]),
    ]
    cohort = {"breakdown": [3], "breakdown_type": "cohort"}
    error = retention(owner_client, world.team.id, {}, status=400, breakdownFilter=cohort)
    assert "cohort" in error["detail"]


@pytest.mark.parametrize("retention_type", ["retention_recurring", "retention_first_time"])
def test_retention_on_an_action_equals_the_same_events_filter(owner_client, world, data, retention_type):
    """An action 'signup or a pro purchase' gives the numbers of its steps written as one HogQL event filter."""
    from actions.models import Action

    steps = [{"event": "signup"}, {"event": "purchase", "properties": [{"key": "plan", "value": "pro"}]}]
    action = Action.objects.create(team=world.team, name="Converted", steps=steps)
    common = {"retentionType": retention_type, "totalIntervals": 8}
    dates = {"dateRange": {"date_from": "2023-12-10", "date_to": "2023-12-31"}}
    action_target = {"id": action.id, "type": "actions"}
    by_action = retention(owner_client, world.team.id, {**common, "targetEntity": action_target}, **dates)
    same_events = "event = 'signup' or (event = 'purchase' and properties.plan = 'pro')"
    target = {"id": None, "type": "events", "properties": [{"type": "hogql", "key": same_events}]}
    by_events = retention(owner_client, world.team.id, {**common, "targetEntity": target}, **dates)
    assert as_table(by_action["results"]) == as_table(by_events["results"])
    assert sum(row["values"][0]["count"] for row in by_action["results"]) > 0
