"""OpenAPI descriptions of our authenticators, and a schema hook naming the project path parameter as PostHog does."""

import re

from drf_spectacular.extensions import OpenApiAuthenticationExtension


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
