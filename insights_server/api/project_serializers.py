"""Serializers of projects and environments (both render a Team; projects add a few project keys)."""

import re
import zoneinfo
from functools import cache

from rest_framework import serializers

from insights_server.api.shared import membership_level_in_context
from insights_server.models import OrganizationMembership, Team
from insights_server.modifiers import MODIFIER_KEYS, default_modifiers
from insights_server.primary_dashboard import validate_primary_dashboard

PROPERTY_FILTER_TYPES = {
    "event",
    "person",
    "element",
    "session",
    "cohort",
    "recording",
    "group",
    "hogql",
    "data_warehouse",
    "data_warehouse_person_property",
    "event_metadata",
    "feature",
    "log_entry",
    "error_tracking_issue",
}
ACCESS_CONTROL_DEPRECATED = (
    "The 'access_control' field has been deprecated and is no longer supported. "
    "Please use the new access control system instead."
)
INVALID_MODIFIER_KEY = "Invalid modifier key."
PRIMARY_DASHBOARD_ON_CREATE = "Primary dashboard cannot be set on project creation."
PROPERTY_FILTERS_INVALID = "Must provide an array of valid property filters."

# Settings a project member may change; every other writable field needs a project admin.
MEMBER_WRITABLE_FIELDS = frozenset(
    {
        "completed_snippet_onboarding",
        "has_completed_onboarding_for",
        "onboarding_tasks",
        "session_recording_opt_in",
        "surveys_opt_in",
        "primary_dashboard",
    }
)


@cache
def timezone_choices() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


