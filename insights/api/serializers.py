"""Insight serializers: the writable fields and their validation, and the full and basic renderings (spec §3.1-3.4).

Rendering reads only the instance, its prefetches (the dashboard hooks' tiles, `tagged_items__tag`, `created_by`,
`last_modified_by`) and the context, so a page of insights renders with a fixed number of queries.
Context keys: `request`, `team`, `insight_results` ({insight id: InsightResult dict} computed by the view; a
missing entry is looked up with force_cache), `dashboard`/`tile`/`filters_override`/`variables_override`/
`tile_filters_override` (dashboard context: the query is shown with them applied), `refresh_requested`.
"""

import json
from typing import Any, TypeGuard

from django.db.models import Prefetch, QuerySet
from pydantic import ValidationError as PydanticValidationError
from rest_framework import serializers

from insights.alert_hooks import insight_alerts
from insights.dashboard_hooks import dashboard_hooks
from insights.models import Insight, TaggedItem
from insights.results import effective_query, insight_result, stored_or_converted_query
from insights.tags import tags_of
from insights_server.api.shared import UserBasicSerializer, membership_level_in_context
from insights_server.models import OrganizationMembership
from insights_server.params import MAX_INTEGER
from queries.schema import (
    DataVisualizationNode,
    HogQLQuery,
    InsightVizNode,
    QueryValidationError,
    parse_query,
    query_to_dict,
)
from queries.timestamps import RESULT_DATETIME_KEYS, status_with_utc_z, utc_z

QUERY_NOT_AN_OBJECT = "Query must be a valid JSON object"
QUERY_CANNOT_BE_SAVED = "This query can't be saved: {details}"
QUERY_REQUIRED = "This field is required."
MCP_CLIENT = "mcp"
# Bare queries that are saved wrapped, as PostHog does on save.
INSIGHT_VIZ_KINDS = {
    "TrendsQuery",
    "FunnelsQuery",
    "RetentionQuery",
    "PathsQuery",
    "StickinessQuery",
    "LifecycleQuery",
    "WebStatsTableQuery",
}
DATA_VISUALIZATION_KINDS = {"HogQLQuery"}

FULL_FIELDS = (
    "id",
    "short_id",
    "name",
    "derived_name",
    "filters",
    "query",
    "order",
    "deleted",
    "dashboards",
    "dashboard_tiles",
    "last_refresh",
    "cache_target_age",
    "next_allowed_client_refresh",
    "result",
    "hasMore",
    "columns",
    "created_at",
    "created_by",
    "description",
    "updated_at",
    "tags",
    "favorited",
    "saved",
    "last_modified_at",
    "last_modified_by",
    "is_sample",
    "effective_restriction_level",
    "effective_privilege_level",
    "user_access_level",
    "timezone",
    "is_cached",
    "query_status",
    "hogql",
    "types",
    "resolved_date_range",
    "alerts",
    "last_viewed_at",
)
BASIC_FIELDS = (
    "id",
    "short_id",
    "name",
    "derived_name",
    "filters",
    "query",
    "dashboards",
    "dashboard_tiles",
    "description",
    "last_refresh",
    "refreshing",
    "saved",
    "tags",
    "updated_at",
    "created_by",
    "created_at",
    "last_modified_at",
    "favorited",
    "user_access_level",
    "last_viewed_at",
)
RESULT_KEYS = (
    "last_refresh",
    "cache_target_age",
    "next_allowed_client_refresh",
    "result",
    "hasMore",
    "columns",
    "is_cached",
    "query_status",
    "hogql",
    "types",
    "resolved_date_range",
)
# Result fields holding timestamps (`resolved_date_range` holds two).
_DATETIME = serializers.DateTimeField()


def insight_render_queryset(queryset: QuerySet[Insight]) -> QuerySet[Insight]:
    """The prefetches rendering needs, so a page renders with a constant number of queries."""
    return queryset.select_related("created_by", "last_modified_by", "team").prefetch_related(
        *dashboard_hooks().render_prefetches(),
        Prefetch("tagged_items", queryset=TaggedItem.objects.select_related("tag").order_by("id")),
    )


def wrapped_query(value: Any) -> dict | None:
    """A validated query as stored: bare insight queries in InsightVizNode, bare HogQL in DataVisualizationNode.

    Raises serializers.ValidationError with the pydantic path (below `query`) of the first problem.
    """
    if value is None or value == {}:
        return None
    if not isinstance(value, dict):
        raise serializers.ValidationError(QUERY_NOT_AN_OBJECT)
    try:
        node = parse_query(value)
    except QueryValidationError as error:
        raise serializers.ValidationError({error.attr: [error.detail]} if error.attr else error.detail) from error
    query = query_to_dict(node)
    if node.kind in INSIGHT_VIZ_KINDS:
        return {"kind": "InsightVizNode", "source": query}
    if node.kind in DATA_VISUALIZATION_KINDS:
        return {"kind": "DataVisualizationNode", "source": query}
    return query


