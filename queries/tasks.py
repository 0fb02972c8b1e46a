"""Celery tasks of the query engine."""

from celery import shared_task

from queries.async_queries import process_query


@shared_task(name="queries.process_query", ignore_result=True, acks_late=True)
def process_query_task(team_id: int, query_id: str, query: dict) -> None:
    process_query(team_id, query_id, query)
