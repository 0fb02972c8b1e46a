"""`POST /api/projects/:id/query/`: run any supported query node for the project."""

from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from insights_server.exceptions import ServiceUnavailable
from insights_server.routing import ProjectScopedViewSet
from insights_server.throttling import ClickHouseBurstRateThrottle, ClickHouseSustainedRateThrottle
from queries.clickhouse.client import ClickHouseQueryError, ClickHouseUnavailable
from queries.hogql.errors import ExposedHogQLError
from queries.runners.registry import get_runner
from queries.schema import QueryValidationError, parse_query_request


def clickhouse_error_code(error: ClickHouseQueryError) -> str:
    """`ILLEGAL_TYPE_OF_ARGUMENT` style names from ClickHouse messages, lower-cased; a generic code otherwise."""
    text = str(error)
    if text.rstrip().endswith(")") and "(" in text:
        name = text.rstrip()[:-1].rsplit("(", 1)[1]
        if name.replace("_", "").isalnum() and name.isupper():
            return name.lower()
    return "clickhouse_error"


def run_query(query, team, refresh) -> dict:
    """Runs a validated query node; HogQL and ClickHouse errors become PostHog-shaped API errors."""
    try:
        return get_runner(query, team).run(refresh)
    except ExposedHogQLError as error:
        raise ValidationError(error.message, code=error.code) from error
    except ClickHouseUnavailable as error:
        raise ServiceUnavailable("The query engine is unavailable. Try again later.") from error
    except ClickHouseQueryError as error:
        message = str(error).split("\n", 1)[0]
        raise ValidationError(message, code=clickhouse_error_code(error)) from error


class QueryViewSet(ProjectScopedViewSet):
    scope_object = "query"
    # POST /query/ only reads data: it needs `query:read`.
    scope_object_read_actions = ("retrieve", "create", "list", "destroy")
    scope_object_write_actions = ()
    sharing_enabled_actions = ("retrieve",)
    throttle_classes = [ClickHouseBurstRateThrottle, ClickHouseSustainedRateThrottle]

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT})
    def create(self, request, *args, **kwargs) -> Response:
        if not isinstance(request.data, dict):
            raise ValidationError("The request body must be a JSON object.")
        try:
            query_request = parse_query_request(request.data)
        except QueryValidationError as error:
            raise ValidationError({error.attr: [error.detail]} if error.attr else error.detail) from error
        return Response(run_query(query_request.query, self.team, query_request.refresh))
