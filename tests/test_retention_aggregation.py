"""RetentionQuery with `aggregationType` sum or avg through POST /query/, checked against a computation in Python.

What PostHog does (retention_query_runner.py, retention/retention_base_query_fixed.py), restated by `expected_values`:
- `count` stays the number of distinct actors per cell; `aggregation_value` appears on every `values[k]`.
- Each counted event adds `toFloat(property)`, 0 when the property is missing or not a number.
- Same target and returning entity: index 0 adds the target events of the cohort period, index k the returning events
  of the period k later. Different entities: the cohort period only places the actor at index 0 (value 0); the values
  come from returning events, at index 0 only after the actor's first target event of that period.
- avg = sum / distinct actors of the cell. minimumOccurrences plays no part. Breakdowns: Other adds up cells.
- Without `aggregationProperty` sum/avg count like `count`; cumulative, custom brackets and data warehouse properties
  answer 400 here (PostHog has no working combination for them).
"""

import random
from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.query_helpers import capture_events, run_query
from tests.test_retention import failures_of, printed

pytestmark = pytest.mark.usefixtures("clickhouse")

UTC = ZoneInfo("UTC")
PERSONS = [f"p{n}" for n in range(10)]
MERGED = {"anon-3": "p3", "anon-5": "p5"}
IDENTIFIED_AT = datetime(2024, 1, 8, 12, tzinfo=UTC)
# Person property `ltv`: numbers, numeric strings, and values that count as 0 (not numeric, empty, never set).
LTV = {"p0": "100", "p1": 25.5, "p2": "abc", "p4": "", "p5": 7, "p6": "12.25", "p7": 3, "p8": "60", "p9": 1.5}
AMOUNTS = [None, "", "abc", "12.5", 3, 7.25, "40", 10, "0.5"]


def generate_events(seed: int = 11) -> list[tuple]:
    rng = random.Random(seed)
    start = datetime(2023, 12, 28, tzinfo=UTC)
    events = []
    for person in PERSONS:
        first_day = rng.randrange(0, 12)
        for _ in range(rng.randrange(6, 22)):
            moment = start + timedelta(days=first_day + rng.randrange(0, 20), minutes=rng.randrange(0, 24 * 60))
            name = rng.choice(["$pageview", "$pageview", "signup", "purchase"])
            properties = {"$browser": rng.choice(["Chrome", "Safari", "Firefox", "Edge"])}
            amount = rng.choice(AMOUNTS)
            if amount is not None:
                properties["amount"] = amount
            events.append((name, person, properties, moment.strftime("%Y-%m-%dT%H:%M:%SZ")))
    for anon, person in MERGED.items():
        # Browsing anonymously and as themselves before the identification: two persons, merged by the $identify.
        for day, name, amount in [(2, "$pageview", 5), (3, "$pageview", "8"), (4, "signup", 1), (5, "purchase", 20)]:
            properties = {"amount": amount, "$browser": "Chrome"}
            events.append((name, anon, properties, f"2024-01-0{day}T08:00:00Z"))
        events.append(("$pageview", person, {"amount": 2}, "2024-01-04T20:00:00Z"))
    for _name, distinct_id, properties, _ts in events:
        person = MERGED.get(distinct_id, distinct_id)
        if person in LTV:
            properties["$set"] = {"ltv": LTV[person]}
    for anon, person in MERGED.items():
        events.append(("$identify", person, {"$anon_distinct_id": anon}, IDENTIFIED_AT.strftime("%Y-%m-%dT%H:%M:%SZ")))
    return sorted(events, key=lambda e: e[3])


EVENTS = generate_events()


def capture_in_two_batches(client, team) -> None:
    """Anonymous events first, identification later: the merge then writes person overrides."""
    cut = IDENTIFIED_AT.strftime("%Y-%m-%dT%H:%M:%SZ")
    capture_events(client, team, [e for e in EVENTS if e[3] < cut])
    capture_events(client, team, [e for e in EVENTS if e[3] >= cut])


@pytest.fixture
def data(client, world):
    capture_in_two_batches(client, world.team)
    other = [("$pageview", "mallory", {"amount": 999}, f"2024-01-0{d}T10:00:00Z") for d in (2, 3)]
    capture_events(client, world.other_team, other)


