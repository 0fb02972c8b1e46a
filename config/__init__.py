"""The composition root: settings, URL map, WSGI and Celery apps, health check. Nothing imports it but entry points.

The Celery app is created on import so `shared_task`s and `celery.current_app` are bound to it.
"""

from .celery import app as celery_app

__all__ = ["celery_app"]
