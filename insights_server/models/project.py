"""Projects and their environments (teams). A project's first environment shares its id."""

import uuid

from django.db import models

from insights_server.access_cache import AccessQuerySet
from insights_server.tokens import project_api_token

from .organization import Organization

DEFAULT_TEST_ACCOUNT_FILTERS = [
    {"key": "$host", "type": "event", "operator": "not_regex", "value": "^(localhost|127\\.0\\.0\\.1)($|:)"}
]


def default_test_account_filters() -> list[dict]:
    return [dict(item) for item in DEFAULT_TEST_ACCOUNT_FILTERS]


def default_data_attributes() -> list[str]:
    return ["data-attr"]


class Project(models.Model):
    """The unit users see; wraps exactly one Team (environment) with the same integer id."""

    id = models.BigAutoField(primary_key=True)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="projects")
    name = models.CharField(max_length=200, default="Default project")
    product_description = models.TextField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AccessQuerySet.as_manager()  # bulk updates invalidate the access cache

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """An environment of a project: owns the API token, timezone and the settings queries read."""

    # Not auto-incremented: set to the project's id when the project is created.
    id = models.BigIntegerField(primary_key=True)
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="teams")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=200, default="Default project")
    api_token = models.CharField(max_length=200, unique=True, default=project_api_token)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    timezone = models.CharField(max_length=240, default="UTC")
    week_start_day = models.PositiveSmallIntegerField(null=True, blank=True)
    test_account_filters = models.JSONField(default=default_test_account_filters)
    test_account_filters_default_checked = models.BooleanField(null=True, blank=True)
    path_cleaning_filters = models.JSONField(default=list, null=True, blank=True)
    data_attributes = models.JSONField(default=default_data_attributes)
    person_display_name_properties = models.JSONField(null=True, blank=True)
    correlation_config = models.JSONField(default=dict, null=True, blank=True)
    primary_dashboard_id = models.BigIntegerField(null=True, blank=True)
    modifiers = models.JSONField(null=True, blank=True)
    app_urls = models.JSONField(default=list)
    recording_domains = models.JSONField(null=True, blank=True)
    live_events_columns = models.JSONField(null=True, blank=True)
    anonymize_ips = models.BooleanField(default=False)
    is_demo = models.BooleanField(default=False)
    ingested_event = models.BooleanField(default=False)
    completed_snippet_onboarding = models.BooleanField(default=False)
    has_completed_onboarding_for = models.JSONField(null=True, blank=True)
    onboarding_tasks = models.JSONField(null=True, blank=True)
    session_recording_opt_in = models.BooleanField(default=False)
    autocapture_opt_out = models.BooleanField(null=True, blank=True)
    surveys_opt_in = models.BooleanField(null=True, blank=True)
    base_currency = models.CharField(max_length=3, default="USD")
    api_query_rate_limit = models.CharField(max_length=32, null=True, blank=True)

    objects = AccessQuerySet.as_manager()  # bulk updates invalidate the access cache

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
