"""One clickhouse-connect client per thread, built from CLICKHOUSE_URL."""

import threading
from urllib.parse import unquote, urlparse

import clickhouse_connect
from clickhouse_connect.driver.client import Client
from django.conf import settings

_local = threading.local()


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
    }


def get_client() -> Client:
    """This thread's client; created on first use (opening an embedded chDB directory takes the process lock)."""
    url = settings.CLICKHOUSE_URL
    client = getattr(_local, "client", None)
    if client is None or getattr(_local, "url", None) != url:
        client = clickhouse_connect.get_client(**client_kwargs(url))
        _local.client, _local.url = client, url
    return client


def ping() -> None:
    """Raises when ClickHouse does not answer a trivial query."""
    get_client().query("SELECT 1")
