"""Storing spooled events in a process of their own, so capture scales past one interpreter's lock.

Storing an event (persons, definitions, rows) costs several times what acknowledging it does, all of it Python.
With the store process on, the process that serves requests only moves spool rows to it and runs the engine calls it
asks for (chDB works outside the interpreter lock; embedded chDB admits one process per data directory, so the
owner keeps it). The store process is started on first use and again after it exits; if it dies mid-batch the batch
fails like any other failed store (its spool rows stay, and are retried or set aside as usual).
"""

import logging
import os
import socket
import subprocess
import sys
from multiprocessing.connection import Connection
from pathlib import Path

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

from ingestion.owner_link import answer_call
from queries.clickhouse.client import is_embedded
from queries.clickhouse.errors import ClickHouseUnavailable

logger = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent
# The longest a batch may take in the store process before it is stopped (and the batch fails).
BATCH_TIMEOUT_SECONDS = 600


class StoreProcessFailed(Exception):
    """The store process could not store a batch (its error, or it exited)."""


class StoreProcess:
    """The owner's handle on its store process. Used by one thread at a time (the spool's flush lock)."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.connection: Connection | None = None

    def ingest(self, payloads: list[bytes]) -> tuple[int, int]:
        """Stores the events of these spool rows; (stored, duplicates). Raises ClickHouseUnavailable or
        StoreProcessFailed."""
        connection = self._connection()
        try:
            connection.send(("ingest", payloads))
            while True:
                if not connection.poll(BATCH_TIMEOUT_SECONDS):
                    self.stop()
                    raise StoreProcessFailed(f"The store process did not finish a batch in {BATCH_TIMEOUT_SECONDS} s.")
                message = connection.recv()
                if message[0] == "call":
                    connection.send(answer_call(*message[1:]))
                elif message[0] == "done":
                    return message[1], message[2]
                elif message[0] == "unavailable":
                    raise ClickHouseUnavailable(message[1])
                else:
                    raise StoreProcessFailed(message[1])
        except (EOFError, OSError) as error:
            code = self.stop()
            raise StoreProcessFailed(f"The store process exited (code {code}).") from error

    def _connection(self) -> Connection:
        if self.process is not None and self.process.poll() is not None:
            self.stop()
        if self.connection is None:
            self.connection, self.process = start()
        return self.connection

    def stop(self) -> int | None:
        """Closes the link (the store process exits when it sees that) and reaps the process."""
        if self.connection is not None:
            self.connection.close()
            self.connection = None
        process, self.process = self.process, None
        if process is None:
            return None
        try:
            return process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            return process.wait()


def start() -> tuple[Connection, subprocess.Popen]:
    owner_end, child_end = socket.socketpair()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings")}
    if isinstance(caches["default"], LocMemCache):
        env["INSIGHTS_STORE_PROCESS_CACHE"] = "owner"
    if is_embedded():
        env["INSIGHTS_STORE_PROCESS_ENGINE"] = "owner"
    process = subprocess.Popen(
        [sys.executable, "-m", "ingestion.store_child", str(child_end.fileno())],
        pass_fds=[child_end.fileno()],
        cwd=ROOT,
        env=env,
    )
    child_end.close()
    logger.info("store_process_starting pid=%s", process.pid)
    return Connection(owner_end.detach()), process
