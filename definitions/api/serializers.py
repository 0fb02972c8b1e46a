"""How definitions are shown and which fields a client may change (the taxonomy serializers of spec §2.4, §2.5)."""

from datetime import datetime

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from definitions.models import EventDefinition, PropertyDefinition
from insights_server.api.shared import UserBasicSerializer
from insights_server.models import User

EVENT_HIDDEN_AND_VERIFIED = "An event cannot be both hidden and verified"
PROPERTY_HIDDEN_AND_VERIFIED = "A property cannot be both hidden and verified"
EVENT_DEFINITION_EXISTS = "An event definition with this name already exists."


class OwnerField(serializers.PrimaryKeyRelatedField):
    """Written as a user id, shown as the user."""

    def __init__(self, **kwargs):
        super().__init__(queryset=User.objects.all(), allow_null=True, required=False, **kwargs)

    def use_pk_only_optimization(self) -> bool:
        return False

    def to_representation(self, value) -> dict:
        return UserBasicSerializer(value).data


class EventDefinitionSerializer(serializers.ModelSerializer):
    owner = OwnerField()
    updated_by = UserBasicSerializer(read_only=True, allow_null=True)
    verified_by = UserBasicSerializer(read_only=True, allow_null=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=255), required=False)
    default_columns = serializers.ListField(child=serializers.CharField(), required=False)
    last_updated_at = serializers.SerializerMethodField()
    is_action = serializers.SerializerMethodField()
    post_to_slack = serializers.SerializerMethodField()

    class Meta:
        model = EventDefinition
        fields = [
            "id",
            "name",
            "owner",
            "description",
            "tags",
            "created_at",
            "updated_at",
            "updated_by",
            "last_seen_at",
            "last_updated_at",
            "verified",
            "verified_at",
            "verified_by",
            "hidden",
            "is_action",
            "post_to_slack",
            "default_columns",
        ]
        read_only_fields = ["id", "created_at", "updated_at", "last_seen_at", "verified_at"]
        extra_kwargs = {"name": {"required": True}}

    def get_last_updated_at(self, definition: EventDefinition) -> datetime | None:
        return definition.updated_at or definition.created_at

    def get_is_action(self, definition: EventDefinition) -> bool:
        return False

    def get_post_to_slack(self, definition: EventDefinition) -> bool:
        return False

    def validate_name(self, name: str) -> str:
        if self.instance is not None:
            return self.instance.name  # the name is written on create only
        team = self.context["team"]
        if EventDefinition.objects.filter(project_id=team.project_id, name=name).exists():
            raise serializers.ValidationError(EVENT_DEFINITION_EXISTS, code="unique")
        return name

    def validate(self, attrs: dict) -> dict:
        if attrs.get("hidden") is True and attrs.get("verified") is True:
            raise serializers.ValidationError(EVENT_HIDDEN_AND_VERIFIED)
        return attrs


class PropertyDefinitionSerializer(serializers.ModelSerializer):
    owner = OwnerField()
    updated_by = UserBasicSerializer(read_only=True, allow_null=True)
    verified_by = UserBasicSerializer(read_only=True, allow_null=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=255), required=False)
    property_type = serializers.ChoiceField(PropertyDefinition.PropertyType.choices, allow_null=True, required=False)
    is_seen_on_filtered_events = serializers.SerializerMethodField()

    class Meta:
        model = PropertyDefinition
        fields = [
            "id",
            "name",
            "description",
            "tags",
            "is_numerical",
            "updated_at",
            "updated_by",
            "is_seen_on_filtered_events",
            "property_type",
            "verified",
            "verified_at",
            "verified_by",
            "hidden",
            "owner",
        ]
        read_only_fields = ["id", "name", "is_numerical", "updated_at", "verified_at"]

    def get_is_seen_on_filtered_events(self, definition: PropertyDefinition) -> bool | None:
        return getattr(definition, "is_seen_on_filtered_events", None)

    def validate(self, attrs: dict) -> dict:
        if attrs.get("hidden") is True and attrs.get("verified") is True:
            raise serializers.ValidationError(PROPERTY_HIDDEN_AND_VERIFIED)
        return attrs


class OwnerFieldSchema(OpenApiSerializerFieldExtension):
    """OpenAPI: `owner` is written as a user id and shown as the user (or null)."""

    target_class = OwnerField

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return {"type": "integer", "nullable": True}
        return {"allOf": [auto_schema.resolve_serializer(UserBasicSerializer, direction).ref], "nullable": True}
