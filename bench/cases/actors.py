"""Benchmark cases of the actors queries: the persons behind one day of a trend (1,000 of them per page)."""

from datetime import UTC, datetime, timedelta

DAY = (datetime.now(UTC) - timedelta(days=3)).strftime("%Y-%m-%d")


def cases(team_id: int) -> list[tuple[str, dict, str]]:
    guard = f"team_id = {team_id}"
    source = {
        "kind": "TrendsQuery",
        "series": [{"kind": "EventsNode", "event": "$pageview", "math": "dau"}],
        "dateRange": {"date_from": "-30d"},
        "interval": "day",
    }
    return [
        (
            "actors: one day of a trend, 1000 persons",
            {
                "kind": "ActorsQuery",
                "source": {"kind": "InsightActorsQuery", "source": source, "day": DAY},
                "select": ["person", "event_count"],
                "orderBy": ["event_count DESC", "id"],
                "limit": 1000,
            },
            f"SELECT p.id, a.event_count FROM (SELECT person_id, count() AS event_count FROM events WHERE {guard} "
            f"AND event = '$pageview' AND timestamp >= toDateTime('{DAY} 00:00:00', 'UTC') "
            f"AND timestamp < toDateTime('{DAY} 00:00:00', 'UTC') + INTERVAL 1 DAY GROUP BY person_id) AS a "
            f"INNER JOIN (SELECT id FROM person WHERE {guard} GROUP BY id HAVING argMax(is_deleted, version) = 0) AS p "
            "ON p.id = a.person_id ORDER BY a.event_count DESC, p.id LIMIT 1001",
        ),
    ]
