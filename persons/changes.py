"""A generation token for the app database's persons: replaced whenever a person or a distinct id is saved or deleted
through the ORM, so a process that keeps persons between capture batches (ingestion/person_cache.py) knows to drop
them. Capture's own bulk writes (raw SQL) keep the token: the process that made them already knows them.
"""

from django.db import transaction

from insights_server.generations import read_generation, replace_generation

GENERATION_KEY = "insights:persons-generation"


def persons_generation() -> str | None:
    """The current token; None when the shared cache cannot be read."""
    return read_generation(GENERATION_KEY)


def _replace() -> None:
    replace_generation(GENERATION_KEY)


def persons_changed(**kwargs) -> None:
    """Receiver of Person and PersonDistinctId saves and deletes: a new token now and again on commit."""
    _replace()
    transaction.on_commit(_replace, robust=True)
