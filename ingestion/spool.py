"""The durable spool between capture and ClickHouse.

A capture request is acknowledged once its events are appended to a local SQLite file (WAL mode: a
commit survives the process being killed). A flusher thread drains the spool to ClickHouse in large
batches, which keeps capture latency low and ClickHouse inserts big. Each process claims its own spool
file with an exclusive lock; a starting process also drains files left by processes that died.

Appends are group-committed: requests arriving while a commit runs wait for the next one, which writes all of
their rows in one transaction (each request still gets its answer only after its rows are committed). The
spool counts the events it holds, so capture can refuse more (backpressure) before it outgrows
INGESTION_SPOOL_MAX_EVENTS.
"""

import fcntl
import gc
import logging
import math
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson
from django.conf import settings
from django.db import close_old_connections

from ingestion.store_process import StoreProcess
from queries.clickhouse.errors import ClickHouseUnavailable

logger = logging.getLogger(__name__)

MAX_SPOOL_FILES = 64
FLUSH_BATCH_EVENTS = 20_000
# Rows failing this often are moved aside (dead_letter) so one poison event cannot block the spool.
MAX_ATTEMPTS = 5
IDLE_WAIT_SECONDS = 0.5
RETRY_WAIT_SECONDS = 2.0
MAX_RETRY_AFTER_SECONDS = 10
DELETE_CHUNK = 500  # row ids per DELETE statement (SQLite limits the number of parameters)

SCHEMA = """
CREATE TABLE IF NOT EXISTS spool (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    event_count INTEGER NOT NULL,
    payload TEXT NOT NULL  -- JSON; written as a BLOB since group commits (SQLite keeps either in TEXT columns)
);
CREATE TABLE IF NOT EXISTS dead_letter (
    id INTEGER PRIMARY KEY,
    created_at REAL NOT NULL,
    failed_at REAL NOT NULL,
    error TEXT NOT NULL,
    payload TEXT NOT NULL
);
"""


class PendingAppend:
    """One request's rows waiting for a group commit."""

    def __init__(self, payload: bytes, count: int):
        self.payload, self.count = payload, count
        self.done = threading.Event()
        self.lead = False  # set instead of done: this waiter writes the next group
        self.error: BaseException | None = None


class SpoolFile:
    """One SQLite spool file; safe to use from several threads."""

    def __init__(self, path: Path):
        self.path = path
        self.lock = threading.Lock()
        self.connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=NORMAL")
        self.connection.executescript(SCHEMA)
        self.queue: list[PendingAppend] = []
        self.queue_lock = threading.Lock()
        self.writing = False
        self.events = self.count_pending()

    def append(self, events: list[dict]) -> None:
        """Returns once the events are committed (raises orjson.JSONEncodeError before anything is queued).

        1. Queue the rows. 2. If no commit is running, lead: commit everything queued in one transaction,
        wake its waiters, and hand the lead to the first request queued meanwhile. 3. Else wait to be
        committed, or to be handed the lead."""
        item = PendingAppend(orjson.dumps(events), len(events))
        with self.queue_lock:
            self.queue.append(item)
            lead = not self.writing
            self.writing = True
        if not lead:
            item.done.wait()
            if not item.lead:
                if item.error is not None:
                    raise item.error
                return
        self.commit_queued()
        if item.error is not None:
            raise item.error

    def commit_queued(self) -> None:
        with self.queue_lock:
            group, self.queue = self.queue, []
        error = None
        try:
            with self.lock:
                self.connection.execute("BEGIN IMMEDIATE")
                try:
                    now = time.time()
                    self.connection.executemany(
                        "INSERT INTO spool (created_at, event_count, payload) VALUES (?, ?, ?)",
                        [(now, item.count, item.payload) for item in group],
                    )
                    self.connection.execute("COMMIT")
                except BaseException:
                    self.connection.execute("ROLLBACK")
                    raise
                self.events += sum(item.count for item in group)
        except Exception as failure:
            error = failure
        with self.queue_lock:
            if self.queue:
                self.queue[0].lead = True
                self.queue[0].done.set()
            else:
                self.writing = False
        for item in group:
            item.error = error
            item.lead = False
            item.done.set()

    def take(self, max_events: int) -> list[tuple[int, int, bytes]]:
        """The oldest rows as (id, event count, payload: the events as JSON), up to about `max_events` events (at
        least one row when any)."""
        rows: list[tuple[int, int, bytes]] = []
        total = 0
        with self.lock:
            cursor = self.connection.execute("SELECT id, event_count, payload FROM spool ORDER BY id LIMIT 1000")
            for row_id, count, payload in cursor.fetchall():
                if rows and total + count > max_events:
                    break
                rows.append((row_id, count, payload if isinstance(payload, bytes) else payload.encode()))
                total += count
        return rows

    def delete(self, ids: list[int]) -> None:
        """Drops stored rows in one transaction; the count loses exactly their events (no re-count of the file)."""
        with self.lock:
            removed = 0
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                for start in range(0, len(ids), DELETE_CHUNK):
                    chunk = ids[start : start + DELETE_CHUNK]
                    placeholders = ", ".join("?" * len(chunk))
                    cursor = self.connection.execute(
                        f"DELETE FROM spool WHERE id IN ({placeholders}) RETURNING event_count", chunk
                    )
                    removed += sum(count for (count,) in cursor.fetchall())
                self.connection.execute("COMMIT")
            except BaseException:
                self.connection.execute("ROLLBACK")
                raise
            self.events -= removed

    def record_failure(self, ids: list[int], error: str) -> None:
        with self.lock:
            self.connection.executemany("UPDATE spool SET attempts = attempts + 1 WHERE id = ?", [(i,) for i in ids])
            self.connection.execute(
                "INSERT INTO dead_letter (id, created_at, failed_at, error, payload) "
                "SELECT id, created_at, ?, ?, payload FROM spool WHERE attempts >= ?",
                (time.time(), error[:2000], MAX_ATTEMPTS),
            )
            self.connection.execute("DELETE FROM spool WHERE attempts >= ?", (MAX_ATTEMPTS,))
            self.events = self._sum_events()

    def _sum_events(self) -> int:
        return self.connection.execute("SELECT COALESCE(SUM(event_count), 0) FROM spool").fetchone()[0]

    def count_pending(self) -> int:
        """Counts the events in the file (the `events` attribute keeps this count as rows come and go)."""
        with self.lock:
            return self._sum_events()

    def pending(self) -> int:
        return self.events

    def dead_letters(self) -> int:
        with self.lock:
            return self.connection.execute("SELECT count(*) FROM dead_letter").fetchone()[0]

    def clear(self) -> None:
        """Drops every pending row (tests start from an empty spool)."""
        with self.lock:
            self.connection.execute("DELETE FROM spool")
            self.events = 0

    def close(self) -> None:
        with self.lock:
            self.connection.close()


