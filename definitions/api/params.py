"""The query-string parameters the definitions lists accept, validated in one place with PostHog's messages."""

import json

from rest_framework import serializers

GROUP_TYPE_INDEX_REQUIRED = "`group_type_index` must be set for `group` type"
GROUP_TYPE_INDEX_NOT_ALLOWED = "`group_type_index` can only set for `group` type"
GROUP_TYPE_INDEX_INVALID = "Invalid value for `group_type_index`"
EVENT_NAMES_ONLY_FOR_EVENTS = "`event_names` can only be set for `event` type"
MAX_GROUP_TYPES = 5
PROPERTY_TYPES = {"event": 1, "person": 2, "group": 3, "session": 4}
EVENT_TYPES = ("event", "event_custom", "event_posthog", "all", "action_event")
ORDERINGS = ("name", "last_seen_at", "last_seen_at::date")
DEFAULT_ORDERING = ("-last_seen_at::date", "name")


class JSONListField(serializers.Field):
    """A JSON array of strings in one parameter (`["a","b"]`)."""

    default_error_messages = {"invalid": "Must be a JSON array of strings."}

    def to_internal_value(self, data) -> list[str]:
        if data in ("", None):
            return []
        try:
            value = json.loads(data) if isinstance(data, str) else data
        except ValueError:
            self.fail("invalid")
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.fail("invalid")
        return value


def event_names_param(params) -> list[str]:
    """`event_names` as a JSON array, or repeated (`event_names=a&event_names=b`, as `seen_together` is called)."""
    values = params.getlist("event_names")
    if len(values) == 1 and values[0].lstrip().startswith("["):
        return JSONListField().run_validation(values[0])
    return [value for value in values if value]


class EventDefinitionListParams(serializers.Serializer):
    search = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, max_length=400)
    event_type = serializers.ChoiceField(EVENT_TYPES, required=False, default="event")
    excluded_properties = JSONListField(required=False, default=list)
    exclude_hidden = serializers.BooleanField(required=False, default=False)


class PropertyDefinitionListParams(serializers.Serializer):
    search = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, max_length=400)
    type = serializers.ChoiceField(list(PROPERTY_TYPES), required=False, default="event")
    group_type_index = serializers.IntegerField(required=False, allow_null=True)
    properties = serializers.CharField(required=False, allow_blank=True)
    is_numerical = serializers.BooleanField(required=False, allow_null=True, default=None)
    is_feature_flag = serializers.BooleanField(required=False, allow_null=True, default=None)
    filter_by_event_names = serializers.BooleanField(required=False, allow_null=True, default=None)
    excluded_properties = JSONListField(required=False, default=list)
    exclude_core_properties = serializers.BooleanField(required=False, default=False)
    exclude_hidden = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs: dict) -> dict:
        index = attrs.get("group_type_index")
        if attrs["type"] == "group":
            if index is None:
                raise serializers.ValidationError({"group_type_index": GROUP_TYPE_INDEX_REQUIRED})
            if not 0 <= index < MAX_GROUP_TYPES:
                raise serializers.ValidationError({"group_type_index": GROUP_TYPE_INDEX_INVALID})
        elif index is not None:
            raise serializers.ValidationError({"group_type_index": GROUP_TYPE_INDEX_NOT_ALLOWED})
        try:
            attrs["event_names"] = event_names_param(self.initial_data)
        except serializers.ValidationError as error:
            raise serializers.ValidationError({"event_names": error.detail}) from None
        if attrs["event_names"] and attrs["type"] != "event":
            raise serializers.ValidationError({"event_names": EVENT_NAMES_ONLY_FOR_EVENTS})
        attrs["properties"] = [name.strip() for name in (attrs.get("properties") or "").split(",") if name.strip()]
        return attrs


class SeenTogetherParams(serializers.Serializer):
    property_name = serializers.CharField(max_length=400)


def orderings_param(params) -> list[str]:
    """The `ordering` values (repeatable) that name an allowed column; the default when none does."""
    chosen = [value for value in params.getlist("ordering") if value.lstrip("-") in ORDERINGS]
    return chosen or list(DEFAULT_ORDERING)
