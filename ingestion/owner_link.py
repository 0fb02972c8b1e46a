"""The pipe between the process that owns the embedded engine and its store process (ingestion/store_process.py).

The store process runs the ingestion pipeline; the engine (chDB admits one process per data directory) and, in the
embedded default, the Django cache (process-local) stay with the owner. The store process calls them through this
link: `("call", target, method, args)` out, `("ok", value)` or `("raise", kind, message, code)` back. The owner
answers such calls while it waits for the store process's answer to an `("ingest", payloads)`, so each exchange is
one conversation, in order, on one connection.
"""

import logging
from multiprocessing.connection import Connection
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT

from queries.clickhouse import client
from queries.clickhouse.errors import ClickHouseQueryError, ClickHouseUnavailable

logger = logging.getLogger(__name__)

# What the store process may ask of the owner's cache (Django's cache API, nothing that empties it).
CACHE_METHODS = {"get", "set", "add", "delete", "touch", "incr", "decr", "has_key", "get_many", "set_many"}


class DefaultTimeout:
    """A timeout the caller left out (Django's DEFAULT_TIMEOUT is a bare object: its identity would not survive the
    pipe)."""


class OwnerLink:
    """The store process's end: runs a call in the owner and returns its value or raises its error here."""

    def __init__(self, connection: Connection):
        self.connection = connection

    def call(self, target: str, method: str, *args: Any) -> Any:
        self.connection.send(("call", target, method, args))
        reply = self.connection.recv()
        if reply[0] == "ok":
            return reply[1]
        _, kind, message, code = reply
        if kind == "unavailable":
            raise ClickHouseUnavailable(message)
        if kind == "query_error":
            raise ClickHouseQueryError(message, code)
        raise RuntimeError(message)


def answer_call(target: str, method: str, args: tuple) -> tuple:
    """The owner's end: runs one call of the store process and says how it went (never raises)."""
    try:
        if target == "clickhouse":
            return ("ok", client.run_for_helper(method, *args))
        if target == "cache" and method in CACHE_METHODS:
            args = tuple(DEFAULT_TIMEOUT if isinstance(arg, DefaultTimeout) else arg for arg in args)
            return ("ok", getattr(caches["default"], method)(*args))
        return ("raise", "error", f"{target}.{method} cannot be called from the store process", None)
    except ClickHouseUnavailable as error:
        return ("raise", "unavailable", str(error), None)
    except ClickHouseQueryError as error:
        return ("raise", "query_error", str(error), error.clickhouse_code)
    except Exception as error:
        logger.exception("store_process_call_failed target=%s method=%s", target, method)
        return ("raise", "error", f"{type(error).__name__}: {error}", None)
