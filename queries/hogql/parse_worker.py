"""Parsing in a separate process with a time limit.

Some inputs make the C++ parser take seconds to minutes while holding the GIL, which would stall every
thread of the server. A child process (`python -m queries.hogql.parse_server`, one JSON line per request)
does the parsing; one that overruns is killed and replaced. Parse results are cached by the caller, so only
new query texts pay the round trip (well under a millisecond).
"""

import json
import os
import select
import subprocess
import sys
import threading
from pathlib import Path

PARSE_TIMEOUT_SECONDS = 1.0
# Text the runners build themselves is trusted; its limit only guards against a stuck worker on a loaded machine.
INTERNAL_PARSE_TIMEOUT_SECONDS = 15.0
START_TIMEOUT_SECONDS = 60.0
PROJECT_ROOT = Path(__file__).resolve().parents[2]


class ParseTimeout(Exception):
    pass


class ParseServer:
    def __init__(self):
        self.lock = threading.Lock()
        self.process: subprocess.Popen | None = None

    def start(self) -> subprocess.Popen:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])),
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "queries.hogql.parse_server"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=PROJECT_ROOT,
            env=env,
        )
        # Start-up (importing the parser) must not count against a query's parse time.
        if self.read_line(process, START_TIMEOUT_SECONDS) != b"ready\n":
            process.kill()
            raise RuntimeError("the HogQL parse server did not start")
        return process

    @staticmethod
    def read_line(process: subprocess.Popen, timeout: float) -> bytes | None:
        assert process.stdout is not None  # started with stdout=PIPE
        ready, _, _ = select.select([process.stdout], [], [], timeout)
        return process.stdout.readline() if ready else None

    def parse(self, kind: str, text: str, timeout: float = PARSE_TIMEOUT_SECONDS) -> str:
        with self.lock:
            if self.process is None or self.process.poll() is not None:
                self.process = self.start()
            process = self.process
            assert process.stdin is not None  # started with stdin=PIPE
            process.stdin.write(json.dumps({"kind": kind, "text": text}).encode() + b"\n")
            process.stdin.flush()
            line = self.read_line(process, timeout)
            if not line:
                process.kill()
                process.wait()
                self.process = None
                raise ParseTimeout()
            reply = json.loads(line)
        if "error" in reply:
            raise RuntimeError(reply["error"])
        return reply["json"]


_server = ParseServer()


def parse(kind: str, text: str, timeout: float = PARSE_TIMEOUT_SECONDS) -> str:
    """The parser's JSON for `text`; raises ParseTimeout when parsing takes longer than `timeout` seconds."""
    return _server.parse(kind, text, timeout)
