"""Small serializers other resources nest: basic user, team and organization shapes."""

from rest_framework import serializers

from insights_server.models import Organization, Team, User


def hedgehog_profile(config) -> dict | None:
    """The reduced avatar config shown on nested users."""
    if not isinstance(config, dict) or not config:
        return None
    source = config.get("actor_options", config) if config.get("version") == 2 else config
    return {key: source.get(key) for key in ("use_as_profile", "color", "accessories", "skin")}


class UserBasicSerializer(serializers.ModelSerializer):
    hedgehog_config = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "uuid",
            "distinct_id",
            "first_name",
            "last_name",
            "email",
            "is_email_verified",
            "hedgehog_config",
            "role_at_organization",
        ]
        read_only_fields = fields

    def get_hedgehog_config(self, user: User) -> dict | None:
        return hedgehog_profile(user.hedgehog_config)


class TeamBasicSerializer(serializers.ModelSerializer):
    organization = serializers.UUIDField(source="organization_id", read_only=True)
    access_control = serializers.SerializerMethodField()

    class Meta:
        model = Team
        fields = [
            "id",
            "uuid",
            "organization",
            "project_id",
            "api_token",
            "name",
            "completed_snippet_onboarding",
            "has_completed_onboarding_for",
            "ingested_event",
            "is_demo",
            "timezone",
            "access_control",
        ]
        read_only_fields = fields

    def get_access_control(self, team: Team) -> bool:
        return False


class OrganizationBasicSerializer(serializers.ModelSerializer):
    logo_media_id = serializers.SerializerMethodField()
    membership_level = serializers.SerializerMethodField()
    is_active = serializers.SerializerMethodField()
    is_not_active_reason = serializers.SerializerMethodField()
    is_pending_deletion = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "slug",
            "logo_media_id",
            "membership_level",
            "members_can_use_personal_api_keys",
            "is_active",
            "is_not_active_reason",
            "is_pending_deletion",
        ]
        read_only_fields = fields

    def get_logo_media_id(self, organization) -> str | None:
        return None

    def get_membership_level(self, organization) -> int | None:
        return membership_level_in_context(self.context, organization)

    def get_is_active(self, organization) -> bool:
        return True

    def get_is_not_active_reason(self, organization) -> str | None:
        return None

    def get_is_pending_deletion(self, organization) -> bool:
        return False


def membership_level_in_context(context: dict, organization: Organization) -> int | None:
    """The requesting user's level in the organization (memoized per serializer context)."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return None
    levels = context.setdefault("_membership_levels", None)
    if levels is None:
        levels = dict(request.user.memberships.values_list("organization_id", "level"))
        context["_membership_levels"] = levels
    return levels.get(organization.id)
