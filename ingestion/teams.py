"""Project token -> team id, cached briefly in the process (capture looks it up on every request)."""

import threading
import time

from insights_server.models import Team

CACHE_SECONDS = 60.0
_cache: dict[str, tuple[int | None, float]] = {}
_lock = threading.Lock()


def team_id_for_token(token: str) -> int | None:
    now = time.monotonic()
    cached = _cache.get(token)
    if cached is not None and cached[1] > now:
        return cached[0]
    team_id = Team.objects.filter(api_token=token).values_list("id", flat=True).first()
    # Unknown tokens are cached for a shorter time so a freshly created project works quickly.
    with _lock:
        if len(_cache) > 10_000:
            _cache.clear()
        _cache[token] = (team_id, now + (CACHE_SECONDS if team_id is not None else 5.0))
    return team_id
