"""OpenAPI description of the insight endpoints (drf-spectacular): PostHog's components and parameters.

The insight viewset renders through hand-written `to_representation`s, so spectacular cannot see its fields; the
serializers below only document them (component names `Insight`, `InsightRequest`, `PatchedInsightRequest`,
`PaginatedInsightList`, ... as in PostHog's schema). `ProjectResourceSchema` gives the `/api/environments/` alias
its `deprecated` flag and the list-level `activity` action its own operationId (`..._insights_all_activity_...`).
"""

import re
from typing import get_args

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_field, inline_serializer
from rest_framework import serializers

from activity.api import ACTIVITY_PAGE_PARAMETERS, ACTIVITY_PAGE_RESPONSE
from insights_server.api.shared import UserBasicSerializer
from insights_server.openapi import ErrorDocumentingAutoSchema
from queries.schema import RefreshType

REFRESH_MODES = list(get_args(RefreshType))
INSIGHT_TYPES = ["FUNNELS", "JSON", "LIFECYCLE", "PATHS", "RETENTION", "SQL", "STICKINESS", "TRENDS"]
ENVIRONMENTS_PREFIX = "/api/environments/"
ARRAY_ACTIONS = ("my_last_viewed", "suggestions")


class ProjectResourceSchema(ErrorDocumentingAutoSchema):
    """`/api/environments/...` routes are the deprecated alias; detail and list `activity` get distinct ids."""

    def is_deprecated(self) -> bool:
        return self.path.startswith(ENVIRONMENTS_PREFIX) or super().is_deprecated()

    def get_operation_id(self) -> str:
        operation_id = super().get_operation_id()
        action = getattr(self.view, "action", None)
        if action == "all_activity":
            return operation_id.replace("_activity_", "_all_activity_")
        if action in ARRAY_ACTIONS and operation_id.endswith("_list"):
            # Plain JSON arrays, not paginated lists: PostHog names these operations `..._retrieve`.
            return operation_id.removesuffix("_list") + "_retrieve"
        return operation_id


@extend_schema_field({"type": "integer", "enum": [21, 37], "description": "21 = everyone, 37 = only collaborators"})
class RestrictionLevelField(serializers.IntegerField):
    pass


class DashboardTileBasicSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    dashboard_id = serializers.IntegerField(read_only=True)
    deleted = serializers.BooleanField(read_only=True, allow_null=True)


class ResolvedDateRangeSerializer(serializers.Serializer):
    date_from = serializers.DateTimeField(read_only=True)
    date_to = serializers.DateTimeField(read_only=True)


class InsightSchemaSerializer(serializers.Serializer):
    """The full insight (spec insights-api §3.1), in response order."""

    id = serializers.IntegerField(read_only=True)
    short_id = serializers.CharField(read_only=True)
    name = serializers.CharField(max_length=400, required=False, allow_null=True, allow_blank=True)
    derived_name = serializers.CharField(max_length=400, required=False, allow_null=True, allow_blank=True)
    filters = serializers.DictField(required=False, help_text="Legacy filter-based definition (deprecated).")
    query = serializers.JSONField(
        required=False,
        allow_null=True,
        help_text="A query node: InsightVizNode, DataVisualizationNode, DataTableNode, HogQuery, or a bare query.",
    )
    order = serializers.IntegerField(required=False, allow_null=True)
    deleted = serializers.BooleanField(required=False)
    dashboards = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="DEPRECATED. Ids of the dashboards the insight is on; writing it replaces the membership.",
    )
    dashboard_tiles = DashboardTileBasicSerializer(many=True, read_only=True)
    last_refresh = serializers.DateTimeField(read_only=True, allow_null=True)
    cache_target_age = serializers.DateTimeField(read_only=True, allow_null=True)
    next_allowed_client_refresh = serializers.DateTimeField(read_only=True, allow_null=True)
    result = serializers.JSONField(read_only=True, allow_null=True)
    hasMore = serializers.BooleanField(read_only=True, allow_null=True)
    columns = serializers.ListField(child=serializers.CharField(), read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True, allow_null=True)
    created_by = UserBasicSerializer(read_only=True, allow_null=True)
    description = serializers.CharField(max_length=400, required=False, allow_null=True, allow_blank=True)
    updated_at = serializers.DateTimeField(read_only=True)
    tags = serializers.ListField(child=serializers.CharField(), required=False)
    favorited = serializers.BooleanField(required=False)
    saved = serializers.BooleanField(required=False, default=True)
    last_modified_at = serializers.DateTimeField(read_only=True)
    last_modified_by = UserBasicSerializer(read_only=True, allow_null=True)
    is_sample = serializers.BooleanField(read_only=True)
    effective_restriction_level = RestrictionLevelField(read_only=True)
    effective_privilege_level = RestrictionLevelField(read_only=True)
    user_access_level = serializers.CharField(
        read_only=True, allow_null=True, help_text="The requesting user's access level: none/viewer/editor/manager."
    )
    timezone = serializers.CharField(read_only=True, allow_null=True)
    is_cached = serializers.BooleanField(read_only=True)
    query_status = serializers.JSONField(read_only=True, allow_null=True)
    hogql = serializers.CharField(read_only=True, allow_null=True)
    types = serializers.ListField(child=serializers.JSONField(), read_only=True, allow_null=True)
    resolved_date_range = ResolvedDateRangeSerializer(read_only=True, allow_null=True)
    _create_in_folder = serializers.CharField(required=False, allow_blank=True, write_only=True)
    alerts = serializers.ListField(child=serializers.JSONField(), read_only=True)
    last_viewed_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        ref_name = "Insight"


