"""Documentation-only serializer: the shape /persons/ answers with, for the OpenAPI schema (the view builds its
responses directly)."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    distinct_ids = serializers.ListField(child=serializers.CharField())
    properties = serializers.DictField()
    created_at = serializers.DateTimeField()
    uuid = serializers.UUIDField()
    last_seen_at = serializers.DateTimeField(allow_null=True)


class PersonActorSerializer(serializers.Serializer):
    """One item of the list: an actor dict whose `id` is the person's UUID (PostHog's schema claims an integer)."""

    type = serializers.CharField()
    id = serializers.UUIDField()
    uuid = serializers.UUIDField()
    created_at = serializers.DateTimeField()
    last_seen_at = serializers.DateTimeField(allow_null=True)
    properties = serializers.DictField()
    is_identified = serializers.BooleanField()
    name = serializers.CharField()
    distinct_ids = serializers.ListField(child=serializers.CharField())
    matched_recordings = serializers.ListField(child=serializers.DictField())
    value_at_data_point = serializers.FloatField(allow_null=True)


@extend_schema_serializer(many=False, component_name="PaginatedPersonList")
class PersonListSerializer(serializers.Serializer):
    """The list page: offset links, and `count` only when `include_total` is in the query string."""

    results = PersonActorSerializer(many=True)
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    count = serializers.IntegerField(required=False)
