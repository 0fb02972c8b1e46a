"""The production shape, end to end: PostgreSQL, Redis, ClickHouse over HTTP, two gunicorn workers, a Celery worker
and Celery beat as separate processes (tests/prodshape/stack.py), driven only through HTTP.

capture -> query -> async query run by the Celery worker -> N identical requests spread over both web workers run
once (counted in ClickHouse's own `system.query_log`) -> cancel of a running query. The tests run in file order on
one pytest-xdist worker (`--dist loadfile`) and share one stack, started once for the module.
"""

import json
import os
import re
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.prodshape.stack import DELAY_SECONDS, Stack, http, start_stack, wait_until

EVENTS = 25
# At most gunicorn's --threads: were all of them to reach one worker, none would queue behind the computation.
CONCURRENT_REQUESTS = 8
# Never ends by itself (10^12 rows); the product's max_execution_time (60 s) stops it if a cancel fails.
ENDLESS_HOGQL = "select count() from numbers(10000000) a, numbers(100000) b"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres") or not redis_url:
        pytest.skip("needs the PostgreSQL and Redis that `make test` (scripts/test.sh) starts")
    root = Path(os.environ["TEST_TMPDIR"]) if os.environ.get("TEST_TMPDIR") else tmp_path_factory.mktemp("stack")
    tmp = root / f"prodshape-{os.getpid()}"
    tmp.mkdir(parents=True, exist_ok=True)
    stack = Stack(tmp=tmp)
    try:
        start_stack(stack, database_url, redis_url)
        yield stack
        stack.mark("tests done")
    finally:
        stack.stop()


def clickhouse(stack: Stack, sql: str, **parameters: str) -> list[dict]:
    """Rows of a statement sent straight to the ClickHouse endpoint (not through the product), as JSONEachRow."""
    query = urlencode({"database": "insights", **{f"param_{k}": v for k, v in parameters.items()}})
    request = urllib.request.Request(f"http://127.0.0.1:{stack.clickhouse_port}/?{query}", sql.encode(), method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        return [json.loads(line) for line in response.read().decode().splitlines() if line.strip()]


def tag_name(stack: Stack, query_id: str) -> str:
    """The `log_comment` the product gives the statements of a query id (queries.clickhouse.client.tag_name)."""
    return f"insights_query_id:{stack.workspace['project_id']}_{query_id}"


def logged(stack: Stack, query_id: str) -> list[dict]:
    """ClickHouse's own query log for the statements carrying this query id's tag, oldest first."""
    clickhouse(stack, "SYSTEM FLUSH LOGS")
    return clickhouse(
        stack,
        "SELECT toString(type) AS type, exception_code FROM system.query_log "
        "WHERE log_comment = {name:String} ORDER BY event_time_microseconds FORMAT JSONEachRow",
        name=tag_name(stack, query_id),
    )


def running(stack: Stack, query_id: str) -> int:
    rows = clickhouse(
        stack,
        "SELECT count() AS n FROM system.processes WHERE Settings['log_comment'] = {name:String} FORMAT JSONEachRow",
        name=tag_name(stack, query_id),
    )
    return int(rows[0]["n"])


def hogql_body(sql: str, refresh: str, query_id: str) -> dict:
    return {"query": {"kind": "HogQLQuery", "query": sql}, "refresh": refresh, "client_query_id": query_id}


def test_captured_events_are_queryable_over_http(stack):
    token = stack.workspace["project_api_token"]
    batch = [{"event": "prodshape", "distinct_id": f"user-{i}", "properties": {"n": i}} for i in range(EVENTS)]
    status, body = http("POST", stack.web_url + "/batch/", {"api_key": token, "batch": batch})
    assert (status, body) == (200, {"status": 1})

    sql = "select count(), uniq(distinct_id) from events where event = 'prodshape'"

    def counted() -> bool:
        query = {"query": {"kind": "HogQLQuery", "query": sql}, "refresh": "force_blocking"}
        status, body = stack.api("POST", stack.project_path("query/"), query)
        assert status == 200, body
        return body["results"] == [[EVENTS, EVENTS]]

    # The web worker's spool flusher moves acknowledged events to ClickHouse in the background.
    wait_until(counted, 30, f"{EVENTS} captured events in ClickHouse", interval=0.5)
    trend = {
        "kind": "TrendsQuery",
        "series": [{"kind": "EventsNode", "event": "prodshape", "math": "total"}],
        "dateRange": {"date_from": "-1d"},
        "interval": "hour",
    }
    status, body = stack.api("POST", stack.project_path("query/"), {"query": trend})
    assert status == 200, body
    assert sum(body["results"][0]["data"]) == EVENTS


def test_async_query_is_computed_by_the_celery_worker(stack):
    query_id = f"async-{uuid.uuid4().hex[:12]}"
    body = hogql_body("select event, count() from events group by event", "force_async", query_id)
    status, response = stack.api("POST", stack.project_path("query/"), body)
    assert status == 202, response
    task_id = response["query_status"]["task_id"]
    assert task_id

    def finished():
        status, response = stack.api("GET", stack.project_path(f"query/{query_id}/"))
        return response["query_status"] if status == 200 else None

    result = wait_until(finished, 45, "the async query to complete", interval=0.25)
    assert result["complete"] is True and result["error"] is False
    assert result["results"]["results"] == [["prodshape", EVENTS]]
    assert result["pickup_time"] and result["end_time"]
    # The Celery worker process ran it (not a web worker): its log names the task.
    wait_until(lambda: f"Task queries.process_query[{task_id}] succeeded" in stack.log("worker"), 10, "worker log")
    assert [row["type"] for row in logged(stack, query_id)] == ["QueryStart", "QueryFinish"]


def access_pids(log: str) -> list[str]:
    """The pid of the web worker behind each `POST .../query/` in gunicorn's access log."""
    return list(re.findall(r'access pid=<?(\d+)>? "POST /api/projects/\d+/query/', log))


def serving_workers(stack: Stack, log_offset: int, count: int) -> set[str]:
    """The pids of the web workers that served the last `count` queries (logged after `log_offset`).

    gunicorn writes an access line once a response is sent: all of them are there by now, or very soon."""

    def lines() -> list[str]:
        found = access_pids(stack.log("web")[log_offset:])
        return found if len(found) >= count else []

    return set(wait_until(lines, 10, f"{count} access log lines"))


def test_identical_concurrent_requests_on_both_web_workers_run_once(stack):
    """N identical force_blocking requests at once: one ClickHouse execution, whichever worker each one reached.

    The endpoint holds these statements DELAY_SECONDS (tests/prodshape/clickhouse_http.py) so all N requests
    arrive while the first one computes; a request arriving after it finished would compute again (by design:
    force_blocking skips the cache). The kernel spreads connections over the two workers; an attempt that found
    only one worker is repeated, with a new query id, at most three times.
    """
    # 'prodshape' and 'n' travel as server-side parameters, as in most real queries (found by log_comment).
    sql = "select count(), max(toInt64(properties.n)) from events where event = 'prodshape'"
    pids: set[str] = set()
    for _attempt in range(3):
        query_id = f"coalesce-{uuid.uuid4().hex[:12]}"
        before = len(stack.log("web"))
        started = time.monotonic()
        answers = post_at_once(stack, hogql_body(sql, "force_blocking", query_id), CONCURRENT_REQUESTS)
        elapsed = time.monotonic() - started
        assert [status for status, _ in answers] == [200] * CONCURRENT_REQUESTS, answers
        assert {str(answer["results"]) for _, answer in answers} == {str([[EVENTS, EVENTS - 1]])}
        assert elapsed >= DELAY_SECONDS
        log = logged(stack, query_id)
        assert [row["type"] for row in log] == ["QueryStart", "QueryFinish"], log
        pids = serving_workers(stack, before, CONCURRENT_REQUESTS)
        if len(pids) == 2:
            break
    assert len(pids) == 2, f"every attempt's requests reached one web worker only: {pids}"


def post_at_once(stack: Stack, body: dict, count: int) -> list:
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(lambda _: stack.api("POST", stack.project_path("query/"), body), range(count)))


