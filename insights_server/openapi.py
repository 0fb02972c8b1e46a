"""OpenAPI: our authenticators, the error responses every operation documents, and the project path parameter's name.

`ErrorDocumentingAutoSchema` (the default schema class) adds PostHog's error shape, the shared `ErrorResponse`
component, under each status code an operation can answer (see `error_status_codes`).
"""

import re

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from insights_server.throttling import ClickHouseBurstRateThrottle, ClickHouseSustainedRateThrottle

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH"})
ERROR_DESCRIPTIONS = {
    400: "Invalid input: a validation error, unparsable JSON or an invalid parameter.",
    401: "Not authenticated, or the personal API key is invalid.",
    403: "Forbidden: not a member of the project, a missing API-key scope, or a CSRF failure.",
    404: "Not found (answered alike for missing and for not yours).",
    405: "Method not allowed.",
    409: "Conflict with the current state, e.g. a project name already taken.",
    413: "The request body is larger than the server accepts.",
    429: "Throttled: the personal API key's rate limit is exhausted (see Retry-After).",
    503: "ClickHouse (or the query status store) is unavailable; try again later.",
}
CLICKHOUSE_THROTTLES = (ClickHouseBurstRateThrottle, ClickHouseSustainedRateThrottle)


class ErrorResponseSerializer(serializers.Serializer):
    """PostHog's error body: one flat object whatever the status."""

    type = serializers.CharField(help_text="validation_error, authentication_error, invalid_request, ...")
    code = serializers.CharField(help_text="A machine-readable code, e.g. invalid_input, not_found, throttled.")
    detail = serializers.CharField(help_text="A human-readable message.")
    attr = serializers.CharField(allow_null=True, help_text="The offending field (nested with __), or null.")


class ErrorDocumentingAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema plus the error responses of each operation (`ErrorResponse` bodies).

    A view may list extra codes per action in `openapi_error_codes` (`{"retrieve": [400]}`) and mark itself
    `clickhouse_backed` when it reads ClickHouse without the ClickHouse throttles that otherwise say so.
    """

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self.error_status_codes():
            # A response the view documents itself (e.g. a bodiless 405 for DELETE) wins.
            responses.setdefault(
                str(code),
                self._get_response_for_code(
                    OpenApiResponse(ErrorResponseSerializer, description=ERROR_DESCRIPTIONS[code]), str(code)
                ),
            )
        return dict(sorted(responses.items()))

    def error_status_codes(self) -> list[int]:
        """Which error statuses this operation can answer.

        400 for writes, reads that take query parameters and non-integer path lookups; 401 and 403 wherever a
        request is authenticated; 404 on any path with a parameter (a detail or a project-scoped route); 413 for
        request bodies; 429 for throttled views; 503 for ClickHouse-backed views; plus the view's own extras.
        """
        view, method = self.view, self.method
        parameters = self._get_parameters()
        codes = set()
        if (
            method in WRITE_METHODS
            or any(parameter["in"] == "query" for parameter in parameters)
            or any(
                parameter["in"] == "path"
                and parameter["schema"].get("type") != "integer"
                and parameter["name"] not in ("team_id", "project_id", "environment_id")
                for parameter in parameters
            )
        ):
            codes.add(400)
        if view.get_authenticators():
            codes.update((401, 403))
        if "{" in self.path:
            codes.add(404)
        if method in WRITE_METHODS:
            codes.add(413)
        throttles = view.get_throttles()
        if throttles:
            codes.add(429)
        if getattr(view, "clickhouse_backed", False) or any(isinstance(t, CLICKHOUSE_THROTTLES) for t in throttles):
            codes.add(503)
        extra = getattr(view, "openapi_error_codes", {})
        codes.update(extra.get(getattr(view, "action", None), ()))
        return sorted(codes)


class PersonalAPIKeyScheme(OpenApiAuthenticationExtension):
    target_class = "insights_server.auth.PersonalAPIKeyAuthentication"
    name = "PersonalAPIKeyAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A personal API key (phx_...)."}


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "insights_server.auth.SessionAuthentication"
    name = "CookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}


PREFIX_PARAMETERS = {"projects": "project_id", "environments": "environment_id"}
TEAM_PARAMETER = re.compile(r"^/api/(projects|environments)/\{team_id\}/")


def name_project_path_parameters(result, generator, request, public):
    """Post-processing hook: `/api/projects/{project_id}/...` and `/api/environments/{environment_id}/...`.

    The URL keyword stays `team_id` inside the server; only the published schema uses PostHog's names, so clients
    generated from it name their arguments as PostHog's do.
    """
    paths = {}
    for path, operations in result.get("paths", {}).items():
        match = TEAM_PARAMETER.match(path)
        if not match:
            paths[path] = operations
            continue
        name = PREFIX_PARAMETERS[match.group(1)]
        paths[path.replace("{team_id}", "{" + name + "}", 1)] = operations
        for operation in operations.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") == "path" and parameter.get("name") == "team_id":
                    parameter["name"] = name
    result["paths"] = paths
    return result
