"""Writing activity-log entries from services (spec sharing-alerts-auth-activity §3.3)."""

import dataclasses
import datetime
import json
import logging
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from activity.models import ActivityLog

logger = logging.getLogger(__name__)


class ActivityDetailEncoder(json.JSONEncoder):
    """JSON for activity details: datetimes as ISO text, UUIDs as text, users as `{first_name, email}`."""

    def default(self, value):
        if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
            return value.isoformat()
        if isinstance(value, uuid.UUID):
            return str(value)
        if isinstance(value, Decimal):
            return float(value)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return dataclasses.asdict(value)
        if isinstance(value, (set, frozenset, tuple)):
            return list(value)
        if hasattr(value, "email") and hasattr(value, "first_name"):
            return {"first_name": value.first_name, "email": value.email}
        return super().default(value)


def encode_detail(detail) -> dict | None:
    """The detail as plain JSON values (a round trip through the encoder)."""
    if detail is None:
        return None
    return json.loads(json.dumps(detail, cls=ActivityDetailEncoder))


def log_activity(
    *,
    team_id: int | None,
    organization_id,
    user,
    item_id,
    scope: str,
    activity: str,
    detail: dict | None,
    was_impersonated: bool = False,
    force_save: bool = False,
) -> None:
    """Record one activity entry once the surrounding transaction commits.

    Nothing is written for an impersonated request without a user, nor for an `updated` entry without changes
    (unless `force_save`). `is_system` is true when there is no user. The insert runs on commit (immediately
    outside a transaction; in place inside a test's wrapping transaction); a failing insert is logged and
    swallowed, except under tests where it is raised.
    """
    if was_impersonated and user is None:
        return
    if activity == "updated" and not (detail or {}).get("changes") and not force_save:
        return
    user_id = getattr(user, "pk", None) if user is not None and getattr(user, "is_authenticated", True) else None
    entry = ActivityLog(
        team_id=team_id,
        organization_id=organization_id,
        user_id=user_id,
        was_impersonated=was_impersonated,
        is_system=user_id is None,
        item_id=None if item_id is None else str(item_id),
        scope=scope,
        activity=activity,
        detail=encode_detail(detail),
    )

    def insert() -> None:
        try:
            with transaction.atomic():
                entry.save(force_insert=True)
        except Exception:
            logger.exception("activity_log_write_failed", extra={"scope": scope, "activity": activity})
            if settings.TESTING:
                raise

    if settings.TESTING and _inside_test_case_transaction():
        # A test's wrapping transaction never commits, so on_commit hooks would never run; the entry is
        # written in place instead, and still rolls back with any real transaction opened inside the test.
        insert()
    else:
        transaction.on_commit(insert)


def _inside_test_case_transaction() -> bool:
    connection = transaction.get_connection()
    return bool(connection.atomic_blocks) and getattr(connection.atomic_blocks[0], "_from_testcase", False)
