"""insights-server: a self-hostable, PostHog-compatible Insights REST API."""

from .celery import app as celery_app

__all__ = ["celery_app"]
