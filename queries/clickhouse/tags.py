"""Query ids as they travel into SQL comments and cache keys (no driver import: status code and commands use it)."""

import re

SAFE_ID = re.compile(r"[^A-Za-z0-9_\-]")


def safe_query_id(query_id: str) -> str:
    """Letters, digits, `_` and `-` only, at most 200 characters."""
    return SAFE_ID.sub("_", str(query_id))[:200]
