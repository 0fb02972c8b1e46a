"""The signed, short-lived token a correct share password earns (spec sharing §1.4.4): a JWT (HS256) for one share,
valid 24 hours, revoked with its password or when the share's token rotates past it."""

from datetime import UTC, datetime, timedelta

import jwt
from django.conf import settings

from sharing.models import SharePassword, SharingConfiguration

AUDIENCE = "posthog:sharing_password_protected"
LIFETIME = timedelta(hours=24)
COOKIE_NAME = "posthog_sharing_token"


def share_token_for(config: SharingConfiguration, password: SharePassword) -> str:
    payload = {
        "share_password_id": password.id,
        "team_id": config.team_id,
        "access_token": config.access_token,
        "aud": AUDIENCE,
        "exp": datetime.now(UTC) + LIFETIME,
    }
    return jwt.encode(payload, settings.SECRET_KEY, algorithm="HS256")


def share_token_grants(token: str | None, config: SharingConfiguration) -> bool:
    """Whether `token` unlocks this share: a valid JWT of ours for this very share, its password still active."""
    if not token:
        return False
    try:
        payload = jwt.decode(token, settings.SECRET_KEY, algorithms=["HS256"], audience=AUDIENCE)
    except jwt.PyJWTError:
        return False
    if payload.get("access_token") != config.access_token or payload.get("team_id") != config.team_id:
        return False
    password_id = payload.get("share_password_id")
    if password_id is None:
        return False
    return config.share_passwords.filter(pk=password_id, is_active=True).exists()


def share_token_of(request) -> str | None:
    """The JWT from `Authorization: Bearer` (first) or the sharing cookie."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header[len("Bearer ") :].strip()
    return request.COOKIES.get(COOKIE_NAME)