def test_cancel_kills_a_running_query(stack):
    query_id = f"cancel-{uuid.uuid4().hex[:12]}"
    body = hogql_body(ENDLESS_HOGQL, "force_async", query_id)
    status, response = stack.api("POST", stack.project_path("query/"), body)
    assert status == 202, response
    wait_until(lambda: running(stack, query_id) == 1, 45, "the Celery worker to start the endless query", 0.2)

    status, response = stack.api("DELETE", stack.project_path(f"query/{query_id}/"))
    assert (status, response) == (200, {"message": "Cancelled query on clickhouse"})

    wait_until(lambda: running(stack, query_id) == 0, 20, "the killed query to stop", interval=0.2)
    log = logged(stack, query_id)
    # 394: QUERY_WAS_CANCELLED, as ClickHouse's own log records it.
    assert [(row["type"], row["exception_code"]) for row in log] == [
        ("QueryStart", 0),
        ("ExceptionWhileProcessing", 394),
    ]
    assert stack.api("GET", stack.project_path(f"query/{query_id}/"))[0] == 404


def test_beat_loaded_every_periodic_task(stack):
    """Beat runs the schedule config/celery.py builds; its entries are minutes apart, so none falls due here."""
    entries = set(re.findall(r"<ScheduleEntry: (\S+) ", stack.log("beat")))
    assert {"cohorts-recalculate-due", "alerts-check", "alerts-checks-cleanup", "alerts-reset-stuck"} <= entries


def test_every_process_stayed_up(stack):
    assert {name: stack.alive(name) for name in stack.processes} == {
        "clickhouse": True,
        "web": True,
        "worker": True,
        "beat": True,
    }
