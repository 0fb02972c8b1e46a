"""The runner contract: a validated query in, a typed response out; run() owns the envelope (and later, caching)."""

import hashlib
import json
from datetime import UTC, datetime
from typing import Any, ClassVar

from insights_server.models import Team
from queries.hogql.printer import PrintContext
from queries.person_overrides import has_person_overrides
from queries.modifiers import default_modifiers

# Fields that change how a result is shown, not what it is: they never change the cache key.
PRESENTATION_KEYS = {"tags", "name", "showHeader", "showTable", "full", "embedded"}


def _without_presentation(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_presentation(v) for k, v in sorted(value.items()) if k not in PRESENTATION_KEYS}
    if isinstance(value, list):
        return [_without_presentation(v) for v in value]
    return value


class QueryRunner:
    kind: ClassVar[str]

    def __init__(self, query, team: Team):
        self.query = query
        self.team = team

    @property
    def modifiers(self) -> dict:
        own = self.query.modifiers.model_dump(exclude_none=True) if getattr(self.query, "modifiers", None) else {}
        return {**default_modifiers(self.team.modifiers), **own}

    def print_context(self, **kwargs) -> PrintContext:
        return PrintContext(
            team_id=self.team.id,
            timezone=self.team.timezone,
            person_overrides=has_person_overrides(self.team.id),
            **kwargs,
        )

    def calculate(self) -> dict:
        """The response body of the query kind (results and the kind's own fields)."""
        raise NotImplementedError

    def cache_key(self) -> str:
        payload = {
            "team_id": self.team.id,
            "timezone": self.team.timezone,
            "week_start_day": self.team.week_start_day,
            "modifiers": self.modifiers,
            "query": _without_presentation(self.query.model_dump(exclude_none=True, by_alias=True)),
        }
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
        return f"cache_{digest[:40]}"

    def run(self, refresh: str | bool | None = "blocking") -> dict:
        """Computes the response now. (Cache reads, staleness and async modes plug in here.)"""
        response = self.calculate()
        now = datetime.now(UTC)
        response.update(
            {
                "is_cached": False,
                "last_refresh": now.isoformat(),
                "next_allowed_client_refresh": now.isoformat(),
                "cache_key": self.cache_key(),
                "cache_target_age": None,
                "calculation_trigger": None,
                "timezone": self.team.timezone,
                "query_status": None,
                "modifiers": self.modifiers,
            }
        )
        return response
