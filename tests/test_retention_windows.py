"""RetentionQuery with `timeWindowMode: "24_hour_windows"` through POST /query/, against a computation in Python.

PostHog's rules, which `expected_windows` applies to the captured events directly: each actor has one start moment
t_0 (their first target event in the range when recurring, their first target event ever for first-time kinds); the
cohort is whole windows from date_from to t_0, a return at or after t_0 lands in window (units from t_0) // size,
with hour units for Hour and Day (1 and 24 per window) and day units for Week and Month (7 and 30), counted as
boundaries crossed in the team's timezone. minimumOccurrences plays no part; cumulative and sum/avg answer 400.
"""

import random
from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta

from queries.timestamps import utc_z
from tests.query_helpers import capture_events, run_query
from tests.test_retention import printed

pytestmark = pytest.mark.usefixtures("clickhouse")

UTC = ZoneInfo("UTC")
PERSONS = [f"p{n}" for n in range(10)]
MERGED = {"anon-3": "p3", "anon-6": "p6"}
ANONYMOUS = {person: anon for anon, person in MERGED.items()}
IDENTIFIED_AT = datetime(2024, 1, 12, 12, tzinfo=UTC)
WINDOWS = {"Hour": ("hour", 1), "Day": ("hour", 24), "Week": ("day", 7), "Month": ("day", 30)}


def generate_events(seed: int = 11) -> list[tuple]:
    """About 250 events over December to February, at any minute of the day, many of them late in the evening."""
    rng = random.Random(seed)
    start = datetime(2023, 12, 20, tzinfo=UTC)
    events = []
    for person in PERSONS:
        first_day = rng.randrange(0, 25)
        for _ in range(rng.randrange(10, 35)):
            minute = rng.choice([rng.randrange(0, 24 * 60), rng.randrange(20 * 60, 24 * 60)])
            moment = start + timedelta(days=first_day + rng.randrange(0, 45), minutes=minute)
            name = rng.choice(["$pageview", "$pageview", "$pageview", "signup", "purchase"])
            properties = {"plan": rng.choice(["free", "free", "pro"]), "$browser": rng.choice(["Chrome", "Safari"])}
            distinct_id = ANONYMOUS[person] if person in ANONYMOUS and moment < IDENTIFIED_AT else person
            events.append((name, distinct_id, properties, moment.strftime("%Y-%m-%dT%H:%M:%SZ")))
        for _ in range(3):  # a busy half day, for hourly windows
            moment = datetime(2024, 1, 9, 12, tzinfo=UTC) + timedelta(minutes=rng.randrange(0, 18 * 60))
            events.append(("$pageview", person, {"plan": "pro"}, moment.strftime("%Y-%m-%dT%H:%M:%SZ")))
    for anon, person in MERGED.items():
        # Also as themselves before the identification: two persons that the identification merges.
        events.append(("$pageview", person, {"plan": "free"}, "2024-01-05T23:30:00Z"))
        events.append(("$identify", person, {"$anon_distinct_id": anon}, IDENTIFIED_AT.strftime("%Y-%m-%dT%H:%M:%SZ")))
    return sorted(events, key=lambda e: e[3])


EVENTS = generate_events()


def capture_in_two_batches(client, team, events) -> None:
    """Anonymous events first, the identification later: the merge writes person overrides, as in production."""
    cut = IDENTIFIED_AT.strftime("%Y-%m-%dT%H:%M:%SZ")
    capture_events(client, team, [e for e in events if e[3] < cut])
    capture_events(client, team, [e for e in events if e[3] >= cut])


def retention(client, team_id, retention_filter: dict, status: int = 200, **fields) -> dict:
    source = {"kind": "RetentionQuery", "retentionFilter": retention_filter, **fields}
    source.setdefault("dateRange", {"date_from": "2024-01-01", "date_to": "2024-01-10"})
    response = run_query(client, team_id, {"kind": "InsightVizNode", "source": source}, refresh="force_blocking")
    assert response.status_code == status, response.json()
    return response.json()


# ---- the reference computation -------------------------------------------------------------------------


