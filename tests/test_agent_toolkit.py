"""The official `@posthog/agent-toolkit` against a live server: list insights, create one from a query, run a query.

`scripts/test.sh` installs Node.js and the pinned toolkit (`scripts/agent_toolkit.sh`, cached in .data/node/) when
missing; if that failed, this test fails with the reason rather than skipping.
"""

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from insights.models import Insight
from insights_server.services.personal_api_keys import personal_api_key_create
from tests.query_helpers import capture_events

ROOT = Path(__file__).resolve().parent.parent
NODE_DIR = ROOT / ".data" / "node"
DRIVER = Path(__file__).resolve().parent / "agent_toolkit" / "run_tools.cjs"
TOOLKIT_PACKAGE = NODE_DIR / "node_modules" / "@posthog" / "agent-toolkit" / "package.json"
TRENDS = {
    "kind": "InsightVizNode",
    "source": {
        "kind": "TrendsQuery",
        "series": [{"kind": "EventsNode", "event": "$pageview", "math": "total", "custom_name": "Pageviews"}],
        "dateRange": {"date_from": "-7d"},
        "interval": "day",
    },
}
# What the toolkit reads besides the three tools' own scopes: the key itself (`@current`, to pick the tools it offers)
# and the user (`@me`, for the current project); PostHog's MCP key preset grants these reads too.
AGENT_SCOPES = ["insight:write", "query:read", "personal_api_key:read", "user:read"]
HOGQL = {"kind": "DataVisualizationNode", "source": {"kind": "HogQLQuery", "query": "select count() from events"}}


def toolkit_install_problem() -> str | None:
    """Why the toolkit cannot run here, or None."""
    if not shutil.which("node"):
        return "node is not on PATH"
    if not TOOLKIT_PACKAGE.exists():
        failed = NODE_DIR / "INSTALL_FAILED"
        reason = failed.read_text().strip() if failed.exists() else "not installed"
        return f"@posthog/agent-toolkit is missing from {NODE_DIR} ({reason}); run scripts/agent_toolkit.sh"
    return None


def run_toolkit(base_url: str, key: str, steps: list[dict], tmp_path: Path) -> dict:
    steps_file = tmp_path / "steps.json"
    steps_file.write_text(json.dumps(steps))
    environment = {
        **os.environ,
        "NODE_PATH": str(NODE_DIR / "node_modules"),
        "POSTHOG_API_BASE_URL": base_url,
        "POSTHOG_PERSONAL_API_KEY": key,
    }
    result = subprocess.run(
        ["node", str(DRIVER), str(steps_file)], capture_output=True, text=True, env=environment, timeout=180
    )
    assert result.stdout.strip(), f"the toolkit driver printed nothing (exit {result.returncode}):\n{result.stderr}"
    report = json.loads(result.stdout.strip().splitlines()[-1])
    failures = [f"{step['tool']}: {step['error']}" for step in report["steps"] if not step["ok"]]
    assert not failures, "agent-toolkit steps failed:\n" + "\n\n".join(failures) + f"\n{result.stderr[-3000:]}"
    return report


@pytest.mark.django_db(transaction=True)
def test_agent_toolkit_lists_creates_and_queries_insights(live_server, world, clickhouse, client, tmp_path):
    problem = toolkit_install_problem()
    assert problem is None, problem
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600))
    capture_events(client, world.team, [("$pageview", "user-1", {}, now), ("$pageview", "user-2", {}, now)])
    Insight.objects.create(team=world.team, name="Existing", query=TRENDS, created_by=world.owner, saved=True)
    _, key = personal_api_key_create(world.owner, "agent", AGENT_SCOPES)

    steps = [
        {"tool": "query-run", "input": {"query": TRENDS}},
        {"tool": "query-run", "input": {"query": HOGQL}},
        {
            "tool": "insight-create-from-query",
            "input": {"data": {"name": "Pageviews by agent", "query": TRENDS, "favorited": False}},
        },
        {"tool": "insights-get-all", "input": {"data": {"limit": 10}}},
    ]
    started = time.monotonic()
    report = run_toolkit(live_server.url, key, steps, tmp_path)
    elapsed = time.monotonic() - started

    assert {"insights-get-all", "insight-create-from-query", "query-run"} <= set(report["tools"]), report["tools"]
    trends, hogql, created, listed = (step["result"] for step in report["steps"])
    assert [series["count"] for series in trends] == [2]
    assert hogql == [[2]]
    assert created["name"] == "Pageviews by agent" and created["short_id"]
    assert created["url"].endswith(f"/project/{world.team.id}/insights/{created['short_id']}")
    assert Insight.objects.get(pk=created["id"]).query["source"]["kind"] == "TrendsQuery"
    assert {insight["name"] for insight in listed} >= {"Existing", "Pageviews by agent"}
    assert elapsed < 120
