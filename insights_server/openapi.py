"""OpenAPI descriptions of our authenticators, so the schema shows how to authenticate."""

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