def retention(client, team_id, retention_filter: dict, status: int = 200, **fields) -> dict:
    source = {"kind": "RetentionQuery", "retentionFilter": retention_filter, **fields}
    source.setdefault("dateRange", {"date_from": "2024-01-01", "date_to": "2024-01-10"})
    response = run_query(client, team_id, {"kind": "InsightVizNode", "source": source}, refresh="force_blocking")
    assert response.status_code == status, response.json()
    return response.json()


# ---- the reference computation -------------------------------------------------------------------------


def number(value) -> float:
    """A property as a number the way toFloat reads its text: numbers and numeric strings; anything else is 0."""
    if isinstance(value, bool) or value is None:
        return 0.0
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(value)
    except ValueError:
        return 0.0


def expected_values(
    events,
    date_from: str,
    date_to: str,
    period: str = "Day",
    total: int = 8,
    kind: str = "retention_recurring",
    target: str = "$pageview",
    returning: str = "$pageview",
    prop: str = "amount",
    prop_type: str = "event",
    breakdown=None,
    actor=lambda distinct_id: MERGED.get(distinct_id, distinct_id),
) -> dict:
    """{(breakdown value, cohort index): [(count, sum) per value index]}; only cells that have actors."""
    length = {"Day": timedelta(days=1), "Week": timedelta(weeks=1)}[period]

    def truncate(moment: datetime) -> datetime:
        # Sunday weeks: the team's default week start.
        return moment - timedelta(days=(moment.weekday() + 1) % 7) if period == "Week" else moment

    start = truncate(datetime.fromisoformat(date_from).replace(tzinfo=UTC))
    end = truncate(datetime.fromisoformat(date_to).replace(tzinfo=UTC) + length)
    cohorts = (end - start) // length

    def index(moment: datetime) -> int | None:
        return int((moment - start) / length) if start <= moment < end else None

    def value(distinct_id, properties) -> float:
        if prop_type == "person":
            return number(LTV.get(actor(distinct_id)))
        return number(properties.get(prop))

    per_actor = defaultdict(list)
    for name, distinct_id, properties, ts in events:
        moment = datetime.fromisoformat(ts.replace("Z", "+00:00"))
        if moment >= end:
            continue
        key = breakdown(properties) if breakdown else None
        per_actor[(actor(distinct_id), key)].append((moment, name, value(distinct_id, properties)))

    same = target == returning
    table: dict = {}
    for (_who, key), rows in per_actor.items():
        targets = [(m, v) for m, n, v in rows if n == target]
        if kind == "retention_recurring":
            cohort_set = {index(m) for m, _ in targets} - {None}
        else:
            cohort_set = {index(min(targets)[0])} - {None} if targets else set()
        for cohort in cohort_set:
            present = {0}
            sums = defaultdict(float)
            in_cohort = [(m, v) for m, v in targets if index(m) == cohort]
            if same:
                sums[0] += sum(v for _, v in in_cohort)
            first = min(m for m, _ in in_cohort)
            for moment, name, amount in rows:
                position = index(moment)
                if name != returning or position is None:
                    continue
                distance = position - cohort
                if 0 < distance < total or (not same and distance == 0 and moment > first):
                    present.add(distance)
                    sums[distance] += amount
            row = table.setdefault((key, cohort), [(0, 0.0)] * total)
            for distance in present:
                count, running = row[distance]
                row[distance] = (count + 1, running + sums[distance])
    return {"cohorts": cohorts, "table": table}


def as_table(results: list[dict]) -> dict:
    return {
        (r["breakdown_value"], int(r["label"].split()[1])): [(v["count"], v["aggregation_value"]) for v in r["values"]]
        for r in results
        if any(v["count"] for v in r["values"])
    }


def averaged(table: dict) -> dict:
    return {key: [(c, s / c if c else 0.0) for c, s in row] for key, row in table.items()}


def check(body: dict, expected: dict, aggregation: str) -> None:
    results = body["results"]
    assert len(results) == expected["cohorts"]
    want = expected["table"] if aggregation == "sum" else averaged(expected["table"])
    got = as_table(results)
    assert got.keys() == want.keys()
    for key, row in want.items():
        assert [c for c, _ in got[key]] == [c for c, _ in row], key
        assert [v for _, v in got[key]] == pytest.approx([v for _, v in row]), key
    # Not vacuous: cohorts, returns, and values that are neither all zero nor all counts.
    assert sum(row[0][0] for row in want.values()) > 0
    assert any(v != 0 for row in want.values() for _, v in row[1:])


# ---- correctness against Python ------------------------------------------------------------------------

