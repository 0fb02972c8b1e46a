"""Refresh modes, caching and staleness, async status, cancel, coalescing and cache outages."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from freezegun import freeze_time

from queries.hogql import execute
from queries.runners.registry import get_runner
from queries.schema import parse_query
from tests.query_helpers import capture_events, hogql

pytestmark = pytest.mark.usefixtures("clickhouse")
SQL = "select count() from events"
# Frozen times close to the real one: sessions of the test clients must not expire.
T0 = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)


@pytest.fixture
def data(client, world):
    capture_events(client, world.team, [("$pageview", f"u{i}", {}, "2024-06-01T10:00:00Z") for i in range(3)])


@pytest.fixture
def executions(monkeypatch):
    """Counts statements sent to ClickHouse by the HogQL executor (the real client still runs them)."""
    calls = []
    real = execute.client.query

    def counting(sql, *args, **kwargs):
        if "FROM events" in sql:  # the query itself, not the probe for merged persons
            calls.append(sql)
        return real(sql, *args, **kwargs)

    monkeypatch.setattr(execute.client, "query", counting)
    return calls


def runner_for(team, sql=SQL):
    return get_runner(parse_query({"kind": "HogQLQuery", "query": sql}), team)


def test_blocking_caches_then_recomputes_when_stale(owner_client, world, data, executions):
    with freeze_time(T0):
        first = hogql(owner_client, world.team.id, SQL).json()
        second = hogql(owner_client, world.team.id, SQL).json()
    assert first["is_cached"] is False and second["is_cached"] is True
    assert second["results"] == first["results"] == [[3]]
    assert second["last_refresh"] == first["last_refresh"]
    assert first["cache_target_age"] == (T0 + timedelta(minutes=5)).isoformat().replace("+00:00", "Z")
    assert len(executions) == 1
    with freeze_time(T0 + timedelta(minutes=6)):
        third = hogql(owner_client, world.team.id, SQL).json()
    assert third["is_cached"] is False and len(executions) == 2


def test_force_blocking_always_computes(owner_client, world, data, executions):
    hogql(owner_client, world.team.id, SQL)
    body = hogql(owner_client, world.team.id, SQL, refresh="force_blocking").json()
    assert body["is_cached"] is False and len(executions) == 2


def test_refresh_true_is_force_blocking(owner_client, world, data, executions):
    hogql(owner_client, world.team.id, SQL)
    response = owner_client.post(
        f"/api/projects/{world.team.id}/query/",
        {"query": {"kind": "HogQLQuery", "query": SQL}, "refresh": True},
        format="json",
    )
    assert response.json()["is_cached"] is False and len(executions) == 2


def test_cache_key_ignores_client_query_id_and_presentation(world, data):
    a = get_runner(parse_query({"kind": "HogQLQuery", "query": SQL, "name": "a"}), world.team).cache_key()
    b = get_runner(parse_query({"kind": "HogQLQuery", "query": SQL, "name": "b"}), world.team).cache_key()
    c = get_runner(parse_query({"kind": "HogQLQuery", "query": SQL + " where 1"}), world.team).cache_key()
    assert a == b != c
    world.team.timezone = "Europe/Berlin"
    assert get_runner(parse_query({"kind": "HogQLQuery", "query": SQL}), world.team).cache_key() != a


def test_force_cache_miss_and_hit(world, data):
    miss = runner_for(world.team).run("force_cache")
    assert miss == {"cache_key": runner_for(world.team).cache_key(), "query_status": None}
    runner_for(world.team).run("blocking")
    hit = runner_for(world.team).run("force_cache")
    assert hit["is_cached"] is True and hit["results"] == [[3]]


def test_force_cache_returns_stale_results(world, data):
    with freeze_time(T0):
        runner_for(world.team).run("blocking")
    with freeze_time(T0 + timedelta(days=1)):
        assert runner_for(world.team).run("force_cache")["is_cached"] is True


def test_async_except_on_cache_miss_computes_on_a_miss(owner_client, world, data):
    response = hogql(owner_client, world.team.id, SQL, refresh="async_except_on_cache_miss")
    assert response.status_code == 200 and response.json()["results"] == [[3]]


def test_lazy_async_serves_results_stale_by_default_thresholds_but_not_lazy_ones(world, data, settings):
    settings.QUERY_ASYNC_BACKEND = "thread"
    with freeze_time(T0):
        runner_for(world.team).run("blocking")
    with freeze_time(T0 + timedelta(minutes=10)):  # stale after 5 minutes, lazily stale after 15
        answer = runner_for(world.team).run("lazy_async")
    assert answer["is_cached"] is True and answer["query_status"] is None


def test_exposed_errors_are_not_cached(owner_client, world, data):
    assert hogql(owner_client, world.team.id, "select nope from events").status_code == 400
    assert runner_for(world.team, "select nope from events").run("force_cache")["query_status"] is None


def test_cache_outage_degrades_to_computing(owner_client, world, data, settings):
    # Changing CACHES through the settings fixture rebuilds Django's cache handlers (django.test.signals).
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}
    }
    for _ in range(2):
        response = hogql(owner_client, world.team.id, SQL)
        assert response.status_code == 200
        assert response.json()["results"] == [[3]] and response.json()["is_cached"] is False


def test_fifty_identical_concurrent_requests_run_clickhouse_once(world, data, executions):
    barrier = threading.Barrier(50)
    answers, errors = [], []

    def ask():
        try:
            barrier.wait()
            answers.append(runner_for(world.team, "select count(), sum(1) from events").run("blocking"))
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()  # each thread's own database connection (else the test database outlives the run)

    threads = [threading.Thread(target=ask) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(answers) == 50 and {str(a["results"]) for a in answers} == {"[[3, 3]]"}
    assert len(executions) == 1


def test_a_request_that_missed_the_cache_just_before_a_leader_finished_does_not_compute_again(
    world, data, executions, monkeypatch
):
    """The race behind coalescing's one gap: a request reads the cache (miss), an identical computation finishes and
    leaves, then the request leads a computation of its own. It answers from the finished one's entry instead."""
    from queries.runners import base

    runner_for(world.team).run("blocking")
    real, reads = base.get_cached_response, []

    def missed_once(key):
        reads.append(key)
        return None if len(reads) == 1 else real(key)

    monkeypatch.setattr(base, "get_cached_response", missed_once)
    late = runner_for(world.team).run("blocking")
    assert len(reads) == 2 and late["is_cached"] is True and late["results"] == [[3]]
    assert len(executions) == 1
    assert runner_for(world.team).run("force_blocking")["is_cached"] is False and len(executions) == 2


