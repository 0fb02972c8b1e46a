"""One clickhouse-connect client per thread, built from CLICKHOUSE_URL, and the calls the rest of the code uses.

Every user-supplied value travels as a server-side parameter (`{name:Type}` in the SQL, `parameters=`);
nothing here formats user text into SQL. Errors leave as `ClickHouseUnavailable` (cannot reach the store)
or `ClickHouseQueryError` (the store refused the query): see `queries.clickhouse.errors`.
"""

import logging
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import unquote, urlparse

import clickhouse_connect
from clickhouse_connect.driver.client import Client
from clickhouse_connect.driver.exceptions import DatabaseError, OperationalError
from django.conf import settings

from queries.clickhouse.errors import ClickHouseQueryError, ClickHouseUnavailable
from queries.clickhouse.tags import safe_query_id

logger = logging.getLogger(__name__)
_local = threading.local()


class Owner(Protocol):
    """The process that owns the embedded engine, seen from a helper process: runs a call of this module there."""

    def call(self, target: str, method: str, *args: Any) -> Any: ...


@dataclass
class ForwardedResult:
    """What a forwarded `query` returns: the rows and column names of the owner's QueryResult."""

    result_rows: list[tuple]
    column_names: list[str]


# Set in a helper process (ingestion's store process): its reads and writes run in the process that owns chDB.
_owner: Owner | None = None


def forward_to_owner(owner: Owner | None) -> None:
    """Sends every call of this module to `owner` from now on (None: run them here again)."""
    global _owner
    _owner = owner


def run_for_helper(method: str, *args: Any) -> Any:
    """The owner's side of a forwarded call (query, command, insert; insert_raw forwards a command), with a picklable
    result."""
    if method not in FORWARDED:
        raise ValueError(f"{method} is not a forwarded ClickHouse call")
    result = FORWARDED[method](*args)
    if method == "query":
        return ForwardedResult(list(result.result_rows), list(result.column_names))
    return result if isinstance(result, str | int | float) else None


# Applied to every read unless the caller asks otherwise.
DEFAULT_QUERY_SETTINGS = {"max_execution_time": 60, "max_memory_usage": 4 * 1024**3}


def client_kwargs(url: str) -> dict:
    """clickhouse-connect arguments for a `chdb:///dir`, `chdb://memory` or `http(s)://user:pass@host:port/db` URL."""
    parsed = urlparse(url)
    if parsed.scheme == "chdb":
        return {"dsn": url}
    if parsed.scheme not in ("http", "https"):
        raise ValueError(f"CLICKHOUSE_URL must start with chdb://, http:// or https://, not {parsed.scheme}://")
    return {
        "host": parsed.hostname or "localhost",
        "port": parsed.port or (8443 if parsed.scheme == "https" else 8123),
        "username": unquote(parsed.username or "default"),
        "password": unquote(parsed.password or ""),
        "database": parsed.path.lstrip("/") or "default",
        "secure": parsed.scheme == "https",
        "connect_timeout": 5,
        "send_receive_timeout": 300,
    }


def is_embedded() -> bool:
    return settings.CLICKHOUSE_URL.startswith("chdb://")


def get_client() -> Client:
    """This thread's client; created on first use (opening an embedded chDB directory takes the process lock)."""
    url = settings.CLICKHOUSE_URL
    client = getattr(_local, "client", None)
    if client is None or getattr(_local, "url", None) != url:
        try:
            client = clickhouse_connect.get_client(**client_kwargs(url))
        except (OperationalError, OSError) as error:
            raise ClickHouseUnavailable(str(error)) from error
        except DatabaseError as error:
            raise ClickHouseUnavailable(str(error)) from error
        _local.client, _local.url = client, url
    return client


def _error_code(error: Exception) -> int | None:
    text = str(error)
    marker = "Code: "
    if marker in text:
        digits = text.split(marker, 1)[1].split(".", 1)[0].strip()
        if digits.isdigit():
            return int(digits)
    return getattr(error, "code", None)


def _translate(error: Exception) -> Exception:
    if isinstance(error, OperationalError | OSError):
        return ClickHouseUnavailable(str(error))
    return ClickHouseQueryError(str(error), _error_code(error))


def query(
    sql: str,
    parameters: dict[str, Any] | None = None,
    settings: dict[str, Any] | None = None,
    tag: str | None = None,
):
    """Runs a read and returns clickhouse-connect's QueryResult (`.result_rows`, `.column_names`).

    `tag` (our query id, see `kill_tagged_query`) names the statement twice: in a leading comment, for people
    reading logs, and in the `log_comment` setting, which is what a cancel looks for. The engine keeps that
    setting in `system.processes` and `system.query_log`, whereas a statement with server-side parameters is
    listed there with their values substituted and its comments dropped.
    """
    if _owner is not None:
        return _owner.call("clickhouse", "query", sql, parameters, settings, tag)
    tag_settings = {"log_comment": tag_name(tag)} if tag else {}
    try:
        return get_client().query(
            tagged(sql, tag),
            parameters=parameters or {},
            settings={**DEFAULT_QUERY_SETTINGS, **(settings or {}), **tag_settings},
        )
    except (DatabaseError, OSError) as error:
        raise _translate(error) from error


