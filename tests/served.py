"""A real server process for tests that need one (the way `make serve` runs it): a free port, gunicorn started on
it, and a bounded wait until it answers."""

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict, port: int, threads: int = 4, **popen) -> subprocess.Popen:
    """One gthread worker (the embedded chDB directory admits one process), as scripts/serve.sh starts it."""
    command = [
        sys.executable, "-m", "gunicorn", "config.wsgi:application", "--worker-class", "gthread", "--workers", "1",
        "--threads", str(threads), "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
    ]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=env, **popen)


def wait_until_answering(
    server: subprocess.Popen,
    port: int,
    path: str = "/_health",
    method: str = "GET",
    statuses: range = range(200, 300),
    timeout: float = 90,
) -> None:
    """Returns once `method path` answers with a status in `statuses`; fails when the server exits or `timeout`
    seconds pass (no timing is asserted: the bound only keeps a broken start from hanging the suite)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            output = server.stdout.read().decode()[-3000:] if server.stdout else ""
            raise AssertionError(f"the server exited ({server.returncode}): {output}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request(method, path)
            if connection.getresponse().status in statuses:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the server did not answer {method} {path} within {timeout} s")


def embedded_env(data_dir: Path, **settings: str) -> dict:
    """The environment of a served process on the embedded defaults (SQLite and chDB under `data_dir`, no Redis,
    not in test mode) plus `settings`."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATA_DIR": str(data_dir),
        "SECRET_KEY": "served-test-" + "x" * 40,
        "TESTING": "",
        **settings,
    }
    for name in ("DATABASE_URL", "CLICKHOUSE_URL", "REDIS_URL", "QUERY_ASYNC_BACKEND"):
        if name not in settings:
            env.pop(name, None)
    return env


def manage(env: dict, *args: str) -> str:
    """`manage.py args` in `env`; its stdout (fails the test when it fails)."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def bootstrapped(env: dict, email: str) -> dict:
    """Migrates both databases and creates a user, project and personal API key (`manage.py bootstrap`'s JSON)."""
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "migrate_clickhouse")
    output = manage(env, "bootstrap", "--email", email, "--password", "served-pass-1", "--organization", "S",
                    "--project", "Served")  # fmt: skip
    return json.loads(output.strip().splitlines()[-1])
