"""Starting a throw-away server the way `make serve` runs it, for benchmarks that go through HTTP."""

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env: dict, *args: str) -> str:
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


@contextmanager
def bench_server(demo_events: int = 0):
    """Yields (port, bootstrap JSON: project id, token, personal API key). Cleans up everything afterwards."""
    data_dir = Path(tempfile.mkdtemp(prefix="insights-bench-"))
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATA_DIR": str(data_dir),
        "SECRET_KEY": "bench-" + "x" * 40,
        "PORT": str(port),
    }
    for name in ("DATABASE_URL", "CLICKHOUSE_URL", "REDIS_URL"):
        env.pop(name, None)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "migrate_clickhouse")
    created = json.loads(
        manage(env, "bootstrap", "--email", "b@example.com", "--password", "bench-pass-1", "--organization", "B",
               "--project", "Bench").strip().splitlines()[-1]
    )  # fmt: skip
    if demo_events:
        manage(env, "generate_demo_data", "--project", str(created["project_id"]), "--events", str(demo_events))
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "config.wsgi:application", "--worker-class", "gthread", "--workers", "1",
         "--threads", "8", "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        for _ in range(150):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                connection.request("GET", "/_health")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        yield port, created
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)


@contextmanager
def in_process_workspace():
    """Django set up in this process on a throw-away embedded workspace (SQLite, chDB, local cache), as `make serve`
    runs it. Yields (team, clear value of a personal API key with every scope)."""
    data_dir = Path(tempfile.mkdtemp(prefix="insights-bench-"))
    os.environ.update(DJANGO_SETTINGS_MODULE="config.settings", DATA_DIR=str(data_dir), SECRET_KEY="bench-" + "x" * 40)
    for name in ("DATABASE_URL", "CLICKHOUSE_URL", "REDIS_URL"):
        os.environ.pop(name, None)
    try:
        import django

        django.setup()
        from django.core.management import call_command

        from insights_server.services.bootstrap import bootstrap_workspace
        from insights_server.services.personal_api_keys import personal_api_key_create
        from queries.clickhouse.migrations import migrate

        call_command("migrate", verbosity=0)
        migrate()
        team = bootstrap_workspace("b@example.com", "bench-pass-1", "B", "Bench").team
        _, key = personal_api_key_create(team.organization.memberships.get().user, "bench", ["*"])
        yield team, key
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def timed_requests(send, requests: int, check) -> tuple[float, float]:
    """p50 and p99 in milliseconds of `requests` calls of `send()`, each answer passed to `check`."""
    latencies = []
    for _ in range(requests):
        started = time.perf_counter()
        response = send()
        latencies.append(time.perf_counter() - started)
        check(response)
    return percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
