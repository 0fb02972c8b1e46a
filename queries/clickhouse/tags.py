"""Query ids as they travel into SQL comments and cache keys (no driver import: status code and commands use it)."""

import re

SAFE_ID = re.compile(r"[^A-Za-z0-9_\-]")


def safe_query_id(query_id: str) -> str:
    """Letters, digits, `_` and `-` only, at most 200 characters."""
    return SAFE_ID.sub("_", str(query_id))[:200]


def team_query_tag(team_id: int, query_id: str) -> str:
    """The tag of a project's query: the team id first, so a cancel (which matches the whole tag) can only ever
    find statements of its own project, whatever id another project chose."""
    return f"{int(team_id)}_{safe_query_id(query_id)}"
