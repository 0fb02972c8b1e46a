"""Queries: schema, HogQL, runners, execution and cache, and the ClickHouse client (the only path to ClickHouse)."""