@contextmanager
def collection_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the block (back on after it, if it was on).

    A flush batch holds some 100,000 containers (decoded events, rows) for well under a second, then frees them
    by reference counting. Collections meanwhile would traverse all of them, and a full one the whole process:
    that cost more Python time than storing the batch. Objects are freed as usual; cycles wait for the next
    collection, which runs once the batch is gone."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
        self.store_rate = 0.0  # events/s of recent full flush batches (a moving average), for Retry-After
        self.store_process: StoreProcess | None = None

    def retry_after(self, limit: int) -> int | None:
        """Seconds a capture request should wait when the spool holds `limit` events or more (None: take it).

        The wait is the time the flusher needs, at its recent rate, to bring the spool down to half the limit,
        between 1 and MAX_RETRY_AFTER_SECONDS (1 before any rate is known)."""
        pending = self.file.events
        if pending < limit:
            return None
        if not self.store_rate:
            return 1
        seconds = math.ceil((pending - limit // 2) / self.store_rate)
        return min(MAX_RETRY_AFTER_SECONDS, max(1, seconds))

    def record_rate(self, events: int, seconds: float) -> None:
        # Small batches are mostly fixed cost: they would make the rate, and Retry-After, look far worse.
        if events >= FLUSH_BATCH_EVENTS // 4:
            rate = events / max(seconds, 1e-3)
            self.store_rate = rate if not self.store_rate else 0.7 * self.store_rate + 0.3 * rate

    def append(self, events: list[dict]) -> None:
        self.file.append(events)
        self.wake.set()

    def flush(self, file: SpoolFile | None = None) -> int:
        """Drains a spool file to ClickHouse now (stored by this thread, or by the store process when it is on).
        Returns how many events were handled."""
        file = file or self.file
        handled = 0
        with self.flush_lock:
            while True:
                with collection_paused():
                    count = self.flush_batch(file)
                if count is None:
                    return handled
                handled += count

    def flush_batch(self, file: SpoolFile) -> int | None:
        """Stores the oldest rows of the file (about FLUSH_BATCH_EVENTS events). Returns their event count, None
        when the file is empty."""
        rows = file.take(FLUSH_BATCH_EVENTS)
        if not rows:
            return None
        started = time.monotonic()
        events = sum(count for _, count, _ in rows)
        try:
            self.store([payload for _, _, payload in rows])
            file.delete([row_id for row_id, _, _ in rows])
            self.record_rate(events, time.monotonic() - started)
        except ClickHouseUnavailable:
            raise  # nothing is wrong with the rows: keep them and try again later
        except Exception:
            # Find the bad request: store the others one by one, count a failure only against it.
            self.flush_one_by_one(file, rows)
        return events

    def store(self, payloads: list[bytes]) -> None:
        """Stores the events of these spool rows, here or in the store process."""
        if settings.INGESTION_STORE_PROCESS:
            if self.store_process is None:
                self.store_process = StoreProcess()
            self.store_process.ingest(payloads)
            return
        from ingestion.pipeline import ingest_events

        ingest_events([event for payload in payloads for event in orjson.loads(payload)])

    def flush_one_by_one(self, file: SpoolFile, rows: list[tuple[int, int, bytes]]) -> None:
        failed = None
        for row_id, events, payload in rows:
            try:
                self.store([payload])
                file.delete([row_id])
            except ClickHouseUnavailable:
                raise
            except Exception as error:
                logger.exception("spool_row_failed row=%s events=%s", row_id, events)
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
    if spool.store_process is not None and not spool.thread.is_alive():
        spool.store_process.stop()
