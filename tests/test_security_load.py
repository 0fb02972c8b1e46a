"""Many clients of one API key at once against a live server: every request is answered, none takes it down.

The attack that found issue 18's item 2 (eight minute-interval trends over ten years made `/_health` time out for
minutes): here 24 requests from one key run at once (the pathological shapes, refused before any work, and real
computations beyond the project's concurrency limit) while a second thread keeps calling `/_health`.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from insights_server.services.personal_api_keys import personal_api_key_create

MINUTES_OVER_TEN_YEARS = {
    "kind": "TrendsQuery",
    "series": [{"kind": "EventsNode", "event": "$pageview"}],
    "interval": "minute",
    "dateRange": {"date_from": "-3650d"},
}
FIVE_THOUSAND_SERIES = {
    "kind": "TrendsQuery",
    "series": [{"kind": "EventsNode", "event": f"e{index}"} for index in range(5000)],
    "dateRange": {"date_from": "-7d"},
}
HOURLY_SINCE_1970 = {
    "kind": "TrendsQuery",
    "series": [{"kind": "EventsNode", "event": "$pageview"}],
    "interval": "hour",
    "dateRange": {"date_from": "1970-01-01"},
}
# A real computation (tens of milliseconds each): more of them at once than the project may run.
HEAVY_HOGQL = {"kind": "HogQLQuery", "query": "select sum(cityHash64(number)) from numbers(5000000)"}


@pytest.mark.django_db(transaction=True)
def test_one_key_with_many_clients_cannot_take_the_server_down(live_server, world, clickhouse, settings):
    settings.QUERY_API_CONCURRENCY_PER_TEAM = 3
    settings.QUERY_API_CONCURRENCY_WAIT_SECONDS = 2
    _, key = personal_api_key_create(world.owner, "load", ["*"])
    url = f"{live_server.url}/api/projects/{world.team.id}/query/"
    headers = {"Authorization": f"Bearer {key}"}
    queries = [MINUTES_OVER_TEN_YEARS, FIVE_THOUSAND_SERIES, HOURLY_SINCE_1970] * 4 + [HEAVY_HOGQL] * 12

    health_times: list[float] = []
    done = threading.Event()

    def watch_health() -> None:
        while not done.is_set():
            started = time.monotonic()
            response = requests.get(f"{live_server.url}/_health", timeout=30)
            health_times.append(time.monotonic() - started)
            assert response.status_code == 200, response.text
            time.sleep(0.05)

    def send(query: dict) -> tuple[dict, requests.Response]:
        body = {"query": query, "refresh": "force_blocking"}
        return query, requests.post(url, json=body, headers=headers, timeout=60)

    watcher = threading.Thread(target=watch_health, daemon=True)
    watcher.start()
    started = time.monotonic()
    try:
        with ThreadPoolExecutor(max_workers=len(queries)) as pool:
            answers = list(pool.map(send, queries))
    finally:
        done.set()
        watcher.join(30)
    elapsed = time.monotonic() - started

    for query, response in answers:
        assert response.status_code in (200, 400, 429), (response.status_code, response.text[:500])
        body = response.json()
        if query is HEAVY_HOGQL:
            if response.status_code == 200:
                assert isinstance(body["results"][0][0], int)
            else:
                assert response.status_code == 429 and body["code"] == "throttled", body
        else:
            # The pathological shapes are refused before any work, in PostHog's error shape.
            assert response.status_code == 400 and body["type"] == "validation_error", body
            assert body["detail"], body
    assert sum(response.status_code == 200 for query, response in answers if query is HEAVY_HOGQL) >= 3
    # Bounded: nothing waited on a runaway computation (the old behaviour took minutes and gigabytes).
    assert elapsed < 45, elapsed
    assert health_times and max(health_times) < 10, max(health_times, default=None)
