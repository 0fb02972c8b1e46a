"""Documentation-only serializer: the shape /events/ answers with, for the OpenAPI schema.

The views build their responses directly; these classes are never used to render or validate.
"""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers


class EventPersonSerializer(serializers.Serializer):
    is_identified = serializers.BooleanField()
    distinct_ids = serializers.ListField(child=serializers.CharField())
    properties = serializers.DictField()


class EventSerializer(serializers.Serializer):
    id = serializers.CharField()
    distinct_id = serializers.CharField()
    properties = serializers.DictField()
    event = serializers.CharField()
    timestamp = serializers.CharField()
    person = EventPersonSerializer(allow_null=True)
    elements = serializers.ListField(child=serializers.DictField())
    elements_chain = serializers.CharField()


@extend_schema_serializer(many=False, component_name="PaginatedEventList")
class EventListSerializer(serializers.Serializer):
    """The list page: a cursor `next` (its `before`/`after` moved to the last row) and no `count` or `previous`."""

    next = serializers.URLField(allow_null=True)
    results = EventSerializer(many=True)
