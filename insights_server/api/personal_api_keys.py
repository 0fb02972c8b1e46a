"""`/api/personal_api_keys/`: the caller's keys; the secret value appears only when created or rolled."""

import uuid

from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from insights_server.access import organizations_of, teams_visible_to
from insights_server.auth import authenticated_key
from insights_server.models import PersonalAPIKey
from insights_server.permissions import APIScopePermission
from insights_server.scopes import is_valid_scope
from insights_server.services.personal_api_keys import (
    MAX_KEYS_PER_USER,
    personal_api_key_create,
    personal_api_key_roll,
)

CURRENT = "@current"
TOO_MANY_KEYS = (
    f"You can only have {MAX_KEYS_PER_USER} personal API keys. Remove an existing key before creating a new one."
)
NOT_MEMBER_OF_ALL_TEAMS = "You must be a member of all teams that you are scoping the key to."
NOT_MEMBER_OF_ALL_ORGANIZATIONS = "You must be a member of all organizations that you are scoping the key to."
INVALID_ORGANIZATION_UUID = "Invalid organization UUID"


class PersonalAPIKeySerializer(serializers.ModelSerializer):
    value = serializers.SerializerMethodField(method_name="get_clear_value")
    user_id = serializers.IntegerField(read_only=True)
    scopes = serializers.ListField(child=serializers.CharField(max_length=100), required=True)
    scoped_teams = serializers.ListField(child=serializers.IntegerField(), required=False, allow_null=True)
    scoped_organizations = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, allow_null=True
    )

    class Meta:
        model = PersonalAPIKey
        fields = [
            "id",
            "label",
            "value",
            "mask_value",
            "created_at",
            "last_used_at",
            "last_rolled_at",
            "user_id",
            "scopes",
            "scoped_teams",
            "scoped_organizations",
        ]
        read_only_fields = ["id", "value", "mask_value", "created_at", "last_used_at", "last_rolled_at", "user_id"]

    def get_clear_value(self, key: PersonalAPIKey) -> str | None:
        # Only the create and roll responses know the clear value; it is never stored.
        return self.context.get("clear_value")

    def to_representation(self, key: PersonalAPIKey) -> dict:
        data = super().to_representation(key)
        data["scopes"] = key.scopes or ["*"]
        # Keys stored before scoping defaulted to [] have null here; clients (the agent toolkit) need arrays.
        data["scoped_teams"] = data["scoped_teams"] or []
        data["scoped_organizations"] = data["scoped_organizations"] or []
        return data

    def validate_scopes(self, scopes: list[str]) -> list[str]:
        for scope in scopes:
            if not is_valid_scope(scope):
                raise serializers.ValidationError(f"Invalid scope: {scope}")
        return scopes

    def validate_scoped_teams(self, team_ids: list[int] | None) -> list[int] | None:
        if team_ids:
            user = self.context["request"].user
            if teams_visible_to(user).filter(pk__in=team_ids).distinct().count() != len(set(team_ids)):
                raise serializers.ValidationError(NOT_MEMBER_OF_ALL_TEAMS)
        return team_ids

    def validate_scoped_organizations(self, organization_ids: list[str] | None) -> list[str] | None:
        if organization_ids:
            try:
                normalized = [str(uuid.UUID(value)) for value in organization_ids]
            except ValueError:
                raise serializers.ValidationError(INVALID_ORGANIZATION_UUID) from None
            user = self.context["request"].user
            if organizations_of(user).filter(pk__in=normalized).distinct().count() != len(set(normalized)):
                raise serializers.ValidationError(NOT_MEMBER_OF_ALL_ORGANIZATIONS)
            return normalized
        return organization_ids


class PersonalAPIKeyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """With a personal API key, only retrieving that same key is allowed; everything else needs a session."""

    scope_object = "personal_api_key"
    scope_object_read_actions = ("retrieve",)
    scope_object_write_actions = ()
    serializer_class = PersonalAPIKeySerializer
    permission_classes = [IsAuthenticated, APIScopePermission]
    pagination_class = None

    def get_queryset(self):
        return PersonalAPIKey.objects.filter(user=self.request.user).order_by("-created_at")

    def get_object(self) -> PersonalAPIKey:
        lookup = self.kwargs["pk"]
        used_key = authenticated_key(self.request)
        if lookup == CURRENT:
            if used_key is None:
                raise NotFound()
            return used_key
        key = self.get_queryset().filter(pk=lookup).first()
        if key is None or (used_key is not None and key.pk != used_key.pk):
            raise NotFound()
        return key

    def create(self, request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if self.get_queryset().count() >= MAX_KEYS_PER_USER:
            raise ValidationError(TOO_MANY_KEYS)
        key, value = personal_api_key_create(request.user, **serializer.validated_data)
        data = self.get_serializer(key, context={**self.get_serializer_context(), "clear_value": value}).data
        return Response(data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def roll(self, request, *args, **kwargs) -> Response:
        key = self.get_object()
        value = personal_api_key_roll(key)
        return Response(self.get_serializer(key, context={**self.get_serializer_context(), "clear_value": value}).data)
