"""Dashboard serializers: validate writes and render PostHog's DashboardBasic / Dashboard shapes."""

from datetime import datetime

from rest_framework import serializers

from dashboards.api.overrides import filters_requested_by_client, variables_requested_by_client
from dashboards.api.tiles import dashboard_tiles_data
from dashboards.models import Dashboard, RestrictionLevel
from dashboards.permissions import (
    dashboard_effective_privilege_level,
    dashboard_effective_restriction_level,
    dashboard_user_access_level,
)
from insights.tags import tags_of
from insights_server.api.shared import UserBasicSerializer
from insights_server.params import MAX_INTEGER

FILTERS_NOT_A_DICT = "Filters must be a dictionary"
VARIABLES_NOT_A_DICT = "Variables must be a dictionary"
TEMPLATE_AND_DASHBOARD = "`use_dashboard` and `use_template` cannot be used together"

BASIC_FIELDS = [
    "id",
    "name",
    "description",
    "pinned",
    "created_at",
    "created_by",
    "last_accessed_at",
    "last_viewed_at",
    "is_shared",
    "deleted",
    "creation_mode",
    "tags",
    "restriction_level",
    "effective_restriction_level",
    "effective_privilege_level",
    "user_access_level",
    "access_control_version",
    "last_refresh",
    "team_id",
]
SHARED_FIELDS = [
    "id",
    "name",
    "description",
    "pinned",
    "created_at",
    "created_by",
    "last_accessed_at",
    "last_viewed_at",
    "is_shared",
    "deleted",
    "creation_mode",
    "filters",
    "variables",
    "breakdown_colors",
    "data_color_theme_id",
    "tags",
    "restriction_level",
    "effective_restriction_level",
    "effective_privilege_level",
    "user_access_level",
    "access_control_version",
    "last_refresh",
    "persisted_filters",
    "persisted_variables",
    "team_id",
]


class TagsField(serializers.ListField):
    """Tag names: written as a list of strings, read from the dashboard's tagged items."""

    def get_attribute(self, instance):
        return tags_of(instance)


class DashboardBasicSerializer(serializers.ModelSerializer):
    """The list shape (no filters, no tiles)."""

    created_by = UserBasicSerializer(read_only=True, allow_null=True)
    last_viewed_at = serializers.SerializerMethodField()
    tags: serializers.Field = serializers.SerializerMethodField()  # DashboardSerializer's is a writable TagsField
    effective_restriction_level = serializers.SerializerMethodField()
    effective_privilege_level = serializers.SerializerMethodField()
    user_access_level = serializers.SerializerMethodField()
    access_control_version = serializers.SerializerMethodField()
    team_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = Dashboard
        fields = BASIC_FIELDS
        read_only_fields = fields

    def _user(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    def get_last_viewed_at(self, dashboard: Dashboard) -> datetime | None:
        return None  # PostHog reads it from the file-system view log, which this server does not keep

    def get_tags(self, dashboard: Dashboard) -> list[str]:
        return tags_of(dashboard)

    def get_effective_restriction_level(self, dashboard: Dashboard) -> int:
        return dashboard_effective_restriction_level(dashboard)

    def get_effective_privilege_level(self, dashboard: Dashboard) -> int:
        return dashboard_effective_privilege_level(self._user(), dashboard)

    def get_user_access_level(self, dashboard: Dashboard) -> str | None:
        return dashboard_user_access_level(self._user(), dashboard)

    def get_access_control_version(self, dashboard: Dashboard) -> str:
        # Dashboards still on the legacy collaboration restriction report "v1".
        return "v1" if dashboard.restriction_level > RestrictionLevel.EVERYONE_IN_PROJECT_CAN_EDIT else "v2"


class DashboardSerializer(DashboardBasicSerializer):
    """The full shape of create/retrieve/update, with `tiles`; also validates the writable fields."""

    name = serializers.CharField(max_length=400, allow_null=True, allow_blank=True, required=False)
    description = serializers.CharField(allow_blank=True, required=False)
    pinned = serializers.BooleanField(required=False)
    deleted = serializers.BooleanField(required=False)
    filters = serializers.JSONField(required=False)
    variables = serializers.JSONField(required=False, allow_null=True)
    breakdown_colors = serializers.JSONField(required=False, allow_null=True)
    # Bounded by the column (integer): a larger number was a 500 at save (schema fuzz finding).
    data_color_theme_id = serializers.IntegerField(
        required=False, allow_null=True, min_value=-MAX_INTEGER, max_value=MAX_INTEGER
    )
    tags = TagsField(child=serializers.CharField(allow_blank=True), required=False)
    restriction_level = serializers.ChoiceField(choices=RestrictionLevel.choices, required=False)
    persisted_filters = serializers.SerializerMethodField()
    persisted_variables = serializers.SerializerMethodField()
    tiles = serializers.SerializerMethodField()
    use_template = serializers.CharField(write_only=True, allow_blank=True, required=False)
    use_dashboard = serializers.IntegerField(write_only=True, allow_null=True, required=False)
    delete_insights = serializers.BooleanField(write_only=True, required=False, default=False)
    _create_in_folder = serializers.CharField(write_only=True, allow_blank=True, required=False)

    class Meta:
        model = Dashboard
        fields = [*SHARED_FIELDS, "tiles", "use_template", "use_dashboard", "delete_insights", "_create_in_folder"]
        read_only_fields = [
            "id",
            "created_at",
            "created_by",
            "last_accessed_at",
            "last_viewed_at",
            "is_shared",
            "creation_mode",
            "effective_restriction_level",
            "effective_privilege_level",
            "user_access_level",
            "access_control_version",
            "last_refresh",
            "team_id",
        ]

    def to_representation(self, dashboard: Dashboard) -> dict:
        data = super().to_representation(dashboard)
        data["filters"] = filters_requested_by_client(self.context.get("request"), dashboard)
        data["variables"] = variables_requested_by_client(self.context.get("request"), dashboard)
        return data

    def get_persisted_filters(self, dashboard: Dashboard) -> dict | None:
        return dashboard.filters or None

    def get_persisted_variables(self, dashboard: Dashboard) -> dict | None:
        return dashboard.variables or None

    def get_tiles(self, dashboard: Dashboard) -> list[dict]:
        return dashboard_tiles_data(dashboard, self.context)

    def validate_filters(self, value) -> dict:
        if not isinstance(value, dict):
            raise serializers.ValidationError(FILTERS_NOT_A_DICT)
        from queries.schema.request import DashboardFilter

        try:
            DashboardFilter.model_validate(value)
        except ValueError as error:
            raise serializers.ValidationError(f"Invalid dashboard filters: {error}") from None
        return value

    def validate_variables(self, value):
        if value is not None and not isinstance(value, dict):
            raise serializers.ValidationError(VARIABLES_NOT_A_DICT)
        return value

    def validate(self, data: dict) -> dict:
        if data.get("use_dashboard") and data.get("use_template"):
            raise serializers.ValidationError(TEMPLATE_AND_DASHBOARD)
        return data
