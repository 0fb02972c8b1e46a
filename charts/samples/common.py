"""Shared pieces of the samples: days, labels, a lively deterministic series, an action dict."""

from __future__ import annotations

import math
from datetime import date, timedelta

NULL = "$$_posthog_breakdown_null_$$"
BROWSERS = ["Chrome", "Safari", "Firefox", "Edge", "$$_posthog_breakdown_other_$$"]


def days_from(count: int, start: date = date(2024, 1, 1)) -> list[date]:
    return [start + timedelta(days=index) for index in range(count)]


def day_label(day: date) -> str:
    return f"{day.day}-{day.strftime('%b-%Y')}"


def wave(index: int, seed: int, scale: float) -> int:
    """A deterministic, lively series: weekly rhythm, a trend and some wobble."""
    weekly = 1 + 0.35 * math.sin((index + seed) * 2 * math.pi / 7)
    wobble = 1 + 0.2 * math.sin(index * 1.7 + seed * 3.1)
    return int(round(scale * weekly * wobble * (1 + index / 180)))


def action(event: str, order: int, custom_name: str | None = None) -> dict:
    return {
        "id": event,
        "type": "events",
        "order": order,
        "name": event,
        "custom_name": custom_name,
        "math": "total",
        "math_property": None,
        "math_hogql": None,
        "math_group_type_index": None,
        "properties": {},
    }
