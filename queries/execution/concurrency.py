"""How many queries one project may compute at once for API keys (PostHog's per-team limiter, 3 by default).

A running computation holds a slot: a member with an expiry score in a Redis sorted set (one Lua call checks and
adds atomically, so web processes and Celery workers share the count), or a per-process counter in the embedded
default, where one process serves everything. Cache hits never take a slot: only `QueryRunner.compute` does.
A request that finds no slot waits with backoff (0.134 s, x1.5, at most 1.714 s between tries) until
QUERY_API_CONCURRENCY_WAIT_SECONDS have passed, then raises ConcurrencyLimitExceeded (429 on /query/,
`concurrency_limit_exceeded` in an insight's query_status).
"""

import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from django.conf import settings

from insights_server.errors import DomainError

logger = logging.getLogger(__name__)
SLOT_TTL_SECONDS = 600  # a crashed worker's slot frees itself after ten minutes
FIRST_WAIT, BACKOFF, LONGEST_WAIT = 0.134, 1.5, 1.714
CONCURRENCY_LIMIT_EXCEEDED = "concurrency_limit_exceeded"  # the status text PostHog's frontend matches on

TAKE_SLOT = """
local count = redis.call('ZCARD', KEYS[1])
if count >= tonumber(ARGV[1]) then
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
    count = redis.call('ZCARD', KEYS[1])
end
if count >= tonumber(ARGV[1]) then
    return 0
end
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
"""


class ConcurrencyLimitExceeded(DomainError):
    status_code = 429
    error_type = "throttled_error"
    code = "throttled"

    def __init__(self) -> None:
        super().__init__("Too many queries are running right now — please try again in a moment.")


class LocalSlots:
    """Per-process slot counts (the embedded default runs one process)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.taken: dict[str, int] = {}

    def take(self, key: str, limit: int, member: str) -> bool:
        with self.lock:
            if self.taken.get(key, 0) >= limit:
                return False
            self.taken[key] = self.taken.get(key, 0) + 1
            return True

    def release(self, key: str, member: str) -> None:
        with self.lock:
            self.taken[key] = max(self.taken.get(key, 1) - 1, 0)


class RedisSlots:
    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url)
        self.script = self.client.register_script(TAKE_SLOT)

    def take(self, key: str, limit: int, member: str) -> bool:
        now = time.time()
        args: list[str | int | float] = [limit, member, now, now + SLOT_TTL_SECONDS, SLOT_TTL_SECONDS]
        return bool(self.script(keys=[key], args=args))

    def release(self, key: str, member: str) -> None:
        self.client.zrem(key, member)


@cache
def _slots(redis_url: str) -> LocalSlots | RedisSlots:
    return RedisSlots(redis_url) if redis_url else LocalSlots()


def slots() -> LocalSlots | RedisSlots:
    return _slots(settings.REDIS_URL or "")


def team_limit(team_id: int) -> int:
    overrides = settings.API_QUERIES_PER_TEAM
    return int(overrides.get(str(team_id), settings.QUERY_API_CONCURRENCY_PER_TEAM))


@contextmanager
def api_query_slot(team_id: int) -> Iterator[None]:
    """Holds one of the team's API query slots for the duration of a computation (see the module docstring)."""
    key, member, limit = f"api:query:per-team:{team_id}", uuid.uuid4().hex, team_limit(team_id)
    store = slots()
    deadline = time.monotonic() + settings.QUERY_API_CONCURRENCY_WAIT_SECONDS
    wait = FIRST_WAIT
    try:
        while not store.take(key, limit, member):
            if time.monotonic() + wait > deadline:
                logger.info("api_query_concurrency_exceeded team_id=%s limit=%s", team_id, limit)
                raise ConcurrencyLimitExceeded()
            time.sleep(wait)
            wait = min(wait * BACKOFF, LONGEST_WAIT)
    except ConcurrencyLimitExceeded:
        raise
    except Exception as error:  # the slot store is down: computing unlimited beats refusing every query
        logger.warning("api_query_concurrency_unavailable team_id=%s error=%s", team_id, error)
        yield
        return
    try:
        yield
    finally:
        try:
            store.release(key, member)
        except Exception as error:  # the slot expires by itself after SLOT_TTL_SECONDS
            logger.warning("api_query_slot_release_failed team_id=%s error=%s", team_id, error)
