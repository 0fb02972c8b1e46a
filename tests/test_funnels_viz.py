"""Funnel time-to-convert and trends visualisations, validation errors and the printed SQL."""

import math
import re
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from queries.hogql.execute import print_select
from queries.hogql.printer import PrintContext
from queries.runners.common.date_range import QueryDateRange
from queries.runners.funnels import aggregation, query_builder, validation
from queries.runners.funnels.query_builder import FunnelQueryBuilder
from queries.runners.funnels.results import time_to_convert_bins
from queries.schema.insight_filters import FunnelsFilter
from queries.schema.insights import FunnelsQuery
from tests.query_helpers import run_query
from tests.test_funnels import (
    DAY,
    STEPS,
    data,  # noqa: F401 (fixture)
    funnel,
    in_range,
    per_actor_events,
    reference_actor,
    seconds,
)

pytestmark = pytest.mark.usefixtures("clickhouse")
WINDOW = 14 * DAY


def expected_bins(samples: list[float], bin_count: int | None = None) -> dict:
    """Spec §3.9, written out: bins+1 rows of [from + i*width, actors]."""
    bins = min(max(bin_count, 1), 90) if bin_count else min(max(math.ceil(round(len(samples) ** (1 / 3), 9)), 1), 60)
    low, high = math.floor(min(samples)), math.ceil(max(samples))
    width = math.ceil((high - low) / bins) or 60
    rows = [[low + i * width, 0] for i in range(bins + 1)]
    for sample in samples:
        rows[int((sample - low) // width)][1] += 1
    return {"bins": rows, "average_conversion_time": round(sum(samples) / len(samples), 2)}


def conversion_samples(from_step: int, to_step: int) -> list[float]:
    samples = []
    for events in per_actor_events().values():
        path = reference_actor(events, STEPS, WINDOW)
        if path and len(path) > to_step:
            samples.append(path[to_step] - path[from_step])
    return samples


@pytest.mark.parametrize(("from_step", "to_step", "bin_count"), [(0, 2, None), (0, 1, None), (1, 2, 4), (0, 2, 1)])
def test_funnel_time_to_convert_bins(owner_client, world, data, from_step, to_step, bin_count):  # noqa: F811
    filters = {"funnelVizType": "time_to_convert", "funnelFromStep": from_step, "funnelToStep": to_step}
    if bin_count:
        filters["binCount"] = bin_count
    result = funnel(owner_client, world.team.id, funnelsFilter=filters)["results"]
    assert result == expected_bins(conversion_samples(from_step, to_step), bin_count)


def test_time_to_convert_bins_formula_by_hand():
    # 8 samples: cbrt(8) = 2 bins; from 10 to 70, width 30.
    assert time_to_convert_bins([10, 20, 30, 40, 50, 60, 65, 70], None) == {
        "bins": [[10, 3], [40, 4], [70, 1]],
        "average_conversion_time": 43.12,
    }
    # Every sample equal: the width falls back to 60 seconds.
    assert time_to_convert_bins([5.0, 5.0], 3)["bins"] == [[5, 2], [65, 0], [125, 0], [185, 0]]
    assert time_to_convert_bins([], None) == {"bins": [], "average_conversion_time": None}


def expected_trends(from_step=0, to_step=2) -> dict[str, float]:
    """Conversion rate per entrance day: actors evaluated from their entries of that day only."""
    per_day: dict = {}
    for events in per_actor_events().values():
        days = {datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d") for ts, name, _ in events if name == STEPS[0]}
        for day in days:
            own = [
                (ts, name, p)
                for ts, name, p in events
                if name != STEPS[0] or datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d") == day
            ]
            path = reference_actor(own, STEPS, WINDOW)
            reached = per_day.setdefault(day, [0, 0])
            reached[0] += len(path) >= from_step + 1
            reached[1] += len(path) >= to_step + 1
    return {day: round(b / a * 100, 2) if a else 0 for day, (a, b) in per_day.items()}


def test_funnel_trends_conversion_rate_per_day(owner_client, world, data):  # noqa: F811
    body = funnel(owner_client, world.team.id, interval="day", funnelsFilter={"funnelVizType": "trends"})
    [series] = body["results"]
    assert series["days"][0] == "2024-01-01" and series["days"][-1] == "2024-01-20"
    assert series["labels"][0] == "1-Jan-2024"
    assert series["count"] == 20 == len(series["data"])
    expected = expected_trends()
    assert dict(zip(series["days"], series["data"], strict=True)) == {
        day: expected.get(day, 0) for day in series["days"]
    }
    # Hand check: on the 2nd alice entered and bought (100%); erin's entry on the 1st never bought.
    assert series["data"][1] == 100.0


def test_funnel_trends_from_and_to_steps_with_breakdown(owner_client, world, data):  # noqa: F811
    filters = {"funnelVizType": "trends", "funnelFromStep": 0, "funnelToStep": 1}
    body = funnel(
        owner_client,
        world.team.id,
        interval="week",
        funnelsFilter=filters,
        breakdownFilter={"breakdown": "$browser"},
    )
    results = body["results"]
    assert all("breakdown_value" in item for item in results)
    assert {tuple(item["breakdown_value"]) for item in results} >= {("Chrome",), ("Safari",)}
    assert results[0]["days"] == ["2023-12-31", "2024-01-07", "2024-01-14"]
    assert results[0]["labels"][0] == "1–6 Jan"
    safari = next(item for item in results if item["breakdown_value"] == ["Safari"])
    # bob (3rd) and gina (11th) both viewed: 100% in their weeks, nothing in the last week.
    assert safari["data"] == [100.0, 100.0, 0]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"steps": ["signup"]}, validation.TOO_FEW_STEPS),
        ({"steps": [f"e{i}" for i in range(21)]}, validation.TOO_MANY_STEPS),
        (
            {"funnelsFilter": {"funnelVizType": "time_to_convert", "funnelFromStep": 2, "funnelToStep": 2}},
            validation.FROM_STEP_OUT_OF_RANGE.format(max_step=1),
        ),
        (
            {"funnelsFilter": {"funnelVizType": "trends", "funnelFromStep": 1, "funnelToStep": 1}},
            validation.TO_STEP_OUT_OF_RANGE.format(max_step=2),
        ),
        (
            {
                "funnelsFilter": {
                    "exclusions": [{"kind": "EventsNode", "event": "x", "funnelFromStep": 1, "funnelToStep": 1}]
                }
            },
            validation.EXCLUSION_RANGE,
        ),
        (
            {
                "funnelsFilter": {
                    "exclusions": [{"kind": "EventsNode", "event": "x", "funnelFromStep": 0, "funnelToStep": 5}]
                }
            },
            validation.EXCLUSION_OUT_OF_RANGE.format(max_step=2),
        ),
        (
            {
                "funnelsFilter": {
                    "exclusions": [{"kind": "EventsNode", "event": "view", "funnelFromStep": 0, "funnelToStep": 2}]
                }
            },
            validation.EXCLUSION_IS_STEP,
        ),
        (
            {
                "funnelsFilter": {
                    "funnelOrderType": "unordered",
                    "exclusions": [{"kind": "EventsNode", "event": "x", "funnelFromStep": 0, "funnelToStep": 1}],
                }
            },
            validation.PARTIAL_EXCLUSION_UNORDERED,
        ),
        (
            {
                "funnelsFilter": {"breakdownAttributionType": "step", "breakdownAttributionValue": 3},
                "breakdownFilter": {"breakdown": "$browser"},
            },
            validation.ATTRIBUTION_STEP_RANGE.format(max_step=2),
        ),
        ({"funnelsFilter": {"funnelVizType": "flow"}}, "The flow visualization of funnels is not supported yet."),
    ],
)
def test_funnel_invalid_queries_answer_400(owner_client, world, fields, message):
    body = funnel(owner_client, world.team.id, status=400, **fields)
    assert body["type"] == "validation_error"
    assert body["detail"] == message
    assert body["attr"] is None