def calendar_start(moment: datetime, period: str, week_start: int) -> datetime:
    if period == "Hour":
        return moment.replace(minute=0, second=0, microsecond=0)
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "Week":
        return day - timedelta(days=day.weekday() if week_start == 1 else (day.weekday() + 1) % 7)
    return day.replace(day=1) if period == "Month" else day


def later(moment: datetime, period: str, count: int) -> datetime:
    delta = {"Hour": timedelta(hours=count), "Day": timedelta(days=count), "Week": timedelta(weeks=count)}
    naive = moment.replace(tzinfo=None) + delta.get(period, relativedelta(months=count))
    return naive.replace(tzinfo=moment.tzinfo)


def units(moment: datetime, unit: str, zone: ZoneInfo) -> int:
    """Hour or day boundaries in the zone, numbered: differences are ClickHouse's dateDiff (no DST in these tests)."""
    local = moment.astimezone(zone)
    if unit == "day":
        return local.date().toordinal()
    return int(local.replace(minute=0, second=0, microsecond=0).timestamp()) // 3600


def matches(properties: dict, filters: list[dict]) -> bool:
    return all(properties.get(item["key"]) == item["value"] for item in filters)


def expected_windows(
    events,
    date_from: str,
    date_to: str,
    period: str = "Day",
    total: int = 8,
    timezone: str = "UTC",
    week_start: int = 0,
    kind: str = "retention_recurring",
    target: str | None = "$pageview",
    returning: str | None = "$pageview",
    target_filters: list | None = None,
    columns: int | None = None,
    actor=lambda distinct_id: MERGED.get(distinct_id, distinct_id),
) -> dict:
    """{cohort index: [count per window]} and the cohort dates."""
    zone = ZoneInfo(timezone)
    unit, size = WINDOWS[period]
    start = calendar_start(datetime.fromisoformat(date_from).replace(tzinfo=zone), period, week_start)
    end = datetime.fromisoformat(date_to).replace(tzinfo=zone)
    end = calendar_start(
        later(end if period == "Hour" else end.replace(hour=23, minute=59), period, 1), period, week_start
    )
    bounds = [start]
    while bounds[-1] < end:
        bounds.append(later(start, period, len(bounds)))
    cohorts = len(bounds) - 1
    columns = columns or total

    per_actor = defaultdict(list)
    for name, distinct_id, properties, ts in events:
        per_actor[actor(distinct_id)].append((datetime.fromisoformat(ts.replace("Z", "+00:00")), name, properties))

    table = defaultdict(lambda: [0] * columns)
    for rows in per_actor.values():
        if kind == "retention_recurring":
            rows = [row for row in rows if start <= row[0] < end]
        targets = [m for m, n, p in rows if target in (None, n) and matches(p, target_filters or [])]
        if kind == "retention_first_ever_occurrence":
            of_kind = sorted((m, p) for m, n, p in rows if target in (None, n))
            t_0 = of_kind[0][0] if of_kind and matches(of_kind[0][1], target_filters or []) else None
        else:
            t_0 = min(targets) if targets else None
        if t_0 is None or t_0 < start:
            continue
        cohort = (units(t_0, unit, zone) - units(start, unit, zone)) // size
        if cohort >= cohorts:
            continue
        reached = {0}
        for moment, name, _properties in rows:
            if returning in (None, name) and moment >= t_0:
                window = (units(moment, unit, zone) - units(t_0, unit, zone)) // size
                if window < columns:
                    reached.add(window)
        for window in reached:
            table[cohort][window] += 1
    return {"cohorts": cohorts, "bounds": bounds[:-1], "table": dict(table), "columns": columns}


def check(body: dict, expected: dict) -> None:
    results = body["results"]
    assert len(results) == expected["cohorts"]
    got = {int(r["label"].split()[1]): [v["count"] for v in r["values"]] for r in results if r["values"][0]["count"]}
    assert got == expected["table"]
    assert [r["date"] for r in results] == [utc_z(b.isoformat()) for b in expected["bounds"]]
    assert all(len(r["values"]) == expected["columns"] for r in results)
    assert sum(row[0] for row in expected["table"].values()) > 0
    assert any(any(row[1:]) for row in expected["table"].values())


