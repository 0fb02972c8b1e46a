"""Generation tokens in the shared Django cache: a random value that writers replace and readers compare, so a
process knows when what it kept is out of date (Redis shares them between processes; random, so an evicted token
never brings an old one back)."""

import logging
import uuid

from django.core.cache import cache

logger = logging.getLogger(__name__)


def read_generation(key: str) -> str | None:
    """The current token (created when missing); None when the cache cannot be read (keep nothing then)."""
    try:
        generation = cache.get(key)
        if generation is None:
            cache.add(key, uuid.uuid4().hex, timeout=None)
            generation = cache.get(key)
    except Exception:
        logger.warning("generation_unreadable key=%s", key, exc_info=True)
        return None
    return generation


def replace_generation(key: str) -> bool:
    """A new token; False when the cache did not take it."""
    try:
        cache.set(key, uuid.uuid4().hex, timeout=None)
    except Exception:
        logger.error("generation_not_replaced key=%s", key, exc_info=True)
        return False
    return True
