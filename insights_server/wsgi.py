"""WSGI entry point (gunicorn insights_server.wsgi:application)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "insights_server.settings")
application = get_wsgi_application()
