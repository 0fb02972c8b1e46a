"""The production shape as processes: a ClickHouse HTTP endpoint, two gunicorn workers, a Celery worker and beat.

PostgreSQL and Redis are the ones `make test` started (DATABASE_URL, REDIS_URL): the stack gets its own database
in that PostgreSQL and its own Redis database number. Every process is started in its own process group and
stopped (TERM, then KILL) by `Stack.stop`, whatever happened before.
"""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from tests.served import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REDIS_DATABASE = 15  # pytest-xdist workers use 1..n (tests/conftest.py)
# Statements of the coalescing step carry this in their tag: the endpoint holds them (see clickhouse_http.py).
DELAY_MATCH = "_coalesce-"
DELAY_SECONDS = 3.0
# Django's and ClickHouse's migrations, then a user, organization, project and API key (printed as JSON).
PREPARE = """
import io
import django
from django.core.management import call_command

django.setup()
call_command("migrate", interactive=False, verbosity=0)
call_command("migrate_clickhouse", verbosity=0)
out = io.StringIO()
call_command(
    "bootstrap",
    email="prodshape@example.com",
    password="correct-horse-battery",
    organization="Prodshape",
    project="Prodshape",
    stdout=out,
)
print(out.getvalue().strip())
"""


def wait_until(check, timeout: float, what: str, interval: float = 0.1):
    """Calls `check` until it returns something truthy; raises with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = check()
            if value:
                return value
        except AssertionError:
            raise
        except Exception as error:  # noqa: BLE001 (not ready yet: try again until the deadline)
            last_error = error
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what} (last error: {last_error})")


def http(method: str, url: str, body: dict | None = None, headers: dict | None = None, timeout: float = 60):
    """(status, parsed JSON or text) of one request."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