class TeamSerializer(serializers.ModelSerializer):
    """The full environment shape of `/api/environments/:id/`."""

    organization = serializers.UUIDField(source="organization_id", read_only=True)
    timezone = serializers.CharField(required=False, max_length=240)
    week_start_day = serializers.ChoiceField(choices=[0, 1], allow_null=True, required=False)
    primary_dashboard = serializers.IntegerField(source="primary_dashboard_id", allow_null=True, required=False)
    access_control = serializers.JSONField(required=False)
    default_modifiers = serializers.SerializerMethodField()
    person_on_events_querying_enabled = serializers.SerializerMethodField()
    effective_membership_level = serializers.SerializerMethodField()
    user_access_level = serializers.SerializerMethodField()
    has_group_types = serializers.SerializerMethodField()
    group_types = serializers.SerializerMethodField()
    secret_api_token = serializers.SerializerMethodField()
    secret_api_token_backup = serializers.SerializerMethodField()
    live_events_token = serializers.SerializerMethodField()
    product_intents = serializers.SerializerMethodField()

    class Meta:
        model = Team
        fields = [
            "id",
            "uuid",
            "organization",
            "project_id",
            "api_token",
            "secret_api_token",
            "secret_api_token_backup",
            "name",
            "created_at",
            "updated_at",
            "ingested_event",
            "completed_snippet_onboarding",
            "has_completed_onboarding_for",
            "onboarding_tasks",
            "is_demo",
            "timezone",
            "week_start_day",
            "test_account_filters",
            "test_account_filters_default_checked",
            "path_cleaning_filters",
            "data_attributes",
            "person_display_name_properties",
            "correlation_config",
            "primary_dashboard",
            "live_events_columns",
            "recording_domains",
            "app_urls",
            "anonymize_ips",
            "autocapture_opt_out",
            "session_recording_opt_in",
            "surveys_opt_in",
            "modifiers",
            "default_modifiers",
            "person_on_events_querying_enabled",
            "access_control",
            "effective_membership_level",
            "user_access_level",
            "has_group_types",
            "group_types",
            "live_events_token",
            "product_intents",
            "base_currency",
        ]
        read_only_fields = ["id", "uuid", "project_id", "api_token", "created_at", "updated_at", "ingested_event"]
        extra_kwargs = {"name": {"required": False, "max_length": 200}}

    def to_representation(self, team: Team) -> dict:
        data = super().to_representation(team)
        data["access_control"] = False
        return data

    def get_default_modifiers(self, team: Team) -> dict:
        return default_modifiers(team.modifiers)

    def get_person_on_events_querying_enabled(self, team: Team) -> bool:
        return True

    def get_effective_membership_level(self, team: Team) -> int | None:
        return membership_level_in_context(self.context, team.organization)

    def get_user_access_level(self, team: Team) -> str | None:
        level = self.get_effective_membership_level(team)
        if level is None:
            return None
        return "admin" if level >= OrganizationMembership.Level.ADMIN else "member"

    def get_has_group_types(self, team: Team) -> bool:
        return False

    def get_group_types(self, team: Team) -> list:
        return []

    def get_secret_api_token(self, team: Team) -> str | None:
        return None

    def get_secret_api_token_backup(self, team: Team) -> str | None:
        return None

    def get_live_events_token(self, team: Team) -> str | None:
        return None

    def get_product_intents(self, team: Team) -> list:
        return []

    def validate_name(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError("This field may not be blank.", code="blank")
        return value

    def validate_timezone(self, value: str) -> str:
        if value not in timezone_choices():
            raise serializers.ValidationError(f'"{value}" is not a valid choice.', code="invalid_choice")
        return value

    def validate_access_control(self, value):
        raise serializers.ValidationError(ACCESS_CONTROL_DEPRECATED)

    def validate_primary_dashboard(self, value):
        return validate_primary_dashboard(self.instance if isinstance(self.instance, Team) else None, value)

    def validate_test_account_filters(self, value):
        if not isinstance(value, list):
            raise serializers.ValidationError(PROPERTY_FILTERS_INVALID)
        for index, item in enumerate(value):
            if not isinstance(item, dict) or item.get("type", "event") not in PROPERTY_FILTER_TYPES:
                raise serializers.ValidationError(f"{PROPERTY_FILTERS_INVALID} Item {index} is not a property filter.")
            if item.get("type") != "hogql" and not isinstance(item.get("key"), str | int):
                raise serializers.ValidationError(f"{PROPERTY_FILTERS_INVALID} Item {index} has no key.")
        return value

    def validate_path_cleaning_filters(self, value):
        if value is None:
            return value
        if not isinstance(value, list):
            raise serializers.ValidationError("Path cleaning filters must be a list.")
        for rule in value:
            regex = rule.get("regex") if isinstance(rule, dict) else None
            if not regex:
                raise serializers.ValidationError("A path cleaning rule needs a regex. Remove the rule or give it one.")
            try:
                re.compile(regex)
            except re.error as error:
                raise serializers.ValidationError(f"Invalid path cleaning regex '{regex}': {error}") from None
        return value

    def validate_modifiers(self, value):
        if value is None:
            return value
        if not isinstance(value, dict) or any(key not in MODIFIER_KEYS for key in value):
            raise serializers.ValidationError(INVALID_MODIFIER_KEY)
        seconds = value.get("bounceRateDurationSeconds")
        if seconds is not None and not (isinstance(seconds, int | float) and 1 <= seconds <= 120):
            raise serializers.ValidationError("bounceRateDurationSeconds must be between 1 and 120.")
        # A PATCH merges modifiers into the stored ones rather than replacing them.
        if self.instance is not None:
            return {**(self.instance.modifiers or {}), **value}
        return value


class ProjectSerializer(TeamSerializer):
    """`/api/projects/:id/`: the environment shape plus the project's own keys."""

    product_description = serializers.CharField(
        source="project.product_description", allow_null=True, allow_blank=True, required=False, max_length=1000
    )
    is_pending_deletion = serializers.SerializerMethodField()

    class Meta(TeamSerializer.Meta):
        fields = [*TeamSerializer.Meta.fields, "product_description", "is_pending_deletion"]

    def get_is_pending_deletion(self, team: Team) -> bool:
        return False