SIGNUP_THEN_PURCHASE = {
    "targetEntity": {"id": "signup", "type": "events"},
    "returningEntity": {"id": "purchase", "type": "events"},
}
# name: (retentionFilter overrides, reference arguments); sum of `amount` over Jan 1-10 unless overridden.
CASES = {
    "sum recurring pageviews": ({}, {}),
    "avg recurring pageviews": ({"aggregationType": "avg"}, {}),
    "sum first time pageviews": ({"retentionType": "retention_first_time"}, {"kind": "retention_first_time"}),
    "sum recurring signup then purchase": (SIGNUP_THEN_PURCHASE, {"target": "signup", "returning": "purchase"}),
    "avg first time signup then purchase": (
        {**SIGNUP_THEN_PURCHASE, "aggregationType": "avg", "retentionType": "retention_first_time"},
        {"target": "signup", "returning": "purchase", "kind": "retention_first_time"},
    ),
    "sum recurring purchase then purchase": (
        {"targetEntity": {"id": "purchase", "type": "events"}, "returningEntity": {"id": "purchase", "type": "events"}},
        {"target": "purchase", "returning": "purchase"},
    ),
    "sum person property": (
        {"aggregationProperty": "ltv", "aggregationPropertyType": "person"},
        {"prop": "ltv", "prop_type": "person"},
    ),
    "avg person property first time, signup then pageview": (
        {
            "aggregationProperty": "ltv",
            "aggregationPropertyType": "person",
            "aggregationType": "avg",
            "retentionType": "retention_first_time",
            "targetEntity": {"id": "signup", "type": "events"},
        },
        {"prop": "ltv", "prop_type": "person", "kind": "retention_first_time", "target": "signup"},
    ),
    "sum weeks": ({"period": "Week", "totalIntervals": 3}, {"period": "Week", "total": 3}),
}
DATE_TO = {"sum weeks": "2024-01-20"}


def test_retention_sum_and_avg_match_python(owner_client, world, data):
    def run(name):
        overrides, reference = CASES[name]
        retention_filter = {"totalIntervals": 8, "aggregationType": "sum", "aggregationProperty": "amount"}
        retention_filter.update(overrides)
        date_to = DATE_TO.get(name, "2024-01-10")
        body = retention(
            owner_client, world.team.id, retention_filter, dateRange={"date_from": "2024-01-01", "date_to": date_to}
        )
        check(body, expected_values(EVENTS, "2024-01-01", date_to, **reference), retention_filter["aggregationType"])

    assert failures_of((name, lambda name=name: run(name)) for name in CASES) == []


def test_retention_aggregation_ignores_minimum_occurrences(owner_client, world, data):
    common = {"totalIntervals": 8, "aggregationType": "sum", "aggregationProperty": "amount"}
    plain = retention(owner_client, world.team.id, common)
    at_least_three = retention(owner_client, world.team.id, {**common, "minimumOccurrences": 3})
    assert as_table(at_least_three["results"]) == as_table(plain["results"])
    # ...while plain counting does apply it, so the comparison above is not vacuous.
    counts = retention(owner_client, world.team.id, {"totalIntervals": 8, "minimumOccurrences": 3})
    assert [[v["count"] for v in r["values"]] for r in counts["results"]] != [
        [v["count"] for v in r["values"]] for r in plain["results"]
    ]


@pytest.mark.parametrize("aggregation", ["sum", "avg"])
def test_retention_aggregation_breakdown_with_other(owner_client, world, data, aggregation):
    breakdown = {"breakdown": "$browser", "breakdown_type": "event", "breakdown_limit": 2}
    retention_filter = {"totalIntervals": 8, "aggregationType": aggregation, "aggregationProperty": "amount"}
    body = retention(owner_client, world.team.id, retention_filter, breakdownFilter=breakdown)
    expected = expected_values(EVENTS, "2024-01-01", "2024-01-10", breakdown=lambda p: p.get("$browser") or "")
    table = expected["table"] if aggregation == "sum" else averaged(expected["table"])
    sizes = defaultdict(int)
    for (value, _cohort), row in table.items():
        sizes[value] += row[0][0]
    ranked = sorted(sizes, key=lambda v: (-sizes[v], v))
    shown, others = ranked[:2], ranked[2:]
    assert others  # five browser values (one empty): two shown
    merged = {}
    for (value, cohort), row in table.items():
        key = ("$$_posthog_breakdown_other_$$" if value in others else value, cohort)
        # Other adds its values' cells up, averages included (as PostHog does).
        known = merged.get(key, [(0, 0.0)] * 8)
        merged[key] = [(a + c, b + d) for (a, b), (c, d) in zip(known, row, strict=True)]
    results = body["results"]
    assert [r["breakdown_value"] for r in results[::10]] == [*shown, "$$_posthog_breakdown_other_$$"]
    got = as_table(results)
    assert got.keys() == merged.keys()
    for key, row in merged.items():
        assert [c for c, _ in got[key]] == [c for c, _ in row]
        assert [v for _, v in got[key]] == pytest.approx([v for _, v in row])


