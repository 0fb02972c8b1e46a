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
            reasons.append(f"{name}: {type(error).__name__}: {str(error)[:200]}")
    if reasons:
        return JsonResponse({"status": "unhealthy", "checks": results, "reason": "; ".join(reasons)}, status=503)
    return JsonResponse({"status": "ok", "checks": results})
