"""When a cached result is stale, and the times the response advertises (cache_target_age, next refresh)."""

from datetime import datetime, timedelta

# interval -> (default threshold, lazy threshold)
THRESHOLDS = {
    "minute": (timedelta(minutes=5), timedelta(minutes=15)),
    "hour": (timedelta(hours=1), timedelta(hours=2)),
    "day": (timedelta(hours=6), timedelta(hours=12)),
    "week": (timedelta(days=1), timedelta(days=1)),
    "month": (timedelta(days=1), timedelta(days=1)),
    None: (timedelta(hours=6), timedelta(hours=12)),
}
HISTORICAL_MARGIN = timedelta(seconds=10)


def threshold(interval: str | None, lazy: bool = False) -> timedelta | None:
    pair = THRESHOLDS.get(interval)
    return None if pair is None else pair[1 if lazy else 0]


def is_stale(
    last_refresh: datetime, now: datetime, interval: str | None, date_to: datetime | None, lazy: bool = False
) -> bool:
    """Stale when older than the interval's threshold; a window that ended before the result was computed never is."""
    if date_to is not None and date_to < last_refresh - HISTORICAL_MARGIN:
        return False
    limit = threshold(interval, lazy)
    return limit is not None and now > last_refresh + limit


def cache_target_age(last_refresh: datetime, interval: str | None) -> datetime | None:
    limit = threshold(interval)
    return None if limit is None else last_refresh + limit
