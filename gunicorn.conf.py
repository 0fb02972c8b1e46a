"""gunicorn hooks (gunicorn reads ./gunicorn.conf.py by itself; flags given on the command line still apply). The
in-process scheduler starts when the worker loads config/wsgi.py."""

import os


def worker_exit(server, worker):
    """Stop the spool flusher cleanly, then leave without running the embedded engine's teardown.

    Everything acknowledged is already on disk (spool or ClickHouse), and chDB's global teardown can crash
    at interpreter exit, which would turn a clean stop into a SIGSEGV in the logs.
    """
    from config.scheduler import stop_scheduler
    from ingestion.spool import stop_background_flush

    stop_scheduler()
    stop_background_flush(timeout=20)
    from queries.clickhouse.client import is_embedded

    if is_embedded():
        os._exit(0)
