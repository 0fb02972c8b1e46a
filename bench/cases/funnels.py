"""Benchmark cases of the funnels runner, each against a hand-written `windowFunnel` query for the same counts."""

STEPS = ("$pageview", "signed_up", "purchase")
STRICT_STEPS = ("insight_created", "dashboard_viewed")
WINDOW_SECONDS = 14 * 86400


def _window_funnel_sql(team_id: int, steps: tuple[str, ...], strict: bool = False) -> str:
    """`strict`: 'strict_order', which gives the strict funnel's numbers on the demo data for these steps (nobody
    converts), though not in general (see `_strict_pair_sql`)."""
    conditions = ", ".join(f"event = '{step}'" for step in steps)
    names = ", ".join(f"'{step}'" for step in steps)
    counts = ", ".join(f"countIf(level >= {index + 1})" for index in range(len(steps)))
    mode = ", 'strict_order'" if strict else ""
    events = "" if strict else f"AND event IN ({names}) "
    return (
        f"SELECT {counts} FROM (SELECT person_id, windowFunnel({WINDOW_SECONDS}{mode})(toDateTime(timestamp), "
        f"{conditions}) AS level FROM events WHERE team_id = {team_id} {events}"
        "AND timestamp >= toStartOfDay(now64(6, 'UTC')) - INTERVAL 30 DAY "
        "AND timestamp <= toStartOfDay(now64(6, 'UTC')) + INTERVAL 1 DAY GROUP BY person_id) WHERE level > 0"
    )


RANGE = (
    "timestamp >= toStartOfDay(now64(6, 'UTC')) - INTERVAL 30 DAY "
    "AND timestamp <= toStartOfDay(now64(6, 'UTC')) + INTERVAL 1 DAY"
)
EXCLUDED = "invite_sent"


def _trends_sql(team_id: int, steps: tuple[str, ...]) -> str:
    """Per entrance day, `windowFunnel` over each person's events with the first step limited to that day's.

    The bench project is in UTC. Columns: day, persons entering, persons converting.
    """
    names = ", ".join(f"'{step}'" for step in steps)
    later = ", ".join(f"event = '{step}'" for step in steps[1:])
    return (
        f"SELECT day, countIf(level >= 1), countIf(level >= {len(steps)}) FROM (SELECT person_id, day, "
        f"windowFunnel({WINDOW_SECONDS})(toDateTime(timestamp), "
        f"event = '{steps[0]}' AND toStartOfDay(timestamp) = day, {later}) AS level "
        "FROM events INNER JOIN (SELECT person_id, groupUniqArray(toStartOfDay(timestamp)) AS days "
        f"FROM events WHERE team_id = {team_id} AND event = '{steps[0]}' AND {RANGE} GROUP BY person_id) AS entries "
        f"USING person_id ARRAY JOIN entries.days AS day WHERE team_id = {team_id} AND event IN ({names}) AND {RANGE} "
        "GROUP BY person_id, day) GROUP BY day ORDER BY day"
    )


def _exclusion_sql(team_id: int, steps: tuple[str, ...], excluded: str) -> str:
    """A 3-step funnel dropping persons with an `excluded` event between steps 1 and 2, with window functions.

    An exclusion counts when the latest step-1 event before it is inside the window and no step-2 event came after
    that step-1 event, unless the funnel was completed before. Step counts come from `windowFunnel`.
    """
    first, second, third = steps
    window = WINDOW_SECONDS * 1_000_000
    rank = f"multiIf(event = '{first}', 1, event = '{second}', 2, event = '{third}', 3, 4)"
    ordered = "PARTITION BY person_id ORDER BY ts, rank ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"
    events = (
        f"SELECT person_id, timestamp, event, toUnixTimestamp64Micro(timestamp) AS ts, {rank} AS rank FROM events "
        f"WHERE team_id = {team_id} AND event IN ('{first}', '{second}', '{third}', '{excluded}') AND {RANGE}"
    )
    with_latest = (
        f"SELECT *, row_number() OVER ({ordered}) AS position, "
        f"max(if(rank = 1, ts, 0)) OVER ({ordered}) AS last_first, "
        f"if(rank = 2 AND last_first > 0 AND ts - last_first <= {window}, last_first, 0) AS entry_second "
        f"FROM ({events})"
    )
    with_second = f"SELECT *, max(entry_second) OVER ({ordered}) AS latest_second FROM ({with_latest})"
    per_person = (
        "SELECT person_id, "
        f"windowFunnel({WINDOW_SECONDS})(toDateTime(timestamp), event = '{first}', event = '{second}', "
        f"event = '{third}') AS level, "
        f"minIf(position, rank = 3 AND latest_second > 0 AND ts - latest_second <= {window}) AS completed, "
        f"minIf(position, rank = 4 AND last_first > 0 AND ts - last_first <= {window} "
        "AND latest_second != last_first) AS hit "
        f"FROM ({with_second}) GROUP BY person_id"
    )
    counts = ", ".join(f"countIf(level >= {index + 1})" for index in range(len(steps)))
    return (
        f"SELECT {counts} FROM ({per_person}) WHERE level > 0 AND NOT (hit > 0 AND (completed = 0 OR hit < completed))"
    )


