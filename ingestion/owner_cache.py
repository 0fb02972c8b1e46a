"""The Django cache of the store process when the owner's cache is process-local (the embedded default).

Every operation runs on the owner's cache through the owner link, so what the pipeline writes there (a project's
person overrides, the access generation) is what the owner's requests read. Configured by config/settings.py when
INSIGHTS_STORE_PROCESS_CACHE is set, which only ingestion/store_child.py does.
"""

from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache

from ingestion.owner_link import DefaultTimeout

_link = None


def use_link(link) -> None:
    global _link
    _link = link


def _call(method: str, *args: Any) -> Any:
    if _link is None:
        raise RuntimeError("The store process's cache is used before its link to the owner exists.")
    return _link.call("cache", method, *args)


def _timeout(timeout: Any) -> Any:
    return DefaultTimeout() if timeout is DEFAULT_TIMEOUT else timeout


class OwnerCache(BaseCache):
    """Django's cache API, answered by the owner process's default cache (keys are made there)."""

    def __init__(self, location: str, params: dict):
        super().__init__(params)

    def get(self, key, default=None, version=None):
        return _call("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        _call("set", key, value, _timeout(timeout), version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return _call("add", key, value, _timeout(timeout), version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return _call("touch", key, _timeout(timeout), version)

    def delete(self, key, version=None):
        return _call("delete", key, version)

    def has_key(self, key, version=None):
        return _call("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return _call("incr", key, delta, version)

    def get_many(self, keys, version=None):
        return _call("get_many", list(keys), version)

    def clear(self):
        raise RuntimeError("The store process may not clear the owner's cache.")
