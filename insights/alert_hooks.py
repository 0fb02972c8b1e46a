"""The door from insights up to alerts: the `alerts` field of a full insight is rendered by whatever the alerts app
registers when it is ready (alerts/apps.py), so insights never imports alerts (docs/architecture.md)."""

from collections.abc import Callable
from typing import Any

# (insight, serializer context) -> the insight's `alerts` list; registered by alerts/apps.py.
InsightAlertsRenderer = Callable[[Any, dict], list[dict]]
_alerts_renderer: InsightAlertsRenderer | None = None


def register_insight_alerts_renderer(renderer: InsightAlertsRenderer) -> None:
    global _alerts_renderer
    _alerts_renderer = renderer


def insight_alerts(insight, context: dict) -> list[dict]:
    """The alerts shown on a full insight; empty when no alerts app is installed."""
    return _alerts_renderer(insight, context) if _alerts_renderer is not None else []
