"""Benchmark cases of the paths runner: $pageview paths over the last 7 days, plain and from a start point."""

# Per person: (seconds, url) pairs in time order, split at 30 minute gaps, consecutive duplicates collapsed, cut and
# limited per session; then one row per transition. {cut} and {session_where} differ per case.
HAND_SQL = """
SELECT source_event, target_event, count() AS event_count, avg(conversion_time) AS average_conversion_time
FROM (
    SELECT concat(toString(step_index - 1), '_', step.3) AS source_event,
           concat(toString(step_index), '_', step.1) AS target_event,
           step.2 AS conversion_time
    FROM (
        SELECT person_id,
               arrayMap(x -> x.1, session) AS path_basic,
               arrayMap(x -> x.2, session) AS times,
               arrayMap((x, y) -> x != y, path_basic, arrayPopFront(arrayPushBack(path_basic, ''))) AS mapping,
               arrayFilter((x, y) -> y, path_basic, mapping) AS compact_path,
               arrayFilter((x, y) -> y, times, mapping) AS timings,
               {cut},
               arrayZip(limited_path, arrayDifference(limited_timings),
                        arrayPopBack(arrayPushFront(limited_path, ''))) AS limited_path_timings
        FROM (
            SELECT person_id,
                   arraySort(groupArray((toFloat64(timestamp),
                       replaceRegexpAll(ifNull(nullIf(`mat_$current_url`, ''), ''), '(.)/$', '\\\\1')))) AS sorted,
                   arraySplit(x -> x.3 >= 1800,
                       arrayZip(arrayMap(x -> x.2, sorted), arrayMap(x -> x.1, sorted),
                                arrayDifference(arrayMap(x -> x.1, sorted)))) AS session_paths
            FROM events
            WHERE team_id = {team_id} AND event = '$pageview'
              AND timestamp >= toStartOfDay(now64(6, 'UTC')) - INTERVAL 7 DAY
              AND timestamp <= toStartOfDay(now64(6, 'UTC')) + INTERVAL 86399999999 MICROSECOND
            GROUP BY person_id
        )
        ARRAY JOIN session_paths AS session
        {session_where}
    )
    ARRAY JOIN limited_path_timings AS step, arrayEnumerate(limited_path_timings) AS step_index
    WHERE step_index > 1
)
GROUP BY source_event, target_event
ORDER BY event_count DESC, source_event, target_event
LIMIT 50
"""
FIRST_FIVE = "arraySlice(compact_path, 1, 5) AS limited_path, arraySlice(timings, 1, 5) AS limited_timings"
FROM_START = (
    "indexOf(compact_path, 'https://example.com/pricing') AS target_index, "
    "arraySlice(arraySlice(compact_path, target_index), 1, 5) AS limited_path, "
    "arraySlice(arraySlice(timings, target_index), 1, 5) AS limited_timings"
)


def cases(team_id: int) -> list[tuple[str, dict, str]]:
    """(name, query node, raw SQL giving the same answer)."""
    return [
        (
            "paths: $pageview paths, 7 days",
            {"kind": "PathsQuery", "pathsFilter": {"includeEventTypes": ["$pageview"]}},
            HAND_SQL.format(cut=FIRST_FIVE, session_where="", team_id=team_id),
        ),
        (
            "paths: $pageview paths from /pricing",
            {
                "kind": "PathsQuery",
                "pathsFilter": {"includeEventTypes": ["$pageview"], "startPoint": "https://example.com/pricing"},
            },
            HAND_SQL.format(cut=FROM_START, session_where="WHERE target_index > 0", team_id=team_id),
        ),
    ]
