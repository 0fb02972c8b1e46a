"""The query-string parameters `/persons/` accepts, validated in one serializer."""

from rest_framework import serializers

from insights_server.params import MAX_INTEGER

DEFAULT_LIMIT = 100
MAX_LIMIT = 1_000


class PersonListParams(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT)
    offset = serializers.IntegerField(min_value=0, max_value=MAX_INTEGER, default=0)
    distinct_id = serializers.CharField(required=False, allow_blank=True, max_length=400)
    email = serializers.CharField(required=False, allow_blank=True, max_length=400)
    search = serializers.CharField(required=False, allow_blank=True, max_length=400, trim_whitespace=True)
    properties = serializers.JSONField(binary=True, required=False)
