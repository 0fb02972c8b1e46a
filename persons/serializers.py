"""Documentation-only serializer: the shape /persons/ answers with, for the OpenAPI schema (the view builds its
responses directly)."""

from rest_framework import serializers


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    distinct_ids = serializers.ListField(child=serializers.CharField())
    properties = serializers.DictField()
    created_at = serializers.DateTimeField()
    uuid = serializers.UUIDField()
    last_seen_at = serializers.DateTimeField(allow_null=True)