def failures_of(checks) -> list[str]:
    failed = []
    for name, run in checks:
        try:
            run()
        except AssertionError as error:
            failed.append(f"{name}: {str(error)[:400]}")
    return failed


W24 = {"timeWindowMode": "24_hour_windows"}
CASES = {
    "day recurring": ({"period": "Day", "totalIntervals": 8}, {}, {}),
    "day first time": (
        {"retentionType": "retention_first_time", "totalIntervals": 8},
        {"kind": "retention_first_time"},
        {},
    ),
    "day signup then pageview": (
        {"targetEntity": {"id": "signup", "type": "events"}, "totalIntervals": 10},
        {"target": "signup", "total": 10},
        {"dateRange": {"date_from": "2024-01-01", "date_to": "2024-01-20"}},
    ),
    "day first time signup then purchase": (
        {
            "retentionType": "retention_first_time",
            "targetEntity": {"id": "signup", "type": "events"},
            "returningEntity": {"id": "purchase", "type": "events"},
        },
        {"kind": "retention_first_time", "target": "signup", "returning": "purchase"},
        {"dateRange": {"date_from": "2024-01-01", "date_to": "2024-01-20"}},
    ),
    "week recurring": (
        {"period": "Week", "totalIntervals": 5},
        {"period": "Week", "total": 5},
        {"dateRange": {"date_from": "2023-12-24", "date_to": "2024-02-10"}},
    ),
    "week first time": (
        {"period": "Week", "totalIntervals": 5, "retentionType": "retention_first_time"},
        {"period": "Week", "total": 5, "kind": "retention_first_time"},
        {"dateRange": {"date_from": "2023-12-24", "date_to": "2024-02-10"}},
    ),
    "month recurring": (
        {"period": "Month", "totalIntervals": 3},
        {"period": "Month", "total": 3},
        {"dateRange": {"date_from": "2023-12-01", "date_to": "2024-02-10"}},
    ),
    "hour recurring": (
        {"period": "Hour", "totalIntervals": 24},
        {"period": "Hour", "total": 24},
        {"dateRange": {"date_from": "2024-01-08T00:00:00", "date_to": "2024-01-11T00:00:00"}},
    ),
    "first ever with entity filter": (
        {
            "retentionType": "retention_first_ever_occurrence",
            "targetEntity": {
                "id": "$pageview",
                "type": "events",
                "properties": [{"key": "plan", "value": "free", "operator": "exact", "type": "event"}],
            },
        },
        {"kind": "retention_first_ever_occurrence", "target_filters": [{"key": "plan", "value": "free"}]},
        {"dateRange": {"date_from": "2023-12-20", "date_to": "2024-01-10"}},
    ),
    # As in PostHog, minimumOccurrences plays no part with 24 hour windows.
    "minimum occurrences ignored": ({"minimumOccurrences": 3, "totalIntervals": 8}, {}, {}),
    # As in PostHog, custom brackets only set the columns and their labels: the windows stay single windows.
    "custom brackets": ({"retentionCustomBrackets": [1, 2, 3]}, {"columns": 4}, {}),
}


@pytest.mark.parametrize("merges_later", [True, False], ids=["person overrides", "merged at write time"])
def test_windows_match_python(owner_client, world, client, merges_later):
    if merges_later:
        capture_in_two_batches(client, world.team, EVENTS)
    else:
        capture_events(client, world.team, EVENTS)

    def run(name):
        retention_filter, reference, fields = CASES[name]
        date_range = fields.get("dateRange", {"date_from": "2024-01-01", "date_to": "2024-01-10"})
        body = retention(owner_client, world.team.id, {**retention_filter, **W24}, **fields)
        check(body, expected_windows(EVENTS, date_range["date_from"], date_range["date_to"], **reference))
        if name == "day recurring":
            calendar = retention(owner_client, world.team.id, retention_filter, **fields)
            assert [r["values"] for r in calendar["results"]] != [r["values"] for r in body["results"]]
            if merges_later:
                assert "person_distinct_ids" in body["hogql"]

    assert failures_of((name, lambda name=name: run(name)) for name in CASES) == []


