"""Reading the activity log: per-resource pages (`.../<resource>/activity/`) and `/api/projects/:id/activity_log/`."""

import uuid

from django.core.paginator import EmptyPage, Paginator
from django.db.models import Exists, OuterRef, Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, pagination, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from activity.created_items import created_items_by_scope
from activity.models import ActivityLog
from insights_server.api.shared import UserBasicSerializer
from insights_server.models import Team
from insights_server.params import int_param, text_param
from insights_server.routing import ProjectScopedViewSet

DEFAULT_ACTIVITY_LIMIT = 10
ACTIVITY_LOG_PAGE_SIZE = 100
ACTIVITY_LOG_MAX_PAGE_SIZE = 1000
SYSTEM_USER = {"first_name": "System", "email": None, "is_system": True}
ORDERINGS = ("-created_at", "created_at")
IMPORTANT_CHANGES_LIMIT = 10


class ActivityUserSerializer(serializers.Serializer):
    first_name = serializers.CharField(read_only=True)
    email = serializers.EmailField(read_only=True)


class ChangeSerializer(serializers.Serializer):
    type = serializers.CharField(read_only=True)
    action = serializers.CharField(read_only=True)
    field = serializers.CharField(read_only=True)
    before = serializers.JSONField(read_only=True)
    after = serializers.JSONField(read_only=True)


class MergeSerializer(serializers.Serializer):
    type = serializers.CharField(read_only=True)
    source = serializers.JSONField(read_only=True)  # type: ignore[assignment]  # drf-stubs: a declared field, not Field.source
    target = serializers.JSONField(read_only=True)


class TriggerSerializer(serializers.Serializer):
    job_type = serializers.CharField(read_only=True)
    job_id = serializers.CharField(read_only=True)
    payload = serializers.JSONField(read_only=True)


class DetailSerializer(serializers.Serializer):
    """Only the keys the stored detail has, among id, changes, merge, trigger, name, short_id, type."""

    id = serializers.CharField(read_only=True)
    changes = ChangeSerializer(many=True, read_only=True)
    merge = MergeSerializer(read_only=True)
    trigger = TriggerSerializer(read_only=True)
    name = serializers.CharField(read_only=True)
    short_id = serializers.CharField(read_only=True)
    type = serializers.CharField(read_only=True)


class ActivityLogEntrySerializer(serializers.Serializer):
    """The entry shape of the per-resource activity pages (spec sharing §3.5)."""

    id = serializers.UUIDField(read_only=True)
    user = serializers.SerializerMethodField()
    activity = serializers.CharField(read_only=True)
    scope = serializers.CharField(read_only=True)
    item_id = serializers.CharField(read_only=True)
    detail = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)

    def get_user(self, entry: ActivityLog) -> dict:
        if entry.user is None:
            return dict(SYSTEM_USER)
        return ActivityUserSerializer(entry.user).data

    def get_detail(self, entry: ActivityLog) -> dict | None:
        if not isinstance(entry.detail, dict):
            return entry.detail
        return DetailSerializer(entry.detail).data


ACTIVITY_PAGE_RESPONSE = inline_serializer(
    "ActivityLogPaginatedResponse",
    {
        "results": ActivityLogEntrySerializer(many=True),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "total_count": serializers.IntegerField(),
    },
)
ACTIVITY_PAGE_PARAMETERS = [
    OpenApiParameter("limit", OpenApiTypes.INT, OpenApiParameter.QUERY, description="Entries per page (default 10)."),
    OpenApiParameter("page", OpenApiTypes.INT, OpenApiParameter.QUERY, description="1-based page number."),
]


def activity_page(request, team_id: int, scope: str, item_id=None) -> Response:
    """One page of a resource's activity, newest first (spec sharing §3.5, insights §7.9).

    Reads `limit` (default 10) and 1-based `page`; `next`/`previous` are the request's absolute URL with
    `page` and `limit` replaced. A page past the end is empty. Non-integer parameters → 400.
    """
    limit = int_param(request.query_params, "limit", DEFAULT_ACTIVITY_LIMIT, minimum=1)
    page_number = int_param(request.query_params, "page", 1, minimum=1)
    entries = ActivityLog.objects.filter(team_id=team_id, scope=scope).select_related("user").order_by("-created_at")
    if item_id is not None:
        entries = entries.filter(item_id=str(item_id))
    paginator = Paginator(entries, limit)
    try:
        page = paginator.page(page_number)
        results, has_next, has_previous = list(page.object_list), page.has_next(), page.has_previous()
    except EmptyPage:
        results, has_next, has_previous = [], False, page_number > 1
    url = request.build_absolute_uri()

    def link(number: int) -> str:
        return replace_query_param(replace_query_param(url, "page", number), "limit", limit)

    return Response(
        {
            "results": ActivityLogEntrySerializer(results, many=True).data,
            "next": link(page_number + 1) if has_next else None,
            "previous": link(min(page_number - 1, max(paginator.num_pages, 1))) if has_previous else None,
            "total_count": paginator.count,
        }
    )


