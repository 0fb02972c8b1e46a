"""`/api/projects/:id/insights/` (and `/api/environments/:id/insights/`): the InsightViewSet (spec insights-api §3-7).

Actions parse input, resolve access, call one service/selector/runner and render. The list filters live in
`insights/selectors.py`, the other actions in `insights/api/actions.py`, the AI helpers in `insights/assistant/`.
"""

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from insights import assistant
from insights.access import access_insight_by_id_or_short_id, project_insights
from insights.api import actions
from insights.api import schema as docs
from insights.api.csv import CSVRenderer
from insights.api.serializers import (
    InsightBasicSerializer,
    InsightSerializer,
    InsightWriteSerializer,
    insight_render_queryset,
    is_mcp_request,
    is_runnable_insight_query,
)
from insights.dashboard_hooks import dashboard_hooks
from insights.models import Insight
from insights.refresh import refresh_mode, refresh_requested
from insights.results import insight_result, stored_or_converted_query
from insights.selectors import insight_list_filter
from insights.services import insight_create, insight_update
from insights_server.params import bool_param, json_param
from insights_server.routing import ProjectScopedViewSet
from insights_server.throttling import ClickHouseBurstRateThrottle, ClickHouseSustainedRateThrottle
from queries.schema import QueryValidationError, parse_query

AI_NOT_APPROVED = "AI data processing must be approved by your organization"
MISSING_QUERY = "Missing 'query' field in request body"
INVALID_QUERY_FORMAT = "Invalid query format"
DIRECT_QUERY_KINDS = ("ActorsQuery", "EventsQuery", "GroupsQuery")
READ = ["insight:read"]
WRITE = ["insight:write"]
ACTIVITY = ["activity_log:read"]