def test_leader_failure_reaches_followers(world, data):
    from queries.execution.coalescing import coalesced

    started = threading.Event()

    def failing():
        started.set()
        time.sleep(0.3)
        raise RuntimeError("boom")

    results = []

    def follower():
        started.wait()
        try:
            coalesced("k-fail", lambda: "computed by follower")
            results.append("no error")
        except RuntimeError as error:
            results.append(str(error))

    thread = threading.Thread(target=follower)
    thread.start()
    with pytest.raises(RuntimeError):
        coalesced("k-fail", failing)
    thread.join()
    assert results == ["boom"]


def wait_for_status(client, url, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = client.get(url)
        if response.status_code != 202:
            return response
        time.sleep(0.1)
    raise AssertionError("query did not complete")


@pytest.mark.django_db(transaction=True)
def test_async_in_process_backend_completes(owner_client, world, data, settings):
    settings.QUERY_ASYNC_BACKEND = "thread"
    body = {"query": {"kind": "HogQLQuery", "query": SQL}, "refresh": "async", "client_query_id": "q-async-1"}
    response = owner_client.post(f"/api/projects/{world.team.id}/query/", body, format="json")
    assert response.status_code == 202
    status = response.json()["query_status"]
    assert status["id"] == "q-async-1" and status["complete"] is False and status["query_async"] is True
    done = wait_for_status(owner_client, f"/api/projects/{world.team.id}/query/q-async-1/")
    assert done.status_code == 200
    finished = done.json()["query_status"]
    assert finished["complete"] is True and finished["error"] is False
    assert finished["results"]["results"] == [[3]]
    assert finished["pickup_time"] and finished["end_time"]
    cached = owner_client.post(f"/api/projects/{world.team.id}/query/", body, format="json")
    assert cached.status_code == 200 and cached.json()["is_cached"] is True


@pytest.mark.django_db(transaction=True)
def test_async_error_is_recorded(owner_client, world, data, settings):
    settings.QUERY_ASYNC_BACKEND = "thread"
    body = {
        "query": {"kind": "HogQLQuery", "query": "select nope from events"},
        "refresh": "force_async",
        "client_query_id": "q-bad",
    }
    assert owner_client.post(f"/api/projects/{world.team.id}/query/", body, format="json").status_code == 202
    done = wait_for_status(owner_client, f"/api/projects/{world.team.id}/query/q-bad/")
    assert done.status_code == 400
    assert done.json()["query_status"]["error_message"] == "Unable to resolve field: nope"


def test_unknown_status_is_404(owner_client, world):
    response = owner_client.get(f"/api/projects/{world.team.id}/query/nope/")
    assert response.status_code == 404
    assert response.json()["detail"] == f"Query nope not found for team {world.team.id}"


SLOW = "select count() from numbers(10000000) a, numbers(100000) b"
# The string constant travels as a server-side parameter: the engine lists the statement with it substituted.
SLOW_WITH_PARAMETER = "select count() from numbers(10000000) a, numbers(100000) b where toString(a.number) != 'x'"


def start_slow_query(client, team_id: int, query_id: str, slow: str = SLOW) -> None:
    """Starts a long async HogQL query and waits until ClickHouse runs it (tagged with the team and the id)."""
    body = {"query": {"kind": "HogQLQuery", "query": slow}, "refresh": "force_async", "client_query_id": query_id}
    assert client.post(f"/api/projects/{team_id}/query/", body, format="json").status_code == 202
    wait_until_running(team_id, query_id)


def wait_until_running(team_id: int, query_id: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not running_statements(team_id, query_id):
        time.sleep(0.05)
    assert running_statements(team_id, query_id), "the slow query never started"


def running_statements(team_id: int, query_id: str) -> int:
    from queries.clickhouse import client as clickhouse

    sql = "SELECT count() FROM system.processes WHERE Settings['log_comment'] = {name:String}"
    return clickhouse.query(sql, parameters={"name": f"insights_query_id:{team_id}_{query_id}"}).result_rows[0][0]


@pytest.mark.django_db(transaction=True)
def test_cancel_kills_a_running_query(owner_client, world, data, settings):
    settings.QUERY_ASYNC_BACKEND = "thread"
    start_slow_query(owner_client, world.team.id, "q-slow")
    response = owner_client.delete(f"/api/projects/{world.team.id}/query/q-slow/")
    assert response.status_code == 200
    assert response.json() == {"message": "Cancelled query on clickhouse"}
    assert owner_client.get(f"/api/projects/{world.team.id}/query/q-slow/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_cancel_kills_a_running_query_with_server_side_parameters(owner_client, world, data, settings):
    settings.QUERY_ASYNC_BACKEND = "thread"
    start_slow_query(owner_client, world.team.id, "q-slow-param", SLOW_WITH_PARAMETER)
    response = owner_client.delete(f"/api/projects/{world.team.id}/query/q-slow-param/")
    assert response.json() == {"message": "Cancelled query on clickhouse"}
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and running_statements(world.team.id, "q-slow-param"):
        time.sleep(0.05)
    assert running_statements(world.team.id, "q-slow-param") == 0


@pytest.mark.django_db(transaction=True)
def test_cancel_kills_a_running_blocking_query_by_its_client_query_id(owner_client, world, data):
    from django.db import connection

    from tests.conftest import session_client

    url = f"/api/projects/{world.team.id}/query/"
    body = {"query": {"kind": "HogQLQuery", "query": SLOW_WITH_PARAMETER}, "client_query_id": "q-blocking"}
    answers = []

    def post() -> None:
        try:
            answers.append(session_client(world.owner).post(url, body, format="json"))
        finally:
            connection.close()

    thread = threading.Thread(target=post)
    thread.start()
    try:
        wait_until_running(world.team.id, "q-blocking")
        response = owner_client.delete(f"{url}q-blocking/")
        assert response.json() == {"message": "Cancelled query on clickhouse"}
    finally:
        thread.join(timeout=70)
    assert answers[0].status_code == 400
    assert answers[0].json()["code"] == "query_was_cancelled"


@pytest.mark.django_db(transaction=True)
def test_another_project_cannot_cancel_or_see_a_running_query(owner_client, outsider_client, world, data, settings):
    settings.QUERY_ASYNC_BACKEND = "thread"
    start_slow_query(owner_client, world.team.id, "q-shared-id")
    response = outsider_client.delete(f"/api/projects/{world.other_team.id}/query/q-shared-id/")
    # Same answer as for an id nobody uses: nothing tells the outsider that another project runs this id.
    assert response.json() == {"message": "Query task revoked"}
    assert running_statements(world.team.id, "q-shared-id") == 1
    assert outsider_client.get(f"/api/projects/{world.other_team.id}/query/q-shared-id/").status_code == 404
    assert (
        owner_client.get(f"/api/projects/{world.team.id}/query/q-shared-id/").json()["query_status"]["complete"]
        is False
    )
    assert owner_client.delete(f"/api/projects/{world.team.id}/query/q-shared-id/").json() == {
        "message": "Cancelled query on clickhouse"
    }


@pytest.mark.django_db(transaction=True)
def test_async_with_a_real_celery_worker(owner_client, world, data, settings):
    if not settings.REDIS_URL:
        pytest.skip("needs Redis (make test starts one)")
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    settings.QUERY_ASYNC_BACKEND = "celery"
    app.conf.broker_url = app.conf.result_backend = settings.CELERY_BROKER_URL
    with start_worker(app, perform_ping_check=False, pool="threads", concurrency=1, loglevel="WARNING"):
        body = {"query": {"kind": "HogQLQuery", "query": SQL}, "refresh": "force_async", "client_query_id": "q-celery"}
        response = owner_client.post(f"/api/projects/{world.team.id}/query/", body, format="json")
        assert response.status_code == 202
        done = wait_for_status(owner_client, f"/api/projects/{world.team.id}/query/q-celery/")
    status = done.json()["query_status"]
    assert status["complete"] is True and status["results"]["results"] == [[3]]
    assert status["task_id"]


def test_async_without_a_status_store_is_503_in_the_error_shape(owner_client, world, data, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}
    }
    response = hogql(owner_client, world.team.id, SQL, refresh="force_async")
    assert response.status_code == 503
    assert response.json()["type"] == "server_error"
    assert response.json()["detail"].startswith("Asynchronous queries are unavailable right now.")


def test_process_local_cache_is_not_used_to_coalesce_across_processes(settings):
    """The embedded default's cache is per process: coalescing through it would coordinate nobody and cost a
    pickle of every result, so only the in-process Future is used (a shared cache gets the lock and outcome)."""
    from django.core.cache import caches

    from queries.execution.coalescing import coalesced

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "local"}}
    assert coalesced("k-local", lambda: {"answer": 1}) == {"answer": 1}
    assert caches["default"].get("coalesce_outcome:k-local") is None