def test_merged_person_counts_once(owner_client, world, client):
    capture_in_two_batches(client, world.team, EVENTS)
    body = retention(owner_client, world.team.id, {**W24, "totalIntervals": 8})
    check(body, expected_windows(EVENTS, "2024-01-01", "2024-01-10"))
    split = expected_windows(EVENTS, "2024-01-01", "2024-01-10", actor=lambda distinct_id: distinct_id)
    assert split["table"] != expected_windows(EVENTS, "2024-01-01", "2024-01-10")["table"]


ZONES = [("America/New_York", 0, "Day"), ("Asia/Kolkata", 0, "Hour"), ("Asia/Tokyo", 1, "Week")]


def test_windows_in_other_timezones(owner_client, world, client):
    capture_events(client, world.team, EVENTS)

    def run(timezone, week_start, period):
        world.team.timezone = timezone
        world.team.week_start_day = week_start
        world.team.save()
        dates = {
            "Day": ("2024-01-02", "2024-01-12"),
            "Hour": ("2024-01-09T18:00:00", "2024-01-10T12:00:00"),
            "Week": ("2023-12-24", "2024-02-10"),
        }[period]
        total = {"Day": 8, "Hour": 12, "Week": 5}[period]
        body = retention(
            owner_client,
            world.team.id,
            {**W24, "period": period, "totalIntervals": total},
            dateRange={"date_from": dates[0], "date_to": dates[1]},
        )
        check(
            body, expected_windows(EVENTS, *dates, period=period, total=total, timezone=timezone, week_start=week_start)
        )

    assert failures_of((str(zone), lambda zone=zone: run(*zone)) for zone in ZONES) == []


def test_late_start_counts_from_the_start_event(owner_client, world, client):
    events = [
        # u1 starts at 22:30 on the 1st: 09:00 on the 2nd is 11 hours later (window 0, calendar Day 1) and 22:10 on
        # the 3rd is 48 hour boundaries later (window 2).
        ("$pageview", "u1", {}, "2024-01-01T22:30:00Z"),
        ("$pageview", "u1", {}, "2024-01-02T09:00:00Z"),
        ("$pageview", "u1", {}, "2024-01-03T22:10:00Z"),
        # u2 starts at 10:45 on the 2nd; 10:10 on the 3rd crosses 24 hour boundaries: window 1.
        ("$pageview", "u2", {}, "2024-01-02T10:45:00Z"),
        ("$pageview", "u2", {}, "2024-01-03T10:10:00Z"),
        # u3 also views on the 2nd, but recurring cohorts keep only the first start: one cohort, Day 0.
        ("$pageview", "u3", {}, "2024-01-01T08:00:00Z"),
        ("$pageview", "u3", {}, "2024-01-02T07:00:00Z"),
    ]
    capture_events(client, world.team, events)
    dates = {"date_from": "2024-01-01", "date_to": "2024-01-03"}
    body = retention(owner_client, world.team.id, {**W24, "totalIntervals": 3}, dateRange=dates)
    rows = [[v["count"] for v in r["values"]] for r in body["results"]]
    # Day 0: u1 (windows 0 and 2) and u3 (23 hours later: window 0); Day 1: u2 (windows 0 and 1).
    assert rows == [[2, 0, 1], [1, 1, 0], [0, 0, 0]]
    calendar = retention(owner_client, world.team.id, {"totalIntervals": 3}, dateRange=dates)
    assert [[v["count"] for v in r["values"]] for r in calendar["results"]] == [[2, 2, 1], [3, 2, 0], [2, 0, 0]]


def test_first_time_counts_returns_after_date_to(owner_client, world, client):
    # PostHog bounds first-time kinds on neither side with 24 hour windows: a return after date_to still counts.
    events = [("$pageview", "u1", {}, "2024-01-03T20:00:00Z"), ("$pageview", "u1", {}, "2024-01-05T21:00:00Z")]
    capture_events(client, world.team, events)
    dates = {"date_from": "2024-01-01", "date_to": "2024-01-03"}
    body = retention(
        owner_client,
        world.team.id,
        {**W24, "totalIntervals": 3, "retentionType": "retention_first_time"},
        dateRange=dates,
    )
    assert [[v["count"] for v in r["values"]] for r in body["results"]] == [[0, 0, 0], [0, 0, 0], [1, 0, 1]]
    recurring = retention(owner_client, world.team.id, {**W24, "totalIntervals": 3}, dateRange=dates)
    assert [[v["count"] for v in r["values"]] for r in recurring["results"]] == [[0, 0, 0], [0, 0, 0], [1, 0, 0]]


