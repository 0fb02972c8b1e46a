"""A real server process for tests that need one (the way `make serve` runs it): a free port, gunicorn started on
it, and a bounded wait until it answers."""

import http.client
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
