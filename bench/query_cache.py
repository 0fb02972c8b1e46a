"""Cached /query/ hits through HTTP: the server time of answering a HogQL query from the cache.

.venv/bin/python bench/query_cache.py [--requests 500]
"""

import argparse
import http.client
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server import bench_server, percentile  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    with bench_server(demo_events=200_000) as (port, created):
        body = json.dumps(
            {"query": {"kind": "HogQLQuery", "query": "select event, count() from events group by event"}}
        ).encode()
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
