"""Cached /query/ hits: in-process through Django's test client (the server's own time, and its database queries),
and through HTTP against a server started as `make serve` starts it (the round trip).

.venv/bin/python bench/query_cache.py [--requests 500] [--only in-process|http]
"""

import argparse
import http.client
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server import bench_server, percentile  # noqa: E402

QUERY = {"query": {"kind": "HogQLQuery", "query": "select event, count() from events group by event"}}


def in_process(requests: int) -> None:
    """p50/p99 of a cached hit through Django's test client, and the SQL queries one hit makes."""
    data_dir = Path(tempfile.mkdtemp(prefix="insights-bench-"))
    os.environ.update(DJANGO_SETTINGS_MODULE="config.settings", DATA_DIR=str(data_dir), SECRET_KEY="bench-" + "x" * 40)
    for name in ("DATABASE_URL", "CLICKHOUSE_URL", "REDIS_URL"):
        os.environ.pop(name, None)
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        from insights_server.services.bootstrap import bootstrap_workspace
        from insights_server.services.personal_api_keys import personal_api_key_create
        from queries.clickhouse.migrations import migrate

        call_command("migrate", verbosity=0)
        migrate()
        team = bootstrap_workspace("b@example.com", "bench-pass-1", "B", "Bench").team
        _, key = personal_api_key_create(team.organization.memberships.get().user, "bench", ["*"])
        client = Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_HOST="127.0.0.1")
        url = f"/api/projects/{team.id}/query/"
        first = client.post(url, QUERY, content_type="application/json").json()
        assert first["is_cached"] is False, first
        queries: list[str] = []

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            assert client.post(url, QUERY, content_type="application/json").json()["is_cached"] is True
        latencies = []
        if os.environ.get("BENCH_PROFILE"):
            import cProfile

            cProfile.runctx(
                "for _ in range(200): client.post(url, QUERY, content_type='application/json')",
                globals(),
                {"client": client, "url": url, "QUERY": QUERY},
                sort=os.environ["BENCH_PROFILE"],
            )
        for _ in range(requests):
            started = time.perf_counter()
            response = client.post(url, QUERY, content_type="application/json")
            latencies.append(time.perf_counter() - started)
            assert response.json()["is_cached"] is True
        p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
        print(
            f"cached /query/ hit, {requests} requests, in-process (Django test client): p50 {p50:.2f} ms, "
            f"p99 {p99:.2f} ms, {len(queries)} SQL queries per hit"
        )
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


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
        latencies = []
        for _ in range(args.requests):
            started = time.perf_counter()
            connection.request("POST", url, body=body, headers=headers)
            response = json.loads(connection.getresponse().read())
            latencies.append(time.perf_counter() - started)
            assert response["is_cached"] is True
        p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
        print(
            f"cached /query/ hit, {args.requests} requests, one client: p50 {p50:.2f} ms, p99 {p99:.2f} ms (round trip)"
        )


if __name__ == "__main__":
    main()
