"""/api/projects/:id/actions/: list, create, retrieve, update and soft delete actions."""

from typing import Any

from rest_framework import mixins, serializers

from actions.models import Action
from insights_server.api.shared import UserBasicSerializer
from insights_server.routing import ProjectScopedViewSet

MATCHING_CHOICES = ["contains", "regex", "exact"]


class ActionStepSerializer(serializers.Serializer):
    event = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    properties = serializers.ListField(child=serializers.DictField(), required=False, allow_null=True)
    selector = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    tag_name = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    text = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    text_matching = serializers.ChoiceField(MATCHING_CHOICES, required=False, allow_null=True)
    href = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    href_matching = serializers.ChoiceField(MATCHING_CHOICES, required=False, allow_null=True)
    url = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    url_matching = serializers.ChoiceField(MATCHING_CHOICES, required=False, allow_null=True)

    def to_representation(self, step: dict) -> dict:
        shown: dict[str, Any] = {name: step.get(name) for name in self.fields}  # type: ignore[misc]  # drf-stubs: a BindingDict iterates names, typed as fields
        shown["url_matching"] = step.get("url_matching") or ("contains" if step.get("url") else None)
        return shown


class ActionSerializer(serializers.ModelSerializer):
    steps = ActionStepSerializer(many=True, required=False)
    created_by = UserBasicSerializer(read_only=True, allow_null=True)
    team_id = serializers.IntegerField(read_only=True)
    is_action = serializers.SerializerMethodField()
    is_calculating = serializers.SerializerMethodField()
    bytecode_error = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()
    creation_context = serializers.SerializerMethodField()
    user_access_level = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = [
            "id",
            "name",
            "description",
            "tags",
            "post_to_slack",
            "slack_message_format",
            "steps",
            "created_at",
            "created_by",
            "deleted",
            "is_calculating",
            "last_calculated_at",
            "team_id",
            "is_action",
            "bytecode_error",
            "pinned_at",
            "creation_context",
            "user_access_level",
        ]
        read_only_fields = ["id", "created_at", "created_by", "team_id", "last_calculated_at"]

    def get_is_action(self, action: Action) -> bool:
        return True

    def get_is_calculating(self, action: Action) -> bool:
        return False

    def get_bytecode_error(self, action: Action) -> str | None:
        return None

    def get_tags(self, action: Action) -> list:
        return []

    def get_creation_context(self, action: Action) -> str | None:
        return None

    def get_user_access_level(self, action: Action) -> str:
        return "editor"

    def validate_name(self, name: str | None) -> str | None:
        team = self.context["view"].team
        duplicates = Action.objects.filter(team__project_id=team.project_id, name=name, deleted=False)
        if self.instance is not None:
            duplicates = duplicates.exclude(pk=self.instance.pk)
        existing = duplicates.values_list("pk", flat=True).first() if name else None
        if existing is not None:
            raise serializers.ValidationError(f"action-exists-{existing}", code="unique")
        return name

    def validate_steps(self, steps: list[dict]) -> list[dict]:
        return [{key: value for key, value in step.items() if value is not None} for step in steps]


class ActionViewSet(
    ProjectScopedViewSet,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
):
    """Actions of the project. DELETE is not allowed (as in PostHog): PATCH `{"deleted": true}` instead."""

    scope_object = "action"
    queryset = Action.objects.select_related("created_by")
    serializer_class = ActionSerializer

    def filter_project_queryset(self, queryset):
        if self.action == "list":
            queryset = queryset.filter(deleted=False)
        return queryset.order_by("-last_calculated_at", "name", "id")

    def perform_create(self, serializer):
        serializer.save(team=self.team, created_by=self.request.user)
