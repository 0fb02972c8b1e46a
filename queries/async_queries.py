"""Running queries in the background: Celery with Redis in production, a thread pool in the embedded default
(where one process owns the chDB directory). Both go through `enqueue_query`.
"""

import logging
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from django.conf import settings
from django.db import close_old_connections, transaction

from queries.query_status import get_status, new_status, save_status

logger = logging.getLogger(__name__)
_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def executor() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=settings.QUERY_ASYNC_THREADS, thread_name_prefix="query-async")
    return _executor


def enqueue_query(team_id: int, query_id: str, query: dict, force: bool = False) -> dict:
    """Starts computing `query` in the background unless a status for this id exists (and `force` is off).

    Returns the status record, written before the work is dispatched so pollers never see a gap.
    """
    existing = get_status(team_id, query_id)
    if existing is not None and not force:
        return existing
    if existing is not None:
        cancel_query(team_id, query_id)
    celery = settings.QUERY_ASYNC_BACKEND == "celery"
    task_id = uuid.uuid4().hex if celery else None
    status = save_status(new_status(team_id, query_id, task_id=task_id))
    transaction.on_commit(lambda: dispatch(team_id, query_id, query, task_id))
    return status


def dispatch(team_id: int, query_id: str, query: dict, task_id: str | None = None) -> None:
    if settings.QUERY_ASYNC_BACKEND == "celery":
        from queries.tasks import process_query_task

        process_query_task.apply_async((team_id, query_id, query), task_id=task_id)
    else:
        executor().submit(_run_in_thread, team_id, query_id, query)


def _run_in_thread(team_id: int, query_id: str, query: dict) -> None:
    try:
        process_query(team_id, query_id, query)
    finally:
        close_old_connections()


def process_query(team_id: int, query_id: str, query: dict) -> None:
    """The worker's side: compute with force_blocking (which also fills the cache) and record the outcome."""
    from insights_server.models import Team
    from queries.api import user_safe_error_message
    from queries.runners.registry import get_runner
    from queries.schema import parse_query

    status = get_status(team_id, query_id)
    if status is None or status.get("complete"):
        return  # cancelled or already done
    status["pickup_time"] = datetime.now(UTC).isoformat()
    save_status(status)
    try:
        team = Team.objects.get(pk=team_id)
        runner = get_runner(parse_query(query), team)
        runner.query_tag = query_id
        status.update(complete=True, error=False, results=runner.run("force_blocking"))
    except Exception as error:
        message = user_safe_error_message(error)
        if message is None:
            logger.exception("async_query_failed team_id=%s query_id=%s", team_id, query_id)
        status.update(complete=True, error=True, results=None, error_message=message)
    status["end_time"] = datetime.now(UTC).isoformat()
    if get_status(team_id, query_id) is not None:  # not cancelled meanwhile
        save_status(status)


def cancel_query(team_id: int, query_id: str, dequeue_only: bool = False) -> str:
    """Revokes the task, kills the ClickHouse query unless `dequeue_only`, and forgets the status."""
    from queries.clickhouse.client import kill_tagged_query
    from queries.query_status import delete_status

    status = get_status(team_id, query_id)
    if status is not None and status.get("complete"):
        return "Query already complete"
    message = "Query task revoked"
    if status is not None and status.get("task_id") and settings.QUERY_ASYNC_BACKEND == "celery":
        from insights_server.celery import app

        app.control.revoke(status["task_id"])
    delete_status(team_id, query_id)
    if dequeue_only:
        return "Only tried to dequeue, not cancelling query on clickhouse"
    if kill_tagged_query(query_id):
        message = "Cancelled query on clickhouse"
    return message
