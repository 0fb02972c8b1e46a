"""Benchmark cases of the trends, stickiness and lifecycle runners, each against hand SQL giving the same numbers.

The bench project is in UTC with Sunday weeks, so the hand SQL needs no timezone conversion.
"""

# A person profile check as one would write it by hand: events sent with `$process_person_profile: false`
# have no person and are left out of lifecycle (spec §3.11).
# Persons without a profile are left out; the JSON is read only when the key occurs at all (as the runner does).
PROFILE = (
    "(position(properties, '$process_person_profile') = 0 "
    "OR JSONExtractRaw(properties, '$process_person_profile') != 'false')"
)


def lifecycle_sql(guard: str, unit: str, lower: str, upper: str) -> str:
    """Lifecycle statuses by hand: per person the sorted active periods (one period of lookback before the range),
    each labelled against the period before it (the creation period for the first), plus the dormant periods."""
    start, step, p, periods = f"toStartOf{unit.capitalize()}", f"INTERVAL 1 {unit.upper()}", unit[0], f"{unit}s"
    return (
        "SELECT toString(pair.1) AS period, pair.2 AS status, count() FROM ("
        f"SELECT person_id, min(person_created_at) AS created, arraySort(groupUniqArray({start}(timestamp))) "
        f"AS {periods} FROM events WHERE {guard} AND event = '$pageview' "
        f"AND timestamp >= {lower} AND timestamp < {upper} AND {PROFILE} GROUP BY person_id) "
        "ARRAY JOIN arrayConcat("
        f"arrayMap(({p}, i) -> ({p}, if(i = 1, if({p} = {start}(created), 'new', 'resurrecting'), "
        f"if({periods}[i - 1] + {step} = {p}, 'returning', 'resurrecting'))), {periods}, arrayEnumerate({periods})), "
        f"arrayMap({p} -> ({p} + {step}, 'dormant'), "
        f"arrayFilter(({p}, i) -> {periods}[i + 1] != {p} + {step}, {periods}, arrayEnumerate({periods})))) AS pair "
        "GROUP BY period, status"
    )


def cases(team_id: int) -> list[tuple[str, dict, str]]:
    """(name, query node, raw ClickHouse SQL giving the same answer)."""
    guard = f"team_id = {team_id}"
    return [
        (
            "trends: daily pageviews, 30 days",
            {
                "kind": "TrendsQuery",
                "series": [{"kind": "EventsNode", "event": "$pageview"}],
                "dateRange": {"date_from": "-30d"},
                "interval": "day",
            },
            f"SELECT toStartOfDay(toTimeZone(timestamp, 'UTC')) AS day, count() FROM events WHERE {guard} "
            "AND event = '$pageview' AND timestamp >= toStartOfDay(now64(6, 'UTC')) - INTERVAL 30 DAY "
            "GROUP BY day ORDER BY day",
        ),
        (
            # Compare with the same case on 1M events: with primary-key pruning the cost follows the 7 days read,
            # not the table size.
            "trends: daily pageviews, last 7 days",
            {
                "kind": "TrendsQuery",
                "series": [{"kind": "EventsNode", "event": "$pageview"}],
                "dateRange": {"date_from": "-7d"},
                "interval": "day",
            },
            f"SELECT toStartOfDay(toTimeZone(timestamp, 'UTC')) AS day, count() FROM events WHERE {guard} "
            "AND event = '$pageview' AND timestamp >= toStartOfDay(now64(6, 'UTC')) - INTERVAL 7 DAY "
            "GROUP BY day ORDER BY day",
        ),
        (
            "trends: daily users by browser, 30 days",
            {
                "kind": "TrendsQuery",
                "series": [{"kind": "EventsNode", "event": "$pageview", "math": "dau"}],
                "dateRange": {"date_from": "-30d"},
                "breakdownFilter": {"breakdown": "$browser", "breakdown_type": "event"},
            },
            f"SELECT toStartOfDay(toTimeZone(timestamp, 'UTC')) AS day, `mat_$browser` AS browser, "
            f"uniqExact(person_id) FROM events WHERE {guard} AND event = '$pageview' "
            "AND timestamp >= toStartOfDay(now64(6, 'UTC')) - INTERVAL 30 DAY GROUP BY day, browser",
        ),
        (
            "lifecycle: weekly pageviews, 8 weeks",
            {
                "kind": "LifecycleQuery",
                "series": [{"kind": "EventsNode", "event": "$pageview"}],
                "dateRange": {"date_from": "-8w"},
                "interval": "week",
            },
            lifecycle_sql(
                guard,
                "week",
                "toStartOfWeek(toStartOfDay(now64(6, 'UTC')) - INTERVAL 8 WEEK) - INTERVAL 1 WEEK",
                "toStartOfWeek(now64(6, 'UTC')) + INTERVAL 1 WEEK",
            ),
        ),
        (
            "lifecycle: daily pageviews, 30 days",
            {
                "kind": "LifecycleQuery",
                "series": [{"kind": "EventsNode", "event": "$pageview"}],
                "dateRange": {"date_from": "-30d"},
                "interval": "day",
            },
            lifecycle_sql(
                guard,
                "day",
                "toStartOfDay(now64(6, 'UTC')) - INTERVAL 31 DAY",
                "toStartOfDay(now64(6, 'UTC')) + INTERVAL 1 DAY",
            ),
        ),
        (
            "stickiness: daily pageviews, 30 days",
            {
                "kind": "StickinessQuery",
                "series": [{"kind": "EventsNode", "event": "$pageview"}],
                "dateRange": {"date_from": "-30d"},
                "interval": "day",
            },
            "SELECT count(), num_days FROM (SELECT person_id, uniqExact(toStartOfDay(timestamp)) AS num_days "
            f"FROM events WHERE {guard} AND event = '$pageview' "
            "AND timestamp >= toStartOfDay(now64(6, 'UTC')) - INTERVAL 30 DAY GROUP BY person_id) "
            "GROUP BY num_days ORDER BY num_days",
        ),
    ]
