"""The store process: spooled events stored by a process of their own, which reaches the owner's chDB and cache
through the owner link (ingestion/store_process.py, owner_link.py, store_child.py)."""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from multiprocessing.connection import Connection
from pathlib import Path

import pytest

from ingestion.owner_link import OwnerLink, answer_call
from queries.clickhouse.errors import ClickHouseQueryError
from tests.served import bootstrapped, embedded_env, free_port, start_gunicorn, wait_until_answering

# ---- the link, in this process (a thread plays the owner) ---------------------------------------------------------


@pytest.fixture
def link():
    owner_end, helper_end = socket.socketpair()
    owner, helper = Connection(owner_end.detach()), Connection(helper_end.detach())

    def serve() -> None:
        while True:
            try:
                _, target, method, args = owner.recv()
            except (EOFError, OSError):
                return
            owner.send(answer_call(target, method, args))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield OwnerLink(helper)
    helper.close()
    thread.join(5)
    owner.close()


def test_the_owner_cache_answers_the_store_process(link, settings):
    from django.core.cache import caches

    from ingestion import owner_cache

    owner_cache.use_link(link)
    cache = owner_cache.OwnerCache("", {})
    key = f"store-process-{uuid.uuid4().hex}"
    cache.set(key, {"yes": 1})  # Django's default timeout crosses the pipe as a marker
    assert caches["default"].get(key) == {"yes": 1}  # written in the owner's cache
    assert cache.get(key) == {"yes": 1}
    assert cache.add(key, "other", timeout=60) is False
    cache.delete(key)
    assert caches["default"].get(key) is None and cache.get(key, "gone") == "gone"
    with pytest.raises(RuntimeError, match="may not clear"):
        cache.clear()


def test_engine_errors_reach_the_store_process_as_themselves(link):
    with pytest.raises(ClickHouseQueryError) as refused:
        link.call("clickhouse", "query", "SELECT no_such_function_here(1)", None, None, None)
    assert refused.value.code == "unknown_function"
    assert link.call("clickhouse", "query", "SELECT 41 + 1", None, None, None).result_rows == [(42,)]
    with pytest.raises(RuntimeError, match="cannot be called"):
        link.call("cache", "clear")
    with pytest.raises(RuntimeError, match="not a forwarded"):
        link.call("clickhouse", "get_client")


def test_a_store_process_that_dies_mid_batch_fails_the_batch_and_is_started_again(monkeypatch):
    """The batch fails like any failed store (the spool keeps its rows); the next batch gets a new process."""
    from ingestion import store_process

    started = []

    def dying_child():
        owner_end, child_end = socket.socketpair()
        code = (
            "import sys; from multiprocessing.connection import Connection; "
            "Connection(int(sys.argv[1])).recv(); sys.exit(3)"
        )
        process = subprocess.Popen([sys.executable, "-c", code, str(child_end.fileno())], pass_fds=[child_end.fileno()])
        child_end.close()
        started.append(process.pid)
        return Connection(owner_end.detach()), process

    monkeypatch.setattr(store_process, "start", dying_child)
    handle = store_process.StoreProcess()
    for _ in range(2):
        with pytest.raises(store_process.StoreProcessFailed, match=r"exited \(code 3\)"):
            handle.ingest([b"[]"])
    assert len(started) == 2 and started[0] != started[1]
    assert handle.process is None and handle.connection is None


def test_a_store_process_that_never_answers_is_stopped_and_the_batch_fails(monkeypatch):
    from ingestion import store_process

    def silent_child():
        owner_end, child_end = socket.socketpair()
        code = "import sys, time; from multiprocessing.connection import Connection; time.sleep(60)"
        process = subprocess.Popen([sys.executable, "-c", code, str(child_end.fileno())], pass_fds=[child_end.fileno()])
        child_end.close()
        return Connection(owner_end.detach()), process

    monkeypatch.setattr(store_process, "start", silent_child)
    monkeypatch.setattr(store_process, "BATCH_TIMEOUT_SECONDS", 0.5)
    handle = store_process.StoreProcess()
    started = time.monotonic()
    with pytest.raises(store_process.StoreProcessFailed, match="did not finish a batch in 0.5 s"):
        handle.ingest([b"[]"])
    assert time.monotonic() - started < 20  # stopped: closed, then killed after its 5 s grace
    assert handle.process is None and handle.connection is None