class ActivityLogSerializer(serializers.ModelSerializer):
    user = UserBasicSerializer(read_only=True, allow_null=True)
    unread = serializers.SerializerMethodField()

    class Meta:
        model = ActivityLog
        exclude = ["team_id"]

    def get_unread(self, entry: ActivityLog) -> bool:
        # No per-user notification bookmark is stored, so nothing counts as unread.
        return False


class ActivityLogCursorPagination(pagination.CursorPagination):
    page_size = ACTIVITY_LOG_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = ACTIVITY_LOG_MAX_PAGE_SIZE
    ordering = "-created_at"


class ActivityLogPageNumberPagination(pagination.PageNumberPagination):
    page_size = ACTIVITY_LOG_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = ACTIVITY_LOG_MAX_PAGE_SIZE


class ActivityLogViewSet(mixins.ListModelMixin, ProjectScopedViewSet):
    """`/api/projects/:id/activity_log/`: every scope's entries for the project's teams."""

    scope_object = "activity_log"
    queryset = ActivityLog.objects.select_related("user")
    team_id_field = "team_id"  # ActivityLog keeps a bare team_id (no FK)
    serializer_class = ActivityLogSerializer
    pagination_class = ActivityLogCursorPagination  # what the OpenAPI schema shows; see `paginator`

    @extend_schema(
        parameters=[
            OpenApiParameter("page", OpenApiTypes.INT, description="1-based page number (page pagination)."),
            OpenApiParameter("ordering", OpenApiTypes.STR, enum=list(ORDERINGS)),
            OpenApiParameter("user", OpenApiTypes.UUID, description="Entries by this user (uuid)."),
            OpenApiParameter("scope", OpenApiTypes.STR, description="Entries of this scope, e.g. `Insight`."),
            OpenApiParameter("scopes", OpenApiTypes.STR, description="Comma-separated scopes."),
            OpenApiParameter("item_id", OpenApiTypes.STR),
        ]
    )
    def list(self, request, *args, **kwargs) -> Response:
        return super().list(request, *args, **kwargs)

    @property
    def paginator(self):
        if not hasattr(self, "_paginator"):
            if "page" in self.request.query_params:
                self._paginator = ActivityLogPageNumberPagination()
            else:
                self._paginator = ActivityLogCursorPagination()
                self._paginator.ordering = self.ordering()
        return self._paginator

    def ordering(self) -> str:
        ordering = self.request.query_params.get("ordering") or "-created_at"
        if ordering not in ORDERINGS:
            raise ValidationError({"ordering": [f"Ordering must be one of {', '.join(ORDERINGS)}."]})
        return ordering

    def filter_project_queryset(self, entries):
        params = self.request.query_params
        if params.get("user"):
            entries = entries.filter(user__uuid=_uuid_param(params["user"], "user"))
        # text_param: a NUL character is a 400 (PostgreSQL cannot compare it; it was a 500, found by the fuzz test).
        if scope := text_param(params, "scope"):
            entries = entries.filter(scope=scope)
        if scopes := text_param(params, "scopes"):
            entries = entries.filter(scope__in=[s.strip() for s in scopes.split(",") if s.strip()])
        if item_id := text_param(params, "item_id"):
            entries = entries.filter(item_id=item_id)
        ordering = self.ordering()
        return entries.order_by(ordering, "-id" if ordering.startswith("-") else "id")

    @extend_schema(
        responses=inline_serializer(
            "ImportantChangesResponse",
            {"results": ActivityLogSerializer(many=True), "last_read": serializers.DateTimeField(allow_null=True)},
        )
    )
    @action(methods=["get"], detail=False, required_scopes=["activity_log:read"], pagination_class=None)
    def important_changes(self, request, **kwargs) -> Response:
        """Up to 10 changes by other people to things the user created or changed, newest first.

        No notification bookmark is stored, so `last_read` is null and nothing counts as unread.
        """
        team_ids = list(Team.objects.filter(project_id=self.project_id).values_list("id", flat=True))
        entries = important_changes_for(request.user, team_ids)[:IMPORTANT_CHANGES_LIMIT]
        serializer = ActivityLogSerializer(entries, many=True, context=self.get_serializer_context())
        return Response({"results": serializer.data, "last_read": None})


def important_changes_for(user, team_ids: list[int]):
    """Entries by other (non-system) users on items the user created or has an entry for, newest first.

    "Created" is answered per scope by the owning apps' registrations (activity/created_items.py).
    """
    own_items = ActivityLog.objects.filter(
        team_id__in=team_ids, user=user, scope=OuterRef("scope"), item_id=OuterRef("item_id")
    )
    touched = Q(Exists(own_items))
    for scope, created_item_ids in created_items_by_scope().items():
        touched |= Q(scope=scope, item_id__in=created_item_ids(user, team_ids))
    return (
        ActivityLog.objects.filter(team_id__in=team_ids, user__isnull=False)
        .exclude(user=user)
        .filter(touched)
        .select_related("user")
        .order_by("-created_at", "-id")
    )


def _uuid_param(value: str, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValidationError({name: ["Must be a valid UUID."]}) from None
