"""`/api/projects/:id/query/`: run any supported query node (POST), and follow or cancel async ones (GET, DELETE)."""

import re

from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.response import Response

from insights_server.exceptions import ServiceUnavailable
from insights_server.routing import ProjectScopedViewSet
from insights_server.throttling import ClickHouseBurstRateThrottle, ClickHouseSustainedRateThrottle
from queries.async_queries import cancel_query
from queries.clickhouse.client import ClickHouseQueryError, ClickHouseUnavailable
from queries.execution import query_endpoint_mode, response_status
from queries.hogql.errors import ExposedHogQLError
from queries.overrides import apply_filters_override, apply_variables_override
from queries.query_status import QueryStatusUnavailable, get_status
from queries.runners.registry import get_runner, runnable
from queries.schema import QueryValidationError, parse_query_request
from queries.timestamps import response_with_utc_z, status_with_utc_z


def clickhouse_error_code(error: ClickHouseQueryError) -> str:
    """`ILLEGAL_TYPE_OF_ARGUMENT` style names from ClickHouse messages, lower-cased; a generic code otherwise."""
    text = str(error).split("\n", 1)[0].rstrip()
    if text.endswith(")") and "(" in text:
        name = text[:-1].rsplit("(", 1)[1]
        if name.replace("_", "").isalnum() and name.isupper():
            return name.lower()
    return "clickhouse_error"


CLICKHOUSE_MESSAGE = re.compile(
    r"^(?:Code: \d+\. )?(?:DB::Exception: )*(?P<message>.*?)"
    r"(?:: In scope .*|: while executing .*)?(?: \((?P<name>[A-Z_]+)\))?$"
)


def clickhouse_message(error: ClickHouseQueryError) -> str:
    """The ClickHouse error without its code prefix and the printed SQL it quotes (internals, not the user's text)."""
    first_line = str(error).split("\n", 1)[0].strip()
    match = CLICKHOUSE_MESSAGE.match(first_line)
    return (match.group("message") if match else first_line).rstrip(". ") + "."


def user_safe_error_message(error: Exception) -> str | None:
    """The message of an error a user may see (their query's fault), else None."""
    if isinstance(error, ExposedHogQLError):
        return error.message
    if isinstance(error, ClickHouseQueryError):
        return clickhouse_message(error)
    if isinstance(error, QueryValidationError):
        return error.detail
    if isinstance(error, ValidationError):
        return str(error.detail[0] if isinstance(error.detail, list) else error.detail)
    return None


def run_query(query, team, mode: str, query_id: str | None = None) -> dict:
    """Runs a validated query node; HogQL and ClickHouse errors become PostHog-shaped API errors."""
    try:
        return get_runner(query, team).run(mode, query_id)
    except ExposedHogQLError as error:
        raise ValidationError(error.message, code=error.code) from error
    except ClickHouseUnavailable as error:
        raise ServiceUnavailable("The query engine is unavailable. Try again later.") from error
    except QueryStatusUnavailable as error:
        raise ServiceUnavailable(
            "Asynchronous queries are unavailable right now. Try again, or use refresh=blocking."
        ) from error
    except ClickHouseQueryError as error:
        raise ValidationError(user_safe_error_message(error), code=clickhouse_error_code(error)) from error


class QueryViewSet(ProjectScopedViewSet):
    scope_object = "query"
    # Running a query only reads data: POST /query/ needs `query:read`.
    scope_object_read_actions = ("retrieve", "create", "list", "destroy")
    scope_object_write_actions = ()
    sharing_enabled_actions = ("retrieve",)
    throttle_classes = [ClickHouseBurstRateThrottle, ClickHouseSustainedRateThrottle]
    lookup_value_regex = "[^/]+"

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT})
    def create(self, request, *args, **kwargs) -> Response:
        if not isinstance(request.data, dict):
            raise ValidationError("The request body must be a JSON object.")
        try:
            query_request = parse_query_request(request.data)
        except QueryValidationError as error:
            raise ValidationError({error.attr: [error.detail]} if error.attr else error.detail) from error
        mode = query_endpoint_mode(query_request.refresh, getattr(query_request, "async_", None))
        query = apply_variables_override(
            apply_filters_override(runnable(query_request.query), query_request.filters_override),
            query_request.variables_override,
        )
        response = run_query(query, self.team, mode, query_request.client_query_id)
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
        dequeue_only = request.query_params.get("dequeue_only", "").lower() in ("1", "true")
        try:
            message = cancel_query(self.team.id, kwargs["pk"], dequeue_only=dequeue_only)
        except ClickHouseUnavailable as error:
            raise APIException("The query engine is unavailable.") from error
        return Response({"message": message})