def _strict_pair_sql(team_id: int, steps: tuple[str, str]) -> str:
    """A strict 2-step funnel with window functions: step 2 right after step 1 among all the person's events.

    `windowFunnel(..., 'strict_order')` only sees events matching a step and lets a repeated step 1 end the
    path, so it counts other conversions than a strict funnel (where any other event ends the path).
    """
    first, second = steps
    rank = f"multiIf(event = '{first}', 1, event = '{second}', 2, 0)"
    window = WINDOW_SECONDS * 1_000_000
    ordered = f"PARTITION BY person_id ORDER BY timestamp, {rank} ROWS BETWEEN 1 PRECEDING AND CURRENT ROW"
    return (
        "SELECT countIf(entered), countIf(converted) FROM (SELECT person_id, max(event = "
        f"'{first}') AS entered, max(event = '{second}' AND previous = '{first}' AND "
        f"toUnixTimestamp64Micro(timestamp) - toUnixTimestamp64Micro(previous_at) <= {window}) AS converted FROM "
        f"(SELECT person_id, event, timestamp, lagInFrame(event) OVER ({ordered}) AS previous, "
        f"lagInFrame(timestamp) OVER ({ordered}) AS previous_at FROM events WHERE team_id = {team_id} AND {RANGE}) "
        "GROUP BY person_id) WHERE entered"
    )


def _funnel(steps: tuple[str, ...], **filters) -> dict:
    """A 30-day funnel over `steps` with a 14-day window; `filters` add to funnelsFilter ("interval" goes on the
    query)."""
    node = {
        "kind": "FunnelsQuery",
        "series": [{"kind": "EventsNode", "event": step} for step in steps],
        "dateRange": {"date_from": "-30d"},
    }
    if "interval" in filters:
        node["interval"] = filters.pop("interval")
    node["funnelsFilter"] = {"funnelWindowInterval": 14, "funnelWindowIntervalUnit": "day", **filters}
    return node


def cases(team_id: int) -> list[tuple[str, dict, str]]:
    """(name, query node, raw ClickHouse SQL giving the same step counts)."""
    exclusion = {"kind": "EventsNode", "event": EXCLUDED, "funnelFromStep": 0, "funnelToStep": 1}
    return [
        ("funnels: 3 steps, 30 days", _funnel(STEPS), _window_funnel_sql(team_id, STEPS)),
        (
            "funnels: 3 steps strict, 30 days",
            _funnel(STEPS, funnelOrderType="strict"),
            _window_funnel_sql(team_id, STEPS, strict=True),
        ),
        (
            # The steps above never follow each other directly in the demo data; these do.
            "funnels: strict, converting, 30 days",
            _funnel(STRICT_STEPS, funnelOrderType="strict"),
            _strict_pair_sql(team_id, STRICT_STEPS),
        ),
        (
            "funnels: 3 steps with exclusion, 30 days",
            _funnel(STEPS, exclusions=[exclusion]),
            _exclusion_sql(team_id, STEPS, EXCLUDED),
        ),
        (
            "funnels: 3 steps trends, daily, 30 days",
            _funnel(STEPS, interval="day", funnelVizType="trends"),
            _trends_sql(team_id, STEPS),
        ),
    ]
