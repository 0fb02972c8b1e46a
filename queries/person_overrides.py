"""Whether a project has merged persons (rows in person_distinct_id_overrides).

Queries join the overrides only when there are some: for most projects most of the time there are none,
and the join costs a hash join over every event read.

The answer is kept where every process sees it (the Django cache: Redis in production), so a query does not send a
`count()` to ClickHouse every time (~2 ms on a small query):
1. A merge that writes overrides calls `person_overrides_written(team_id)` after its insert: "yes", overwriting.
2. A reader that finds nothing counts in ClickHouse and stores a "no" only if nothing is there yet (`cache.add`), so a
   "yes" written by a merge between its count and its store is never overwritten.
3. A "no" lives `NO_OVERRIDES_SECONDS` at most: the bound for overrides written by a path that does not call (1).
"""

import logging

from django.core.cache import cache

from queries.clickhouse import client

logger = logging.getLogger(__name__)

NO_OVERRIDES_SECONDS = 300
YES, NO = "yes", "no"

# Overrides are never removed, so a project seen with some keeps them: remembered for the process's life.
_teams_with_overrides: set[int] = set()


def _cache_key(team_id: int) -> str:
    return f"insights:person-overrides:{team_id}"


def has_person_overrides(team_id: int) -> bool:
    if team_id in _teams_with_overrides:
        return True
    try:
        known = cache.get(_cache_key(team_id))
    except Exception:
        logger.warning("person_overrides_cache_unreadable", exc_info=True)
        known = None
    if known == NO:
        return False
    if known != YES:
        result = client.query(
            "SELECT count() > 0 FROM person_distinct_id_overrides WHERE team_id = {team_id:Int64}",
            parameters={"team_id": team_id},
        )
        if not result.result_rows[0][0]:
            try:
                cache.add(_cache_key(team_id), NO, timeout=NO_OVERRIDES_SECONDS)
            except Exception:
                logger.warning("person_overrides_cache_unwritable", exc_info=True)
            return False
    _teams_with_overrides.add(team_id)
    return True


def person_overrides_written(team_id: int) -> None:
    """Call after writing person_distinct_id_overrides rows of a project: every process joins them from now on."""
    _teams_with_overrides.add(team_id)
    try:
        cache.set(_cache_key(team_id), YES, timeout=None)
    except Exception:
        # The rows are written and the flush must not fail for this: other processes' "no" ends within
        # NO_OVERRIDES_SECONDS.
        logger.error("person_overrides_cache_unwritable", exc_info=True, extra={"team_id": team_id})


def forget_person_overrides() -> None:
    """Tests empty the ClickHouse tables between cases; they call this so no answer outlives its rows."""
    _teams_with_overrides.clear()
