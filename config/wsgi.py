"""WSGI entry point (gunicorn config.wsgi:application, and `manage.py runserver`): the application, the spool
flusher and the in-process scheduler."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# The web server is where captured events arrive: start moving them from the spool to ClickHouse now,
# which also drains spool files left by a process that died.
from ingestion.spool import start_background_flush  # noqa: E402

start_background_flush()

# Without Celery, the periodic jobs (alert checks, cohort recalculation) run on a thread of this process, the one
# that owns the embedded chDB directory. Imported here, so gunicorn and `manage.py runserver` both start it.
from config.scheduler import start_scheduler, uses_in_process_scheduler  # noqa: E402

if uses_in_process_scheduler():
    start_scheduler()
