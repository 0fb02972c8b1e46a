"""The runner contract: a validated query in, a response out. run() owns caching, staleness, async and coalescing,
so /query/, insights, dashboards, shared views and alerts all behave alike.
"""

import hashlib
from collections.abc import Callable
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any, ClassVar

import orjson

from insights_server.models import Team
from insights_server.request_context import is_api_key_request
from queries.clickhouse.tags import team_query_tag
from queries.execution.cache import get_cached_response, set_cached_response
from queries.execution.coalescing import coalesced
from queries.execution.concurrency import api_query_slot
from queries.execution.queue import enqueue_query
from queries.execution.staleness import cache_target_age, is_stale
from queries.execution.statements import remembered_statement
from queries.execution.status import incomplete_status
from queries.hogql.cohorts import cohort_references, cohort_versions
from queries.hogql.execute import PrintedSelect
from queries.hogql.printer import PrintContext
from queries.modifiers import default_modifiers
from queries.person_overrides import has_person_overrides
from queries.property_types import project_property_types, property_types_in
from queries.runners.common.series import action_ids_in, action_steps_by_id
from queries.timestamps import parse_time

# Fields that change how a result is shown, not what it is: they never change the cache key.
PRESENTATION_KEYS = {"tags", "name", "custom_name", "showHeader", "showTable", "full", "embedded", "response"}
PRESENTATION_WORDS = tuple(f'"{key}":' for key in PRESENTATION_KEYS)
REFRESH_FREQUENCY = timedelta(minutes=1)
# What the JSON of a query naming an action contains (see action_ids_in).
ACTION_WORDS = ('"ActionsNode"', '"actions"', '"actionId"')


def _without_presentation(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_presentation(v) for k, v in sorted(value.items()) if k not in PRESENTATION_KEYS}
    if isinstance(value, list):
        return [_without_presentation(v) for v in value]
    return value