# ---- a served process, as `make serve` runs it ---------------------------------------------------------------------


def _post(port: int, path: str, body: dict, key: str | None = None) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {key}"} if key else {})}
    connection.request("POST", path, body=json.dumps(body), headers=headers)
    response = connection.getresponse()
    return response.status, json.loads(response.read() or b"null")


def _hogql(port: int, project: int, key: str, sql: str) -> list:
    body = {"query": {"kind": "HogQLQuery", "query": sql}, "refresh": "force_blocking"}
    status, answer = _post(port, f"/api/projects/{project}/query/", body, key)
    assert status == 200, answer
    return answer["results"]


def _store_children(server_pid: int) -> list[int]:
    """Pids of `ingestion.store_child` processes under the gunicorn master `server_pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            grandparent = int((Path("/proc") / str(parent) / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if b"ingestion.store_child" in command and server_pid in (parent, grandparent):
            found.append(int(entry.name))
    return found


def _wait_for(check, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"not true within {timeout} s")


def test_a_served_process_stores_through_its_store_process_and_restarts_it():
    """Events reach ClickHouse through the store process; a merge it writes reaches the owner's cache (the next query
    follows it); a killed store process is started again and the next events are stored."""
    data_dir = Path(tempfile.mkdtemp(prefix="store-process-", dir=os.environ.get("TEST_TMPDIR")))
    port = free_port()
    env = embedded_env(data_dir, INGESTION_STORE_PROCESS="1", IN_PROCESS_SCHEDULER="0")
    server = None
    try:
        created = bootstrapped(env, "p@example.com")
        project, key, token = created["project_id"], created["personal_api_key"], created["project_api_token"]
        server = start_gunicorn(env, port, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        wait_until_answering(server, port)
        persons = "SELECT count(DISTINCT person_id) FROM events WHERE event = 'viewed'"
        assert _hogql(port, project, key, persons) == [[0]]  # the owner now remembers "no merges in this project"

        views = [
            {"event": "viewed", "distinct_id": who, "properties": {"n": n}} for n, who in enumerate(["anon", "known"])
        ]
        assert _post(port, "/batch/", {"api_key": token, "batch": views})[0] == 200
        _wait_for(lambda: _hogql(port, project, key, "SELECT count() FROM events") == [[2]])
        assert _hogql(port, project, key, persons) == [[2]]
        first = _store_children(server.pid)
        assert len(first) == 1

        identify = {"event": "$identify", "distinct_id": "known", "properties": {"$anon_distinct_id": "anon"}}
        assert _post(port, "/batch/", {"api_key": token, "batch": [identify]})[0] == 200
        _wait_for(lambda: _hogql(port, project, key, "SELECT count() FROM events") == [[3]])
        # The merge was written by the store process; the owner's cache learnt of it, so its query follows it.
        assert _hogql(port, project, key, persons) == [[1]]

        os.kill(first[0], signal.SIGKILL)
        later = [{"event": "later", "distinct_id": f"u-{n}", "uuid": str(uuid.uuid4())} for n in range(30)]
        assert _post(port, "/batch/", {"api_key": token, "batch": later})[0] == 200
        _wait_for(lambda: _hogql(port, project, key, "SELECT count() FROM events WHERE event = 'later'") == [[30]])
        second = _store_children(server.pid)
        assert len(second) == 1 and second != first
    finally:
        if server is not None:
            server.terminate()
            output = server.communicate(timeout=30)[0].decode()
            assert "Traceback" not in output, output[-3000:]
        shutil.rmtree(data_dir, ignore_errors=True)


def test_an_unreachable_engine_reaches_the_store_process_as_unavailable(link, monkeypatch):
    """ClickHouse down in the owner: the store process sees ClickHouseUnavailable, so its batch's rows are kept."""
    from queries.clickhouse import client
    from queries.clickhouse.errors import ClickHouseUnavailable

    def down(method, *args):
        raise ClickHouseUnavailable("connection refused")

    monkeypatch.setattr(client, "run_for_helper", down)
    with pytest.raises(ClickHouseUnavailable, match="connection refused"):
        link.call("clickhouse", "query", "SELECT 1", None, None, None)