def _dumped(node) -> dict:
    return node.model_dump(mode="json", by_alias=True, exclude_none=True)


def mcp_wrapped_query(value: Any) -> dict:
    """The stricter query normalisation for MCP clients (`X-PostHog-Client: mcp`), as PostHog does it.

    Raw HogQL -> DataVisualizationNode; DataVisualizationNode/InsightVizNode kept; a raw product analytics
    query -> InsightVizNode; anything else is 400 `This query can't be saved: <loc: msg; ...>`. The saved
    query is the validated node dumped without nulls (schema defaults filled in).
    """
    if not isinstance(value, dict):
        raise serializers.ValidationError(QUERY_NOT_AN_OBJECT)
    try:
        return _dumped(DataVisualizationNode(source=HogQLQuery.model_validate(value)))
    except PydanticValidationError:
        pass
    for wrapper in (DataVisualizationNode, InsightVizNode):
        try:
            return _dumped(wrapper.model_validate(value))
        except PydanticValidationError:
            pass
    try:
        return _dumped(InsightVizNode.model_validate({"kind": "InsightVizNode", "source": value}))
    except PydanticValidationError as error:
        details = "; ".join(
            f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}" for item in error.errors(include_url=False)
        )
        raise serializers.ValidationError(QUERY_CANNOT_BE_SAVED.format(details=details)) from None


def is_mcp_request(request) -> bool:
    return request is not None and request.headers.get("x-posthog-client") == MCP_CLIENT


class DashboardIdsField(serializers.ListField):
    """`dashboards`: ids of non-deleted dashboards of the URL's project, resolved by the dashboard hooks."""

    child = serializers.IntegerField()

    def to_internal_value(self, data) -> list:
        ids = list(dict.fromkeys(super().to_internal_value(data)))
        return dashboard_hooks().resolve(self.context["team"], ids)


class InsightWriteSerializer(serializers.Serializer):
    """The writable fields of an insight (spec §3.4); unknown and read-only keys are ignored."""

    name = serializers.CharField(max_length=400, allow_null=True, allow_blank=True, required=False)
    derived_name = serializers.CharField(max_length=400, allow_null=True, allow_blank=True, required=False)
    description = serializers.CharField(max_length=400, allow_null=True, allow_blank=True, required=False)
    query = serializers.JSONField(allow_null=True, required=False)
    filters = serializers.DictField(required=False)
    # Bounded by the column (integer): a larger number was a 500 at save (schema fuzz finding).
    order = serializers.IntegerField(allow_null=True, required=False, min_value=-MAX_INTEGER, max_value=MAX_INTEGER)
    deleted = serializers.BooleanField(required=False)
    saved = serializers.BooleanField(required=False)
    favorited = serializers.BooleanField(required=False)
    dashboards = DashboardIdsField(required=False)
    tags = serializers.ListField(child=serializers.CharField(allow_blank=True, max_length=255), required=False)
    _create_in_folder = serializers.CharField(allow_blank=True, required=False, write_only=True)

    def validate_query(self, value) -> dict | None:
        if self.context.get("mcp"):
            return mcp_wrapped_query(value)
        return wrapped_query(value)

    def validate(self, attrs: dict) -> dict:
        if self.context.get("mcp") and not self.partial and "query" not in attrs:
            raise serializers.ValidationError({"query": [QUERY_REQUIRED]}, code="required")
        return attrs


def _datetime(value) -> str | None:
    return _DATETIME.to_representation(value) if value is not None else None


def _user(user, context: dict) -> dict | None:
    """The basic rendering of a user, once per user per page: building a ModelSerializer's fields costs ~0.5 ms,
    and a page of insights names the same few users again and again."""
    if user is None:
        return None
    rendered = context.setdefault("_rendered_users", {})
    if user.pk not in rendered:
        rendered[user.pk] = UserBasicSerializer(user).data
    return rendered[user.pk]