class InsightBasicSchemaSerializer(serializers.Serializer):
    """The basic insight (spec §3.2): `basic=true`, `my_last_viewed`, `trending`."""

    id = serializers.IntegerField(read_only=True)
    short_id = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True, allow_null=True)
    derived_name = serializers.CharField(read_only=True, allow_null=True)
    filters = serializers.DictField(read_only=True)
    query = serializers.JSONField(read_only=True, allow_null=True)
    dashboards = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    dashboard_tiles = DashboardTileBasicSerializer(many=True, read_only=True)
    description = serializers.CharField(read_only=True, allow_null=True)
    last_refresh = serializers.DateTimeField(read_only=True, allow_null=True)
    refreshing = serializers.BooleanField(read_only=True)
    saved = serializers.BooleanField(read_only=True)
    tags = serializers.ListField(child=serializers.CharField(), read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    created_by = UserBasicSerializer(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True, allow_null=True)
    last_modified_at = serializers.DateTimeField(read_only=True)
    favorited = serializers.BooleanField(read_only=True)
    user_access_level = serializers.CharField(read_only=True, allow_null=True)
    last_viewed_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        ref_name = "InsightBasic"


class TrendingInsightSchemaSerializer(InsightBasicSchemaSerializer):
    view_count = serializers.IntegerField(read_only=True)
    viewers = UserBasicSerializer(many=True, read_only=True)
    last_modified_by = UserBasicSerializer(read_only=True, allow_null=True)

    class Meta:
        ref_name = "TrendingInsight"


TRENDING_RESPONSE = inline_serializer(
    "PaginatedTrendingInsightList",
    {
        "count": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": TrendingInsightSchemaSerializer(many=True),
    },
)
ACTIVITY_RESPONSE = ACTIVITY_PAGE_RESPONSE
BULK_UPDATE_TAGS_REQUEST = inline_serializer(
    "BulkUpdateTags",
    {
        "ids": serializers.ListField(child=serializers.IntegerField(), max_length=500),
        "action": serializers.ChoiceField(choices=["add", "remove", "set"]),
        "tags": serializers.ListField(child=serializers.CharField(max_length=255), max_length=100),
    },
)
BULK_UPDATE_TAGS_RESPONSE = inline_serializer(
    "BulkUpdateTagsResponse",
    {
        "updated": inline_serializer(
            "BulkUpdateTagsItem",
            {"id": serializers.IntegerField(), "tags": serializers.ListField(child=serializers.CharField())},
            many=True,
        ),
        "skipped": inline_serializer(
            "BulkUpdateTagsSkipped", {"id": serializers.IntegerField(), "reason": serializers.CharField()}, many=True
        ),
    },
)
CANCEL_REQUEST = inline_serializer("CancelInsightQuery", {"client_query_id": serializers.CharField()})
VIEWED_REQUEST = inline_serializer(
    "InsightViewed",
    {"insight_ids": serializers.ListField(child=serializers.IntegerField(), max_length=2500)},
)
GENERATE_METADATA_REQUEST = inline_serializer("GenerateInsightMetadata", {"query": serializers.JSONField()})
GENERATE_METADATA_RESPONSE = inline_serializer(
    "GenerateInsightMetadataResponse", {"name": serializers.CharField(), "description": serializers.CharField()}
)
ANALYZE_RESPONSE = inline_serializer("InsightAnalysis", {"result": serializers.CharField()})
SUGGESTIONS_REQUEST = inline_serializer("InsightSuggestionsContext", {"context": serializers.JSONField(required=False)})
SUGGESTIONS_RESPONSE = inline_serializer(
    "InsightSuggestion",
    {"title": serializers.CharField(), "description": serializers.CharField(), "query": serializers.JSONField()},
    many=True,
)


def _param(name: str, type_=OpenApiTypes.STR, description: str = "", **kwargs) -> OpenApiParameter:
    return OpenApiParameter(name, type_, OpenApiParameter.QUERY, required=False, description=description, **kwargs)


ID_PARAMETER = OpenApiParameter(
    "id",
    {"oneOf": [{"type": "integer"}, {"type": "string"}]},
    OpenApiParameter.PATH,
    description="Numeric primary key or 8-character `short_id` (for example `AaVQ8Ijw`) identifying the insight.",
)
REFRESH_PARAMETER = _param(
    "refresh",
    description="Execution mode: `force_cache` (default) reads the cache only; `blocking` computes when the cache "
    "is stale or missing; `force_blocking` always computes; `async`/`lazy_async`/`force_async` compute in the "
    "background. `true` means `force_blocking`.",
    enum=REFRESH_MODES,
    default="force_cache",
)
LIST_PARAMETERS = [
    _param("basic", OpenApiTypes.BOOL, "Return basic insight metadata only (no results, faster)."),
    _param("created_by", description="JSON array of user ids."),
    _param("created_date_from"),
    _param("created_date_to"),
    _param("dashboards", description="JSON array of dashboard ids: insights on every one of them."),
    _param("date_from", description="Last modified after (absolute or relative, e.g. `-7d`)."),
    _param("date_to", description="Last modified before."),
    _param("events", description="JSON array of event names the query uses."),
    _param("favorited", OpenApiTypes.BOOL),
    _param("feature_flag", description="Insights about this feature flag key."),
    _param("hide_feature_flag_insights", OpenApiTypes.BOOL),
    _param("insight", enum=INSIGHT_TYPES),
    _param("last_viewed_date_from"),
    _param("last_viewed_date_to"),
    _param("order", description="Any insight field, `-` prefix for descending."),
    REFRESH_PARAMETER,
    _param("saved", OpenApiTypes.BOOL),
    _param("search", description="Matches name, derived name, description and tags (at most 200 characters)."),
    _param("short_id"),
    _param("tags", description="JSON array of tag names: insights with any of them."),
    _param("user", OpenApiTypes.BOOL, "Only insights created by the requesting user."),
]
RETRIEVE_PARAMETERS = [
    ID_PARAMETER,
    _param("filters_override", description="JSON dashboard filters applied on top of the dashboard's."),
    _param("from_dashboard", OpenApiTypes.INT, "Show the insight in the context of this dashboard."),
    REFRESH_PARAMETER,
    _param("tile_filters_override", description="JSON filters replacing the tile's filter overrides."),
    _param("variables_override", description="JSON `{variableId: {code_name, variableId, value}}`."),
]
ACTIVITY_PARAMETERS = ACTIVITY_PAGE_PARAMETERS
TRENDING_PARAMETERS = [
    _param("days", OpenApiTypes.INT, "Count views of the last N days (default 7)."),
    _param("limit", OpenApiTypes.INT, "At most this many insights (default 10, at most 100)."),
]


INSIGHT_OR_BASIC = {
    "anyOf": [{"$ref": "#/components/schemas/Insight"}, {"$ref": "#/components/schemas/InsightBasic"}],
    "description": "The full insight, or with `basic=true` its basic rendering (no results).",
}
INSIGHT_DETAIL_PATH = re.compile(r"^/api/(projects|environments)/\{\w+\}/insights/\{id\}/$")


def document_basic_renderings(result, generator, request, public):
    """Post-processing hook: `basic=true` answers `InsightBasic` items in the list and an `InsightBasic` from
    retrieve, so both are documented as either rendering (PostHog's schema claims the full one only)."""
    schemas = result.get("components", {}).get("schemas", {})
    if "PaginatedInsightList" not in schemas or "InsightBasic" not in schemas:
        return result
    schemas["PaginatedInsightList"]["properties"]["results"]["items"] = INSIGHT_OR_BASIC
    for path, operations in result["paths"].items():
        if INSIGHT_DETAIL_PATH.match(path) and "get" in operations:
            operations["get"]["responses"]["200"]["content"]["application/json"]["schema"] = INSIGHT_OR_BASIC
    return result
