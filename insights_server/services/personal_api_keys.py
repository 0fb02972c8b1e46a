"""Creating and rolling personal API keys. The clear value is returned once and never stored."""

from django.utils import timezone

from insights_server.models import PersonalAPIKey, User
from insights_server.tokens import hash_key_value, mask_key_value, personal_api_key_value

MAX_KEYS_PER_USER = 10


def personal_api_key_create(
    user: User,
    label: str,
    scopes: list[str] | None,
    scoped_teams: list[int] | None = None,
    scoped_organizations: list[str] | None = None,
) -> tuple[PersonalAPIKey, str]:
    """Returns the new key and its clear value (`phx_...`)."""
    value = personal_api_key_value()
    key = PersonalAPIKey.objects.create(
        user=user,
        label=label,
        scopes=scopes,
        # [] means "every team/organization of the user", as PostHog stores it; clients read these as arrays.
        scoped_teams=scoped_teams or [],
        scoped_organizations=scoped_organizations or [],
        secure_value=hash_key_value(value),
        mask_value=mask_key_value(value),
    )
    return key, value


def personal_api_key_roll(key: PersonalAPIKey) -> str:
    """Replaces the key's secret; the old value stops working at once. Returns the new clear value."""
    value = personal_api_key_value()
    key.secure_value = hash_key_value(value)
    key.mask_value = mask_key_value(value)
    key.last_rolled_at = timezone.now()
    key.save(update_fields=["secure_value", "mask_value", "last_rolled_at"])
    return value