class InsightBasicSerializer(serializers.Serializer):
    """The basic rendering (spec §3.2): no results; `last_refresh` is the deprecated model column."""

    fields_rendered: tuple[str, ...] = BASIC_FIELDS

    def to_representation(self, insight: Insight) -> dict:
        values = self.common_values(insight)
        values["last_refresh"] = _datetime(insight.last_refresh)
        values["refreshing"] = insight.refreshing
        rendered = {name: values[name] for name in self.fields_rendered}
        self.add_search_match_type(insight, rendered)
        return rendered

    # ---- shared by both renderings ------------------------------------------------------------------

    def common_values(self, insight: Insight) -> dict:
        tiles = dashboard_hooks().tiles(insight)
        query = self.rendered_query(insight)
        return {
            "id": insight.id,
            "short_id": insight.short_id,
            "name": insight.name,
            "derived_name": insight.derived_name,
            "filters": self.rendered_filters(insight, query),
            "query": query,
            "order": insight.order,
            "deleted": insight.deleted,
            "dashboards": [tile["dashboard_id"] for tile in tiles],
            "dashboard_tiles": tiles,
            "created_at": _datetime(insight.created_at),
            "created_by": _user(insight.created_by, self.context),
            "description": insight.description,
            "updated_at": _datetime(insight.updated_at),
            "tags": tags_of(insight),
            "favorited": insight.favorited,
            "saved": insight.saved,
            "last_modified_at": _datetime(insight.last_modified_at),
            "last_modified_by": _user(insight.last_modified_by, self.context),
            "is_sample": insight.is_sample,
            "user_access_level": self.user_access_level(insight),
            "last_viewed_at": _datetime(getattr(insight, "last_viewed_at", None)),
        }

    def rendered_query(self, insight: Insight) -> dict | None:
        return stored_or_converted_query(insight)

    def rendered_filters(self, insight: Insight, query: dict | None) -> dict:
        """`{}` when the insight has a query; legacy filters otherwise (`insight` defaulting to TRENDS)."""
        if query is not None:
            return {}
        filters = dict(insight.filters or {})
        if filters and "insight" not in filters:
            filters["insight"] = "TRENDS"
        return filters

    def user_access_level(self, insight: Insight) -> str | None:
        """`manager` for organization admins/owners and the creator, `editor` for other members (no RBAC here)."""
        request = self.context.get("request")
        team = self.context.get("team") or insight.team
        if request is None or not request.user.is_authenticated:
            return None
        if insight.created_by_id == request.user.id:
            return "manager"
        level = membership_level_in_context(self.context, team.organization)
        if level is None:
            return "none"
        return "manager" if level >= OrganizationMembership.Level.ADMIN else "editor"

    def add_search_match_type(self, insight: Insight, rendered: dict) -> None:
        match_type = getattr(insight, "search_match_type", None)
        if match_type is not None:
            rendered["search_match_type"] = match_type


class InsightSerializer(InsightBasicSerializer):
    """The full rendering (spec §3.1) with the result fields, `filters_hash`, and tile `color`/`layouts`."""

    fields_rendered = FULL_FIELDS

    def to_representation(self, insight: Insight) -> dict:
        values = self.common_values(insight)
        result = self.result_of(insight)
        values.update({key: result.get(key) for key in RESULT_KEYS})
        for key in RESULT_DATETIME_KEYS:
            if key in values:
                values[key] = utc_z(values[key])
        values["query_status"] = status_with_utc_z(values["query_status"])
        values["is_cached"] = bool(result.get("is_cached"))
        team = self.context.get("team") or insight.team
        values["timezone"] = team.timezone if self.context.get("refresh_requested") else result.get("timezone")
        request = self.context.get("request")
        user = request.user if request is not None else None
        restriction, privilege = dashboard_hooks().access_levels(user, insight)
        values["effective_restriction_level"] = restriction
        values["effective_privilege_level"] = privilege
        values["alerts"] = insight_alerts(insight, self.context)
        rendered = {name: values[name] for name in self.fields_rendered}
        self.add_search_match_type(insight, rendered)
        rendered["filters_hash"] = result.get("cache_key")
        tile = self.context.get("tile")
        if tile is not None and tile.insight_id == insight.id:
            rendered["color"] = tile.color
            rendered["layouts"] = parsed_layouts(tile.layouts)
        return rendered

    def dashboard_context(self) -> dict:
        return {
            name: self.context.get(name)
            for name in ("dashboard", "tile", "filters_override", "variables_override", "tile_filters_override")
        }

    def rendered_query(self, insight: Insight) -> dict | None:
        """The stored query, shown with the dashboard filters and overrides applied in a dashboard context (§3.3)."""
        context = self.dashboard_context()
        query = stored_or_converted_query(insight)
        if not query or not any(value is not None for value in context.values()):
            return query
        try:
            node = effective_query(insight, **context)
        except (QueryValidationError, serializers.ValidationError):
            return query
        return query_to_dict(node) if node is not None else None

    def result_of(self, insight: Insight) -> dict:
        results = self.context.get("insight_results") or {}
        if insight.id in results:
            return results[insight.id]
        team = self.context.get("team") or insight.team
        return insight_result(insight, team, mode="force_cache", raise_exposed_errors=False, **self.dashboard_context())


def parsed_layouts(layouts) -> Any:
    """Tile layouts; legacy rows hold them as JSON text."""
    if isinstance(layouts, str):
        try:
            return json.loads(layouts)
        except ValueError:
            return {}
    return layouts


def is_runnable_insight_query(query: dict | None) -> TypeGuard[dict]:
    """Whether the stored query is an InsightVizNode (what the AI actions work on)."""
    return isinstance(query, dict) and query.get("kind") == "InsightVizNode" and "source" in query


__all__ = [
    "InsightBasicSerializer",
    "InsightSerializer",
    "InsightWriteSerializer",
    "insight_render_queryset",
    "is_mcp_request",
    "is_runnable_insight_query",
]
