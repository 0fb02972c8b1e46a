"""`/api/projects/:id/event_definitions/` and `/property_definitions/`: list, retrieve, update, delete, and the
look-ups agent tools use (`by_name`, `seen_together`)."""

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import IntegerField
from rest_framework.utils.urls import remove_query_param, replace_query_param

from definitions.api.params import (
    PROPERTY_TYPES,
    EventDefinitionListParams,
    PropertyDefinitionListParams,
    SeenTogetherParams,
    event_names_param,
    orderings_param,
)
from definitions.api.serializers import EventDefinitionSerializer, PropertyDefinitionSerializer
from definitions.api.typescript import typescript_module
from definitions.models import EventDefinition, EventProperty, PropertyDefinition
from definitions.selectors import (
    event_definitions_filter,
    property_definitions_filter,
    seen_together,
    virtual_properties,
)
from definitions.services import definition_delete, event_definition_update, property_definition_update
from insights_server.pagination import LimitOffsetPagination
from insights_server.routing import ProjectScopedViewSet


def validated(serializer_class, params) -> dict:
    serializer = serializer_class(data=params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class EventDefinitionViewSet(
    ProjectScopedViewSet,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
):
    # Query parameters are validated (400); the fuzz test holds the schema to it.
    openapi_error_codes = {
        action: [400] for action in ("list", "retrieve", "metrics", "seen_together", "update", "partial_update")
    }
    scope_object = "event_definition"
    queryset = EventDefinition.objects.select_related("owner", "updated_by", "verified_by")
    serializer_class = EventDefinitionSerializer

    def filter_project_queryset(self, queryset: QuerySet) -> QuerySet:
        if self.action != "list":
            return queryset
        params = validated(EventDefinitionListParams, self.request.query_params)
        return event_definitions_filter(queryset, params, orderings_param(self.request.query_params))

    def perform_create(self, serializer) -> None:
        # Defined by hand, not seen: neither created nor last seen by capture yet.
        serializer.save(team=self.team, project_id=self.project_id, created_at=None, last_seen_at=None, updated_by=None)

    def perform_update(self, serializer) -> None:
        event_definition_update(serializer.instance, serializer.validated_data, self.request.user)

    def perform_destroy(self, instance: EventDefinition) -> None:
        definition_delete(instance)

    @extend_schema(parameters=[OpenApiParameter("name", OpenApiTypes.STR, required=True)])
    @action(methods=["get"], detail=False, required_scopes=["event_definition:read"])
    def by_name(self, request, *args, **kwargs) -> Response:
        definition = self.get_queryset().filter(name=request.query_params.get("name", "")).first()
        if definition is None:
            raise NotFound()
        return Response(self.get_serializer(definition).data)

    @extend_schema(responses=inline_serializer("EventDefinitionMetrics", {"query_usage_30_day": IntegerField()}))
    @action(methods=["get"], detail=True, required_scopes=["event_definition:read"])
    def metrics(self, request, *args, **kwargs) -> Response:
        self.get_object()
        # No usage counters are kept: no insight view is counted per event yet.
        return Response({"query_usage_30_day": 0})

    @extend_schema(responses={(200, "text/plain"): OpenApiTypes.STR})
    @action(methods=["get"], detail=False, required_scopes=["event_definition:read"], pagination_class=None)
    def typescript(self, request, *args, **kwargs) -> HttpResponse:
        events = self.get_queryset().exclude(hidden=True).order_by("name")
        properties = EventProperty.objects.filter(project_id=self.project_id).order_by("property")
        body = typescript_module(events.values_list("name", flat=True), properties.values_list("event", "property"))
        return HttpResponse(body, content_type="text/plain; charset=utf-8")


class PropertyDefinitionPagination(LimitOffsetPagination):
    """Limit/offset over the stored rows, then the virtual properties after the last stored one (count has both)."""

    # Optional in DRF; paginate_with_virtual sets each before a link is built.
    request: Request
    limit: int
    offset: int
    count: int

    def paginate_with_virtual(self, queryset: QuerySet, virtual: list[dict], request: Request) -> tuple[list, int]:
        limit = self.get_limit(request)
        assert limit is not None  # None only without a default_limit, and ours is 100
        self.request = request
        self.limit = limit
        self.offset = self.get_offset(request)
        stored_count = queryset.count()
        self.count = stored_count + len(virtual)
        end = self.offset + self.limit
        rows: list = list(queryset[self.offset : end]) if self.offset < stored_count else []
        if end > stored_count:
            rows += virtual[max(self.offset - stored_count, 0) : end - stored_count]
        return rows, self.count

    def get_next_link(self) -> str | None:
        if self.offset + self.limit >= self.count:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(replace_query_param(url, "limit", self.limit), "offset", self.offset + self.limit)

    def get_previous_link(self) -> str | None:
        if self.offset <= 0:
            return None
        url = replace_query_param(self.request.build_absolute_uri(), "limit", self.limit)
        if self.offset - self.limit <= 0:
            return remove_query_param(url, "offset")
        return replace_query_param(url, "offset", self.offset - self.limit)


class PropertyDefinitionViewSet(
    ProjectScopedViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
):
    # Query parameters are validated (400); the fuzz test holds the schema to it.
    openapi_error_codes = {
        action: [400] for action in ("list", "retrieve", "metrics", "seen_together", "update", "partial_update")
    }
    scope_object = "property_definition"
    queryset = PropertyDefinition.objects.select_related("owner", "updated_by", "verified_by")
    serializer_class = PropertyDefinitionSerializer
    pagination_class = PropertyDefinitionPagination

    def list_params(self) -> dict:
        if not hasattr(self, "_list_params"):
            params = validated(PropertyDefinitionListParams, self.request.query_params)
            self._list_params = {**params, "type_value": PROPERTY_TYPES[params["type"]]}
        return self._list_params

    def filter_project_queryset(self, queryset: QuerySet) -> QuerySet:
        if self.action != "list":
            return queryset
        return property_definitions_filter(queryset, self.list_params())

    def list(self, request, *args, **kwargs) -> Response:
        queryset = self.get_queryset()
        virtual = virtual_properties(self.list_params())
        paginator = self.paginator
        assert isinstance(paginator, PropertyDefinitionPagination)  # pagination_class
        rows, _ = paginator.paginate_with_virtual(queryset, virtual, request)
        stored = [row for row in rows if isinstance(row, PropertyDefinition)]
        shown = iter(self.get_serializer(stored, many=True).data)
        results = [next(shown) if isinstance(row, PropertyDefinition) else row for row in rows]
        return paginator.get_paginated_response(results)

    def perform_update(self, serializer) -> None:
        property_definition_update(serializer.instance, serializer.validated_data, self.request.user)

    def perform_destroy(self, instance: PropertyDefinition) -> None:
        definition_delete(instance)

    @extend_schema(
        parameters=[
            SeenTogetherParams,
            OpenApiParameter("event_names", OpenApiTypes.STR, many=True, description="Event names (or a JSON array)."),
        ],
        responses={200: {"type": "object", "additionalProperties": {"type": "boolean"}}},
    )
    @action(methods=["get"], detail=False, required_scopes=["property_definition:read"], pagination_class=None)
    def seen_together(self, request, *args, **kwargs) -> Response:
        params = validated(SeenTogetherParams, request.query_params)
        try:
            event_names = event_names_param(request.query_params)
        except ValidationError as error:
            raise ValidationError({"event_names": error.detail}) from None
        pairs = EventProperty.objects.filter(project_id=self.project_id)
        return Response(seen_together(pairs, event_names, params["property_name"]), status=status.HTTP_200_OK)