@dataclass
class Stack:
    tmp: Path
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    logs: dict[str, Path] = field(default_factory=dict)
    web_url: str = ""
    clickhouse_port: int = 0
    database_name: str = ""
    admin_database_url: str = ""
    env: dict[str, str] = field(default_factory=dict)
    workspace: dict = field(default_factory=dict)
    # Seconds since the start, per phase: kept beside the logs (PRODSHAPE_KEEP_LOGS) to see where time goes.
    timings: dict[str, float] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    def mark(self, phase: str) -> None:
        self.timings[phase] = round(time.monotonic() - self.started, 2)

    # ---- processes ---------------------------------------------------------------------------------

    def start(self, name: str, args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
        log = self.tmp / f"{name}.log"
        self.logs[name] = log
        with log.open("wb") as out:
            process = subprocess.Popen(
                args,
                cwd=ROOT,
                env=env or self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: gunicorn's and Celery's children stop with it
            )
        self.processes[name] = process
        return process

    def log(self, name: str) -> str:
        path = self.logs.get(name)
        return path.read_text(errors="replace") if path and path.exists() else ""

    def alive(self, name: str) -> bool:
        return self.processes[name].poll() is None

    def python(self, code: str, timeout: float = 180) -> str:
        """Runs `code` in a Python of the stack's environment and returns what it printed."""
        result = subprocess.run(
            [str(BIN / "python"), "-c", code],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, f"{code}\nfailed:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def stop(self) -> None:
        """Stops every process group started here (TERM, then KILL after 10 s), then drops the database."""
        for process in self.processes.values():
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for process in self.processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            _signal_group(process, signal.SIGKILL)  # stragglers (a prefork child, a gunicorn worker)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
        keep = os.environ.get("PRODSHAPE_KEEP_LOGS")
        if keep:  # the logs outlive `make test`'s temporary directory
            Path(keep).mkdir(parents=True, exist_ok=True)
            for name, path in self.logs.items():
                if path.exists():
                    shutil.copy(path, Path(keep) / f"{name}.log")
            (Path(keep) / "timings.json").write_text(json.dumps(self.timings, indent=1))
        if self.database_name:
            _drop_database(self.admin_database_url, self.database_name)

    # ---- the web API -------------------------------------------------------------------------------

    def api(self, method: str, path: str, body: dict | None = None, timeout: float = 60):
        headers = {"Authorization": f"Bearer {self.workspace['personal_api_key']}"}
        return http(method, self.web_url + path, body, headers, timeout)

    def project_path(self, rest: str) -> str:
        return f"/api/projects/{self.workspace['project_id']}/{rest}"


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


def _with_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


def _create_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')


def _drop_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_stack(stack: Stack, database_url: str, redis_url: str) -> None:
    """Starts everything and returns once each part answers; on any failure the caller's `stack.stop()` cleans up.

    1. the ClickHouse HTTP endpoint (chDB behind clickhouse_http.py) and the `insights` database in it;
    2. a fresh PostgreSQL database, Django's and ClickHouse's migrations over it, a user, project and API key;
    3. gunicorn (gthread, two workers), a Celery worker and Celery beat, each its own process (group).
    """
    tmp = stack.tmp
    stack.clickhouse_port = free_port()
    web_port = free_port()
    stack.web_url = f"http://127.0.0.1:{web_port}"
    base_env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST", "DJANGO_", "CLICKHOUSE", "INGESTION", "QUERY_", "TESTING"))
    }
    clickhouse_env = {
        **base_env,
        "TZ": "UTC",
        "CLICKHOUSE_HTTP_LOG": "1",
        "CLICKHOUSE_HTTP_DELAY_MATCH": DELAY_MATCH,
        "CLICKHOUSE_HTTP_DELAY_SECONDS": str(DELAY_SECONDS),
    }
    clickhouse_args = [str(BIN / "python"), "tests/prodshape/clickhouse_http.py", "--port", str(stack.clickhouse_port)]
    stack.start("clickhouse", [*clickhouse_args, "--path", str(tmp / "clickhouse")], env=clickhouse_env)
    ping = f"http://127.0.0.1:{stack.clickhouse_port}/ping"
    wait_until(lambda: http("GET", ping, timeout=2)[0] == 200, 60, "the ClickHouse HTTP endpoint")
    stack.mark("clickhouse endpoint up")
    create = f"http://127.0.0.1:{stack.clickhouse_port}/?query=CREATE+DATABASE+IF+NOT+EXISTS+insights"
    assert http("POST", create)[0] == 200

    stack.admin_database_url = database_url
    stack.database_name = f"prodshape_{uuid.uuid4().hex[:8]}"
    _create_database(database_url, stack.database_name)
    redis_base = redis_url.rsplit("/", 1)[0]
    stack.env = {
        **base_env,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": _with_database(database_url, stack.database_name),
        "REDIS_URL": f"{redis_base}/{REDIS_DATABASE}",
        "CLICKHOUSE_URL": f"http://insights:insights@127.0.0.1:{stack.clickhouse_port}/insights",
        "QUERY_ASYNC_BACKEND": "celery",
        "SECRET_KEY": "prodshape-test-secret-key-not-for-production",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATA_DIR": str(tmp / "data"),
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    import redis

    redis.Redis.from_url(stack.env["REDIS_URL"]).flushdb()
    # One interpreter for the three commands: each start of Django costs seconds on a loaded machine.
    stack.workspace = json.loads(stack.python(PREPARE).strip().splitlines()[-1])
    stack.mark("migrated")

    stack.start(
        "web",
        [
            str(BIN / "gunicorn"),
            "config.wsgi:application",
            "--worker-class=gthread",
            "--workers=2",
            "--threads=8",
            f"--bind=127.0.0.1:{web_port}",
            "--timeout=120",
            "--access-logfile=-",
            # The worker's pid on every line: the coalescing step checks that both workers served requests.
            '--access-logformat=access pid=%(p)s "%(r)s" %(s)s',
        ],
    )
    celery = str(BIN / "celery")
    stack.start("worker", [celery, "-A", "config", "worker", "-l", "info", "--concurrency=2", "-n", "prodshape@%h"])
    # Debug level: beat then logs the schedule it loaded ("Current schedule:"), which the stage checks.
    stack.start("beat", [celery, "-A", "config", "beat", "-l", "debug", f"--schedule={tmp / 'celerybeat-schedule'}"])

    def web_healthy() -> bool:
        status, body = http("GET", stack.web_url + "/_health", timeout=5)
        return status == 200 and body == {"status": "ok", "checks": {"database": "ok", "clickhouse": "ok"}}

    for name, ready, what in (
        ("web", web_healthy, "gunicorn's /_health"),
        ("web", lambda: stack.log("web").count("Booting worker with pid") >= 2, "two gunicorn workers"),
        ("worker", lambda: " ready." in stack.log("worker"), "the Celery worker"),
        ("beat", lambda: "beat: Starting..." in stack.log("beat"), "Celery beat"),
    ):
        try:
            wait_until(lambda: _alive_or_raise(stack, name) and ready(), 90, what, interval=0.25)  # noqa: B023
        except AssertionError as error:
            raise AssertionError(f"{error}\n--- {name} log ---\n{stack.log(name)[-4000:]}") from None
        stack.mark(f"ready: {what}")


def _alive_or_raise(stack: Stack, name: str) -> bool:
    if not stack.alive(name):
        raise AssertionError(f"{name} exited with {stack.processes[name].returncode}")
    return True