def test_breakdown_counts_each_value_seen_after_the_start(owner_client, world, client):
    def view(distinct_id, browser, ts):
        return ("$pageview", distinct_id, {"$browser": browser}, ts)

    events = [
        view("u1", "Chrome", "2024-01-01T10:00:00Z"),
        view("u1", "Safari", "2024-01-02T12:00:00Z"),  # 26 boundaries after t_0: Safari window 1, Chrome only 0
        view("u2", "Chrome", "2024-01-01T12:00:00Z"),
        view("u2", "Chrome", "2024-01-02T11:00:00Z"),  # 23 boundaries: window 0
        view("u3", "Safari", "2024-01-02T09:00:00Z"),
    ]
    capture_events(client, world.team, events)
    dates = {"date_from": "2024-01-01", "date_to": "2024-01-02"}
    breakdown = {"breakdown": "$browser", "breakdown_type": "event"}
    body = retention(
        owner_client, world.team.id, {**W24, "totalIntervals": 2}, dateRange=dates, breakdownFilter=breakdown
    )
    rows = [(r["breakdown_value"], r["label"], [v["count"] for v in r["values"]]) for r in body["results"]]
    # u1 counts for Chrome (its start) and for Safari (seen after t_0, in window 1), both in cohort Day 0.
    assert rows == [
        ("Chrome", "Day 0", [2, 0]),
        ("Chrome", "Day 1", [0, 0]),
        ("Safari", "Day 0", [1, 1]),
        ("Safari", "Day 1", [1, 0]),
    ]


@pytest.mark.parametrize(
    ("retention_filter", "message"),
    [
        ({"cumulative": True}, "Cumulative retention is not supported for 24 hour windows."),
        ({"aggregationType": "sum", "aggregationProperty": "amount"}, "Sum and average aggregation are not supported"),
        ({"aggregationType": "avg", "aggregationProperty": "amount"}, "Sum and average aggregation are not supported"),
    ],
)
def test_unsupported_combinations_answer_400(owner_client, world, retention_filter, message):
    body = retention(owner_client, world.team.id, {**W24, **retention_filter}, status=400)
    assert set(body) == {"type", "code", "detail", "attr"}
    assert message in body["detail"]


def test_first_ever_breakdown_takes_the_value_of_the_first_event(owner_client, world, client):
    def view(distinct_id, browser, ts):
        return ("$pageview", distinct_id, {"$browser": browser}, ts)

    events = [
        view("u1", "Chrome", "2024-01-01T10:00:00Z"),
        view("u1", "Safari", "2024-01-02T12:00:00Z"),  # a return in window 1, counted under u1's first value
        view("u2", "Safari", "2023-12-31T10:00:00Z"),  # first ever before the range: no cohort
        view("u2", "Chrome", "2024-01-01T11:00:00Z"),
        view("u3", "Safari", "2024-01-02T09:00:00Z"),
    ]
    capture_events(client, world.team, events)
    dates = {"date_from": "2024-01-01", "date_to": "2024-01-02"}
    retention_filter = {**W24, "totalIntervals": 2, "retentionType": "retention_first_ever_occurrence"}
    breakdown = {"breakdown": "$browser", "breakdown_type": "event"}
    body = retention(owner_client, world.team.id, retention_filter, dateRange=dates, breakdownFilter=breakdown)
    rows = [(r["breakdown_value"], r["label"], [v["count"] for v in r["values"]]) for r in body["results"]]
    # As in PostHog, u2 (start before the range) still counts when values are ranked: Safari 2, Chrome 1.
    assert rows == [
        ("Safari", "Day 0", [0, 0]),
        ("Safari", "Day 1", [1, 0]),
        ("Chrome", "Day 0", [1, 1]),
        ("Chrome", "Day 1", [0, 0]),
    ]


