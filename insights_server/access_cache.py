"""A short-lived per-process cache of what every API request resolves: key -> user, URL id -> team, membership level.

Why: a cached `/query/` hit otherwise spends most of its time compiling three ORM queries (key and user, team and
organization, membership) whose answers almost never change.

Invalidation, across processes and at once:
1. A generation token lives in the shared Django cache (Redis in production). Every write that could change an
   answer replaces it with a new random token: `post_save`/`post_delete` of keys, users, organizations,
   memberships, projects and teams (connected in `InsightsServerConfig.ready`), and their `AccessQuerySet.update()`
   (signals do not fire on bulk updates).
2. The token is replaced at once and again when the transaction commits: a reader that read the token between the
   two could have read the database before the commit and cached the old row under it.
3. An entry remembers the token read *before* its database read and is used only while the token is unchanged,
   and for at most `ACCESS_CACHE_SECONDS` (a bound for writes no signal sees, such as raw SQL).
4. A request reads the token once (the request's memo, reset by `RequestContextMiddleware`); outside a request every
   lookup reads it. When the shared cache cannot be read, nothing is cached (fail closed: the database answers).

A random token rather than a counter: a flushed or evicted Redis key can never bring an old generation back.
The token is only shared across processes when the Django cache is (Redis); settings enable this cache without
Redis only where one process serves everything (the embedded chDB default).
Cached model instances are copied (with the related objects they carry) on the way out, so a request that edits
its team never edits another request's.
"""

import copy
import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import models, transaction

from insights_server.generations import read_generation, replace_generation
from insights_server.request_context import request_memo

logger = logging.getLogger(__name__)

GENERATION_KEY = "insights:access-generation"
MAX_ENTRIES = 10_000
# cache key -> (generation, expiry on the monotonic clock, value). A None answer (unknown key or id) is not cached:
# it is what a scanner sends, and it should not fill the cache.
_entries: dict[Any, tuple[str, float, Any]] = {}


def enabled() -> bool:
    return bool(getattr(settings, "ACCESS_CACHE_SECONDS", 0))


def _read_generation() -> str | None:
    return read_generation(GENERATION_KEY)


def current_generation() -> str | None:
    """The generation this lookup may use: the request's (read once per request), or a fresh read outside one."""
    memo = request_memo()
    if memo is None:
        return _read_generation()
    if "access_generation" not in memo:
        memo["access_generation"] = _read_generation()
    return memo["access_generation"]


def _bump() -> None:
    # When the cache does not take it, other processes keep their entries until ACCESS_CACHE_SECONDS; this one forgets
    # its own at least.
    replace_generation(GENERATION_KEY)
    _entries.clear()
    memo = request_memo()
    if memo is not None:
        memo.pop("access_generation", None)


def access_changed() -> None:
    """Invalidates every cached key, user, team and membership answer in every process, now and on commit.

    Saves and deletes of PersonalAPIKey, User, Organization, OrganizationMembership, Project and Team call it through
    their signals, bulk updates through `AccessQuerySet`; other code need not.
    """
    _bump()
    transaction.on_commit(_bump, robust=True)


def on_access_model_written(sender, **kwargs) -> None:
    access_changed()


# Fields whose bulk update changes no access answer (a key's last use is refreshed about once an hour per key).
NOT_ACCESS_FIELDS = frozenset({"last_used_at"})


class AccessQuerySet(models.QuerySet):
    """The queryset of the models access answers come from (keys, users, organizations, memberships, projects,
    teams): a bulk `update()` invalidates like a save does, because it sends no signal. (A queryset `delete()` sends
    `post_delete` per row while receivers are connected, so it needs nothing here.)"""

    def update(self, **kwargs) -> int:
        rows = super().update(**kwargs)
        if rows and not set(kwargs) <= NOT_ACCESS_FIELDS:
            access_changed()
        return rows


def lookup[T](cache_key: Any, load: Callable[[], T]) -> T:
    """The cached answer for `cache_key`, or `load()`'s (cached unless None). Model instances come back copied."""
    if not enabled():
        return load()
    generation = current_generation()
    if generation is None:
        return load()
    entry = _entries.get(cache_key)
    now = time.monotonic()
    if entry is not None and entry[0] == generation and entry[1] > now:
        return _copied(entry[2])
    value = load()
    if value is not None:
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[cache_key] = (generation, now + settings.ACCESS_CACHE_SECONDS, _copied(value))
    return value


def forget(cache_key: Any) -> None:
    _entries.pop(cache_key, None)


def _copied[T](value: T) -> T:
    if not isinstance(value, models.Model):
        return value
    instance = copy.copy(value)
    instance._state.fields_cache = {name: _copied(related) for name, related in value._state.fields_cache.items()}
    return instance
