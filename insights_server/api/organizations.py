"""`/api/organizations/`: the caller's organizations, creating one, and admin updates."""

from functools import cached_property

from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from insights_server.access import access_organization_by_url_id, organizations_of, request_user
from insights_server.api.shared import OrganizationBasicSerializer, TeamBasicSerializer, membership_level_in_context
from insights_server.auth import authenticated_key
from insights_server.models import Organization
from insights_server.permissions import APIScopePermission, OrganizationAdminWritePermission
from insights_server.services.organizations import organization_create, organization_delete

AVAILABLE_PRODUCT_FEATURES: list[dict[str, str | None]] = [
    {"key": "organizations_projects", "name": "Projects", "limit": None},
    {"key": "advanced_permissions", "name": "Advanced permissions"},
]


class OrganizationSerializer(OrganizationBasicSerializer):
    plugins_access_level = serializers.SerializerMethodField()
    teams = serializers.SerializerMethodField()
    projects = serializers.SerializerMethodField()
    available_product_features = serializers.SerializerMethodField()
    metadata = serializers.SerializerMethodField()
    customer_id = serializers.SerializerMethodField()
    member_count = serializers.SerializerMethodField()
    default_role_id = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "slug",
            "logo_media_id",
            "created_at",
            "updated_at",
            "membership_level",
            "plugins_access_level",
            "teams",
            "projects",
            "available_product_features",
            "is_member_join_email_enabled",
            "metadata",
            "customer_id",
            "enforce_2fa",
            "members_can_invite",
            "members_can_use_personal_api_keys",
            "allow_publicly_shared_resources",
            "member_count",
            "is_ai_data_processing_approved",
            "default_experiment_stats_method",
            "default_anonymize_ips",
            "default_role_id",
            "is_active",
            "is_not_active_reason",
            "is_pending_deletion",
        ]
        read_only_fields = ["id", "slug", "created_at", "updated_at"]

    def get_membership_level(self, organization) -> int | None:
        return membership_level_in_context(self.context, organization)

    def get_plugins_access_level(self, organization) -> int:
        return 9

    def get_teams(self, organization) -> list[dict]:
        return TeamBasicSerializer(organization.teams.order_by("id"), many=True, context=self.context).data  # type: ignore[return-value]  # stubs: many=True data is a list

    def get_projects(self, organization) -> list[dict]:
        return [
            {"id": project.id, "organization_id": str(organization.id), "name": project.name}
            for project in organization.projects.order_by("id")
        ]

    def get_available_product_features(self, organization) -> list[dict]:
        return AVAILABLE_PRODUCT_FEATURES

    def get_metadata(self, organization) -> dict:
        return {"instance_tag": "none"}

    def get_customer_id(self, organization) -> str | None:
        return None

    def get_member_count(self, organization) -> int:
        return organization.memberships.filter(user__is_active=True).count()

    def get_default_role_id(self, organization) -> str | None:
        return None


class OrganizationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    scope_object = "organization"
    serializer_class = OrganizationSerializer
    permission_classes = [IsAuthenticated, APIScopePermission, OrganizationAdminWritePermission]
    # A key scoped to other organizations gets 404 for them, as if they did not exist.
    hide_unscoped_organizations = True

    @cached_property
    def url_organization(self) -> Organization | None:
        raw_id = self.kwargs.get("pk")
        return access_organization_by_url_id(request_user(self.request), raw_id) if raw_id is not None else None

    def requested_organization(self) -> Organization | None:
        return self.url_organization

    def get_queryset(self):
        organizations = organizations_of(request_user(self.request)).order_by("created_at")
        key = authenticated_key(self.request)
        if key is not None and key.scoped_organizations:
            organizations = organizations.filter(id__in=key.scoped_organizations)
        return organizations

    def get_object(self) -> Organization:
        organization = self.url_organization
        assert organization is not None  # detail routes have a pk
        return organization

    def perform_destroy(self, instance: Organization) -> None:
        organization_delete(instance)

    def perform_create(self, serializer) -> None:
        serializer.instance = organization_create(serializer.validated_data["name"], owner=request_user(self.request))

    def create(self, request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return Response(self.get_serializer(serializer.instance).data, status=status.HTTP_201_CREATED)
