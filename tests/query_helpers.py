"""Helpers for /query/ tests: a project with known events, and a call to the endpoint."""

from tests.capture_helpers import flush, post_json


def capture_events(http_client, team, events) -> None:
    """`events`: (name, distinct_id, properties, ISO timestamp) tuples."""
    batch = [{"event": n, "distinct_id": d, "properties": p, "timestamp": t} for n, d, p, t in events]
    assert post_json(http_client, "/batch/", {"api_key": team.api_token, "batch": batch}).status_code == 200
    flush()


def run_query(api_client, team_id: int, query: dict, **body):
    return api_client.post(f"/api/projects/{team_id}/query/", {"query": query, **body}, format="json")


def hogql(api_client, team_id: int, sql: str, refresh: str | None = None, **fields):
    body = {"refresh": refresh} if refresh else {}
    return run_query(api_client, team_id, {"kind": "HogQLQuery", "query": sql, **fields}, **body)
