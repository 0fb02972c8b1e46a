"""How much work one insight query may ask for, checked before any is done (README "Limits").

PostHog has no such caps and relies on ClickHouse's time limit; here one request for minute buckets over ten
years would build millions of buckets in Python, so the size is refused up front with a 400 naming the limit.
The numbers come from settings (environment variables of the same names).
"""

from django.conf import settings

from queries.hogql.errors import QueryError

TOO_MANY_INTERVALS = (
    "This query covers {count:,} {interval} intervals; at most {limit:,} are allowed (QUERY_MAX_INTERVALS). "
    "Use a larger interval or a shorter date range."
)
TOO_MANY_SERIES = "This query has {count:,} series; at most {limit:,} are allowed (QUERY_MAX_SERIES)."
TOO_MANY_VALUES = (
    "This query would compute {count:,} values ({intervals:,} intervals x {series:,} series x {breakdowns:,} "
    "breakdown values); at most {limit:,} are allowed (QUERY_MAX_VALUES). Use a larger interval, a shorter date "
    "range, fewer series or a lower breakdown_limit."
)


def check_interval_count(count: int, interval: str) -> None:
    limit = settings.QUERY_MAX_INTERVALS
    if count > limit:
        raise QueryError(TOO_MANY_INTERVALS.format(count=count, interval=interval, limit=limit))


def check_insight_size(intervals: int, series: int, breakdown_values: int = 1) -> None:
    """Raises a QueryError (400) when the series, or intervals x series x breakdown values, exceed the limits."""
    if series > settings.QUERY_MAX_SERIES:
        raise QueryError(TOO_MANY_SERIES.format(count=series, limit=settings.QUERY_MAX_SERIES))
    count = intervals * series * max(breakdown_values, 1)
    if count > settings.QUERY_MAX_VALUES:
        raise QueryError(
            TOO_MANY_VALUES.format(
                count=count,
                intervals=intervals,
                series=series,
                breakdowns=max(breakdown_values, 1),
                limit=settings.QUERY_MAX_VALUES,
            )
        )