def command(sql: str, parameters: dict[str, Any] | None = None, settings: dict[str, Any] | None = None):
    """Runs a statement with no result set (DDL, mutations)."""
    if _owner is not None:
        return _owner.call("clickhouse", "command", sql, parameters, settings)
    try:
        return get_client().command(sql, parameters=parameters or {}, settings=settings or {})
    except (DatabaseError, OSError) as error:
        raise _translate(error) from error


def insert(table: str, rows: Sequence[Sequence[Any]], column_names: Sequence[str]) -> None:
    """Inserts row-oriented data in one block."""
    if not rows:
        return
    if _owner is not None:
        return _owner.call("clickhouse", "insert", table, rows, column_names)
    try:
        get_client().insert(table, rows, column_names=list(column_names))
    except (DatabaseError, OSError) as error:
        raise _translate(error) from error


def insert_raw(table: str, column_names: Sequence[str], data: bytes, fmt: str, settings: dict[str, int]) -> None:
    """Inserts rows already serialized in `fmt` (e.g. JSONCompactEachRow by orjson): the per-value work `insert`
    does in Python happens in the engine's C++ parser instead. `settings` are integer settings of our own code.
    On the embedded engine the rows go through a temporary file read by `file()` (types from the table):
    chDB resolves the columns of an INSERT ... FROM INFILE before it reads the SETTINGS clause that follows, so
    `insert_allow_materialized_columns` would not be seen, and rows inline in the statement are scanned by
    clickhouse-connect in Python."""
    if not is_embedded():
        try:
            get_client().raw_insert(table, list(column_names), data, settings=settings, fmt=fmt)
        except (DatabaseError, OSError) as error:
            raise _translate(error) from error
        return
    # Written by this process, read by the one that runs the statement (the owner, when a store process forwards it).
    with temporary_file("insert-", data) as path:
        columns = ", ".join(f"`{name}`" for name in column_names)
        clause = ", ".join(f"{name} = {int(value)}" for name, value in settings.items())
        command(
            f"INSERT INTO {table} ({columns}) SELECT * FROM file({path_literal(path)}, {fmt})"
            + (f" SETTINGS {clause}" if clause else "")
        )


@contextmanager
def temporary_file(prefix: str, data: bytes) -> Iterator[str]:
    """The path of a temporary file holding `data` for the engine to read with `file()`; removed afterwards. A file
    that cannot be written is the store being unavailable (ClickHouseUnavailable)."""
    try:
        with tempfile.NamedTemporaryFile(prefix=prefix) as handle:
            handle.write(data)
            handle.flush()
            yield handle.name
    except OSError as error:
        raise _translate(error) from error


@contextmanager
def values_source(name: str, values: Sequence[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """A table expression whose rows are `values` (one String column, `value`) and the parameters it needs.
    The values must hold neither commas nor line breaks (canonical uuids, say).

    A parameter of thousands of values costs clickhouse-connect's escaping, one character at a time in Python;
    on the embedded engine the values go through a temporary file read by `file()` instead. Over HTTP they
    travel as one comma-joined parameter, `name`."""
    if not is_embedded():
        yield f"(SELECT arrayJoin(splitByChar(',', {{{name}:String}})) AS value)", {name: ",".join(values)}
        return
    with temporary_file("values-", "\n".join(values).encode()) as path:
        yield f"file({path_literal(path)}, 'LineAsString', 'value String')", {}


def path_literal(path: str) -> str:
    """A file path of our own (a temporary file) as an SQL string literal."""
    return "'" + path.replace("\\", "\\\\").replace("'", "\\'") + "'"


def tag_name(tag: str) -> str:
    """How a query id appears in SQL comments and in `log_comment`. The id is the client's `client_query_id`:
    sanitized here, or a `*/` in it would end the comment and put the client's text in the SQL (ahead of the
    team-guarded query)."""
    return f"insights_query_id:{safe_query_id(tag)}"


def tagged(sql: str, tag: str | None) -> str:
    """Prefixes a statement with a comment naming our query id (what `query(tag=...)` sends)."""
    return f"/* {tag_name(tag)} */ {sql}" if tag else sql


def kill_tagged_query(tag: str) -> bool:
    """Kills running statements carrying this query id (their `log_comment`, see `query`)."""
    name = {"name": tag_name(tag)}
    try:
        result = query(
            "SELECT count() FROM system.processes WHERE Settings['log_comment'] = {name:String}", parameters=name
        )
        if not result.result_rows[0][0]:
            return False
        command("KILL QUERY WHERE Settings['log_comment'] = {name:String} ASYNC", parameters=name)
        return True
    except (ClickHouseQueryError, ClickHouseUnavailable) as error:
        logger.warning("kill_query_failed tag=%s error=%s", tag, error)
        return False


def ping() -> None:
    """Raises when ClickHouse does not answer a trivial query."""
    query("SELECT 1")


FORWARDED: dict[str, Callable[..., Any]] = {
    "query": query,
    "command": command,
    "insert": insert,
}