def test_funnel_unknown_action_and_optional_rules_answer_400(owner_client, world):
    series = [{"kind": "ActionsNode", "id": 987654}, {"kind": "EventsNode", "event": "view"}]
    source = {"kind": "FunnelsQuery", "series": series}
    response = run_query(owner_client, world.team.id, {"kind": "InsightVizNode", "source": source})
    assert response.status_code == 400
    assert response.json()["detail"] == "Action 987654 does not exist."
    optional_first = [
        {"kind": "EventsNode", "event": "a", "optionalInFunnel": True},
        {"kind": "EventsNode", "event": "b"},
    ]
    response = run_query(owner_client, world.team.id, {"kind": "FunnelsQuery", "series": optional_first})
    assert response.json()["detail"] == validation.OPTIONAL_FIRST_STEP
    optional_trends = [
        {"kind": "EventsNode", "event": "a"},
        {"kind": "EventsNode", "event": "b", "optionalInFunnel": True},
        {"kind": "EventsNode", "event": "c"},
    ]
    source = {"kind": "FunnelsQuery", "series": optional_trends, "funnelsFilter": {"funnelVizType": "trends"}}
    response = run_query(owner_client, world.team.id, source)
    assert response.json()["detail"] == validation.OPTIONAL_STEPS_VIZ