def test_printed_sql_first_time_weeks_in_paris():
    retention_filter = {
        **W24,
        "period": "Week",
        "totalIntervals": 4,
        "retentionType": "retention_first_time",
        "targetEntity": {"id": "signup", "type": "events"},
    }
    query = {"retentionFilter": retention_filter, "dateRange": {"date_from": "2024-01-01", "date_to": "2024-01-20"}}
    sql, values = printed(query, "Europe/Paris", 1, merges=False)
    # One t_0 per actor (their first signup ever, no date bound); cohorts and windows in Paris days, 7 per window.
    assert sql == (
        "SELECT __t1.start_interval_index AS start_interval_index, __t1.intervals_from_base AS intervals_from_base, "
        "count() AS count FROM (SELECT __t2.actor_id, __t2.first_target AS t_0, dateDiff({hogql_val_8:String}, "
        "toDateTime64({hogql_val_9:String}, 6, {hogql_val_10:String}), __t2.first_target, {hogql_val_11:String}) AS "
        "t0_unit, if(and(ifNull(greaterOrEquals(t_0, toDateTime64({hogql_val_12:String}, 6, {hogql_val_13:String})), "
        "0), ifNull(less(intDiv(t0_unit, 7), 3), 0)), intDiv(t0_unit, 7), -1) AS start_interval_index, "
        "arrayJoin(arrayDistinct(arrayConcat([0], arrayFilter((k) -> and(ifNull(greater(k, 0), 0), ifNull(less(k, "
        "4), 0), ifNull(greaterOrEquals(start_interval_index, 0), 0)), arrayMap((u) -> intDiv(minus(u, t0_unit), 7), "
        "arrayFilter((u) -> ifNull(greaterOrEquals(u, t0_unit), 0), __t2.return_units)))))) AS intervals_from_base "
        "FROM (SELECT __t3.person_id AS actor_id, minIf(__t3.timestamp, equals(__t3.event, "
        "{hogql_val_0:String})) AS first_target, groupUniqArrayIf(dateDiff({hogql_val_1:String}, "
        "toDateTime64({hogql_val_2:String}, 6, {hogql_val_3:String}), __t3.timestamp, {hogql_val_4:String}), "
        "equals(__t3.event, {hogql_val_5:String})) AS return_units FROM events AS __t3 WHERE "
        "and(equals(__t3.team_id, 42), ifNull(in(__t3.event, tuple({hogql_val_6:String}, {hogql_val_7:String})), 0)) "
        "GROUP BY actor_id) AS __t2) AS __t1 GROUP BY start_interval_index, intervals_from_base ORDER BY "
        "start_interval_index ASC, intervals_from_base ASC LIMIT 50000"
    )
    assert [values[f"hogql_val_{n}"] for n in (1, 2, 4, 8, 11)] == [
        "day",
        "2023-12-31 23:00:00.000000",
        "Europe/Paris",
        "day",
        "Europe/Paris",
    ]


def test_group_aggregation(owner_client, world, client):
    events = [
        ("$pageview", "u1", {"$group_0": "acme"}, "2024-01-01T22:00:00Z"),
        ("$pageview", "u2", {"$group_0": "acme"}, "2024-01-02T21:00:00Z"),  # 23 hours after acme's start
        ("$pageview", "u3", {"$group_0": "globex"}, "2024-01-01T10:00:00Z"),
        ("$pageview", "u3", {"$group_0": "globex"}, "2024-01-02T11:00:00Z"),  # 25 hours: window 1
        ("$pageview", "u4", {}, "2024-01-02T10:00:00Z"),  # no group
    ]
    capture_events(client, world.team, events)
    body = retention(
        owner_client,
        world.team.id,
        {**W24, "totalIntervals": 3},
        aggregation_group_type_index=0,
        dateRange={"date_from": "2024-01-01", "date_to": "2024-01-03"},
    )
    assert [[v["count"] for v in r["values"]] for r in body["results"]] == [[2, 1, 0], [0, 0, 0], [0, 0, 0]]
