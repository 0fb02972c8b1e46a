"""Number, percentage, duration and date text as PostHog shows them."""

from __future__ import annotations

import math
from datetime import datetime
from zoneinfo import ZoneInfo

OTHER_SENTINEL = "$$_posthog_breakdown_other_$$"
NULL_SENTINEL = "$$_posthog_breakdown_null_$$"


def number(value, decimals: int = 2) -> str:
    """`1234.5` -> `1,234.5`: thousands separators, at most `decimals` places, no trailing zeros."""
    if value is None:
        return "–"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    text = f"{value:,.{decimals}f}" if isinstance(value, float) else f"{value:,}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def compact(value: float) -> str:
    """Axis ticks: `950`, `12,500`, `120K`, `1.5M`, `2B`."""
    magnitude = abs(value)
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e5, "K")):
        if magnitude >= size:
            scaled = value / (size if suffix != "K" else 1e3)
            return f"{number(round(scaled, 1), 1)}{suffix}"
    return number(round(value, 2))


def percent(value: float | None, decimals: int = 1) -> str:
    """`45.456` -> `45.5%` (the value is already a percentage)."""
    if value is None:
        return "–"
    return f"{number(round(value, decimals), decimals)}%"


def duration(seconds: float | None) -> str:
    """PostHog's humanFriendlyDuration: the two largest units, `1d 2h`, `3m 4s`, `12s`."""
    if seconds is None:
        return "–"
    seconds = float(seconds)
    if seconds < 1:
        return f"{number(round(seconds, 2))}s" if seconds else "0s"
    total = int(round(seconds))
    parts = []
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m"), (1, "s")):
        if total >= size:
            parts.append(f"{total // size}{unit}")
            total %= size
    return " ".join(parts[:2])


def axis_value(value: float, settings: dict | None = None) -> str:
    """A y-axis tick or data label under a trends filter's `aggregationAxisFormat`, prefix and postfix."""
    settings = settings or {}
    kind = settings.get("aggregationAxisFormat") or "numeric"
    decimals = settings.get("decimalPlaces")
    if kind == "duration":
        text = duration(value)
    elif kind == "duration_ms":
        text = duration(value / 1000)
    elif kind == "percentage":
        text = percent(value, 2 if decimals is None else decimals)
    elif kind == "percentage_scaled":
        text = percent(value * 100, 2 if decimals is None else decimals)
    elif kind == "currency":
        text = f"${number(value, 2)}"
    elif kind == "short" or decimals is None:
        text = compact(value)
    else:
        text = number(round(value, decimals), decimals)
    return f"{settings.get('aggregationAxisPrefix') or ''}{text}{settings.get('aggregationAxisPostfix') or ''}"


def breakdown_label(value) -> str:
    """A breakdown value as a legend shows it: the sentinels become `Other` and `None`, lists join with `::`."""
    if isinstance(value, list | tuple):
        return "::".join(breakdown_label(item) for item in value)
    if value in (None, "", NULL_SENTINEL):
        return "None"
    if value == OTHER_SENTINEL:
        return "Other"
    return str(value)


def clean_label(text) -> str:
    """A runner's label with any breakdown sentinel inside it replaced."""
    return str(text).replace(OTHER_SENTINEL, "Other").replace(NULL_SENTINEL, "None")


def moment(text, timezone: str, with_time: bool) -> str:
    """An ISO timestamp shown in the project's timezone: `Jan 1, 2024` or `Jan 1, 14:00`."""
    try:
        parsed = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return str(text)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(zone(timezone))
    if with_time:
        return f"{parsed.strftime('%b')} {parsed.day}, {parsed.strftime('%H:%M')}"
    return f"{parsed.strftime('%b')} {parsed.day}, {parsed.year}"


def zone(name: str) -> ZoneInfo:
    """The named timezone, UTC when the name is unknown."""
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def shorten_middle(text: str, limit: int) -> str:
    """`text` cut in the middle to `limit` characters, keeping both ends (URLs and paths differ at the end)."""
    text = str(text)
    if len(text) <= limit:
        return text
    head = max((limit - 1) // 2, 1)
    return text[:head] + "…" + text[len(text) - max(limit - 1 - head, 1) :]


def shorten(text: str, limit: int) -> str:
    """`text` cut to `limit` characters with an ellipsis."""
    text = str(text)
    return text if len(text) <= limit else text[: max(limit - 1, 1)] + "…"
