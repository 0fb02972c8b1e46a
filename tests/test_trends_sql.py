# ruff: noqa: E501 - snapshots of printed SQL are single long strings on purpose
"""Snapshots of the ClickHouse SQL the trends, stickiness and lifecycle runners print, with their parameters.

No HTTP and no ClickHouse: every expected string was read for correctness, the team guard on every events read and
user values travelling as parameters. The numbers these queries give are checked in the `*_cases` test files.
"""

import re
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from queries.hogql.execute import print_select
from queries.hogql.printer import MAX_LIMIT
from queries.runners.lifecycle import LifecycleQueryRunner
from queries.runners.stickiness import StickinessQueryRunner
from queries.runners.trends.query_builder import TrendsQueryBuilder
from queries.runners.trends.runner import TrendsQueryRunner
from queries.schema import parse_query

NOW = datetime(2024, 1, 10, 12, 0, tzinfo=UTC)
PAGEVIEW = {"kind": "EventsNode", "event": "$pageview"}
RANGE = {"date_from": "2024-01-01", "date_to": "2024-01-07"}


def printed(query: dict, overrides: bool = False, timezone: str = "UTC", week_start_day: int = 0) -> tuple:
    """The SQL and parameters of the (first series', current period's) query of a runner, for team 42."""
    team = SimpleNamespace(
        id=42, timezone=timezone, week_start_day=week_start_day, test_account_filters=[], modifiers=None
    )
    node = parse_query(query)
    runner = {"TrendsQuery": TrendsQueryRunner, "StickinessQuery": StickinessQueryRunner}.get(
        node.kind, LifecycleQueryRunner
    )(node, team)
    runner.now = NOW
    runner.person_overrides = overrides
    if node.kind == "TrendsQuery":
        builder = TrendsQueryBuilder(node, team, node.series[0], runner.query_date_range(), runner.total_value)
        select = builder.build()
    elif node.kind == "StickinessQuery":
        select = runner.build(node.series[0], runner.query_date_range())
    else:
        select = runner.build(runner.query_date_range())
    context = runner.print_context()
    return print_select(select, context, default_limit=MAX_LIMIT, max_limit=MAX_LIMIT), context.parameters


QUERIES = {
    "trends-daily-total": ({"kind": "TrendsQuery", "series": [PAGEVIEW], "dateRange": RANGE}, {}, False),
    "trends-dau-by-browser-new-york": (
        {
            "kind": "TrendsQuery",
            "series": [{**PAGEVIEW, "math": "dau"}],
            "dateRange": RANGE,
            "breakdownFilter": {"breakdown": "$browser", "breakdown_type": "event"},
        },
        {"timezone": "America/New_York"},
        False,
    ),
    "trends-weekly-monday-sum-with-filter": (
        {
            "kind": "TrendsQuery",
            "series": [{**PAGEVIEW, "math": "sum", "math_property": "amount"}],
            "interval": "week",
            "dateRange": RANGE,
            "properties": [{"key": "plan", "value": ["pro", "team"], "operator": "exact", "type": "event"}],
        },
        {"week_start_day": 1},
        False,
    ),
    "trends-weekly-active-rolling": (
        {"kind": "TrendsQuery", "series": [{**PAGEVIEW, "math": "weekly_active"}], "dateRange": RANGE},
        {},
        False,
    ),
    "trends-count-per-actor-merged-persons": (
        {"kind": "TrendsQuery", "series": [{**PAGEVIEW, "math": "avg_count_per_actor"}], "dateRange": RANGE},
        {},
        True,
    ),
    "trends-bold-number": (
        {
            "kind": "TrendsQuery",
            "series": [PAGEVIEW],
            "dateRange": RANGE,
            "trendsFilter": {"display": "BoldNumber"},
        },
        {},
        False,
    ),
    "trends-first-time-for-user-with-filter": (
        {
            "kind": "TrendsQuery",
            "series": [
                {
                    **PAGEVIEW,
                    "math": "first_time_for_user",
                    "properties": [{"key": "$browser", "value": "Chrome", "type": "event"}],
                }
            ],
            "dateRange": RANGE,
        },
        {},
        False,
    ),
    "trends-hourly-weekly-active": (
        {
            "kind": "TrendsQuery",
            "series": [{**PAGEVIEW, "math": "weekly_active"}],
            "interval": "hour",
            "dateRange": {"date_from": "2024-01-07 00:00", "date_to": "2024-01-07 23:59"},
        },
        {},
        False,
    ),
    "trends-sampled": (
        {"kind": "TrendsQuery", "series": [PAGEVIEW], "dateRange": RANGE, "samplingFactor": 0.1},
        {},
        False,
    ),
    "stickiness-daily": ({"kind": "StickinessQuery", "series": [PAGEVIEW], "dateRange": RANGE}, {}, False),
    "stickiness-criteria-interval-count": (
        {
            "kind": "StickinessQuery",
            "series": [PAGEVIEW],
            "dateRange": RANGE,
            "intervalCount": 2,
            "stickinessFilter": {"stickinessCriteria": {"operator": "gte", "value": 3}},
        },
        {},
        False,
    ),
    "lifecycle-weekly-monday-new-york": (
        {"kind": "LifecycleQuery", "series": [PAGEVIEW], "interval": "week", "dateRange": RANGE},
        {"timezone": "America/New_York", "week_start_day": 1},
        False,
    ),
    "lifecycle-daily-merged-persons": (
        {"kind": "LifecycleQuery", "series": [PAGEVIEW], "dateRange": RANGE},
        {},
        True,
    ),
}

