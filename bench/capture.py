"""Capture benchmark: /batch/ throughput with 500-event batches of unique events, rows stored, ack -> stored lag.

Starts the server the way `make serve` does (gunicorn, one worker, threads) on a free port with a
throw-away data directory and drives it from this process with keep-alive HTTP connections. Every event
has a fresh uuid (a resent uuid is de-duplicated before ClickHouse, so it measures nothing). While the
clients send, a poller counts the rows actually in ClickHouse (`count()` over HogQL); the lag is the time
from the moment the N-th event was acknowledged to the first poll that saw N rows stored (the spool is
first in, first out), so it is exact to the poll interval. A 503 (backpressure) is counted and retried
after its `Retry-After`, as SDKs do.

    .venv/bin/python bench/capture.py [--seconds 20] [--clients 4] [--batch 500]
"""

import argparse
import bisect
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

POLL_SECONDS = 0.25
VERBOSE = "--verbose" in sys.argv


class BatchMaker:
    """Bodies of `size` events with unique uuids, cheap to make (the client shares the server's cores): 20 JSON
    templates, each split where its uuids go, joined with fresh uuids on every call."""

    SLOT = "00000000-0000-4000-8000-00000000abcd"

    def __init__(self, token: str, size: int):
        self.size = size
        self.prefix = uuid.uuid4().hex[:20]
        self.counter = 0
        self.lock = threading.Lock()
        self.templates = [self.template(token, size, n).split(self.SLOT.encode()) for n in range(20)]

    def template(self, token: str, size: int, sequence: int) -> bytes:
        now = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
        events = [
            {
                "event": "$pageview" if i % 3 else "button_clicked",
                "distinct_id": f"user-{(sequence * size + i) % 20000}",
                "uuid": self.SLOT,
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

    def make(self) -> bytes:
        with self.lock:
            first = self.counter
            self.counter += self.size
        parts = self.templates[(first // self.size) % len(self.templates)]
        p = self.prefix
        head = f"{p[:8]}-{p[8:12]}-4{p[13:16]}-8{p[17:20]}-".encode()
        out = [parts[0]]
        for i, part in enumerate(parts[1:]):
            out.append(head + b"%012x" % (first + i))
            out.append(part)
        return b"".join(out)


class Acks:
    """(monotonic time, events acknowledged so far), appended in order; 503 answers counted."""

    def __init__(self):
        self.lock = threading.Lock()
        self.times: list[float] = []
        self.totals: list[int] = []
        self.total = 0
        self.backpressure = 0

    def add(self, events: int) -> None:
        with self.lock:
            self.total += events
            self.times.append(time.monotonic())
            self.totals.append(self.total)

    def time_of(self, count: int) -> float | None:
        """When the `count`-th event was acknowledged."""
        with self.lock:
            index = bisect.bisect_left(self.totals, count)
            return self.times[index] if index < len(self.times) else None


def drive(port: int, maker: BatchMaker, deadline: float, latencies: list[float], acks: Acks) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while time.monotonic() < deadline:
        body = maker.make()
        while True:
            started = time.perf_counter()
            try:
                connection.request("POST", "/batch/", body=body, headers={"Content-Type": "application/json"})
                response = connection.getresponse()
                response.read()
            except (ConnectionError, http.client.HTTPException):
                connection.close()  # the server closed the keep-alive connection (after a 503): send again
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            if response.status == 503 and response.getheader("Retry-After"):
                with acks.lock:
                    acks.backpressure += 1
                time.sleep(float(response.getheader("Retry-After")))
                continue
            if response.status != 200:
                raise RuntimeError(f"/batch/ answered {response.status}")
            latencies.append(time.perf_counter() - started)
            acks.add(maker.size)
            break


def stored_count(connection: http.client.HTTPConnection, headers: dict, project_id: int) -> int:
    body = json.dumps(
        {"query": {"kind": "HogQLQuery", "query": "select count() from events"}, "refresh": "force_blocking"}
    )
    connection.request("POST", f"/api/projects/{project_id}/query/", body=body, headers=headers)
    response = connection.getresponse()
    payload = json.loads(response.read())
    if response.status != 200:
        raise RuntimeError(f"/query/ answered {response.status}: {payload}")
    return int(payload["results"][0][0])


def poll_stored(port: int, created: dict, stop: threading.Event, samples: list[tuple[float, int, int]], acks: Acks):
    """(time, rows stored, spool backlog) every POLL_SECONDS until `stop` and everything acknowledged is stored."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {created['personal_api_key']}"}
    while True:
        count = stored_count(connection, headers, created["project_id"])
        now = time.monotonic()
        samples.append((now, count, acks.total - count))
        if VERBOSE:
            print(f"  {now:.1f}s acknowledged {acks.total} stored {count}", flush=True)
        if stop.is_set() and count >= acks.total:
            return
        time.sleep(POLL_SECONDS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--single-requests-seconds", type=float, default=5)
    parser.add_argument("--verbose", action="store_true", help="print every poll")
    args = parser.parse_args()
    with bench_server() as (port, created):
        maker = BatchMaker(created["project_api_token"], args.batch)
        latencies: list[float] = []
        acks = Acks()
        samples: list[tuple[float, int, int]] = []
        stop = threading.Event()
        poller = threading.Thread(target=poll_stored, args=(port, created, stop, samples, acks))
        started = time.monotonic()
        deadline = started + args.seconds
        poller.start()
        threads = [
            threading.Thread(target=drive, args=(port, maker, deadline, latencies, acks)) for _ in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        acknowledged_seconds = time.monotonic() - started
        stop.set()
        poller.join(timeout=900)
        if ingestion_status(port)["dead_letter_rows"]:
            raise RuntimeError("some requests failed to store (dead_letter_rows > 0)")
        acknowledged = acks.total
        stored = samples[-1][1]
        stored_seconds = samples[-1][0] - started
        during = [count for when, count, _ in samples if when <= started + acknowledged_seconds]
        stored_during = during[-1] if during else 0
        lags = [when - acked for when, count, _ in samples if count and (acked := acks.time_of(count)) is not None]
        backlog = [pending for when, _, pending in samples if when <= started + acknowledged_seconds]
        print(f"/batch/ with {args.batch}-event unique batches, {args.clients} clients, {args.seconds:.0f}s:")
        print(f"  acknowledged {acknowledged} events: {acknowledged / acknowledged_seconds:,.0f} events/s")
        print(f"  stored while sending: {stored_during} events: {stored_during / acknowledged_seconds:,.0f} events/s")
        print(f"  all {stored} stored after {stored_seconds:.1f}s: {stored / stored_seconds:,.0f} events/s")
        if stored != acknowledged:
            print(f"  MISMATCH: {acknowledged} acknowledged, {stored} rows stored")
        print(
            f"  ack -> stored lag (to {POLL_SECONDS}s): median {statistics.median(lags):.2f}s, "
            f"p90 {percentile(lags, 0.9):.2f}s, max {max(lags):.2f}s"
        )
        print(
            f"  spool backlog while sending: median {statistics.median(backlog):,.0f}, max {max(backlog):,.0f} events"
        )
        print(f"  503 backpressure answers: {acks.backpressure}")
        p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
        print(f"  request latency p50 {p50:.1f} ms, p99 {p99:.1f} ms")

        latencies = []
        single_acks = Acks()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        end = time.monotonic() + args.single_requests_seconds
        while time.monotonic() < end:
            body = json.dumps({"api_key": created["project_api_token"], "event": "single", "distinct_id": "s-1"})
            begun = time.perf_counter()
            connection.request("POST", "/capture/", body=body.encode(), headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            latencies.append(time.perf_counter() - begun)
            single_acks.add(1)
        print(f"/capture/ single events, one client: {single_acks.total} requests")
        p50, p99, mean = (percentile(latencies, 0.5), percentile(latencies, 0.99), statistics.mean(latencies))
        print(f"  round trip p50 {p50 * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms, mean {mean * 1000:.2f} ms")


def ingestion_status(port: int) -> dict:
    """The server's spool status (events acknowledged but not yet in ClickHouse)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/_health?verbose=1")
    return json.loads(connection.getresponse().read())["ingestion"]


if __name__ == "__main__":
    main()
