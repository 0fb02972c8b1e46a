"""Sharing writes and lookups: the current configuration of a resource, enabling, token rotation with a grace
period, passwords (hashed with Django's hashers) and the activity entries they leave (spec sharing §1.2)."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone

from activity.services import log_activity
from sharing.models import SharePassword, SharingConfiguration
from sharing.settings_schema import clean_settings

PASSWORD_TOO_SHORT = "Password must be at least 8 characters long."
PASSWORDS_NEED_PROTECTION = "Password protection must be enabled before creating passwords"
PASSWORD_NOT_FOUND = "Password not found"
MIN_PASSWORD_LENGTH = 8


def grace_period() -> timedelta:
    return timedelta(seconds=settings.SHARING_TOKEN_GRACE_PERIOD_SECONDS)


def _resource_filter(resource) -> dict:
    from dashboards.models import Dashboard

    return {"dashboard": resource} if isinstance(resource, Dashboard) else {"insight": resource}


def sharing_current(team, resource) -> SharingConfiguration:
    """The resource's current configuration, or an unsaved one (a GET creates nothing, spec §1.2)."""
    found = (
        SharingConfiguration.objects.filter(**_resource_filter(resource), expires_at__isnull=True)
        .order_by("-created_at", "-id")
        .first()
    )
    return found or SharingConfiguration(team=team, **_resource_filter(resource))


def _scope(config: SharingConfiguration) -> str:
    return "Dashboard" if config.dashboard_id else "Insight"


def _detail(config: SharingConfiguration, changes: list | None = None) -> dict:
    resource = config.resource
    if config.dashboard_id:
        detail = {"name": resource.name}
    else:
        detail = {"name": resource.name or resource.derived_name, "short_id": resource.short_id}
    if changes is not None:
        detail["changes"] = changes
    return detail


def _log(config: SharingConfiguration, user, activity: str, changes: list | None = None) -> None:
    log_activity(
        team_id=config.team_id,
        organization_id=config.team.organization_id,
        user=user,
        item_id=config.resource.id,
        scope=_scope(config),
        activity=activity,
        detail=_detail(config, changes),
    )


@transaction.atomic
def sharing_update(config: SharingConfiguration, user, data: dict) -> SharingConfiguration:
    """Applies `enabled`, `settings` (cleaned) and `password_required`; saves (a first save persists an unsaved
    configuration) and logs `sharing enabled` / `sharing disabled` when `enabled` was given."""
    if "settings" in data:
        config.settings = clean_settings(data["settings"])
    for field in ("enabled", "password_required"):
        if field in data:
            setattr(config, field, bool(data[field]))
    config.save()
    if "enabled" in data:
        change = {"type": _scope(config), "action": "changed", "field": "sharing", "after": config.enabled}
        _log(config, user, "sharing enabled" if config.enabled else "sharing disabled", [change])
    return config


@transaction.atomic
def sharing_token_rotate(config: SharingConfiguration, user) -> SharingConfiguration:
    """A new current configuration with a new token; the old ones keep working for the grace period.

    1. Lock the resource's current configurations and give them `expires_at = now + grace period`.
    2. Create the new one with the same `enabled`, `settings` and `password_required`.
    3. Copy the active passwords (same hashes) so password holders keep access.
    """
    resource = config.resource
    current = list(
        SharingConfiguration.objects.select_for_update().filter(**_resource_filter(resource), expires_at__isnull=True)
    )
    expires_at = timezone.now() + grace_period()
    SharingConfiguration.objects.filter(pk__in=[c.pk for c in current]).update(expires_at=expires_at)
    new = SharingConfiguration.objects.create(
        team_id=config.team_id,
        **_resource_filter(resource),
        enabled=config.enabled,
        settings=config.settings,
        password_required=config.password_required,
    )
    if config.pk is not None and config.password_required:
        SharePassword.objects.bulk_create(
            SharePassword(
                sharing_configuration=new,
                password_hash=password.password_hash,
                created_by_id=password.created_by_id,
                note=password.note,
            )
            for password in config.share_passwords.filter(is_active=True)
        )
    _log(new, user, "access token refreshed")
    return new


def share_password_create(config: SharingConfiguration, user, raw_password: str | None, note: str | None):
    """(password row, the raw password): the only moment the raw password exists outside the caller."""
    if not raw_password:
        raw_password = secrets.token_urlsafe(16)
    if config.pk is None:
        config.save()
    password = SharePassword.objects.create(
        sharing_configuration=config, password_hash=make_password(raw_password), created_by=user, note=note or ""
    )
    _log(config, user, "share password added", [_password_change(password, "created")])
    return password, raw_password


def share_password_deactivate(config: SharingConfiguration, user, password: SharePassword) -> None:
    password.is_active = False
    password.save(update_fields=["is_active"])
    _log(config, user, "share password removed", [_password_change(password, "deleted")])


def _password_change(password: SharePassword, action: str) -> dict:
    return {
        "type": "SharePassword",
        "action": action,
        "field": "password",
        "after": {"id": password.id, "note": password.note},
    }


def share_password_matching(config: SharingConfiguration, raw_password) -> SharePassword | None:
    """The first active password of the configuration the raw password matches."""
    if not isinstance(raw_password, str) or not raw_password:
        return None
    for password in config.share_passwords.filter(is_active=True).order_by("id"):
        if check_password(raw_password, password.password_hash):
            return password
    return None


def sharing_by_token(access_token: str) -> SharingConfiguration | None:
    """The enabled, live configuration with this token whose resource is not deleted; None otherwise (404)."""
    if not access_token:
        return None
    config = (
        SharingConfiguration.objects.select_related("team__organization", "insight", "dashboard")
        .filter(access_token=access_token, enabled=True)
        .first()
    )
    if config is None or not config.is_live():
        return None
    resource = config.resource
    if resource is None or resource.deleted:
        return None
    return config


def log_share_login(config: SharingConfiguration, request, password: SharePassword | None) -> None:
    """`share_login_success` / `share_login_failed` (spec §1.4.4), with no user: the visitor is anonymous."""
    after = {
        "access_token_suffix": (config.access_token or "")[-6:],
        "client_ip": request.META.get("REMOTE_ADDR") or "unknown",
        "success": password is not None,
        "resource_type": "dashboard" if config.dashboard_id else "insight",
    }
    if password is not None:
        after.update(password_id=str(password.id), password_note=password.note or "Untitled password")
    change = {"type": _scope(config), "action": "changed", "field": "authentication_attempt", "after": after}
    resource = config.resource
    log_activity(
        team_id=config.team_id,
        organization_id=config.team.organization_id,
        user=None,
        item_id=resource.id,
        scope=_scope(config),
        activity="share_login_success" if password is not None else "share_login_failed",
        detail={"name": getattr(resource, "name", None), "changes": [change]},
    )
