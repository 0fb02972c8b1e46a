"""Cached /query/ hits: in-process through Django's test client (the server's own time, and its database queries),
and through HTTP against a server started as `make serve` starts it (the round trip).

.venv/bin/python bench/query_cache.py [--requests 500] [--only in-process|http]
"""

import argparse
import http.client
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server import bench_server, in_process_workspace, timed_requests  # noqa: E402

QUERY = {"query": {"kind": "HogQLQuery", "query": "select event, count() from events group by event"}}


def in_process(requests: int) -> None:
    """p50/p99 of a cached hit through Django's test client, and the SQL queries one hit makes."""
    with in_process_workspace() as (team, key):
        from django.db import connection
        from django.test import Client

        client = Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_HOST="127.0.0.1")
        url = f"/api/projects/{team.id}/query/"
        first = client.post(url, QUERY, content_type="application/json").json()
        assert first["is_cached"] is False, first
        # The second request writes the key's last_used_at; the third is what every later hit looks like.
        for _ in range(2):
            assert client.post(url, QUERY, content_type="application/json").json()["is_cached"] is True
        queries: list[str] = []

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            assert client.post(url, QUERY, content_type="application/json").json()["is_cached"] is True
        if os.environ.get("BENCH_PROFILE"):
            import cProfile

            cProfile.runctx(
                "for _ in range(200): client.post(url, QUERY, content_type='application/json')",
                globals(),
                {"client": client, "url": url, "QUERY": QUERY},
                sort=os.environ["BENCH_PROFILE"],
            )

        def check(response) -> None:
            assert response.json()["is_cached"] is True

        p50, p99 = timed_requests(lambda: client.post(url, QUERY, content_type="application/json"), requests, check)
        print(
            f"cached /query/ hit, {requests} requests, in-process (Django test client): p50 {p50:.2f} ms, "
            f"p99 {p99:.2f} ms, {len(queries)} SQL queries per hit"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--only", choices=["in-process", "http"])
    args = parser.parse_args()
    if args.only != "http":
        in_process(args.requests)
    if args.only == "in-process":
        return
    with bench_server(demo_events=200_000) as (port, created):
        body = json.dumps(QUERY).encode()
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {created['personal_api_key']}"}
        url = f"/api/projects/{created['project_id']}/query/"
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("POST", url, body=body, headers=headers)
        first = json.loads(connection.getresponse().read())
        assert first["is_cached"] is False, first

        def send() -> dict:
            connection.request("POST", url, body=body, headers=headers)
            return json.loads(connection.getresponse().read())

        def check(response: dict) -> None:
            assert response["is_cached"] is True

        p50, p99 = timed_requests(send, args.requests, check)
        print(
            f"cached /query/ hit, {args.requests} requests, one client: p50 {p50:.2f} ms, p99 {p99:.2f} ms (round trip)"
        )

        def health() -> int:
            connection.request("GET", "/_health")
            response = connection.getresponse()
            response.read()
            return response.status

        p50, p99 = timed_requests(health, args.requests, lambda status: None)
        print(f"GET /_health (the floor), {args.requests} requests, one client: p50 {p50:.2f} ms, p99 {p99:.2f} ms")


if __name__ == "__main__":
    main()
