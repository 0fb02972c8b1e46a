"""`/api/users/`: the authenticated user (`@me`), read and updated."""

import uuid

from django.contrib.auth import password_validation, update_session_auth_hash
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import IsAuthenticated

from insights_server.access import organizations_of, request_user, teams_visible_to
from insights_server.api.organizations import OrganizationSerializer
from insights_server.api.shared import OrganizationBasicSerializer, TeamBasicSerializer
from insights_server.auth import authenticated_key
from insights_server.models import User
from insights_server.models.user import ROLE_AT_ORGANIZATION_CHOICES
from insights_server.params import parse_id
from insights_server.permissions import APIScopePermission
from insights_server.services.users import user_update

ME = "@me"
ONLY_ME_ALLOWED = "As a non-staff user you're only allowed to access the `@me` user instance."
NOT_STAFF = "You are not a staff user, contact your instance admin."
TOKEN_CANNOT_CHANGE_CREDENTIALS = (
    "You can only change your email or password from the PostHog app, not with an API key or token."
)
CURRENT_PASSWORD_REQUIRED = "This field is required when updating your password."
CURRENT_PASSWORD_INCORRECT = "Your current password is incorrect."
TEAM_NOT_IN_ORGANIZATION = "Team must belong to the same organization in set_current_organization."
DEFAULT_NOTIFICATION_SETTINGS = {
    "plugin_disabled": True,
    "project_weekly_digest_disabled": {},
    "all_weekly_digest_disabled": False,
    "error_tracking_issue_assigned": True,
    "discussions_mentioned": True,
}


def does_not_exist(value) -> serializers.ValidationError:
    return serializers.ValidationError(f"Object with id={value} does not exist.", code="does_not_exist")