class QueryRunner:
    kind: ClassVar[str]
    # Tags the ClickHouse statements of this run (the async query id), so a cancel can find them.
    query_tag: str | None = None
    # Engine settings added to every statement of this kind (see PrintContext.settings).
    engine_settings: ClassVar[dict[str, Any]] = {}
    # The cache key of the computation under way (set by compute): what remembered statements are filed under.
    run_key: str | None = None

    def __init__(self, query, team: Team):
        self.query = query
        self.team = team

    # ---- what subclasses provide -------------------------------------------------------------------

    def calculate(self) -> dict:
        """The response body of the query kind (results and the kind's own fields)."""
        raise NotImplementedError

    def interval(self) -> str | None:
        """The query's time bucket, which sets how long results stay fresh; `minute` for raw queries."""
        return "minute"

    def date_to(self) -> datetime | None:
        """The end of the queried window when fixed (a window over before the result was computed is never stale)."""
        return None

    # ---- shared -------------------------------------------------------------------------------------

    @property
    def modifiers(self) -> dict:
        own = self.query.modifiers.model_dump(exclude_none=True) if getattr(self.query, "modifiers", None) else {}
        return {**default_modifiers(self.team.modifiers), **own}

    @cached_property
    def person_overrides(self) -> bool:
        """Asked once per run: whether person_id must follow merges (a cheap ClickHouse count)."""
        return has_person_overrides(self.team.id)

    @cached_property
    def property_types(self) -> dict[tuple[str, str], str]:
        """Asked once per run: the project's typed property definitions, for the cache key and the printer."""
        return project_property_types(self.team)

    def print_context(self, **kwargs) -> PrintContext:
        kwargs.setdefault("settings", self.engine_settings)
        return PrintContext(
            team_id=self.team.id,
            timezone=self.team.timezone,
            person_overrides=self.person_overrides,
            property_types=self.property_types,
            **kwargs,
        )

    def remembered_statement(self, parts: tuple, make: Callable[[], PrintedSelect]) -> PrintedSelect:
        """`make()`'s statement, or the one printed in the last minutes for the same run key, `parts` (what the
        key leaves out: the resolved range, anything read from the data while building) and person_overrides."""
        if self.run_key is None:
            return make()
        return remembered_statement((self.run_key, self.person_overrides, *parts), make)

    def query_dict(self) -> dict:
        return self.query.model_dump(exclude_none=True, by_alias=True)

    def cache_key(self) -> str:
        query = self.query_dict()
        text = orjson.dumps(query, default=str).decode()
        payload = {
            "runner": type(self).__name__,
            "team_id": self.team.id,
            "timezone": self.team.timezone,
            "week_start_day": self.team.week_start_day,
            "modifiers": self.modifiers,
            # Most queries carry no presentation field: then there is nothing to take out (the dump sorts keys).
            "query": _without_presentation(query) if any(key in text for key in PRESENTATION_WORDS) else query,
            # Project settings the query reads: a change to them must not serve an old answer.
            "team_settings": self.team_settings_in_key(query, text),
            "version": 2,
        }
        dumped = orjson.dumps(payload, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=str)
        digest = hashlib.md5(b"query_" + dumped).hexdigest()
        return f"cache_{self.team.id}_{digest}"

    def team_settings_in_key(self, query: dict, text: str) -> dict:
        """`text`: the query's JSON, searched once before any walk of it (most queries name no action, no cohort
        and no typed property)."""
        settings: dict[str, Any] = {}
        if getattr(self.query, "filterTestAccounts", False):
            settings["test_account_filters"] = self.team.test_account_filters
            text += orjson.dumps(self.team.test_account_filters, default=str).decode()
        if self.kind == "PathsQuery":
            settings["path_cleaning_filters"] = getattr(self.team, "path_cleaning_filters", None)
        property_types = property_types_in(self.property_types, text)
        if property_types:
            # A property's type changes its printed SQL (a Numeric read is a float, not text).
            settings["property_types"] = property_types
        action_ids = action_ids_in(query) if any(word in text for word in ACTION_WORDS) else []
        if action_ids:
            # An edited action changes what its series count.
            settings["actions"] = action_steps_by_id(self.team, action_ids)
        # Every cohort reference has "cohort" in a key's value or in HogQL text (see cohort_references).
        cohorts = cohort_references(query, settings.get("test_account_filters")) if "cohort" in text.lower() else None
        if cohorts:
            # A recalculated (or edited, or deleted) cohort changes who its filters and breakdowns select.
            settings["cohorts"] = cohort_versions(self.team, cohorts)
        return settings

    def run(self, mode: str = "blocking", query_id: str | None = None) -> dict:
        """Answers in the execution mode (spec insights-api §5.4): from cache, computed now, or in the background."""
        key = self.cache_key()
        status_id = query_id or key
        if mode == "force_async":
            return {"query_status": self.enqueue(status_id, force=True)}
        if mode != "force_blocking":
            cached = get_cached_response(key)
            if cached is not None:
                answer = self.from_cache(cached, mode, status_id)
                if answer is not None:
                    return answer
            elif mode == "force_cache":
                return {"cache_key": key, "query_status": incomplete_status(self.team.id, status_id)}
            elif mode in ("async", "lazy_async"):
                return {"cache_key": key, "is_cached": False, "query_status": self.enqueue(status_id)}
        if query_id and self.query_tag is None:
            # A computation the client named (`client_query_id`) carries that name like an async one does, so
            # DELETE /query/:id can kill it while it runs (PostHog's cancel of a blocking query).
            self.query_tag = team_query_tag(self.team.id, query_id)
        if mode == "force_blocking":
            return coalesced(key, lambda: self.compute(key))
        return coalesced(key, lambda: self.cached_or_compute(key, mode, status_id))

    def cached_or_compute(self, key: str, mode: str, status_id: str) -> dict:
        """The leader's computation, unless an identical one finished between this request's cache read and its
        turn to lead (it then answers from that one's cache entry, as a follower would have)."""
        cached = get_cached_response(key)
        answer = self.from_cache(cached, mode, status_id) if cached is not None else None
        return answer if answer is not None else self.compute(key)

    def from_cache(self, cached: dict, mode: str, status_id: str) -> dict | None:
        """The cached answer for this mode, or None when the mode wants a fresh computation now."""
        now = datetime.now(UTC)
        last_refresh = parse_time(cached.get("last_refresh")) or now
        interval, date_to = self.interval(), self.date_to()
        status = incomplete_status(self.team.id, status_id)
        if is_stale(last_refresh, now, interval, date_to):
            if mode in ("blocking",):
                return None
            if mode in ("async", "async_except_on_cache_miss"):
                status = self.enqueue(status_id, force=True)
            elif mode == "lazy_async" and is_stale(last_refresh, now, interval, date_to, lazy=True):
                status = self.enqueue(status_id)
        return {**cached, "is_cached": True, "query_status": status}

    def enqueue(self, status_id: str, force: bool = False) -> dict:
        return enqueue_query(self.team.id, status_id, self.query_dict(), force=force)

    def compute(self, key: str) -> dict:
        """Calculates now and stores the answer in the cache under `key` (the run's cache key, not built twice:
        building it reads the project's actions)."""
        self.run_key = key
        with api_query_slot(self.team.id) if is_api_key_request() else nullcontext():
            response = self.calculate()
        now = datetime.now(UTC)
        target_age = cache_target_age(now, self.interval())
        response.update(
            {
                "is_cached": False,
                "last_refresh": now.isoformat(),
                "next_allowed_client_refresh": (now + REFRESH_FREQUENCY).isoformat(),
                "cache_key": key,
                "cache_target_age": target_age.isoformat() if target_age else None,
                "calculation_trigger": None,
                "timezone": self.team.timezone,
                "query_status": None,
                "modifiers": self.modifiers,
            }
        )
        if not response.get("error"):
            set_cached_response(key, response)
        return response
