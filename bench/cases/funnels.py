"""Benchmark cases of the funnels runner, each against a hand-written `windowFunnel` query for the same counts."""

STEPS = ("$pageview", "signed_up", "purchase")
WINDOW_SECONDS = 14 * 86400


def _window_funnel_sql(team_id: int, steps: tuple[str, ...], strict: bool = False) -> str:
    """`strict`: the steps must follow each other with no other event of the person in between."""
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


def cases(team_id: int) -> list[tuple[str, dict, str]]:
    """(name, query node, raw ClickHouse SQL giving the same step counts)."""
    return [
        (
            "funnels: 3 steps, 30 days",
            {
                "kind": "FunnelsQuery",
                "series": [{"kind": "EventsNode", "event": step} for step in STEPS],
                "dateRange": {"date_from": "-30d"},
                "funnelsFilter": {"funnelWindowInterval": 14, "funnelWindowIntervalUnit": "day"},
            },
            _window_funnel_sql(team_id, STEPS),
        ),
        (
            "funnels: 3 steps strict, 30 days",
            {
                "kind": "FunnelsQuery",
                "series": [{"kind": "EventsNode", "event": step} for step in STEPS],
                "dateRange": {"date_from": "-30d"},
                "funnelsFilter": {
                    "funnelWindowInterval": 14,
                    "funnelWindowIntervalUnit": "day",
                    "funnelOrderType": "strict",
                },
            },
            _window_funnel_sql(team_id, STEPS, strict=True),
        ),
    ]
