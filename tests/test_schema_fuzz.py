"""Schemathesis against the server's own OpenAPI schema: no 5xx, and every response as the schema documents it.

A live server (pytest-django's `live_server`, threads of this process, so the embedded chDB is the test
process's) serves a seeded project; the schemathesis CLI runs in a subprocess with a fixed seed, a bounded number
of examples per operation and an overall time budget. Any finding fails the test with the CLI's summary of it.

    SCHEMA_FUZZ_SECONDS=600 SCHEMA_FUZZ_SEED=7 scripts/test.sh tests/test_schema_fuzz.py    # a longer hunt
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from actions.models import Action
from dashboards.models import Dashboard, DashboardTile
from insights.models import Insight
from insights_server.services.personal_api_keys import personal_api_key_create
from tests.query_helpers import capture_events

SEED = int(os.environ.get("SCHEMA_FUZZ_SEED", "20261204"))
MAX_SECONDS = int(os.environ.get("SCHEMA_FUZZ_SECONDS", "110"))
MAX_EXAMPLES = int(os.environ.get("SCHEMA_FUZZ_EXAMPLES", "25"))
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance"
TRENDS = {
    "kind": "InsightVizNode",
    "source": {"kind": "TrendsQuery", "series": [{"kind": "EventsNode", "event": "$pageview"}]},
}
# Operations left out, and why: deleting the organization, or deleting or rolling the key the run authenticates
# with, would turn every later request into a 401/404; logging out has nothing to end for a key.
EXCLUDED = [
    ("DELETE", "^/api/organizations/"),
    ("DELETE", "^/api/personal_api_keys/"),
    ("POST", "^/api/personal_api_keys/\\{id\\}/roll/"),
    ("POST", "^/api/logout/"),
]


def schemathesis_executable() -> str:
    return str(Path(sys.executable).with_name("st"))


def seed_project(world, client) -> dict[str, int | str]:
    """A few events, an action, an insight on a dashboard; returns the ids the fuzzer's paths point at."""
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600))
    capture_events(
        client,
        world.team,
        [
            ("$pageview", "user-1", {"$browser": "Chrome", "$current_url": "https://example.com/"}, now),
            ("$pageview", "user-2", {"$browser": "Firefox", "email": "a@example.com"}, now),
            ("signed_up", "user-1", {"plan": "pro"}, now),
        ],
    )
    action = Action.objects.create(team=world.team, name="Pageviews", steps=[{"event": "$pageview"}])
    insight = Insight.objects.create(team=world.team, name="Pageviews", query=TRENDS, created_by=world.owner)
    dashboard = Dashboard.objects.create(team=world.team, name="Main", created_by=world.owner)
    DashboardTile.objects.create(dashboard=dashboard, insight=insight)
    return {"action": action.id, "insight": insight.id, "dashboard": dashboard.id}


def write_config(path: Path, key_value: str, team_id: int, ids: dict, key_id: str) -> None:
    """schemathesis.toml: the key, the seeded project's id, and the seeded objects' ids on their detail routes."""
    per_resource = {
        "/api/projects/\\{project_id\\}/actions/\\{id\\}": ids["action"],
        "/api/projects/\\{project_id\\}/insights/\\{id\\}": ids["insight"],
        "/api/projects/\\{project_id\\}/dashboards/\\{id\\}": ids["dashboard"],
        "/api/projects/\\{id\\}": team_id,
        "/api/organizations/\\{id\\}": "@current",
        "/api/users/\\{uuid\\}": "@me",
        "/api/personal_api_keys/\\{id\\}": key_id,
    }
    lines = [
        f"seed = {SEED}",
        f"max-time = {MAX_SECONDS}",
        "workers = 1",
        f'headers = {{ Authorization = "Bearer {key_value}" }}',
        "[generation]",
        f"max-examples = {MAX_EXAMPLES}",
        "[parameters]",
        f'"path.project_id" = {team_id}',
    ]
    for regex, value in per_resource.items():
        name = "uuid" if "uuid" in regex else "id"
        lines += ["[[operations]]", f"include-path-regex = {json.dumps('^' + regex)}"]
        lines += [f"parameters = {{ {json.dumps('path.' + name)} = {json.dumps(value)} }}"]
    for method, regex in EXCLUDED:
        lines += ["[[operations]]", f'include-method = "{method}"', f"include-path-regex = {json.dumps(regex)}"]
        lines += ["enabled = false"]
    path.write_text("\n".join(lines) + "\n")


def run_schemathesis(url: str, config: Path, report: Path) -> subprocess.CompletedProcess:
    command = [
        schemathesis_executable(),
        "--config-file",
        str(config),
        "run",
        url,
        "--checks",
        CHECKS,
        "--exclude-deprecated",
        "--no-color",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(report),
        "--request-timeout",
        "30",
    ]
    # cwd: the CLI keeps a .schemathesis/ cache in its working directory; it stays in the test's temp dir.
    return subprocess.run(command, capture_output=True, text=True, timeout=MAX_SECONDS + 240, cwd=report.parent)


@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_server_error_or_schema_mismatch(live_server, world, clickhouse, client, tmp_path):
    ids = seed_project(world, client)
    key, key_value = personal_api_key_create(world.owner, "fuzz", ["*"])
    config = tmp_path / "schemathesis.toml"
    write_config(config, key_value, world.team.id, ids, str(key.id))

    started = time.monotonic()
    result = run_schemathesis(f"{live_server.url}/api/schema/", config, tmp_path / "events.ndjson")
    elapsed = time.monotonic() - started

    assert result.returncode == 0, f"schemathesis found problems ({elapsed:.0f}s):\n{findings(result)}"


def findings(result: subprocess.CompletedProcess) -> str:
    """The CLI's failures and warnings sections (the whole output when it has none, e.g. a crash)."""
    output = result.stdout or ""
    start = output.find("=== FAILURES ===")
    if start == -1:
        start = output.find("=== ERRORS ===")
    shown = output[output.rfind("\n", 0, start) + 1 :] if start != -1 else output
    return shown[-30_000:] + (result.stderr or "")[-4_000:]