def test_retention_aggregation_merged_person_counts_once(owner_client, world, data):
    retention_filter = {"totalIntervals": 8, "aggregationType": "avg", "aggregationProperty": "amount"}
    dates = {"date_from": "2024-01-03", "date_to": "2024-01-12"}
    body = retention(owner_client, world.team.id, retention_filter, dateRange=dates)
    expected = expected_values(EVENTS, *dates.values())
    check(body, expected, "avg")
    assert "person_distinct_ids" in body["hogql"]
    split = expected_values(EVENTS, *dates.values(), actor=lambda distinct_id: distinct_id)
    assert averaged(split["table"]) != averaged(expected["table"])  # distinct ids as actors would differ


# ---- small hand-made cases -----------------------------------------------------------------------------


def test_retention_aggregation_by_hand(owner_client, world, client):
    events = [
        ("$pageview", "u1", {"amount": 10}, "2024-01-01T09:00:00Z"),
        ("$pageview", "u1", {"amount": "abc"}, "2024-01-01T10:00:00Z"),  # not a number: 0
        ("$pageview", "u1", {"amount": ""}, "2024-01-02T10:00:00Z"),  # empty: 0, but u1 still returned
        ("$pageview", "u1", {"amount": "2.5"}, "2024-01-03T10:00:00Z"),
        ("$pageview", "u2", {}, "2024-01-01T11:00:00Z"),  # missing: 0
        ("$pageview", "u2", {"amount": 4}, "2024-01-03T11:00:00Z"),
        ("$pageview", "u2", {"amount": 6}, "2024-01-03T12:00:00Z"),
        ("$pageview", "u3", {"amount": 1}, "2024-01-02T12:00:00Z"),
        ("signup", "u1", {"amount": 1000}, "2024-01-01T09:00:00Z"),  # other events never count
    ]
    capture_events(client, world.team, events)
    dates = {"date_from": "2024-01-01", "date_to": "2024-01-03"}
    common = {"totalIntervals": 3, "aggregationProperty": "amount"}
    summed = retention(owner_client, world.team.id, {**common, "aggregationType": "sum"}, dateRange=dates)
    first = summed["results"][0]["values"]
    assert first == [
        {"count": 2, "aggregation_value": 10.0, "label": "Day 0"},
        {"count": 1, "aggregation_value": 0.0, "label": "Day 1"},
        {"count": 2, "aggregation_value": 12.5, "label": "Day 2"},
    ]
    assert [list(v) for v in first] == [["count", "aggregation_value", "label"]] * 3
    # Day 1 cohort: u1 (0) and u3 (1); u1 returns on day 2 with 2.5. Day 2 cohort: u1 and u2.
    assert [(v["count"], v["aggregation_value"]) for v in summed["results"][1]["values"]] == [
        (2, 1.0),
        (1, 2.5),
        (0, 0.0),
    ]
    assert [(v["count"], v["aggregation_value"]) for v in summed["results"][2]["values"]] == [
        (2, 12.5),
        (0, 0.0),
        (0, 0.0),
    ]
    averages = retention(owner_client, world.team.id, {**common, "aggregationType": "avg"}, dateRange=dates)
    assert [(v["count"], v["aggregation_value"]) for v in averages["results"][0]["values"]] == [
        (2, 5.0),
        (1, 0.0),
        (2, 6.25),
    ]
    # Different entities: signup places u1 in the Jan 1 cohort; only pageviews after it that day carry values.
    different = {**common, "aggregationType": "sum", "targetEntity": {"id": "signup", "type": "events"}}
    body = retention(owner_client, world.team.id, different, dateRange=dates)
    assert [(v["count"], v["aggregation_value"]) for v in body["results"][0]["values"]] == [
        (1, 0.0),  # the 09:00 pageview is not after the 09:00 signup; the 10:00 one is "abc"
        (1, 0.0),
        (1, 2.5),
    ]


