"""Backpressure: a real server whose ClickHouse cannot be reached takes events up to INGESTION_SPOOL_MAX_EVENTS, then
answers 503 with Retry-After; every acknowledged event reaches ClickHouse exactly once when the store is back."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import uuid

import pytest

from ingestion.errors import SPOOL_FULL
from tests.served import free_port, start_gunicorn, wait_until_answering

SETUP = """
import json
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from insights_server.services.bootstrap import bootstrap_workspace
team = bootstrap_workspace("b@example.com", "pw-123456789", "Org", "Proj").team
print(json.dumps({"token": team.api_token, "team_id": team.id}), flush=True)
"""

STORE_AND_LIST = """
import json, sys
import django
django.setup()
from queries.clickhouse.migrations import migrate
from queries.clickhouse import client
from ingestion.spool import get_spool
migrate()
spool = get_spool()
spool.drain_orphans()
spool.flush()
result = client.query("SELECT toString(uuid) FROM events WHERE team_id = {t:Int64}", parameters={"t": int(sys.argv[1])})
print(json.dumps([row[0] for row in result.result_rows]), flush=True)
"""


def run(code: str, env: dict, *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture
def environment(tmp_path):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DATA_DIR": str(tmp_path),
        "INGESTION_SPOOL_DIR": str(tmp_path / "spool"),
        "SECRET_KEY": "x" * 40,
        "REDIS_URL": "",
    }


def post_batch(port: int, token: str, uuids: list[str]) -> http.client.HTTPResponse:
    batch = [
        {"event": "e", "distinct_id": f"user-{n % 7}", "uuid": u, "properties": {"n": n}} for n, u in enumerate(uuids)
    ]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("POST", "/batch/", body=json.dumps({"api_key": token, "batch": batch}),
                       headers={"Content-Type": "application/json"})  # fmt: skip
    response = connection.getresponse()
    response.body = response.read()
    return response


def test_capture_answers_503_with_retry_after_past_the_spool_bound_and_loses_nothing(environment, tmp_path):
    created = json.loads(run(SETUP, environment))
    stalled_store = socket.socket()  # bound, never listening: ClickHouse refuses every connection
    stalled_store.bind(("127.0.0.1", 0))
    port = free_port()
    server_env = {
        **environment,
        "CLICKHOUSE_URL": f"http://127.0.0.1:{stalled_store.getsockname()[1]}/default",
        "INGESTION_BACKGROUND_FLUSH": "1",
        "INGESTION_SPOOL_MAX_EVENTS": "1000",
    }
    server = start_gunicorn(server_env, port, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # /_health would ask the unreachable ClickHouse: any answer from /batch/ means the server listens.
    wait_until_answering(server, port, "/batch/", "OPTIONS", statuses=range(100, 600))
    try:
        batches = [[str(uuid.uuid4()) for _ in range(300)] for _ in range(6)]
        answers = [post_batch(port, created["token"], uuids) for uuids in batches]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        stalled_store.close()

    assert [answer.status for answer in answers] == [200, 200, 200, 200, 503, 503]
    refused = answers[4]
    assert int(refused.getheader("Retry-After")) >= 1
    assert json.loads(refused.body) == {
        "type": "server_error",
        "code": "spool_full",
        "detail": SPOOL_FULL,
        "attr": None,
    }

    store_env = {
        **environment,
        "CLICKHOUSE_URL": f"chdb://{tmp_path / 'clickhouse'}",
        "INGESTION_BACKGROUND_FLUSH": "0",
    }
    stored = json.loads(run(STORE_AND_LIST, store_env, str(created["team_id"])))
    acknowledged = [u for uuids in batches[:4] for u in uuids]
    assert sorted(stored) == sorted(acknowledged)
