"""Benchmark cases of the HogQL and events runners (trends, lifecycle and stickiness live in trends.py)."""


def cases(team_id: int) -> list[tuple[str, dict, str]]:
    """(name, query node, raw ClickHouse SQL giving the same answer)."""
    guard = f"team_id = {team_id}"
    return [
        (
            "hogql: daily pageviews, 30 days",
            {
                "kind": "HogQLQuery",
                "query": "select toStartOfDay(timestamp) as day, count() from events where event = '$pageview' "
                "and timestamp > now() - interval 30 day group by day order by day",
            },
            f"SELECT toStartOfDay(timestamp) AS day, count() FROM events WHERE {guard} AND event = '$pageview' "
            "AND timestamp > now64(6, 'UTC') - INTERVAL 30 DAY GROUP BY day ORDER BY day LIMIT 101",
        ),
        (
            "hogql: unique persons by browser",
            {
                "kind": "HogQLQuery",
                "query": "select properties.$browser as browser, count(distinct person_id) from events "
                "where timestamp > now() - interval 30 day group by browser order by browser",
            },
            f"SELECT `mat_$browser` AS browser, uniqExact(person_id) FROM events WHERE {guard} "
            "AND timestamp > now64(6, 'UTC') - INTERVAL 30 DAY GROUP BY browser ORDER BY browser LIMIT 101",
        ),
        (
            "hogql: property filter on JSON",
            {
                "kind": "HogQLQuery",
                "query": "select count() from events where properties.plan = 'pro' and event = 'purchase'",
            },
            f"SELECT count() FROM events WHERE {guard} AND event = 'purchase' "
            "AND JSONExtractString(properties, 'plan') = 'pro' LIMIT 101",
        ),
        (
            "events query: latest 100 pageviews",
            {
                "kind": "EventsQuery",
                "select": ["*", "event", "timestamp"],
                "event": "$pageview",
                "after": "-7d",
            },
            f"SELECT uuid, event, properties, timestamp, team_id, distinct_id, elements_chain, created_at, event, "
            f"timestamp FROM events WHERE {guard} AND event = '$pageview' AND timestamp > now64(6, 'UTC') - "
            "INTERVAL 7 DAY AND timestamp < now64(6, 'UTC') ORDER BY timestamp DESC LIMIT 101",
        ),
    ]
