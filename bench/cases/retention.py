"""Benchmark cases of the retention runner: weekly and daily retention against per-person hand-written SQL.

The per-person arrays below were the fastest hand-written form found; ClickHouse's `retention()` aggregate (one call
per cohort with `sumForEach` over persons) gives the same numbers but ran about 1.3-2.5x slower on 1M events. The hand
SQL reads `person_id` as written on the events; the runner also follows person merges when the project has some.
"""


def _hand_sql(guard: str, start_of: str, step: str, periods: int, first_time: bool = False) -> str:
    """Per person the periods with a pageview (or, first time, only the first one), then (cohort, distance) counts.

    `start_of` truncates `now()` to the current period; the range is the `periods` periods up to and including it.
    """
    date_to = f"{start_of} + INTERVAL 1 {step}"
    date_from = f"{date_to} - INTERVAL {periods} {step}"
    index = f"toUInt16(dateDiff('{step.lower()}', {date_from}, timestamp))"
    if step == "WEEK":
        index = f"toUInt16(intDiv(dateDiff('day', {date_from}, timestamp), 7))"
    if first_time:
        cohorts = f"if(min(timestamp) >= {date_from}, [{index.replace('timestamp', 'min(timestamp)')}], [])"
        lower = ""
        returns = f"groupUniqArrayIf({index}, timestamp >= {date_from})"
    else:
        cohorts = f"groupUniqArray({index})"
        lower = f"AND timestamp >= {date_from} "
        returns = "starts"
    return (
        "SELECT cohort, cohort_return - cohort AS distance, count() FROM ("
        f"SELECT person_id, {cohorts} AS starts, {returns} AS returns FROM events "
        f"WHERE {guard} AND event = '$pageview' {lower}AND timestamp < {date_to} GROUP BY person_id) "
        "ARRAY JOIN starts AS cohort ARRAY JOIN arrayPushFront(arrayFilter(r -> r > cohort AND r < cohort + "
        f"{periods}, returns), cohort) AS cohort_return GROUP BY cohort, distance"
    )


def cases(team_id: int) -> list[tuple[str, dict, str]]:
    """(name, query node, raw ClickHouse SQL giving the same numbers)."""
    guard = f"team_id = {team_id}"
    week = "toDateTime(toStartOfWeek(now('UTC'), 0), 'UTC')"
    day = "toStartOfDay(now('UTC'))"
    return [
        (
            "retention: weekly recurring, 8 weeks",
            {
                "kind": "RetentionQuery",
                "retentionFilter": {"period": "Week", "totalIntervals": 8, "retentionType": "retention_recurring"},
            },
            _hand_sql(guard, week, "WEEK", 8),
        ),
        (
            "retention: weekly first time, 8 weeks",
            {
                "kind": "RetentionQuery",
                "retentionFilter": {"period": "Week", "totalIntervals": 8, "retentionType": "retention_first_time"},
            },
            _hand_sql(guard, week, "WEEK", 8, first_time=True),
        ),
        (
            "retention: daily recurring, 14 days",
            {
                "kind": "RetentionQuery",
                "retentionFilter": {"period": "Day", "totalIntervals": 14},
            },
            _hand_sql(guard, day, "DAY", 14),
        ),
    ]
