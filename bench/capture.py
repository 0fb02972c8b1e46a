"""Capture benchmark: /batch/ throughput with 500-event batches and single-event /capture/ latency.

Starts the server the way `make serve` does (gunicorn, one worker, threads) on a free port with a
throw-away data directory, drives it from this process with keep-alive HTTP connections, then waits
until the spool has been drained into ClickHouse so the figure is events stored, not only acknowledged.

    .venv/bin/python bench/capture.py [--seconds 20] [--clients 4] [--batch 500]
"""

import argparse
import http.client
import json
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server import bench_server, percentile  # noqa: E402


def make_batch(token: str, size: int, sequence: int) -> bytes:
    now = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
    events = [
        {
            "event": "$pageview" if i % 3 else "button_clicked",
            "distinct_id": f"user-{(sequence * size + i) % 20000}",
            "uuid": str(uuid.uuid4()),
            "timestamp": now,
            "properties": {
                "$current_url": f"https://example.com/page/{i % 50}",
                "$browser": ["Chrome", "Firefox", "Safari"][i % 3],
                "$os": "Mac OS X",
                "$lib": "bench",
                "plan": "pro" if i % 7 == 0 else "free",
                "$set": {"plan": "pro" if i % 7 == 0 else "free"},
            },
        }
        for i in range(size)
    ]
    return json.dumps({"api_key": token, "sent_at": now, "batch": events}).encode()


def drive(port: int, bodies: list[bytes], path: str, deadline: float, latencies: list[float], counts: list[int]):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    index = 0
    while time.monotonic() < deadline:
        body = bodies[index % len(bodies)]
        index += 1
        started = time.perf_counter()
        connection.request("POST", path, body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        latencies.append(time.perf_counter() - started)
        if response.status != 200:
            raise RuntimeError(f"{path} answered {response.status}")
        counts.append(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--single-requests-seconds", type=float, default=5)
    args = parser.parse_args()
    with bench_server() as (port, created):
        token = created["project_api_token"]
        bodies = [make_batch(token, args.batch, n) for n in range(20)]
        latencies: list[float] = []
        counts: list[int] = []
        started = time.monotonic()
        deadline = started + args.seconds
        threads = [
            threading.Thread(target=drive, args=(port, bodies, "/batch/", deadline, latencies, counts))
            for _ in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        acknowledged_seconds = time.monotonic() - started
        acknowledged = len(counts) * args.batch
        while ingestion_status(port)["pending_events"] > 0 and time.monotonic() - started < 600:
            time.sleep(0.2)
        if ingestion_status(port)["dead_letter_rows"]:
            raise RuntimeError("some requests failed to store (dead_letter_rows > 0)")
        stored_seconds = time.monotonic() - started
        print(f"/batch/ with {args.batch}-event batches, {args.clients} clients, {args.seconds:.0f}s:")
        print(f"  acknowledged {acknowledged} events: {acknowledged / acknowledged_seconds:,.0f} events/s")
        print(f"  stored in ClickHouse after {stored_seconds:.1f}s: {acknowledged / stored_seconds:,.0f} events/s")
        p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
        print(f"  request latency p50 {p50:.1f} ms, p99 {p99:.1f} ms")

        single = [
            json.dumps({"api_key": token, "event": "single", "distinct_id": f"s-{i}", "properties": {"a": i}}).encode()
            for i in range(200)
        ]
        latencies, counts = [], []
        drive(port, single, "/capture/", time.monotonic() + args.single_requests_seconds, latencies, counts)
        print(f"/capture/ single events, one client: {len(counts)} requests")
        p50, p99, mean = (percentile(latencies, 0.5), percentile(latencies, 0.99), statistics.mean(latencies))
        print(f"  round trip p50 {p50 * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms, mean {mean * 1000:.2f} ms")


def ingestion_status(port: int) -> dict:
    """The server's spool status (events acknowledged but not yet in ClickHouse)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/_health?verbose=1")
    return json.loads(connection.getresponse().read())["ingestion"]


if __name__ == "__main__":
    main()
