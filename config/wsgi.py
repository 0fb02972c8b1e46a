"""WSGI entry point (gunicorn config.wsgi:application)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# The web server is where captured events arrive: start moving them from the spool to ClickHouse now,
# which also drains spool files left by a process that died.
from ingestion.spool import start_background_flush  # noqa: E402

start_background_flush()
