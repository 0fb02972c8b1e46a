"""Running queries in the background: Celery with Redis in production, a thread pool in the embedded default
(where one process owns the chDB directory). Both go through `enqueue_query`.

The queue never imports the worker (which sits above the runners): Celery reaches it by task name, and the
thread pool calls the handler registered with `register_worker` when the queries app is ready.
"""

import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from celery import current_app
from django.conf import settings
from django.db import close_old_connections, transaction

from queries.clickhouse.tags import team_query_tag
from queries.execution.status import delete_status, get_status, new_status, save_status

logger = logging.getLogger(__name__)
PROCESS_QUERY_TASK = "queries.process_query"
QueryWorker = Callable[[int, str, dict], None]

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()
_worker: QueryWorker | None = None


def register_worker(worker: QueryWorker) -> None:
    """Called once by `queries.execution.worker`: the function the in-process pool runs for each query."""
    global _worker
    _worker = worker


def executor() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=settings.QUERY_ASYNC_THREADS, thread_name_prefix="query-async")
    return _executor


def uses_celery() -> bool:
    return settings.QUERY_ASYNC_BACKEND == "celery"


def enqueue_query(team_id: int, query_id: str, query: dict, force: bool = False) -> dict:
    """Starts computing `query` in the background unless a status for this id exists (and `force` is off).

    Returns the status record, written before the work is dispatched so pollers never see a gap.
    """
    existing = get_status(team_id, query_id)
    if existing is not None and not force:
        return existing
    if existing is not None:
        cancel_query(team_id, query_id)
    task_id = uuid.uuid4().hex if uses_celery() else None
    status = save_status(new_status(team_id, query_id, task_id=task_id))
    transaction.on_commit(lambda: dispatch(team_id, query_id, query, task_id))
    return status


def dispatch(team_id: int, query_id: str, query: dict, task_id: str | None = None) -> None:
    if uses_celery():
        current_app.send_task(PROCESS_QUERY_TASK, (team_id, query_id, query), task_id=task_id)
    else:
        executor().submit(_run_in_thread, team_id, query_id, query)


def _run_in_thread(team_id: int, query_id: str, query: dict) -> None:
    if _worker is None:
        logger.error("query_worker_not_registered team_id=%s query_id=%s", team_id, query_id)
        return
    try:
        _worker(team_id, query_id, query)
    finally:
        close_old_connections()


def cancel_query(team_id: int, query_id: str, dequeue_only: bool = False) -> str:
    """Revokes the task, kills the ClickHouse query unless `dequeue_only`, and forgets the status."""
    status = get_status(team_id, query_id)
    if status is not None and status.get("complete"):
        return "Query already complete"
    message = "Query task revoked"
    if status is not None and status.get("task_id") and uses_celery():
        current_app.control.revoke(status["task_id"])
    delete_status(team_id, query_id)
    if dequeue_only:
        return "Only tried to dequeue, not cancelling query on clickhouse"
    # Imported here: commands that never touch ClickHouse (bootstrap, migrate) must not load its driver.
    from queries.clickhouse.client import kill_tagged_query

    if kill_tagged_query(team_query_tag(team_id, query_id)):
        message = "Cancelled query on clickhouse"
    return message
