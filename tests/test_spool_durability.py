"""An acknowledged event survives the server process being killed right after the response."""

import json
import os
import subprocess
import sys

SETUP = """
import json, os, signal, sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
"""

CAPTURE_THEN_DIE = (
    SETUP
    + """
from django.test import Client
from insights_server.services.bootstrap import bootstrap_workspace
team = bootstrap_workspace("k@example.com", "pw-123456789", "Org", "Proj").team
batch = [{"event": "kept", "distinct_id": f"user-{i}", "uuid": None} for i in range(250)]
for item in batch:
    item.pop("uuid")
response = Client(SERVER_NAME="localhost").post("/batch/", data=json.dumps({"api_key": team.api_token, "batch": batch}),
                         content_type="application/json")
print(json.dumps({"status": response.status_code, "team_id": team.id}), flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # no shutdown hooks, no flush: only the spool file remains
"""
)

RESTART_AND_COUNT = (
    SETUP
    + """
from queries.clickhouse.migrations import migrate
from queries.clickhouse import client
from ingestion.spool import get_spool
migrate()
get_spool().flush()
team_id = int(sys.argv[1])
result = client.query("SELECT count() FROM events WHERE team_id = {t:Int64}", parameters={"t": team_id})
count = result.result_rows[0][0]
print(json.dumps({"count": count}), flush=True)
"""
)


def run(code: str, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=180, cwd=os.getcwd()
    )


def test_acknowledged_events_survive_a_killed_process(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DATA_DIR": str(tmp_path),
        "CLICKHOUSE_URL": f"chdb://{tmp_path / 'clickhouse'}",
        "INGESTION_SPOOL_DIR": str(tmp_path / "spool"),
        "INGESTION_BACKGROUND_FLUSH": "0",
        "SECRET_KEY": "x" * 40,
        "TESTING": "1",
    }
    first = run(CAPTURE_THEN_DIE, env)
    assert first.returncode == -9, first.stderr[-2000:]
    acknowledged = json.loads(first.stdout.strip().splitlines()[-1])
    assert acknowledged["status"] == 200
    second = run(RESTART_AND_COUNT, env, str(acknowledged["team_id"]))
    assert second.returncode == 0, second.stderr[-2000:]
    assert json.loads(second.stdout.strip().splitlines()[-1]) == {"count": 250}