def printed_sql(query: dict, viz: str = "steps") -> tuple[str, dict]:
    node = FunnelsQuery.model_validate(query)
    node = node.model_copy(update={"funnelsFilter": node.funnelsFilter or FunnelsFilter()})
    team = SimpleNamespace(timezone="UTC", test_account_filters=[], week_start_day=0)
    date_range = QueryDateRange(node.dateRange, "UTC", "day", datetime(2024, 1, 10, tzinfo=UTC))
    builder = FunnelQueryBuilder(node, team, date_range, viz)
    context = PrintContext(team_id=42, timezone="UTC", person_overrides=False)
    select = {"steps": aggregation.steps_query, "time_to_convert": aggregation.time_to_convert_query}[viz](builder)
    return print_select(select, context, 50000, 50000), context.parameters


TWO_STEPS = {
    "kind": "FunnelsQuery",
    "series": [{"kind": "EventsNode", "event": "signup"}, {"kind": "EventsNode", "event": "buy"}],
    "dateRange": {"date_from": "2024-01-01", "date_to": "2024-01-05"},
}


# The steps' event names, then the range: the parameters every TWO_STEPS snapshot starts with.
STEP_AND_RANGE_PARAMETERS = {
    "hogql_val_0": "signup",
    "hogql_val_1": "buy",
    "hogql_val_2": "2024-01-01 00:00:00.000000",
    "hogql_val_3": "UTC",
    "hogql_val_4": "2024-01-05 23:59:59.999999",
    "hogql_val_5": "UTC",
}


def test_funnel_sql_snapshot_fast_path():
    sql, parameters = printed_sql(TWO_STEPS)
    assert sql == SNAPSHOT_FAST
    assert parameters == {**STEP_AND_RANGE_PARAMETERS, "hogql_val_6": "buy", "hogql_val_7": "signup"}


def test_funnel_sql_snapshot_strict_fold_prunes_by_timestamp(monkeypatch):
    # Strict funnels on distinct events take the vectorised path; the fold is what it must agree with.
    monkeypatch.setattr(query_builder, "VECTORISED", False)
    sql, _ = printed_sql({**TWO_STEPS, "funnelsFilter": {"funnelOrderType": "strict"}})
    assert sql == SNAPSHOT_STRICT
    # The range is on the raw timestamp column (primary-key pruning) and the team guard is applied.
    assert "greaterOrEquals(__t" in sql and "equals(__t" in sql and "team_id, 42)" in sql


def test_funnel_sql_snapshot_strict_vectorised():
    sql, parameters = printed_sql({**TWO_STEPS, "funnelsFilter": {"funnelOrderType": "strict"}})
    assert sql == SNAPSHOT_STRICT_VECTORISED
    assert "arrayFold" not in sql and re.search(r"greaterOrEquals\(__t\d+\.timestamp", sql)
    # Strict funnels see every event of the actor: no filter on the event name.
    assert parameters == STEP_AND_RANGE_PARAMETERS


