"""The only package that talks to ClickHouse: clickhouse-connect clients for `chdb://` (embedded) or `http(s)://`."""
