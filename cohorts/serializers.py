"""The cohort as the API shows and accepts it (spec actors-cohorts §3.2): validation of filters, query and
references; no writes (those are services)."""

from types import SimpleNamespace

from rest_framework import serializers

from cohorts.filters import (
    CohortFilterError,
    check_references,
    derived_type,
    groups_to_filters,
    validate_filters,
)
from cohorts.models import Cohort, CohortCalculationHistory
from insights_server.api.shared import UserBasicSerializer

DYNAMIC_WITH_QUERY = "Cannot create a dynamic cohort with a query. Set is_static to true."
QUERY_AND_FILTERS = "Cannot set both query and filters at the same time."
QUERY_NOT_DICT = "Query must be a dictionary."
QUERY_KINDS = ("ActorsQuery", "HogQLQuery")


def project_filters_lookup(team, exclude_id=None):
    """`lookup(id)` for reference checks: the filter tree of a live cohort of the project, KeyError otherwise."""

    def lookup(cohort_id: int):
        cohort = Cohort.objects.filter(team__project_id=team.project_id, pk=cohort_id, deleted=False).first()
        if cohort is None:
            raise KeyError(cohort_id)
        if cohort.filters and cohort.filters.get("properties"):
            return cohort.filters
        return groups_to_filters(cohort.groups) if cohort.groups else None

    return lookup


class CohortSerializer(serializers.ModelSerializer):
    created_by = UserBasicSerializer(read_only=True)
    filters = serializers.JSONField(required=False, allow_null=True)
    query = serializers.JSONField(required=False, allow_null=True)
    groups = serializers.JSONField(required=False)
    experiment_set = serializers.SerializerMethodField()
    _create_static_person_ids = serializers.ListField(child=serializers.CharField(), required=False, write_only=True)

    class Meta:
        model = Cohort
        fields = [
            "id",
            "name",
            "description",
            "groups",
            "deleted",
            "filters",
            "query",
            "is_calculating",
            "created_by",
            "created_at",
            "last_calculation",
            "errors_calculating",
            "count",
            "is_static",
            "cohort_type",
            "experiment_set",
            "_create_static_person_ids",
        ]
        read_only_fields = [
            "id",
            "is_calculating",
            "created_by",
            "created_at",
            "last_calculation",
            "errors_calculating",
            "count",
        ]

    def get_experiment_set(self, cohort: Cohort) -> list:
        return []

    def to_representation(self, cohort: Cohort) -> dict:
        data = super().to_representation(cohort)
        if not cohort.filters and cohort.groups:
            try:
                data["filters"] = groups_to_filters(cohort.groups)
            except CohortFilterError:
                data["filters"] = None
        return data

    def validate_query(self, query):
        if query is None:
            return None
        if not isinstance(query, dict):
            raise serializers.ValidationError(QUERY_NOT_DICT)
        if query.get("kind") not in QUERY_KINDS:
            raise serializers.ValidationError(f"Query must be an ActorsQuery or HogQLQuery. Got: {query.get('kind')}")
        return query

    def validate(self, attrs: dict) -> dict:
        instance = self.instance
        is_static = attrs.get("is_static", instance.is_static if instance else False)
        query = attrs.get("query", instance.query if instance else None)
        filters = attrs.get("filters")
        if attrs.get("query") and filters and filters.get("properties"):
            raise serializers.ValidationError(QUERY_AND_FILTERS)
        if query and not is_static:
            raise serializers.ValidationError(DYNAMIC_WITH_QUERY)
        try:
            if filters is not None and not is_static:
                validate_filters(filters)
            if "groups" in attrs and attrs["groups"] and not is_static:
                groups_to_filters(attrs["groups"])
            tree = (
                filters
                if filters is not None
                else (groups_to_filters(attrs["groups"]) if attrs.get("groups") else None)
            )
            if tree is not None:
                check_references(instance.pk if instance else None, tree, project_filters_lookup(self.context["team"]))
            attrs["cohort_type"] = self.checked_type(attrs, is_static, query, tree)
        except CohortFilterError as error:
            raise serializers.ValidationError(str(error)) from None
        return attrs

    def checked_type(self, attrs: dict, is_static: bool, query, tree) -> str | None:
        """The type derived from the filters; a `cohort_type` sent that differs from it is refused (spec §3.4.1)."""
        instance = self.instance
        if tree is None and instance is not None and not attrs.get("groups"):
            tree = instance.filters
        shape = SimpleNamespace(is_static=is_static, query=query, filters=tree, groups=[])
        derived = derived_type(shape, project_filters_lookup(self.context["team"]))
        given = attrs.get("cohort_type")
        if given is not None and given != derived:
            raise CohortFilterError(f"Cohort type '{given}' does not match the filters. Expected type: '{derived}'")
        return derived


class CohortCalculationHistorySerializer(serializers.ModelSerializer):
    """One calculation as `/cohorts/:id/calculation_history/` lists it (PostHog's fields)."""

    duration_seconds = serializers.FloatField(read_only=True, allow_null=True)
    is_completed = serializers.BooleanField(read_only=True)
    is_successful = serializers.BooleanField(read_only=True)
    total_query_ms = serializers.IntegerField(read_only=True, allow_null=True)
    total_memory_mb = serializers.IntegerField(read_only=True, allow_null=True)
    total_read_rows = serializers.IntegerField(read_only=True, allow_null=True)
    total_written_rows = serializers.IntegerField(read_only=True, allow_null=True)
    main_query = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = CohortCalculationHistory
        fields = [
            "id", "filters", "count", "started_at", "finished_at", "queries", "error", "duration_seconds",
            "is_completed", "is_successful", "total_query_ms", "total_memory_mb", "total_read_rows",
            "total_written_rows", "main_query",
        ]  # fmt: skip
        read_only_fields = fields
