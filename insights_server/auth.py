"""Authentication: personal API keys (header, body, query string) and Django sessions."""

import re
from datetime import timedelta

from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from insights_server import access_cache
from insights_server.models import PersonalAPIKey, User
from insights_server.request_context import mark_api_key_request
from insights_server.tokens import hash_key_value

BEARER_PATTERN = re.compile(r"^Bearer\s+(\S.+)$")
# OAuth access tokens share the Bearer header; they are not personal API keys.
OAUTH_TOKEN_PREFIX = "pha_"
LAST_USED_REFRESH = timedelta(hours=1)


def find_key_with_source(request: Request) -> tuple[str, str] | None:
    """The first personal API key candidate in the request and where it was found, or None.

    Order: `Authorization: Bearer`, then the `personal_api_key` body field, then the query string.
    """
    header = request.META.get("HTTP_AUTHORIZATION", "")
    match = BEARER_PATTERN.match(header)
    if match:
        token = match.group(1).strip()
        if not token.startswith(OAUTH_TOKEN_PREFIX):
            return token, "Authorization header"
    # Only JSON bodies carry a key. A malformed body raises ParseError here, which answers 400 `parse_error`
    # (swallowing it would leave request.data empty for the view and silently drop the client's input).
    if request.method in ("POST", "PUT", "PATCH") and request.content_type.startswith("application/json"):
        data = request.data
        if isinstance(data, dict) and isinstance(data.get("personal_api_key"), str):
            return data["personal_api_key"], "body"
    value = request.query_params.get("personal_api_key")
    if value:
        return value, "query string"
    return None


def personal_api_key_by_value(value: str) -> PersonalAPIKey | None:
    """The key with this secret value whose owner is active, or None (per-process cache: access_cache)."""
    secure_value = hash_key_value(value)
    return access_cache.lookup(
        ("personal_api_key", secure_value),
        lambda: (
            PersonalAPIKey.objects.select_related("user")
            .filter(secure_value=secure_value, user__is_active=True)
            .first()
        ),
    )


class PersonalAPIKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, PersonalAPIKey] | None:
        found = find_key_with_source(request)
        if found is None:
            return None
        value, source = found
        key = personal_api_key_by_value(value)
        if key is None:
            raise exceptions.AuthenticationFailed(f"Personal API key found in request {source} is invalid.")
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_REFRESH:
            # Not an access change (no generation bump); this process reloads the key once to see the new time.
            PersonalAPIKey.objects.filter(pk=key.pk).update(last_used_at=now)
            access_cache.forget(("personal_api_key", key.secure_value))
            key.last_used_at = now
        mark_api_key_request()
        return key.user, key

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class SessionAuthentication(authentication.SessionAuthentication):
    """Django session cookie; CSRF is enforced on unsafe methods (DRF's behaviour)."""


def authenticated_key(request: Request) -> PersonalAPIKey | None:
    """The personal API key the request was authenticated with, if any."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, PersonalAPIKey) else None
