"""A generation token for the app database's persons: replaced whenever a person or a distinct id is saved or deleted
through the ORM, so a process that keeps persons between capture batches (ingestion/person_cache.py) knows to drop
them. Capture's own bulk writes (raw SQL) keep the token: the process that made them already knows them.
"""

import logging
import uuid

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

GENERATION_KEY = "insights:persons-generation"


def persons_generation() -> str | None:
    """The current token (created when missing); None when the shared cache cannot be read."""
    try:
        generation = cache.get(GENERATION_KEY)
        if generation is None:
            cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
            generation = cache.get(GENERATION_KEY)
    except Exception:
        logger.warning("persons_generation_unreadable", exc_info=True)
        return None
    return generation


def _replace() -> None:
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        logger.error("persons_generation_not_replaced", exc_info=True)


def persons_changed(**kwargs) -> None:
    """Receiver of Person and PersonDistinctId saves and deletes: a new token now and again on commit."""
    _replace()
    transaction.on_commit(_replace, robust=True)