class InsightViewSet(ProjectScopedViewSet):
    scope_object = "insight"
    queryset = Insight.objects.all()
    serializer_class = InsightSerializer
    renderer_classes = [JSONRenderer, CSVRenderer]
    throttle_classes = [ClickHouseBurstRateThrottle, ClickHouseSustainedRateThrottle]
    lookup_value_regex = "[^/]+"
    # PostHog's insight views answer anonymous requests with 403 (its sharing authenticator comes first).
    sharing_enabled_actions = ("list", "retrieve")
    schema = docs.ProjectResourceSchema()

    # ---- helpers -------------------------------------------------------------------------------------

    def get_object(self) -> Insight:
        """By id or short_id within the project; a PATCH/PUT with `deleted: false` also finds deleted ones."""
        restoring = self.request.method in ("PATCH", "PUT") and self._body().get("deleted") is False
        return access_insight_by_id_or_short_id(self.team, self.kwargs["pk"], include_deleted=restoring)

    def _body(self) -> dict:
        data = self.request.data
        return data if isinstance(data, dict) else {}

    def _context(self, **extra) -> dict:
        return {**self.get_serializer_context(), "refresh_requested": refresh_requested(self.request), **extra}

    def _render(self, insight: Insight, status_code: int = 200) -> Response:
        insight = insight_render_queryset(project_insights(self.team, include_deleted=True)).get(pk=insight.pk)
        return Response(InsightSerializer(insight, context=self._context()).data, status=status_code)

    def _write_data(self, partial: bool) -> dict:
        # MCP clients get PostHog's stricter query normalisation on create and PATCH (not on PUT).
        mcp = is_mcp_request(self.request) and self.action in ("create", "partial_update")
        serializer = InsightWriteSerializer(data=self.request.data, partial=partial, context=self._context(mcp=mcp))
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _dashboard_context(self, insight: Insight) -> dict:
        """The dashboard context of a retrieve (§5.8): `from_dashboard`'s tile, and the three overrides."""
        params = self.request.query_params
        overrides = ("filters_override", "variables_override", "tile_filters_override")
        context = {name: json_param(params, name) for name in overrides}
        dashboard_id = params.get("from_dashboard")
        if dashboard_id and dashboard_id.isdigit():
            context.update(dashboard_hooks().tile_context(insight, int(dashboard_id)))
        return context

    # ---- CRUD ----------------------------------------------------------------------------------------

    @extend_schema(parameters=docs.LIST_PARAMETERS, responses=docs.InsightSchemaSerializer(many=True))
    def list(self, request, *args, **kwargs) -> Response:
        queryset = insight_list_filter(self.get_queryset(), request.query_params, self.team, request.user)
        page = self.paginate_queryset(insight_render_queryset(queryset))
        assert page is not None  # the list is always paginated (pagination_class)
        if bool_param(request.query_params, "basic"):
            return self.get_paginated_response(InsightBasicSerializer(page, many=True, context=self._context()).data)
        mode = refresh_mode(request)
        client_query_id = request.query_params.get("client_query_id")
        results = {
            insight.id: insight_result(
                insight, self.team, mode=mode, raise_exposed_errors=False, client_query_id=client_query_id
            )
            for insight in page
        }
        context = self._context(insight_results=results)
        return self.get_paginated_response(InsightSerializer(page, many=True, context=context).data)

    @extend_schema(request=docs.InsightSchemaSerializer, responses={201: docs.InsightSchemaSerializer})
    def create(self, request, *args, **kwargs) -> Response:
        insight = insight_create(team=self.team, user=request.user, data=self._write_data(partial=False))
        return self._render(insight, status.HTTP_201_CREATED)

    @extend_schema(parameters=docs.RETRIEVE_PARAMETERS, responses=docs.InsightSchemaSerializer)
    def retrieve(self, request, *args, **kwargs) -> Response:
        # One fetch with the rendering prefetches (computing the result does not change the row).
        insight = access_insight_by_id_or_short_id(
            self.team, self.kwargs["pk"], queryset=insight_render_queryset(project_insights(self.team))
        )
        self.check_object_permissions(request, insight)  # a share token reaches only what it shares
        if bool_param(request.query_params, "basic"):
            return Response(InsightBasicSerializer(insight, context=self._context()).data)
        dashboard_context = self._dashboard_context(insight)
        result = insight_result(
            insight,
            self.team,
            mode=refresh_mode(request),
            client_query_id=request.query_params.get("client_query_id"),
            **dashboard_context,
        )
        context = self._context(insight_results={insight.id: result}, **dashboard_context)
        return Response(InsightSerializer(insight, context=context).data)

    @extend_schema(
        parameters=[docs.ID_PARAMETER], request=docs.InsightSchemaSerializer, responses=docs.InsightSchemaSerializer
    )
    def update(self, request, *args, **kwargs) -> Response:
        insight = self.get_object()
        data = self._write_data(partial=kwargs.get("partial", False))
        insight = insight_update(insight, team=self.team, user=request.user, data=data)
        return self._render(insight)

    @extend_schema(
        parameters=[docs.ID_PARAMETER], request=docs.InsightSchemaSerializer, responses=docs.InsightSchemaSerializer
    )
    def partial_update(self, request, *args, **kwargs) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(
        description='Hard delete of this model is not allowed. Use a patch API call to set "deleted" to true',
        parameters=[docs.ID_PARAMETER],
        responses={405: OpenApiResponse(description="Hard delete is not allowed.")},
    )
    def destroy(self, request, *args, **kwargs) -> Response:
        """Hard delete is not allowed: soft delete with PATCH `{"deleted": true}` (spec §3.8)."""
        return Response(status=status.HTTP_405_METHOD_NOT_ALLOWED)

    # ---- actions of insights/api/actions.py --------------------------------------------------------------
    # As in PostHog, actions without `required_scopes` (bulk_update_tags, cancel, my_last_viewed, analyze,
    # suggestions) are not open to personal API keys: "This action does not support Personal API Key access".

    @extend_schema(request=docs.BULK_UPDATE_TAGS_REQUEST, responses=docs.BULK_UPDATE_TAGS_RESPONSE)
    @action(methods=["post"], detail=False)
    def bulk_update_tags(self, request, **kwargs) -> Response:
        return actions.bulk_update_tags(self, request, **kwargs)

    @extend_schema(request=docs.CANCEL_REQUEST, responses={201: OpenApiResponse(description="No response body")})
    @action(methods=["post"], detail=False)
    def cancel(self, request, **kwargs) -> Response:
        return actions.cancel(self, request, **kwargs)

    @extend_schema(responses=docs.InsightBasicSchemaSerializer(many=True))
    @action(methods=["get"], detail=False, pagination_class=None)
    def my_last_viewed(self, request, **kwargs) -> Response:
        return actions.my_last_viewed(self, request, **kwargs)

    @extend_schema(parameters=docs.TRENDING_PARAMETERS, responses=docs.TRENDING_RESPONSE)
    @action(methods=["get"], detail=False, required_scopes=READ, pagination_class=None)
    def trending(self, request, **kwargs) -> Response:
        return actions.trending(self, request, **kwargs)

    @extend_schema(request=docs.VIEWED_REQUEST, responses={201: OpenApiResponse(description="No response body")})
    @action(methods=["post"], detail=False, required_scopes=READ)
    def viewed(self, request, **kwargs) -> Response:
        return actions.viewed(self, request, **kwargs)

    @extend_schema(parameters=docs.ACTIVITY_PARAMETERS, responses=docs.ACTIVITY_RESPONSE)
    @action(methods=["get"], detail=False, url_path="activity", required_scopes=ACTIVITY, pagination_class=None)
    def all_activity(self, request, **kwargs) -> Response:
        return actions.activity(self, request, **kwargs)

    @extend_schema(
        parameters=[docs.ID_PARAMETER, *docs.ACTIVITY_PARAMETERS],
        responses={200: docs.ACTIVITY_RESPONSE, 404: OpenApiResponse(description="No such insight (no body).")},
    )
    @action(methods=["get"], detail=True, url_path="activity", required_scopes=ACTIVITY, pagination_class=None)
    def activity(self, request, **kwargs) -> Response:
        return actions.insight_activity(self, request, **kwargs)

    # ---- AI-style actions (insights/assistant/; an LLM only when settings.INSIGHTS_LLM_URL is set) -------

    def _require_ai_approval(self) -> None:
        """Data leaves the machine only with an LLM configured: then the organization must have approved it."""
        if getattr(settings, "INSIGHTS_LLM_URL", None) and not self.team.organization.is_ai_data_processing_approved:
            raise PermissionDenied(AI_NOT_APPROVED)

    @extend_schema(request=docs.GENERATE_METADATA_REQUEST, responses=docs.GENERATE_METADATA_RESPONSE)
    @action(methods=["post"], detail=False, required_scopes=WRITE)
    def generate_metadata(self, request, **kwargs) -> Response:
        self._require_ai_approval()
        query = self._body().get("query")
        if query is None:
            raise ValidationError(MISSING_QUERY)
        if not isinstance(query, dict):
            raise ValidationError(INVALID_QUERY_FORMAT)
        try:
            node = parse_query(query if query.get("kind") in DIRECT_QUERY_KINDS else self._as_viz(query))
        except QueryValidationError:
            raise ValidationError(INVALID_QUERY_FORMAT) from None
        if node.kind not in (*DIRECT_QUERY_KINDS, "InsightVizNode"):
            raise ValidationError(INVALID_QUERY_FORMAT)
        try:
            return Response(assistant.generate_metadata(query))
        except ValueError:
            raise ValidationError(INVALID_QUERY_FORMAT) from None

    @staticmethod
    def _as_viz(query: dict) -> dict:
        return query if query.get("kind") == "InsightVizNode" else {"kind": "InsightVizNode", "source": query}

    def _cached_response(self, insight: Insight) -> dict | None:
        result = insight_result(insight, self.team, mode="force_cache", raise_exposed_errors=False)
        return {**result, "results": result["result"]} if result.get("result") is not None else None

    @extend_schema(parameters=[docs.ID_PARAMETER], responses=docs.ANALYZE_RESPONSE)
    @action(methods=["get"], detail=True)
    def analyze(self, request, **kwargs) -> Response:
        self._require_ai_approval()
        insight = self.get_object()
        query = stored_or_converted_query(insight)
        if not is_runnable_insight_query(query):
            return Response({"result": ""})
        return Response({"result": assistant.analyze(query, self._cached_response(insight))})

    @extend_schema(
        parameters=[docs.ID_PARAMETER], request=docs.SUGGESTIONS_REQUEST, responses=docs.SUGGESTIONS_RESPONSE
    )
    @action(methods=["get", "post"], detail=True, pagination_class=None)
    def suggestions(self, request, **kwargs) -> Response:
        self._require_ai_approval()
        insight = self.get_object()
        query = stored_or_converted_query(insight)
        if not is_runnable_insight_query(query):
            return Response([])
        context = self._body().get("context") if request.method == "POST" else None
        return Response(assistant.suggestions(query, self._cached_response(insight), context=context))
