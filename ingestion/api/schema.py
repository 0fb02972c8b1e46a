"""Documentation-only serializer: the shape /events/ answers with, for the OpenAPI schema.

The views build their responses directly; these classes are never used to render or validate.
"""

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
