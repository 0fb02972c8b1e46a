"""OpenAPI: the share-token authenticator documented as an API-key query parameter (`sharing_access_token`)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class SharingAccessTokenScheme(OpenApiAuthenticationExtension):
    target_class = "sharing.auth.SharingAccessTokenAuthentication"
    name = "SharingAccessToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "query", "name": "sharing_access_token"}
