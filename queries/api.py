"""`/api/projects/:id/query/`: run any supported query node (POST), and follow or cancel async ones (GET, DELETE)."""

from typing import get_args

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from insights_server.params import bool_param
from insights_server.routing import ProjectScopedViewSet
from insights_server.throttling import ClickHouseBurstRateThrottle, ClickHouseSustainedRateThrottle, HogQLQueryThrottle
from queries.execution.modes import query_endpoint_mode, response_status
from queries.execution.queue import cancel_query
from queries.execution.status import get_status
from queries.overrides import apply_filters_override, apply_variables_override
from queries.runners.registry import INTERFACE_NODES, RUNNERS, get_runner, runnable
from queries.schema import RefreshType, parse_query_request
from queries.timestamps import response_with_utc_z, status_with_utc_z

# The request body as OpenAPI sees it: the query node's `kind` is one the registry runs (its other fields are
# validated by the pydantic node, answered 400 when invalid); examples give clients and fuzzers a working query.
QUERY_REQUEST = {
    "type": "object",
    "required": ["query"],
    "properties": {
        "query": {
            "type": "object",
            "required": ["kind"],
            "properties": {"kind": {"type": "string", "enum": sorted({*RUNNERS, *INTERFACE_NODES})}},
            "additionalProperties": True,
        },
        "refresh": {"type": "string", "enum": list(get_args(RefreshType)), "default": "blocking"},
        "client_query_id": {"type": "string", "nullable": True},
        "filters_override": {"type": "object", "nullable": True, "additionalProperties": True},
        "variables_override": {"type": "object", "nullable": True, "additionalProperties": True},
        "name": {"type": "string", "nullable": True, "maxLength": 128},
    },
}
QUERY_EXAMPLES = [
    OpenApiExample(
        "Trends",
        request_only=True,
        value={
            "query": {
                "kind": "TrendsQuery",
                "series": [{"kind": "EventsNode", "event": "$pageview", "math": "total"}],
                "dateRange": {"date_from": "-7d"},
            }
        },
    ),
    OpenApiExample(
        "HogQL",
        request_only=True,
        value={"query": {"kind": "HogQLQuery", "query": "select event, count() from events group by event"}},
    ),
]


class QueryViewSet(ProjectScopedViewSet):
    scope_object = "query"
    # Running a query only reads data: POST /query/ needs `query:read`.
    scope_object_read_actions = ("retrieve", "create", "list", "destroy")
    scope_object_write_actions = ()
    sharing_enabled_actions = ("retrieve",)
    throttle_classes = [ClickHouseBurstRateThrottle, ClickHouseSustainedRateThrottle]
    lookup_value_regex = "[^/]+"

    def get_throttles(self):
        """PostHog's choice: HogQL bodies get the HogQL throttle alone, every other query the ClickHouse pair."""
        query = (
            self.request.data.get("query") if self.action == "create" and isinstance(self.request.data, dict) else None
        )
        if isinstance(query, dict) and query.get("kind") == "HogQLQuery":
            return [HogQLQueryThrottle()]
        return super().get_throttles()

    @extend_schema(
        request={"application/json": QUERY_REQUEST},
        responses={200: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT},
        examples=QUERY_EXAMPLES,
    )
    def create(self, request, *args, **kwargs) -> Response:
        query_request = parse_query_request(request.data)
        mode = query_endpoint_mode(query_request.refresh, getattr(query_request, "async_", None))
        query = apply_variables_override(
            apply_filters_override(runnable(query_request.query), query_request.filters_override),
            query_request.variables_override,
        )
        response = get_runner(query, self.team).run(mode, query_request.client_query_id)
        return Response(response_with_utc_z(response), status=response_status(response))

    @extend_schema(
        parameters=[OpenApiParameter("id", str, OpenApiParameter.PATH)], responses={200: OpenApiTypes.OBJECT}
    )
    def retrieve(self, request, *args, **kwargs) -> Response:
        query_id = kwargs["pk"]
        status = get_status(self.team.id, query_id)
        if status is None:
            raise NotFound(f"Query {query_id} not found for team {self.team.id}")
        if not status.get("complete"):
            code = 202
        elif status.get("error"):
            code = 400 if status.get("error_message") else 500
        else:
            code = 200
        return Response({"query_status": status_with_utc_z(status)}, status=code)

    @extend_schema(
        parameters=[OpenApiParameter("id", str, OpenApiParameter.PATH)], responses={200: OpenApiTypes.OBJECT}
    )
    def destroy(self, request, *args, **kwargs) -> Response:
        dequeue_only = bool_param(request.query_params, "dequeue_only")
        message = cancel_query(self.team.id, kwargs["pk"], dequeue_only=dequeue_only)
        return Response({"message": message})
