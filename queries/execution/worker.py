"""The worker's side of async queries: the one entry point above the runners.

Celery finds it by task name (`queries.process_query`; `config/celery.py` imports this module in workers);
the in-process pool through the handler `queries.apps` registers with the queue.
"""

import logging
from datetime import UTC, datetime

from celery import shared_task

from insights_server.models import Team
from queries.clickhouse.tags import team_query_tag
from queries.execution.errors import user_safe_error_message
from queries.execution.queue import PROCESS_QUERY_TASK
from queries.execution.status import get_status, save_status
from queries.runners.registry import get_runner
from queries.schema import parse_query

logger = logging.getLogger(__name__)


def process_query(team_id: int, query_id: str, query: dict) -> None:
    """Computes with force_blocking (which also fills the cache) and records the outcome in the status."""
    status = get_status(team_id, query_id)
    if status is None or status.get("complete"):
        return  # cancelled or already done
    status["pickup_time"] = datetime.now(UTC).isoformat()
    save_status(status)
    try:
        team = Team.objects.get(pk=team_id)
        runner = get_runner(parse_query(query), team)
        runner.query_tag = team_query_tag(team_id, query_id)
        status.update(complete=True, error=False, results=runner.run("force_blocking"))
    except Exception as error:
        message = user_safe_error_message(error)
        if message is None:
            logger.exception("async_query_failed team_id=%s query_id=%s", team_id, query_id)
        status.update(complete=True, error=True, results=None, error_message=message)
    status["end_time"] = datetime.now(UTC).isoformat()
    if get_status(team_id, query_id) is not None:  # not cancelled meanwhile
        save_status(status)


@shared_task(name=PROCESS_QUERY_TASK, ignore_result=True, acks_late=True)
def process_query_task(team_id: int, query_id: str, query: dict) -> None:
    process_query(team_id, query_id, query)
