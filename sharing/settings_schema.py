"""The `settings` of a sharing configuration (spec sharing §1.3): optional display flags; unknown keys dropped."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

INVALID_SETTINGS = "Invalid settings format"
FLAG_KEYS = ("whitelabel", "noHeader", "showInspector", "legend", "detailed", "hideExtraDetails")


class SharingSettings(BaseModel):
    model_config = ConfigDict(extra="ignore")

    whitelabel: bool | None = None
    noHeader: bool | None = None  # noqa: N815 - PostHog's key
    showInspector: bool | None = None  # noqa: N815
    legend: bool | None = None
    detailed: bool | None = None
    hideExtraDetails: bool | None = None  # noqa: N815
    theme: Literal["light", "dark", "system"] | None = None


class InvalidSettings(ValueError):
    pass


def clean_settings(value) -> dict | None:
    """None stays None; a dict keeps only known keys, validated, without None values; anything else is refused."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidSettings(INVALID_SETTINGS)
    try:
        parsed = SharingSettings.model_validate(value)
    except ValidationError as error:
        raise InvalidSettings(INVALID_SETTINGS) from error
    return parsed.model_dump(exclude_none=True)


def display_flags(settings: dict | None) -> dict:
    """The flags a viewer payload carries: only the true ones, and `theme` when set (spec §1.4.2)."""
    settings = settings or {}
    flags = {
        key: True
        for key in ("whitelabel", "noHeader", "showInspector", "legend", "detailed", "hideExtraDetails")
        if settings.get(key)
    }
    if settings.get("theme"):
        flags["theme"] = settings["theme"]
    return flags