def test_funnel_event_filter_only_when_every_step_names_an_event():
    sql, _ = printed_sql(TWO_STEPS)
    assert ".event, tuple(" in sql
    all_events = {**TWO_STEPS, "series": [{"kind": "EventsNode", "event": "signup"}, {"kind": "EventsNode"}]}
    sql, _ = printed_sql(all_events)
    assert ".event, tuple(" not in sql


def test_in_range_helper_matches_the_query_range():
    assert in_range("2024-01-20T23:59:59Z") and not in_range("2024-01-21T00:00:00Z")
    assert seconds("2024-01-01T00:00:01Z") - seconds("2024-01-01T00:00:00Z") == 1


SNAPSHOT_FAST = (
    "SELECT countIf(greater(length(__t1.best), 0)) AS step_0, countIf(greater(length(__t1.best), 1)) AS s"
    "tep_1, avgIf(if(greater(length(__t1.best), 1), minus(arrayElement(__t1.best, 2), arrayElement(__t1.b"
    "est, 1)), 0.0), greater(if(greater(length(__t1.best), 1), minus(arrayElement(__t1.best, 2), arrayEle"
    "ment(__t1.best, 1)), 0.0), 0)) AS average_time_1, quantileIf(0.5)(if(greater(length(__t1.best), 1), "
    "minus(arrayElement(__t1.best, 2), arrayElement(__t1.best, 1)), 0.0), greater(if(greater(length(__t1."
    "best), 1), minus(arrayElement(__t1.best, 2), arrayElement(__t1.best, 1)), 0.0), 0)) AS median_time_1"
    " FROM (SELECT __t2.aggregation_target, arrayRemove([if(bitAnd(greater(__t2.entry, 0), greater(indexO"
    "f(__t2.reached_1, __t2.entry), 0)), divide(toFloat64(bitShiftRight(arrayElement(__t2.events, indexOf"
    "(__t2.reached_1, __t2.entry)), 2)), 1000), -1.0), if(bitAnd(greater(__t2.entry, 0), greater(indexOf("
    "__t2.reached_2, __t2.entry), 0)), divide(toFloat64(bitShiftRight(arrayElement(__t2.events, indexOf(_"
    "_t2.reached_2, __t2.entry)), 2)), 1000), -1.0)], -1.0) AS best, toUInt8(0) AS excluded FROM (SELECT "
    "__t3.aggregation_target, __t3.events, __t3.reached_1, __t3.reached_2, multiIf(greater(arrayElement(a"
    "rrayRemove(__t3.reached_2, 0), 1), 0), arrayElement(arrayRemove(__t3.reached_2, 0), 1), arrayElement"
    "(arrayRemove(__t3.reached_1, 0), 1)) AS entry FROM (SELECT __t4.aggregation_target, __t4.events, __t"
    "4.reached_1, arrayMap((x, e) -> multiply(e, bitAnd(bitAnd(not(bitTest(x, 0)), greater(e, 0)), lessOr"
    "Equals(minus(bitShiftRight(x, 2), e), 1209600000))), __t4.events, arrayFill((v) -> greater(v, 0), __"
    "t4.reached_1)) AS reached_2 FROM (SELECT __t5.aggregation_target, __t5.events, arrayMap((x) -> multi"
    "ply(bitShiftRight(x, 2), not(bitTest(x, 1))), __t5.events) AS reached_1 FROM (SELECT __t6.aggregatio"
    "n_target, arraySort(groupArray(__t6.packed)) AS events FROM (SELECT __t7.person_id AS aggregation_ta"
    "rget, bitOr(bitShiftLeft(toUInt64(toUnixTimestamp64Milli(__t7.timestamp)), 2), bitXor(toUInt64(plus("
    "if(equals(__t7.event, {hogql_val_0:String}), 2, 0), if(equals(__t7.event, {hogql_v"
    "al_1:String}), 1, 0))), 3)) AS packed FROM events AS __t7 WHERE and(equals(__t7.team_id, 42), an"
    "d(greaterOrEquals(__t7.timestamp, toDateTime64({hogql_val_2:String}, 6, {hogql_val_3:String})"
    "), lessOrEquals(__t7.timestamp, toDateTime64({hogql_val_4:String}, 6, {hogql_val_5:String"
    "})), ifNull(in(__t7.event, tuple({hogql_val_6:String}, {hogql_val_7:String})), 0)))) AS __t6 WHE"
    "RE notEquals(bitAnd(__t6.packed, 3), 3) GROUP BY __t6.aggregation_target) AS __t5) AS __t4) AS __t3)"
    " AS __t2) AS __t1 WHERE bitAnd(equals(__t1.excluded, 0), notEmpty(__t1.best)) LIMIT 50000"
)
SNAPSHOT_STRICT = (
    "SELECT countIf(greater(length(__t1.best), 0)) AS step_0, countIf(greater(length(__t1.best), 1)) AS s"
    "tep_1, avgIf(if(greater(length(__t1.best), 1), minus(arrayElement(__t1.best, 2), arrayElement(__t1.b"
    "est, 1)), 0.0), greater(if(greater(length(__t1.best), 1), minus(arrayElement(__t1.best, 2), arrayEle"
    "ment(__t1.best, 1)), 0.0), 0)) AS average_time_1, quantileIf(0.5)(if(greater(length(__t1.best), 1), "
    "minus(arrayElement(__t1.best, 2), arrayElement(__t1.best, 1)), 0.0), greater(if(greater(length(__t1."
    "best), 1), minus(arrayElement(__t1.best, 2), arrayElement(__t1.best, 1)), 0.0), 0)) AS median_time_1"
    " FROM (SELECT __t2.aggregation_target, multiIf(and(notEmpty(arrayElement(tupleElement(__t2.state, 1)"
    ", 2)), less(length(tupleElement(__t2.state, 2)), 2)), arrayElement(tupleElement(__t2.state, 1), 2), "
    "and(notEmpty(arrayElement(tupleElement(__t2.state, 1), 1)), less(length(tupleElement(__t2.state, 2))"
    ", 1)), arrayElement(tupleElement(__t2.state, 1), 1), tupleElement(__t2.state, 2)) AS best, tupleElem"
    "ent(__t2.state, 3) AS excluded FROM (SELECT __t3.aggregation_target, arrayFold((acc, ev) -> if(or(eq"
    "uals(tupleElement(acc, 3), 1), notEmpty(arrayElement(tupleElement(acc, 1), 2))), acc, tuple([if(bitT"
    "est(tupleElement(ev, 2), 0), if(and(notEmpty(arrayElement(tupleElement(acc, 1), 1)), equals(arrayEle"
    "ment(arrayElement(tupleElement(acc, 1), 1), 1), tupleElement(ev, 1))), arrayElement(tupleElement(acc"
    ", 1), 1), [tupleElement(ev, 1)]), arrayResize([toFloat64(0)], 0)), if(bitTest(tupleElement(ev, 2), 1"
    "), multiIf(and(notEmpty(arrayElement(tupleElement(acc, 1), 1)), lessOrEquals(minus(tupleElement(ev, "
    "1), arrayElement(arrayElement(tupleElement(acc, 1), 1), 1)), 1209600), not(and(notEmpty(arrayElement"
    "(tupleElement(acc, 1), 2)), equals(arrayElement(arrayElement(tupleElement(acc, 1), 2), 1), arrayElem"
    "ent(arrayElement(tupleElement(acc, 1), 1), 1))))), arrayPushBack(arrayElement(tupleElement(acc, 1), "
    "1), tupleElement(ev, 1)), arrayElement(tupleElement(acc, 1), 2)), arrayResize([toFloat64(0)], 0))], "
    "multiIf(and(notEmpty(arrayElement(tupleElement(acc, 1), 2)), less(length(tupleElement(acc, 2)), 2)),"
    " arrayElement(tupleElement(acc, 1), 2), and(notEmpty(arrayElement(tupleElement(acc, 1), 1)), less(le"
    "ngth(tupleElement(acc, 2)), 1)), arrayElement(tupleElement(acc, 1), 1), tupleElement(acc, 2)), if(0,"
    " toUInt8(1), toUInt8(0)))), arrayFilter((x, before, after) -> not(or(and(equals(tupleElement(x, 2), "
    "1), equals(after, tupleElement(x, 2))), and(and(not(bitTest(tupleElement(x, 2), 0)), equals(before, "
    "tupleElement(x, 2))), not(and(bitTest(tupleElement(x, 2), 1), greater(bitAnd(tupleElement(x, 2), 1),"
    " 0)))))), __t3.events_array, arrayResize(arrayPushFront(arrayMap((x) -> tupleElement(x, 2), __t3.eve"
    "nts_array), 0), length(arrayMap((x) -> tupleElement(x, 2), __t3.events_array))), arrayPopFront(array"
    "PushBack(arrayMap((x) -> tupleElement(x, 2), __t3.events_array), 0))), tuple(arrayMap((i) -> arrayRe"
    "size([toFloat64(0)], 0), range(2)), arrayResize([toFloat64(0)], 0), toUInt8(0))) AS state FROM (SELE"
    "CT __t4.aggregation_target, arraySort(groupArray(tuple(__t4.ts, __t4.steps))) AS events_array FROM ("
    "SELECT __t5.person_id AS aggregation_target, toFloat64(__t5.timestamp) AS ts, toUInt64(plus(if("
    "equals(__t5.event, {hogql_val_0:String}), 1, 0), if(equals(__t5.event, {hogql_val_1:Str"
    "ing}), 2, 0))) AS steps FROM events AS __t5 WHERE and(equals(__t5.team_id, 42), and(great"
    "erOrEquals(__t5.timestamp, toDateTime64({hogql_val_2:String}, 6, {hogql_val_3:String})), "
    "lessOrEquals(__t5.timestamp, toDateTime64({hogql_val_4:String}, 6, {hogql_val_5:String}))))) AS "
    "__t4 GROUP BY __t4.aggregation_target) AS __t3) AS __t2) AS __t1 WHERE bitAnd(equals(__t1.excluded, "
    "0), notEmpty(__t1.best)) LIMIT 50000"
)
SNAPSHOT_STRICT_VECTORISED = (
    "SELECT countIf(greater(length(__t1.best), 0)) AS step_0, countIf(greater(length(__t1.best), 1)) AS s"
    "tep_1, avgIf(if(greater(length(__t1.best), 1), minus(arrayElement(__t1.best, 2), arrayElement(__t1.b"
    "est, 1)), 0.0), greater(if(greater(length(__t1.best), 1), minus(arrayElement(__t1.best, 2), arrayEle"
    "ment(__t1.best, 1)), 0.0), 0)) AS average_time_1, quantileIf(0.5)(if(greater(length(__t1.best), 1), "
    "minus(arrayElement(__t1.best, 2), arrayElement(__t1.best, 1)), 0.0), greater(if(greater(length(__t1."
    "best), 1), minus(arrayElement(__t1.best, 2), arrayElement(__t1.best, 1)), 0.0), 0)) AS median_time_1"
    " FROM (SELECT __t2.aggregation_target, arrayFilter((t) -> greaterOrEquals(t, 0), [if(and(greaterOrEq"
    "uals(__t2.furthest, 1), greater(arrayFirstIndex((c, v) -> and(equals(c, 1), equals(v, __t2.entry)), "
    "__t2.codes, __t2.entry_2), 0)), divide(toFloat64(arrayElement(__t2.times, arrayFirstIndex((c, v) -> "
    "and(equals(c, 1), equals(v, __t2.entry)), __t2.codes, __t2.entry_2))), 1000000), -1.0), if(and(great"
    "erOrEquals(__t2.furthest, 2), greater(arrayFirstIndex((c, v) -> and(equals(c, 2), equals(v, __t2.ent"
    "ry)), __t2.codes, __t2.entry_2), 0)), divide(toFloat64(arrayElement(__t2.times, arrayFirstIndex((c, "
    "v) -> and(equals(c, 2), equals(v, __t2.entry)), __t2.codes, __t2.entry_2))), 1000000), -1.0)]) AS be"
    "st, if(and(greater(__t2.first_hit, 0), or(equals(if(equals(__t2.furthest, 2), __t2.reached_at, 0), 0"
    "), less(__t2.first_hit, if(equals(__t2.furthest, 2), __t2.reached_at, 0)))), toUInt8(1), toUInt8(0))"
    " AS excluded FROM (SELECT __t3.aggregation_target, __t3.events, __t3.times, __t3.codes, __t3.previou"
    "s_codes, __t3.entry_1, __t3.entry_2, __t3.levels, __t3.first_hit, __t3.furthest, __t3.reached_at, if"
    "(greater(__t3.furthest, 0), arrayElement(__t3.entry_2, __t3.reached_at), 0) AS entry FROM (SELECT __"
    "t4.aggregation_target, __t4.events, __t4.times, __t4.codes, __t4.previous_codes, __t4.entry_1, __t4."
    "entry_2, __t4.levels, __t4.first_hit, __t4.furthest, indexOf(__t4.levels, __t4.furthest) AS reached_"
    "at FROM (SELECT __t5.aggregation_target, __t5.events, __t5.times, __t5.codes, __t5.previous_codes, _"
    "_t5.entry_1, __t5.entry_2, __t5.levels, __t5.first_hit, arrayMax(__t5.levels) AS furthest FROM (SELE"
    "CT __t6.aggregation_target, __t6.events, __t6.times, __t6.codes, __t6.previous_codes, __t6.entry_1, "
    "__t6.entry_2, arrayMap((c, v) -> if(greater(v, 0), c, 0), __t6.codes, __t6.entry_2) AS levels, 0 AS "
    "first_hit FROM (SELECT __t7.aggregation_target, __t7.events, __t7.times, __t7.codes, __t7.previous_c"
    "odes, __t7.entry_1, arrayFill((v, c, p) -> not(and(equals(c, 2), equals(p, 2))), arrayMap((v, c, p, "
    "pe, t) -> if(equals(c, 2), if(and(and(equals(p, 1), greater(pe, 0)), lessOrEquals(minus(t, pe), 1209"
    "600000000)), pe, 0), v), __t7.entry_1, __t7.codes, __t7.previous_codes, arrayResize(arrayPushFront(_"
    "_t7.entry_1, 0), length(__t7.entry_1)), __t7.times), __t7.codes, __t7.previous_codes) AS entry_2 FRO"
    "M (SELECT __t8.aggregation_target, __t8.events, __t8.times, __t8.codes, arrayResize(arrayPushFront(_"
    "_t8.codes, 0), length(__t8.codes)) AS previous_codes, arrayMap((c, t) -> if(equals(c, 1), t, 0), __t"
    "8.codes, __t8.times) AS entry_1 FROM (SELECT __t9.aggregation_target, __t9.events, arrayMap((x) -> b"
    "itShiftRight(x, 2), __t9.events) AS times, arrayMap((x) -> bitAnd(x, 3), __t9.events) AS codes FROM "
    "(SELECT __t10.aggregation_target, arraySort(groupArray(__t10.packed)) AS events FROM (SELECT __t11.p"
    "erson_id AS aggregation_target, bitOr(bitShiftLeft(toUInt64(toUnixTimestamp64Micro(__t11.timestamp))"
    ", 2), toUInt64(multiIf(equals(__t11.event, {hogql_val_0:String}), 1, equals(__t11."
    "event, {hogql_val_1:String}), 2, 0))) AS packed FROM events AS __t11 WHERE and(equals(__t11.team"
    "_id, 42), and(greaterOrEquals(__t11.timestamp, toDateTime64({hogql_val_2:String}, 6, {hogql_v"
    "al_3:String})), lessOrEquals(__t11.timestamp, toDateTime64({hogql_val_4:String}, 6, {hogq"
    "l_val_5:String}))))) AS __t10 GROUP BY __t10.aggregation_target) AS __t9) AS __t8) AS __t7) AS _"
    "_t6) AS __t5) AS __t4) AS __t3) AS __t2) AS __t1 WHERE bitAnd(equals(__t1.excluded, 0), notEmpty(__t"
    "1.best)) LIMIT 50000"
)
