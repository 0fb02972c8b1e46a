"""The in-process scheduler of the embedded default (no Celery beat): one daemon thread in the web process that
owns the chDB directory, running each job of config/periodic.py at its period. config/wsgi.py starts it, so both
gunicorn (`make serve`) and `manage.py runserver` have it; with Celery, beat runs the same jobs instead."""

import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections
from django.utils.module_loading import import_string

from config.periodic import JOBS, PeriodicJob

logger = logging.getLogger(__name__)

# Never sleep longer than this, so a stop request is seen soon.
MAX_SLEEP = 5.0

_scheduler: "Scheduler | None" = None
_lock = threading.Lock()


def uses_in_process_scheduler() -> bool:
    """True without Celery (beat then owns the schedule) unless IN_PROCESS_SCHEDULER=0 turns it off."""
    return settings.QUERY_ASYNC_BACKEND != "celery" and getattr(settings, "IN_PROCESS_SCHEDULER", True)


class Scheduler(threading.Thread):
    """Runs every job once at start, then each again when its period has passed since its last start."""

    def __init__(self, jobs: tuple[PeriodicJob, ...] = JOBS, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(name="periodic-scheduler", daemon=True)
        self.jobs = jobs
        self.clock = clock
        self.stopped = threading.Event()
        self.last_started: dict[str, float] = {}

    def run_pending(self) -> float:
        """Run the jobs that are due, one after another; the seconds until the next one is due."""
        for job in self.jobs:
            started = self.last_started.get(job.name)
            if started is not None and self.clock() - started < job.period:
                continue
            self.last_started[job.name] = self.clock()
            # A thread outside the request cycle must drop broken or expired connections itself.
            close_old_connections()
            try:
                import_string(job.function)()
            except Exception:
                # The thread must outlive one bad run (a database restart, say); the next period tries again.
                logger.exception("periodic_job_failed job=%s", job.name)
            finally:
                close_old_connections()
        now = self.clock()
        return max(0.0, min(self.last_started[job.name] + job.period - now for job in self.jobs))

    def run(self) -> None:
        while not self.stopped.is_set():
            wait = self.run_pending()
            self.stopped.wait(min(wait, MAX_SLEEP))


def start_scheduler() -> Scheduler:
    """Start the scheduler thread once per process; later calls return the running one."""
    global _scheduler
    with _lock:
        if _scheduler is None or not _scheduler.is_alive():
            _scheduler = Scheduler()
            _scheduler.start()
            logger.info("periodic_scheduler_started jobs=%s", ",".join(job.name for job in JOBS))
        return _scheduler


def stop_scheduler(timeout: float = 5) -> None:
    with _lock:
        if _scheduler is not None:
            _scheduler.stopped.set()
            _scheduler.join(timeout)
