"""`GET /insights/` with 20 saved insights (tags, a dashboard), in-process through Django's test client: the
server's own time and its database queries per page.

.venv/bin/python bench/insights_list.py [--requests 300] [--insights 20]
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server import in_process_workspace, timed_requests  # noqa: E402

TREND = {
    "kind": "InsightVizNode",
    "source": {"kind": "TrendsQuery", "series": [{"kind": "EventsNode", "event": "$pageview"}]},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--insights", type=int, default=20)
    args = parser.parse_args()
    with in_process_workspace() as (team, key):
        from django.db import connection
        from django.test import Client

        client = Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_HOST="127.0.0.1")
        base = f"/api/projects/{team.id}"
        dashboard = client.post(f"{base}/dashboards/", {"name": "Bench"}, content_type="application/json").json()
        for number in range(args.insights):
            body = {"name": f"Insight {number}", "query": TREND, "tags": ["bench", f"t{number}"], "saved": True}
            if number % 2:
                body["dashboards"] = [dashboard["id"]]
            response = client.post(f"{base}/insights/", body, content_type="application/json")
            assert response.status_code == 201, response.json()
        url = f"{base}/insights/?limit=100"

        def check(response) -> None:
            assert response.status_code == 200 and len(response.json()["results"]) == args.insights

        for _ in range(2):  # the first writes the key's last_used_at
            check(client.get(url))
        queries: list[str] = []

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            check(client.get(url))
        if os.environ.get("BENCH_PROFILE"):
            import cProfile

            cProfile.runctx(
                "for _ in range(100): client.get(url)", globals(), {"client": client, "url": url},
                sort=os.environ["BENCH_PROFILE"],
            )  # fmt: skip
        p50, p99 = timed_requests(lambda: client.get(url), args.requests, check)
        print(
            f"GET /insights/ with {args.insights} insights, {args.requests} requests, in-process (Django test client): "
            f"p50 {p50:.2f} ms, p99 {p99:.2f} ms, {len(queries)} SQL queries per page"
        )


if __name__ == "__main__":
    main()
