"""Parsing PostHog's date strings (spec query-engine §3.1): ISO dates, and relative ones like `-7d`, `-24h`,
`-1mStart`, `dStart`, `yStart`, in the project's timezone. One parser for every query kind.
"""

import re
from datetime import UTC, datetime, timedelta
from typing import TypedDict, cast
from zoneinfo import ZoneInfo

from dateutil.parser import isoparse
from dateutil.relativedelta import relativedelta

RELATIVE = re.compile(r"-?(?P<number>[0-9]+)?(?P<kind>[a-zA-Z])(?P<position>Start|End)?")


class TimeOfDay(TypedDict, total=False):
    """Absolute time fields, as `datetime.replace` and `relativedelta` take them."""

    hour: int
    minute: int
    second: int
    microsecond: int


class DateDelta(TimeOfDay, total=False):
    """The `relativedelta` arguments a date string sets: plural fields step back, singular ones are absolute."""

    years: int
    months: int
    weeks: int
    days: int
    hours: int
    minutes: int
    seconds: int
    month: int
    day: int


DAY_START: TimeOfDay = {"hour": 0, "minute": 0, "second": 0, "microsecond": 0}
DAY_END: TimeOfDay = {"hour": 23, "minute": 59, "second": 59, "microsecond": 999999}


def parse_date_with_delta(
    text: str, timezone: str, now: datetime, always_truncate: bool = False
) -> tuple[datetime, DateDelta, bool]:
    """(the moment in `timezone`, the relativedelta mapping applied, whether the string was relative).

    1. ISO dates (or non-padded `%Y-%m-%d`) are absolute: naive ones are taken in the team's timezone.
    2. Otherwise `-N<kind>[Start|End]` is subtracted from now; Start/End set absolute fields.
    3. `always_truncate` cuts to the hour when the delta has hours, else to midnight.
    """
    zone = ZoneInfo(timezone)
    parsed = _absolute(text)
    if parsed is not None:
        parsed = parsed.replace(tzinfo=zone) if parsed.tzinfo is None else parsed.astimezone(zone)
        return parsed, {}, False
    moment = now.astimezone(zone)
    delta: DateDelta = {}
    match = RELATIVE.search(text)
    if match:
        delta = _delta(match.group("kind"), int(match.group("number") or 0), match.group("position"))
    moment = moment - _step(delta)
    if always_truncate:
        truncated: TimeOfDay = {"minute": 0, "second": 0, "microsecond": 0} if "hours" in delta else DAY_START
        moment = moment.replace(**truncated)
    return moment, delta, True


# Steps of a fixed length: a timedelta moves an aware datetime in wall-clock time exactly as relativedelta does.
FIXED_STEPS = {"weeks", "days", "hours", "minutes", "seconds"}


def _step(delta: DateDelta) -> timedelta | relativedelta:
    if delta.keys() <= FIXED_STEPS:
        return timedelta(**cast(dict[str, int], delta))
    return relativedelta(**delta)


def _absolute(text: str) -> datetime | None:
    if not text[:1].isdigit():
        return None  # relative (`-7d`, `dStart`): both parsers below would only raise
    try:
        return isoparse(text)
    except ValueError:
        pass
    try:
        return datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        return None


def _delta(kind: str, number: int, position: str | None) -> DateDelta:
    delta: DateDelta = {}
    if kind == "h":
        delta["hours"] = number
        if position == "Start":
            delta.update({"minute": 0, "second": 0, "microsecond": 0})
        elif position == "End":
            delta.update({"minute": 59, "second": 59, "microsecond": 999999})
    elif kind == "d":
        delta["days"] = number
        if position == "Start":
            delta.update(DAY_START)
        elif position == "End":
            delta.update(DAY_END)
    elif kind == "w":
        delta["weeks"] = number
    elif kind == "q":
        delta["weeks"] = 13 * number
    elif kind == "m":
        delta["months"] = number
        if position == "Start":
            delta["day"] = 1
        elif position == "End":
            delta["day"] = 31
    elif kind == "y":
        delta["years"] = number
        if position == "Start":
            delta.update({"month": 1, "day": 1})
        elif position == "End":
            delta["day"] = 31
    elif kind == "M":
        delta["minutes"] = number
    elif kind == "s":
        delta["seconds"] = number
    # The comprehension keeps a subset of the keys set above, which a TypedDict cannot be built from directly.
    return cast(
        DateDelta,
        {key: value for key, value in delta.items() if value or key not in ("hours", "days", "weeks", "months")},
    )


def relative_date_parse(text: str, timezone: str = "UTC", now: datetime | None = None) -> datetime:
    """The moment a date string names, in `timezone`, without truncation (`-7d` is exactly 7 days ago)."""
    return parse_date_with_delta(text.strip(), timezone, now or datetime.now(UTC))[0]
