"""`/_health`: 200 when the app database and ClickHouse answer, 503 with the failing part otherwise."""

import logging

from django.db import connection
from django.http import HttpRequest, JsonResponse

logger = logging.getLogger(__name__)


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_clickhouse() -> None:
    from queries.clickhouse.client import ping

    ping()


CHECKS = {"database": check_database, "clickhouse": check_clickhouse}
UNREACHABLE = "not reachable (see the server log)"


def health_view(request: HttpRequest) -> JsonResponse:
    results: dict[str, str] = {}
    reasons: list[str] = []
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as error:  # any failure of a backing service is reported, not raised
            logger.warning("health_check_failed part=%s error=%s", name, error)
            results[name] = "error"
            # Anyone may call /_health: the driver's text (hosts, ports, versions) stays in the log.
            reasons.append(f"{name}: {UNREACHABLE}")
    body: dict = {"status": "ok", "checks": results}
    if request.GET.get("verbose"):
        body["ingestion"] = ingestion_status()
    if reasons:
        body.update(status="unhealthy", reason="; ".join(reasons))
        return JsonResponse(body, status=503)
    return JsonResponse(body)


def ingestion_status() -> dict:
    """Events acknowledged but not yet in ClickHouse, and requests set aside after repeated failures."""
    from ingestion.spool import get_spool

    spool = get_spool()
    return {"pending_events": spool.file.pending(), "dead_letter_rows": spool.file.dead_letters()}