def test_retention_aggregation_without_property_counts(owner_client, world, data):
    counted = retention(owner_client, world.team.id, {"totalIntervals": 8})
    for aggregation in ("sum", "avg"):
        body = retention(owner_client, world.team.id, {"totalIntervals": 8, "aggregationType": aggregation})
        assert body["results"] == counted["results"]
        assert all(set(v) == {"count", "label"} for r in body["results"] for v in r["values"])


@pytest.mark.parametrize(
    ("retention_filter", "message"),
    [
        ({"cumulative": True}, "Cumulative"),
        ({"retentionCustomBrackets": [1, 2]}, "brackets"),
        ({"aggregationPropertyType": "data_warehouse"}, "data warehouse"),
        ({"aggregationType": "max"}, "aggregationType"),
        ({"aggregationPropertyType": "group"}, "aggregationPropertyType"),
    ],
)
def test_retention_aggregation_bad_input_answers_400(owner_client, world, retention_filter, message):
    body = retention(
        owner_client,
        world.team.id,
        {"aggregationType": "sum", "aggregationProperty": "amount", **retention_filter},
        status=400,
    )
    assert set(body) == {"type", "code", "detail", "attr"}
    assert message in body["detail"] or message in body["attr"]


def test_retention_aggregation_printed_sql():
    query = {
        "retentionFilter": {"totalIntervals": 3, "aggregationType": "avg", "aggregationProperty": "amount"},
        "dateRange": {"date_from": "2024-01-01", "date_to": "2024-01-02"},
    }
    sql, parameters = printed(query, "UTC", 0, merges=False)
    # One array of (period, value, timestamp) per person; per cohort period the events of index 0 and later ones.
    assert sql == (
        "SELECT __t1.start_interval_index AS start_interval_index, __t1.intervals_from_base AS intervals_from_base, "
        "count(DISTINCT __t1.actor_id) AS count, divide(sum(__t1.value), count(DISTINCT __t1.actor_id)) AS "
        "aggregation_value FROM (SELECT __t2.actor_id, __t2.start_interval_index, tupleElement(__t2.cell, 1) AS "
        "intervals_from_base, tupleElement(__t2.cell, 2) AS value FROM (SELECT __t3.actor_id, "
        "arrayJoin(__t3.cohort_periods) AS start_interval_index, arrayJoin(arrayConcat(arrayMap((x) -> "
        "tuple(minus(tupleElement(x, 1), start_interval_index), tupleElement(x, 2)), arrayFilter((x) -> "
        "ifNull(equals(tupleElement(x, 1), start_interval_index), 0), __t3.start_data)), arrayMap((x) -> "
        "tuple(minus(tupleElement(x, 1), start_interval_index), tupleElement(x, 2)), arrayFilter((x) -> "
        "and(ifNull(greater(minus(tupleElement(x, 1), start_interval_index), 0), 0), "
        "ifNull(lessOrEquals(minus(tupleElement(x, 1), start_interval_index), 2), 0)), __t3.start_data)))) AS cell "
        "FROM (SELECT __t4.person_id AS actor_id, groupUniqArray(dateDiff({hogql_val_0:String}, "
        "toDateTime64({hogql_val_1:String}, 6, {hogql_val_2:String}), __t4.timestamp, {hogql_val_3:String})) AS "
        "cohort_periods, groupArray(tuple(dateDiff({hogql_val_4:String}, toDateTime64({hogql_val_5:String}, 6, "
        "{hogql_val_6:String}), __t4.timestamp, {hogql_val_7:String}), "
        "ifNull(toFloat64OrNull(replaceRegexpAll(nullIf(nullIf(JSONExtractRaw(__t4.properties, "
        "{hogql_val_8:String}), ''), 'null'), '^\"|\"$', '')), 0.0), __t4.timestamp)) AS start_data FROM events AS "
        "__t4 WHERE and(equals(__t4.team_id, 42), and(greaterOrEquals(__t4.timestamp, "
        "toDateTime64({hogql_val_9:String}, 6, {hogql_val_10:String})), less(__t4.timestamp, "
        "toDateTime64({hogql_val_11:String}, 6, {hogql_val_12:String})), equals(__t4.event, "
        "{hogql_val_13:String}))) GROUP BY actor_id) AS __t3) AS __t2) AS __t1 GROUP BY start_interval_index, "
        "intervals_from_base ORDER BY start_interval_index ASC, intervals_from_base ASC LIMIT 50000"
    )
    assert parameters["hogql_val_8"] == "amount"