class UserSerializer(serializers.ModelSerializer):
    has_password = serializers.SerializerMethodField()
    team = TeamBasicSerializer(source="current_team", read_only=True)
    organization = OrganizationSerializer(source="current_organization", read_only=True)
    organizations = serializers.SerializerMethodField()
    notification_settings = serializers.DictField(required=False)
    role_at_organization = serializers.ChoiceField(
        choices=ROLE_AT_ORGANIZATION_CHOICES, allow_blank=True, allow_null=True, required=False
    )
    theme_mode = serializers.ChoiceField(
        choices=["light", "dark", "system"], allow_blank=True, allow_null=True, required=False
    )
    toolbar_mode = serializers.ChoiceField(
        choices=["disabled", "toolbar"], allow_blank=True, allow_null=True, required=False
    )
    shortcut_position = serializers.ChoiceField(choices=["above", "below", "hidden"], allow_null=True, required=False)
    set_current_organization = serializers.CharField(write_only=True, required=False)
    set_current_team = serializers.CharField(write_only=True, required=False)
    password = serializers.CharField(write_only=True, required=False, max_length=128)
    current_password = serializers.CharField(write_only=True, required=False)
    is_impersonated = serializers.SerializerMethodField()
    is_2fa_enabled = serializers.SerializerMethodField()
    has_social_auth = serializers.SerializerMethodField()
    has_sso_enforcement = serializers.SerializerMethodField()
    pending_email = serializers.SerializerMethodField()
    pending_invites = serializers.SerializerMethodField()
    scene_personalisation = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "date_joined",
            "uuid",
            "distinct_id",
            "first_name",
            "last_name",
            "email",
            "pending_email",
            "is_email_verified",
            "notification_settings",
            "anonymize_data",
            "allow_impersonation",
            "toolbar_mode",
            "has_password",
            "id",
            "is_staff",
            "is_impersonated",
            "team",
            "organization",
            "organizations",
            "set_current_organization",
            "set_current_team",
            "password",
            "current_password",
            "events_column_config",
            "is_2fa_enabled",
            "has_social_auth",
            "has_sso_enforcement",
            "has_seen_product_intro_for",
            "scene_personalisation",
            "theme_mode",
            "hedgehog_config",
            "allow_sidebar_suggestions",
            "shortcut_position",
            "role_at_organization",
            "pending_invites",
        ]
        read_only_fields = ["date_joined", "uuid", "distinct_id", "is_email_verified", "id"]

    def to_representation(self, user: User) -> dict:
        data = super().to_representation(user)
        data["notification_settings"] = {**DEFAULT_NOTIFICATION_SETTINGS, **(user.notification_settings or {})}
        data["events_column_config"] = user.events_column_config or {"active": "DEFAULT"}
        data["shortcut_position"] = user.shortcut_position or "above"
        return data

    def get_has_password(self, user: User) -> bool:
        return user.has_usable_password()

    def get_organizations(self, user: User) -> list[dict]:
        return OrganizationBasicSerializer(  # type: ignore[return-value]  # stubs: many=True data is a list
            organizations_of(user).order_by("created_at"), many=True, context=self.context
        ).data

    def get_is_impersonated(self, user: User) -> bool:
        return False

    def get_is_2fa_enabled(self, user: User) -> bool:
        return False

    def get_has_social_auth(self, user: User) -> bool:
        return False

    def get_has_sso_enforcement(self, user: User) -> bool:
        return False

    def get_pending_email(self, user: User) -> str | None:
        return None

    def get_pending_invites(self, user: User) -> list:
        return []

    def get_scene_personalisation(self, user: User) -> list:
        return []

    @property
    def updated_user(self) -> User:
        """The user being validated: this serializer only updates (the viewset has no create)."""
        assert isinstance(self.instance, User)
        return self.instance

    def validate_is_staff(self, value: bool) -> bool:
        if value != self.updated_user.is_staff and not self.context["request"].user.is_staff:
            raise PermissionDenied(NOT_STAFF)
        return value

    def validate_set_current_organization(self, value: str):
        organization = organizations_of(self.updated_user).filter(pk=value).first() if _is_uuid(value) else None
        if organization is None:
            raise does_not_exist(value)
        return organization

    def validate_set_current_team(self, value: str):
        team_id = parse_id(value)
        team = teams_visible_to(self.updated_user).filter(pk=team_id).first() if team_id is not None else None
        if team is None:
            raise does_not_exist(value)
        return team

    def validate(self, attrs: dict) -> dict:
        request, user = self.context["request"], self.updated_user
        if ("password" in attrs or "email" in attrs) and authenticated_key(request) is not None:
            raise PermissionDenied(TOKEN_CANNOT_CHANGE_CREDENTIALS)
        organization, team = attrs.get("set_current_organization"), attrs.get("set_current_team")
        if organization and team and team.organization_id != organization.id:
            raise serializers.ValidationError({"set_current_team": [TEAM_NOT_IN_ORGANIZATION]})
        if "password" in attrs:
            if user.has_usable_password():
                current = attrs.get("current_password")
                if not current:
                    raise serializers.ValidationError(
                        {"current_password": [CURRENT_PASSWORD_REQUIRED]}, code="required"
                    )
                if not user.check_password(current):
                    raise serializers.ValidationError({"current_password": [CURRENT_PASSWORD_INCORRECT]})
            try:
                password_validation.validate_password(attrs["password"], user)
            except Exception as error:  # django.core.exceptions.ValidationError carries the messages
                raise serializers.ValidationError(
                    {"password": list(getattr(error, "messages", [str(error)]))}
                ) from None
        if "email" in attrs and User.objects.filter(email__iexact=attrs["email"]).exclude(pk=user.pk).exists():
            raise serializers.ValidationError(
                {
                    "email": [
                        serializers.ErrorDetail("There is already an account with this email address.", code="unique")
                    ]
                }
            )
        return attrs


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    scope_object = "user"
    serializer_class = UserSerializer
    permission_classes = [IsAuthenticated, APIScopePermission]
    lookup_field = "uuid"

    def get_queryset(self):
        if self.request.user.is_staff:
            return User.objects.filter(is_active=True)
        return User.objects.filter(pk=self.request.user.pk)

    def get_object(self) -> User:
        lookup = self.kwargs["uuid"]
        if lookup == ME:
            return request_user(self.request)
        if not self.request.user.is_staff:
            raise PermissionDenied(ONLY_ME_ALLOWED)
        user = User.objects.filter(uuid=lookup).first() if _is_uuid(lookup) else None
        if user is None:
            raise NotFound()
        return user

    def perform_update(self, serializer) -> None:
        user = user_update(serializer.instance, dict(serializer.validated_data))
        if "password" in serializer.validated_data and self.request.user.pk == user.pk:
            update_session_auth_hash(self.request._request, user)
