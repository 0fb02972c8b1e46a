"""Uncached HogQL through HTTP: POST /query/ with a new query text each time (so neither the parse nor the result
is cached), one client, against a server started as `make serve` starts it.

    .venv/bin/python bench/hogql_http.py [--requests 200]
"""

import argparse
import http.client
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server import bench_server, percentile  # noqa: E402

TEXTS = {
    "select {i}": "select {i}",
    "plain SELECT over events": "select event, count() from events where timestamp > now() - interval {i} day "
    "group by event order by 2 desc limit 10",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with bench_server(demo_events=20_000) as (port, created):
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {created['personal_api_key']}"}
        url = f"/api/projects/{created['project_id']}/query/"
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for name, template in TEXTS.items():
            latencies = []
            for i in range(args.requests + 5):
                query = {"kind": "HogQLQuery", "query": template.format(i=1000 + i)}
                body = json.dumps({"query": query, "refresh": "force_blocking"}).encode()
                started = time.perf_counter()
                connection.request("POST", url, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                assert response.status == 200, response.status
                if i >= 5:
                    latencies.append(time.perf_counter() - started)
            p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
            print(f"uncached HogQL '{name}', {args.requests} requests: p50 {p50:.2f} ms, p99 {p99:.2f} ms (round trip)")


if __name__ == "__main__":
    main()