EXPECTED = {
    "trends-sampled": (
        "SELECT count() AS total, toString(toStartOfDay(toTimeZone(__t1.timestamp, {hogql_val_0:String}))) AS day_start FROM events AS __t1 SAMPLE 0.1 WHERE and(equals(__t1.team_id, 42), and(greaterOrEquals(__t1.timestamp, toDateTime64({hogql_val_1:String}, 6, {hogql_val_2:String})), lessOrEquals(__t1.timestamp, toDateTime64({hogql_val_3:String}, 6, {hogql_val_4:String})), equals(__t1.event, {hogql_val_5:String}))) GROUP BY day_start LIMIT 50000",
        {
            "hogql_val_0": "UTC",
            "hogql_val_1": "2024-01-01 00:00:00.000000",
            "hogql_val_2": "UTC",
            "hogql_val_3": "2024-01-07 23:59:59.999999",
            "hogql_val_4": "UTC",
            "hogql_val_5": "$pageview",
        },
    ),
    "trends-first-time-for-user-with-filter": (
        "SELECT count() AS total, toString(toStartOfDay(toTimeZone(__t1.first_timestamp, {hogql_val_4:String}))) AS day_start FROM (SELECT __t2.person_id AS actor_id, min(__t2.timestamp) AS first_timestamp FROM events AS __t2 WHERE and(equals(__t2.team_id, 42), and(lessOrEquals(__t2.timestamp, toDateTime64({hogql_val_0:String}, 6, {hogql_val_1:String})), equals(__t2.event, {hogql_val_2:String}))) GROUP BY actor_id HAVING ifNull(equals(first_timestamp, minIf(__t2.timestamp, ifNull(equals(nullIf(nullIf(__t2.`mat_$browser`, ''), 'null'), {hogql_val_3:String}), 0))), 0)) AS __t1 WHERE ifNull(greaterOrEquals(__t1.first_timestamp, toDateTime64({hogql_val_5:String}, 6, {hogql_val_6:String})), 0) GROUP BY day_start LIMIT 50000",
        {
            "hogql_val_0": "2024-01-07 23:59:59.999999",
            "hogql_val_1": "UTC",
            "hogql_val_2": "$pageview",
            "hogql_val_3": "Chrome",
            "hogql_val_4": "UTC",
            "hogql_val_5": "2024-01-01 00:00:00.000000",
            "hogql_val_6": "UTC",
        },
    ),
    "trends-hourly-weekly-active": (
        "SELECT count(DISTINCT __t1.actor_id) AS total, toString(addHours(__t1.day, day_offset)) AS day_start FROM (SELECT __t2.person_id AS actor_id, if(equals(toTimeZone(__t2.timestamp, {hogql_val_0:String}), toStartOfHour(toTimeZone(__t2.timestamp, {hogql_val_1:String}))), addHours(toStartOfHour(toTimeZone(__t2.timestamp, {hogql_val_2:String})), -1), toStartOfHour(toTimeZone(__t2.timestamp, {hogql_val_3:String}))) AS day FROM events AS __t2 WHERE and(equals(__t2.team_id, 42), and(greaterOrEquals(__t2.timestamp, toDateTime64({hogql_val_4:String}, 6, {hogql_val_5:String})), lessOrEquals(__t2.timestamp, toDateTime64({hogql_val_6:String}, 6, {hogql_val_7:String})), equals(__t2.event, {hogql_val_8:String}))) GROUP BY actor_id, day) AS __t1 ARRAY JOIN range(-23, 145) AS day_offset GROUP BY day_start LIMIT 50000",
        {
            "hogql_val_0": "UTC",
            "hogql_val_1": "UTC",
            "hogql_val_2": "UTC",
            "hogql_val_3": "UTC",
            "hogql_val_4": "2023-12-30 00:00:00.000000",
            "hogql_val_5": "UTC",
            "hogql_val_6": "2024-01-07 23:59:00.000000",
            "hogql_val_7": "UTC",
            "hogql_val_8": "$pageview",
        },
    ),
    "trends-daily-total": (
        "SELECT count() AS total, toString(toStartOfDay(toTimeZone(__t1.timestamp, {hogql_val_0:String}))) AS day_start FROM events AS __t1 WHERE and(equals(__t1.team_id, 42), and(greaterOrEquals(__t1.timestamp, toDateTime64({hogql_val_1:String}, 6, {hogql_val_2:String})), lessOrEquals(__t1.timestamp, toDateTime64({hogql_val_3:String}, 6, {hogql_val_4:String})), equals(__t1.event, {hogql_val_5:String}))) GROUP BY day_start LIMIT 50000",
        {
            "hogql_val_0": "UTC",
            "hogql_val_1": "2024-01-01 00:00:00.000000",
            "hogql_val_2": "UTC",
            "hogql_val_3": "2024-01-07 23:59:59.999999",
            "hogql_val_4": "UTC",
            "hogql_val_5": "$pageview",
        },
    ),
    "trends-dau-by-browser-new-york": (
        "SELECT count(DISTINCT __t1.person_id) AS total, toString(toStartOfDay(toTimeZone(__t1.timestamp, {hogql_val_0:String}))) AS day_start, ifNull(nullIf(toString(nullIf(nullIf(__t1.`mat_$browser`, ''), 'null')), {hogql_val_1:String}), {hogql_val_2:String}) AS breakdown_value FROM events AS __t1 WHERE and(equals(__t1.team_id, 42), and(greaterOrEquals(__t1.timestamp, toDateTime64({hogql_val_3:String}, 6, {hogql_val_4:String})), lessOrEquals(__t1.timestamp, toDateTime64({hogql_val_5:String}, 6, {hogql_val_6:String})), equals(__t1.event, {hogql_val_7:String}))) GROUP BY day_start, breakdown_value LIMIT 50000",
        {
            "hogql_val_0": "America/New_York",
            "hogql_val_1": "",
            "hogql_val_2": "$$_posthog_breakdown_null_$$",
            "hogql_val_3": "2024-01-01 05:00:00.000000",
            "hogql_val_4": "UTC",
            "hogql_val_5": "2024-01-08 04:59:59.999999",
            "hogql_val_6": "UTC",
            "hogql_val_7": "$pageview",
        },
    ),
    "trends-weekly-monday-sum-with-filter": (
        "SELECT ifNull(sum(toFloat64OrNull(replaceRegexpAll(nullIf(nullIf(JSONExtractRaw(__t1.properties, {hogql_val_0:String}), ''), 'null'), '^\"|\"$', ''))), 0) AS total, toString(toStartOfWeek(toTimeZone(__t1.timestamp, {hogql_val_1:String}), 3)) AS day_start FROM events AS __t1 WHERE and(equals(__t1.team_id, 42), and(greaterOrEquals(__t1.timestamp, toDateTime64({hogql_val_2:String}, 6, {hogql_val_3:String})), lessOrEquals(__t1.timestamp, toDateTime64({hogql_val_4:String}, 6, {hogql_val_5:String})), equals(__t1.event, {hogql_val_6:String}), ifNull(in(replaceRegexpAll(nullIf(nullIf(JSONExtractRaw(__t1.properties, {hogql_val_7:String}), ''), 'null'), '^\"|\"$', ''), tuple({hogql_val_8:String}, {hogql_val_9:String})), 0))) GROUP BY day_start LIMIT 50000",
        {
            "hogql_val_0": "amount",
            "hogql_val_1": "UTC",
            "hogql_val_2": "2024-01-01 00:00:00.000000",
            "hogql_val_3": "UTC",
            "hogql_val_4": "2024-01-07 23:59:59.999999",
            "hogql_val_5": "UTC",
            "hogql_val_6": "$pageview",
            "hogql_val_7": "plan",
            "hogql_val_8": "pro",
            "hogql_val_9": "team",
        },
    ),
    "trends-weekly-active-rolling": (
        "SELECT count(DISTINCT __t1.actor_id) AS total, toString(addDays(__t1.day, day_offset)) AS day_start FROM (SELECT __t2.person_id AS actor_id, if(equals(toTimeZone(__t2.timestamp, {hogql_val_0:String}), toStartOfDay(toTimeZone(__t2.timestamp, {hogql_val_1:String}))), addDays(toStartOfDay(toTimeZone(__t2.timestamp, {hogql_val_2:String})), -1), toStartOfDay(toTimeZone(__t2.timestamp, {hogql_val_3:String}))) AS day FROM events AS __t2 WHERE and(equals(__t2.team_id, 42), and(greaterOrEquals(__t2.timestamp, toDateTime64({hogql_val_4:String}, 6, {hogql_val_5:String})), lessOrEquals(__t2.timestamp, toDateTime64({hogql_val_6:String}, 6, {hogql_val_7:String})), equals(__t2.event, {hogql_val_8:String}))) GROUP BY actor_id, day) AS __t1 ARRAY JOIN range(0, 7) AS day_offset GROUP BY day_start LIMIT 50000",
        {
            "hogql_val_0": "UTC",
            "hogql_val_1": "UTC",
            "hogql_val_2": "UTC",
            "hogql_val_3": "UTC",
            "hogql_val_4": "2023-12-25 00:00:00.000000",
            "hogql_val_5": "UTC",
            "hogql_val_6": "2024-01-07 23:59:59.999999",
            "hogql_val_7": "UTC",
            "hogql_val_8": "$pageview",
        },
    ),
    "trends-count-per-actor-merged-persons": (
        "SELECT if(isFinite(toFloat64(avg(__t1.actor_count))), toFloat64(avg(__t1.actor_count)), 0) AS total, __t1.day_start AS day_start FROM (SELECT count() AS actor_count, if(notEmpty(__t2_override.distinct_id), __t2_override.person_id, __t2.person_id) AS actor_id, toString(toStartOfDay(toTimeZone(__t2.timestamp, {hogql_val_0:String}))) AS day_start FROM events AS __t2 LEFT JOIN (SELECT distinct_id, argMax(person_id, version) AS person_id FROM person_distinct_id_overrides WHERE equals(team_id, 42) GROUP BY distinct_id HAVING equals(argMax(is_deleted, version), 0)) AS __t2_override ON equals(__t2.distinct_id, __t2_override.distinct_id) WHERE and(equals(__t2.team_id, 42), and(greaterOrEquals(__t2.timestamp, toDateTime64({hogql_val_1:String}, 6, {hogql_val_2:String})), lessOrEquals(__t2.timestamp, toDateTime64({hogql_val_3:String}, 6, {hogql_val_4:String})), equals(__t2.event, {hogql_val_5:String}))) GROUP BY actor_id, day_start) AS __t1 GROUP BY day_start LIMIT 50000",
        {
            "hogql_val_0": "UTC",
            "hogql_val_1": "2024-01-01 00:00:00.000000",
            "hogql_val_2": "UTC",
            "hogql_val_3": "2024-01-07 23:59:59.999999",
            "hogql_val_4": "UTC",
            "hogql_val_5": "$pageview",
        },
    ),
    "trends-bold-number": (
        "SELECT count() AS total FROM events AS __t1 WHERE and(equals(__t1.team_id, 42), and(greaterOrEquals(__t1.timestamp, toDateTime64({hogql_val_0:String}, 6, {hogql_val_1:String})), lessOrEquals(__t1.timestamp, toDateTime64({hogql_val_2:String}, 6, {hogql_val_3:String})), equals(__t1.event, {hogql_val_4:String}))) LIMIT 50000",
        {
            "hogql_val_0": "2024-01-01 00:00:00.000000",
            "hogql_val_1": "UTC",
            "hogql_val_2": "2024-01-07 23:59:59.999999",
            "hogql_val_3": "UTC",
            "hogql_val_4": "$pageview",
        },
    ),
    "stickiness-daily": (
        "SELECT count() AS num_actors, __t1.num_intervals AS num_intervals FROM (SELECT __t2.person_id AS aggregation_target, count(DISTINCT toStartOfDay(toTimeZone(__t2.timestamp, {hogql_val_0:String}))) AS num_intervals FROM events AS __t2 WHERE and(equals(__t2.team_id, 42), and(greaterOrEquals(__t2.timestamp, toDateTime64({hogql_val_1:String}, 6, {hogql_val_2:String})), lessOrEquals(__t2.timestamp, toDateTime64({hogql_val_3:String}, 6, {hogql_val_4:String})), equals(__t2.event, {hogql_val_5:String}))) GROUP BY aggregation_target) AS __t1 GROUP BY num_intervals ORDER BY num_intervals ASC LIMIT 50000",
        {
            "hogql_val_0": "UTC",
            "hogql_val_1": "2024-01-01 00:00:00.000000",
            "hogql_val_2": "UTC",
            "hogql_val_3": "2024-01-07 23:59:59.999999",
            "hogql_val_4": "UTC",
            "hogql_val_5": "$pageview",
        },
    ),
    "stickiness-criteria-interval-count": (
        "SELECT count() AS num_actors, __t1.num_intervals AS num_intervals FROM (SELECT __t2.aggregation_target, count() AS num_intervals FROM (SELECT __t3.person_id AS aggregation_target, intDiv(dateDiff({hogql_val_0:String}, toStartOfDay(toTimeZone(__t3.timestamp, {hogql_val_1:String})), toStartOfDay(toTimeZone(toDateTime64({hogql_val_2:String}, 6, {hogql_val_3:String}), {hogql_val_4:String}))), 2) AS start_of_interval FROM events AS __t3 WHERE and(equals(__t3.team_id, 42), and(greaterOrEquals(__t3.timestamp, toDateTime64({hogql_val_5:String}, 6, {hogql_val_6:String})), lessOrEquals(__t3.timestamp, toDateTime64({hogql_val_7:String}, 6, {hogql_val_8:String})), equals(__t3.event, {hogql_val_9:String}))) GROUP BY aggregation_target, start_of_interval HAVING ifNull(greaterOrEquals(count(), 3), 0)) AS __t2 GROUP BY __t2.aggregation_target) AS __t1 GROUP BY num_intervals ORDER BY num_intervals ASC LIMIT 50000",
        {
            "hogql_val_0": "day",
            "hogql_val_1": "UTC",
            "hogql_val_2": "2024-01-07 23:59:59.999999",
            "hogql_val_3": "UTC",
            "hogql_val_4": "UTC",
            "hogql_val_5": "2024-01-01 00:00:00.000000",
            "hogql_val_6": "UTC",
            "hogql_val_7": "2024-01-07 23:59:59.999999",
            "hogql_val_8": "UTC",
            "hogql_val_9": "$pageview",
        },
    ),
    "lifecycle-weekly-monday-new-york": (
        "SELECT toString(tupleElement(period_status, 1)) AS period, tupleElement(period_status, 2) AS status, count() AS counts FROM (SELECT __t2.person_id AS actor_id, min(__t2.person_created_at) AS created_at, arraySort(groupUniqArray(toStartOfWeek(toTimeZone(__t2.timestamp, {hogql_val_0:String}), 3))) AS periods FROM events AS __t2 WHERE and(equals(__t2.team_id, 42), and(greaterOrEquals(__t2.timestamp, toDateTime64({hogql_val_1:String}, 6, {hogql_val_2:String})), less(__t2.timestamp, toDateTime64({hogql_val_3:String}, 6, {hogql_val_4:String})), equals(__t2.event, {hogql_val_5:String}), or(ifNull(notLike(__t2.properties, {hogql_val_6:String}), 1), ifNull(notEquals(replaceRegexpAll(nullIf(nullIf(JSONExtractRaw(__t2.properties, {hogql_val_7:String}), ''), 'null'), '^\"|\"$', ''), {hogql_val_8:String}), 1)))) GROUP BY actor_id) AS __t1 ARRAY JOIN arrayConcat(arrayMap((p, i) -> tuple(p, if(ifNull(equals(i, 1), 0), if(ifNull(equals(p, toStartOfWeek(toTimeZone(__t1.created_at, {hogql_val_9:String}), 3)), 0), {hogql_val_10:String}, {hogql_val_11:String}), if(ifNull(equals(addWeeks(arrayElement(__t1.periods, minus(i, 1)), 1), p), 0), {hogql_val_12:String}, {hogql_val_13:String}))), __t1.periods, arrayEnumerate(__t1.periods)), arrayMap((p) -> tuple(addWeeks(p, 1), {hogql_val_14:String}), arrayFilter((p, i) -> ifNull(notEquals(arrayElement(__t1.periods, plus(i, 1)), addWeeks(p, 1)), 1), __t1.periods, arrayEnumerate(__t1.periods)))) AS period_status GROUP BY period, status LIMIT 50000",
        {
            "hogql_val_0": "America/New_York",
            "hogql_val_1": "2023-12-25 05:00:00.000000",
            "hogql_val_2": "UTC",
            "hogql_val_3": "2024-01-08 05:00:00.000000",
            "hogql_val_4": "UTC",
            "hogql_val_5": "$pageview",
            "hogql_val_6": "%$process_person_profile%",
            "hogql_val_7": "$process_person_profile",
            "hogql_val_8": "false",
            "hogql_val_9": "America/New_York",
            "hogql_val_10": "new",
            "hogql_val_11": "resurrecting",
            "hogql_val_12": "returning",
            "hogql_val_13": "resurrecting",
            "hogql_val_14": "dormant",
        },
    ),
    "lifecycle-daily-merged-persons": (
        "SELECT toString(toTimeZone(tupleElement(period_status, 1), {hogql_val_15:String})) AS period, tupleElement(period_status, 2) AS status, count() AS counts FROM (SELECT if(notEmpty(__t2_override.distinct_id), __t2_override.person_id, __t2.person_id) AS actor_id, min(__t2.person_created_at) AS created_at, arraySort(groupUniqArray(toStartOfDay(toTimeZone(__t2.timestamp, {hogql_val_0:String})))) AS periods FROM events AS __t2 LEFT JOIN (SELECT distinct_id, argMax(person_id, version) AS person_id FROM person_distinct_id_overrides WHERE equals(team_id, 42) GROUP BY distinct_id HAVING equals(argMax(is_deleted, version), 0)) AS __t2_override ON equals(__t2.distinct_id, __t2_override.distinct_id) WHERE and(equals(__t2.team_id, 42), and(greaterOrEquals(__t2.timestamp, toDateTime64({hogql_val_1:String}, 6, {hogql_val_2:String})), less(__t2.timestamp, toDateTime64({hogql_val_3:String}, 6, {hogql_val_4:String})), equals(__t2.event, {hogql_val_5:String}), or(ifNull(notLike(__t2.properties, {hogql_val_6:String}), 1), ifNull(notEquals(replaceRegexpAll(nullIf(nullIf(JSONExtractRaw(__t2.properties, {hogql_val_7:String}), ''), 'null'), '^\"|\"$', ''), {hogql_val_8:String}), 1)))) GROUP BY actor_id) AS __t1 ARRAY JOIN arrayConcat(arrayMap((p, i) -> tuple(p, if(ifNull(equals(i, 1), 0), if(ifNull(equals(p, toStartOfDay(toTimeZone(__t1.created_at, {hogql_val_9:String}))), 0), {hogql_val_10:String}, {hogql_val_11:String}), if(ifNull(equals(addDays(arrayElement(__t1.periods, minus(i, 1)), 1), p), 0), {hogql_val_12:String}, {hogql_val_13:String}))), __t1.periods, arrayEnumerate(__t1.periods)), arrayMap((p) -> tuple(addDays(p, 1), {hogql_val_14:String}), arrayFilter((p, i) -> ifNull(notEquals(arrayElement(__t1.periods, plus(i, 1)), addDays(p, 1)), 1), __t1.periods, arrayEnumerate(__t1.periods)))) AS period_status GROUP BY period, status LIMIT 50000",
        {
            "hogql_val_0": "UTC",
            "hogql_val_1": "2023-12-31 00:00:00.000000",
            "hogql_val_2": "UTC",
            "hogql_val_3": "2024-01-08 00:00:00.000000",
            "hogql_val_4": "UTC",
            "hogql_val_5": "$pageview",
            "hogql_val_6": "%$process_person_profile%",
            "hogql_val_7": "$process_person_profile",
            "hogql_val_8": "false",
            "hogql_val_9": "UTC",
            "hogql_val_10": "new",
            "hogql_val_11": "resurrecting",
            "hogql_val_12": "returning",
            "hogql_val_13": "resurrecting",
            "hogql_val_14": "dormant",
            "hogql_val_15": "UTC",
        },
    ),
}


@pytest.mark.parametrize("case", list(QUERIES))
def test_runner_sql_snapshot(case):
    query, team_fields, overrides = QUERIES[case]
    assert printed(query, overrides=overrides, **team_fields) == EXPECTED[case]


@pytest.mark.parametrize("case", list(QUERIES))
def test_runner_sql_reads_events_of_the_team_only(case):
    query, team_fields, overrides = QUERIES[case]
    sql, parameters = printed(query, overrides=overrides, **team_fields)
    aliases = re.findall(r"FROM events AS (__t\d+)", sql)
    assert aliases
    assert all(f"equals({alias}.team_id, 42)" in sql for alias in aliases)
    assert "$pageview" not in sql and "$pageview" in parameters.values()
