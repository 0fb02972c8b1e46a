"""Identical concurrent computations run once: followers wait (bounded) for the leader's result.

Within a process, threads share a Future. Across processes (Redis), the leader holds a lock key and publishes
its outcome under a short-lived key that followers poll. A leader's failure reaches its followers.
"""

import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

from queries.hogql.errors import QueryError

logger = logging.getLogger(__name__)
MAX_WAIT_SECONDS = 60.0
POLL_SECONDS = 0.05
LOCK_SECONDS = 120
OUTCOME_SECONDS = 10

_inflight: dict[str, Future] = {}
_lock = threading.Lock()


def coalesced(key: str, compute: Callable[[], Any]) -> Any:
    with _lock:
        future = _inflight.get(key)
        leader = future is None
        if leader:
            future = _inflight[key] = Future()
    assert future is not None  # found, or created just above
    if not leader:
        try:
            return future.result(timeout=MAX_WAIT_SECONDS)
        except FutureTimeout:
            return compute()
    try:
        result = _across_processes(key, compute)
        future.set_result(result)
        return result
    except BaseException as error:
        future.set_exception(error)
        raise
    finally:
        with _lock:
            _inflight.pop(key, None)


def _across_processes(key: str, compute: Callable[[], Any]) -> Any:
    cache = caches["default"]
    if isinstance(cache, LocMemCache):
        # A process-local cache coordinates no other process (the in-process Future already did this one's work):
        # its lock and outcome keys would only cost a pickle of every result.
        return compute()
    lock_key, outcome_key = f"coalesce_lock:{key}", f"coalesce_outcome:{key}"
    token = uuid.uuid4().hex
    try:
        acquired = cache.add(lock_key, token, LOCK_SECONDS)
    except Exception as error:  # no shared cache: just compute
        logger.warning("coalescing_unavailable error=%s", error)
        return compute()
    if acquired:
        try:
            result = compute()
            _publish(cache, outcome_key, {"result": result})
            return result
        except Exception as error:
            _publish(cache, outcome_key, {"error": str(error), "exposed": isinstance(error, QueryError)})
            raise
        finally:
            try:
                if cache.get(lock_key) == token:
                    cache.delete(lock_key)
            except Exception:
                logger.warning("coalescing_unlock_failed key=%s", key)
    deadline = time.monotonic() + MAX_WAIT_SECONDS
    while time.monotonic() < deadline:
        outcome = cache.get(outcome_key)
        if outcome is not None:
            if "error" in outcome:
                raise QueryError(outcome["error"]) if outcome.get("exposed") else RuntimeError(outcome["error"])
            return outcome["result"]
        if cache.get(lock_key) is None:
            break  # the leader went away without an outcome
        time.sleep(POLL_SECONDS)
    return compute()


def _publish(cache, key: str, outcome: dict) -> None:
    try:
        cache.set(key, outcome, OUTCOME_SECONDS)
    except Exception as error:
        logger.warning("coalescing_publish_failed error=%s", error)
