"""Input serializers of the insight actions: they only validate request bodies (spec §7.1 bulk tags, §7.8 viewed)."""

from typing import Any

from rest_framework import serializers

from insights.tags import (
    BULK_ACTIONS,
    BULK_MAX_CHANGES,
    BULK_MAX_IDS,
    BULK_MAX_TAG_LENGTH,
    BULK_MAX_TAGS,
    normalise_tags,
)

VIEWED_MAX_IDS = 2500
FIELD_REQUIRED = "This field is required."
NOT_A_LIST = "Expected a list of items."
TAGS_NOT_STRINGS = "Not a valid string."
TAGS_TOO_LONG = f"Ensure this field has no more than {BULK_MAX_TAG_LENGTH} characters."
TAGS_EMPTY_FOR_ACTION = "tags must not be empty for action '{action}'."
TOO_MANY_CHANGES = f"Too many changes in one request: ids × distinct tags must not exceed {BULK_MAX_CHANGES}."
# A null list reads as a missing one, and a non-list gets the short message, as the hand-written checks had it.
ID_LIST_ERRORS: dict[str, Any] = {"null": FIELD_REQUIRED, "not_a_list": NOT_A_LIST}


class WholeNumberField(serializers.IntegerField):
    """An integer or a string of digits. Stricter than IntegerField, which would take `true` and `1.0` as 1."""

    def to_internal_value(self, data) -> int:
        if isinstance(data, bool) or not isinstance(data, int | str) or not str(data).strip().lstrip("-").isdigit():
            self.fail("invalid")
        return super().to_internal_value(data)


def id_list(max_length: int) -> serializers.ListField:
    """A non-empty list of at most `max_length` ids; a bad item is reported at its index (`attr` = `<field>__<i>`)."""
    return serializers.ListField(
        child=WholeNumberField(), allow_empty=False, max_length=max_length, error_messages=ID_LIST_ERRORS
    )


class ViewedInputSerializer(serializers.Serializer):
    """`POST /insights/viewed/`: `{"insight_ids": [ids]}`."""

    insight_ids = id_list(VIEWED_MAX_IDS)


class BulkUpdateTagsInputSerializer(serializers.Serializer):
    """`POST /insights/bulk_update_tags/`: `{"ids": [ids], "action": "add"|"remove"|"set", "tags": [names]}`.

    Validated data: ids deduplicated in order, tags normalised (see insights.tags.normalise_tags).
    """

    ids = id_list(BULK_MAX_IDS)
    action = serializers.ChoiceField(choices=BULK_ACTIONS, error_messages={"null": FIELD_REQUIRED})
    # Items are checked in validate_tags so that their errors name `tags` itself, not `tags__<index>`.
    tags = serializers.ListField(
        required=False,
        default=list,
        max_length=BULK_MAX_TAGS,
        error_messages={"null": NOT_A_LIST, "not_a_list": NOT_A_LIST},
    )

    def validate_tags(self, tags: list) -> list[str]:
        for tag in tags:
            if not isinstance(tag, str):
                raise serializers.ValidationError(TAGS_NOT_STRINGS)
            if len(tag) > BULK_MAX_TAG_LENGTH:
                raise serializers.ValidationError(TAGS_TOO_LONG)
        return normalise_tags(tags)

    def validate(self, attrs: dict) -> dict:
        action, tags = attrs["action"], attrs["tags"]
        if action in ("add", "remove") and not tags:
            raise serializers.ValidationError({"tags": [TAGS_EMPTY_FOR_ACTION.format(action=action)]})
        ids = list(dict.fromkeys(attrs["ids"]))
        if len(ids) * len(tags) > BULK_MAX_CHANGES:
            raise serializers.ValidationError({"tags": [TOO_MANY_CHANGES]})
        return {**attrs, "ids": ids}


def validated_input(serializer_class: type[serializers.Serializer], data) -> dict:
    """The serializer's validated data; a body that is not a JSON object reads as `{}` (first field: required)."""
    serializer = serializer_class(data=data if isinstance(data, dict) else {})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
