"""The query-string parameters `/events/` accepts, validated in one serializer (bounded integers, JSON filters)."""

from rest_framework import serializers

from insights_server.params import MAX_INTEGER

MAX_LIMIT = 10_000
PROPERTIES_UNPARSABLE = "Properties are unparsable!"


class EventListParams(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=100)
    offset = serializers.IntegerField(min_value=0, max_value=MAX_INTEGER, default=0)
    # drf-stubs type JSONField's default as a Mapping; any JSON value is valid, so the list defaults are ignored.
    properties = serializers.JSONField(
        binary=True,
        required=False,
        default=list,  # type: ignore[arg-type]
        error_messages={"invalid": PROPERTIES_UNPARSABLE},
    )
    orderBy = serializers.JSONField(  # noqa: N815 - PostHog's name
        binary=True,
        required=False,
        default=lambda: ["-timestamp"],  # type: ignore[arg-type, return-value]
        error_messages={"invalid": PROPERTIES_UNPARSABLE},
    )
    event = serializers.CharField(required=False, allow_blank=True, max_length=400)
    distinct_id = serializers.CharField(required=False, max_length=400)
    person_id = serializers.CharField(required=False, max_length=100)
    action_id = serializers.CharField(required=False, max_length=40)
    before = serializers.CharField(required=False, allow_blank=True, max_length=100)
    after = serializers.CharField(required=False, allow_blank=True, max_length=100)
    include_person = serializers.BooleanField(required=False, default=False)

    def validate_properties(self, value):
        if not isinstance(value, list | dict):
            raise serializers.ValidationError(PROPERTIES_UNPARSABLE)
        return value

    def validate_orderBy(self, value):  # noqa: N802 - DRF's validate_<field> naming
        if not isinstance(value, list):
            raise serializers.ValidationError(PROPERTIES_UNPARSABLE)
        return value
