"""The durable spool between capture and ClickHouse.

A capture request is acknowledged once its events are appended to a local SQLite file (WAL mode: a
commit survives the process being killed). A flusher thread drains the spool to ClickHouse in large
batches, which keeps capture latency low and ClickHouse inserts big. Each process claims its own spool
file with an exclusive lock; a starting process also drains files left by processes that died.
"""

import fcntl
import logging
import sqlite3
import threading
import time
from pathlib import Path

import orjson
from django.conf import settings
from django.db import close_old_connections

from queries.clickhouse.errors import ClickHouseUnavailable

logger = logging.getLogger(__name__)

MAX_SPOOL_FILES = 64
FLUSH_BATCH_EVENTS = 20_000
# Rows failing this often are moved aside (dead_letter) so one poison event cannot block the spool.
MAX_ATTEMPTS = 5
IDLE_WAIT_SECONDS = 0.5
RETRY_WAIT_SECONDS = 2.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS spool (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    event_count INTEGER NOT NULL,
    payload TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS dead_letter (
    id INTEGER PRIMARY KEY,
    created_at REAL NOT NULL,
    failed_at REAL NOT NULL,
    error TEXT NOT NULL,
    payload TEXT NOT NULL
);
"""


class SpoolFile:
    """One SQLite spool file; safe to use from several threads."""

    def __init__(self, path: Path):
        self.path = path
        self.lock = threading.Lock()
        self.connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=NORMAL")
        self.connection.executescript(SCHEMA)

    def append(self, events: list[dict]) -> None:
        payload = orjson.dumps(events).decode()
        with self.lock:
            self.connection.execute(
                "INSERT INTO spool (created_at, event_count, payload) VALUES (?, ?, ?)",
                (time.time(), len(events), payload),
            )

    def take(self, max_events: int) -> list[tuple[int, list[dict]]]:
        """The oldest rows as (id, events), up to about `max_events` events (at least one row when any)."""
        rows, total = [], 0
        with self.lock:
            cursor = self.connection.execute("SELECT id, event_count, payload FROM spool ORDER BY id LIMIT 1000")
            for row_id, count, payload in cursor.fetchall():
                if rows and total + count > max_events:
                    break
                rows.append((row_id, orjson.loads(payload)))
                total += count
        return rows

    def delete(self, ids: list[int]) -> None:
        with self.lock:
            self.connection.executemany("DELETE FROM spool WHERE id = ?", [(i,) for i in ids])

    def record_failure(self, ids: list[int], error: str) -> None:
        with self.lock:
            self.connection.executemany("UPDATE spool SET attempts = attempts + 1 WHERE id = ?", [(i,) for i in ids])
            self.connection.execute(
                "INSERT INTO dead_letter (id, created_at, failed_at, error, payload) "
                "SELECT id, created_at, ?, ?, payload FROM spool WHERE attempts >= ?",
                (time.time(), error[:2000], MAX_ATTEMPTS),
            )
            self.connection.execute("DELETE FROM spool WHERE attempts >= ?", (MAX_ATTEMPTS,))

    def pending(self) -> int:
        with self.lock:
            return self.connection.execute("SELECT COALESCE(SUM(event_count), 0) FROM spool").fetchone()[0]

    def dead_letters(self) -> int:
        with self.lock:
            return self.connection.execute("SELECT count(*) FROM dead_letter").fetchone()[0]

    def clear(self) -> None:
        """Drops every pending row (tests start from an empty spool)."""
        with self.lock:
            self.connection.execute("DELETE FROM spool")

    def close(self) -> None:
        with self.lock:
            self.connection.close()


def claim_spool_file(directory: Path) -> tuple[SpoolFile, object]:
    """Locks the first free `spool-N.sqlite3` in the directory; the lock lives as long as the process."""
    directory.mkdir(parents=True, exist_ok=True)
    for number in range(MAX_SPOOL_FILES):
        lock_file = open(directory / f"spool-{number}.lock", "a+")  # noqa: SIM115 - held for the process lifetime
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock_file.close()
            continue
        return SpoolFile(directory / f"spool-{number}.sqlite3"), lock_file
    raise RuntimeError(f"All {MAX_SPOOL_FILES} spool files in {directory} are in use.")


class Spool:
    """This process's spool, its flusher thread, and the draining of orphaned spool files."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.file, self._lock_file = claim_spool_file(directory)
        self.flush_lock = threading.Lock()
        self.wake = threading.Event()
        self.thread: threading.Thread | None = None
        self.stopping = False

    def append(self, events: list[dict]) -> None:
        self.file.append(events)
        self.wake.set()

    def flush(self, file: SpoolFile | None = None) -> int:
        """Drains a spool file to ClickHouse now, in this thread. Returns how many events were handled."""
        from ingestion.pipeline import ingest_events

        file = file or self.file
        handled = 0
        with self.flush_lock:
            while rows := file.take(FLUSH_BATCH_EVENTS):
                try:
                    ingest_events([event for _, events in rows for event in events])
                    file.delete([row_id for row_id, _ in rows])
                except ClickHouseUnavailable:
                    raise  # nothing is wrong with the rows: keep them and try again later
                except Exception:
                    # Find the bad request: store the others one by one, count a failure only against it.
                    self.flush_one_by_one(file, rows, ingest_events)
                handled += sum(len(events) for _, events in rows)
        return handled

    def flush_one_by_one(self, file: SpoolFile, rows, ingest_events) -> None:
        failed = None
        for row_id, events in rows:
            try:
                ingest_events(events)
                file.delete([row_id])
            except ClickHouseUnavailable:
                raise
            except Exception as error:
                logger.exception("spool_row_failed row=%s events=%s", row_id, len(events))
                file.record_failure([row_id], f"{type(error).__name__}: {error}")
                failed = error
        if failed is not None:
            raise failed

    def drain_orphans(self) -> None:
        """Spool files of processes that died: claim each free one with rows, drain it, release it."""
        for path in sorted(self.directory.glob("spool-*.sqlite3")):
            if path == self.file.path:
                continue
            lock_file = open(path.with_suffix(".lock"), "a+")  # noqa: SIM115
            try:
                fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                lock_file.close()
                continue
            try:
                orphan = SpoolFile(path)
                if orphan.pending():
                    logger.info("spool_orphan_draining path=%s events=%s", path.name, orphan.pending())
                    self.flush(orphan)
                orphan.close()
            finally:
                lock_file.close()

    def start(self) -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="spool-flusher", daemon=True)
            self.thread.start()

    def _run(self) -> None:
        try:
            self.drain_orphans()
        except Exception:
            logger.exception("spool_orphan_drain_failed")
        while not self.stopping:
            self.wake.wait(IDLE_WAIT_SECONDS)
            self.wake.clear()
            try:
                self.flush()
            except ClickHouseUnavailable as error:
                logger.warning("spool_flush_waiting_for_clickhouse error=%s", error)
                time.sleep(RETRY_WAIT_SECONDS)
            except Exception:
                time.sleep(RETRY_WAIT_SECONDS)
            finally:
                close_old_connections()


_spool: Spool | None = None
_spool_lock = threading.Lock()


def get_spool() -> Spool:
    """This process's spool, created on first use; starts the flusher unless settings turn it off."""
    global _spool
    if _spool is None:
        with _spool_lock:
            if _spool is None:
                spool = Spool(Path(settings.INGESTION_SPOOL_DIR))
                if settings.INGESTION_BACKGROUND_FLUSH:
                    spool.start()
                _spool = spool
    return _spool


def start_background_flush() -> None:
    """Opens this process's spool and starts its flusher (when INGESTION_BACKGROUND_FLUSH is on)."""
    if settings.INGESTION_BACKGROUND_FLUSH:
        get_spool()


def stop_background_flush(timeout: float) -> None:
    """Lets the flusher finish its current batch and stop (server shutdown)."""
    spool = _spool
    if spool is None or spool.thread is None:
        return
    spool.stopping = True
    spool.wake.set()
    spool.thread.join(timeout)
