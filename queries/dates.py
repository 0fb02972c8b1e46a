"""Parsing PostHog's date strings: absolute ISO dates and relative ones like `-7d`, `-24h`, `-2w`, `-3m`, `-1y`,
`dStart`, `mStart`, `yStart`, and `all`, in the project's timezone.
"""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

RELATIVE = re.compile(r"^(?P<sign>[-+]?)(?P<number>\d+)(?P<unit>[hdwmyqMHs])(?P<position>Start|End)?$")
START_OF = re.compile(r"^(?P<unit>[hdwmyq])(?P<position>Start|End)$")


class DateParseError(ValueError):
    pass


def _start_of(moment: datetime, unit: str) -> datetime:
    if unit in ("s",):
        return moment.replace(microsecond=0)
    if unit in ("M",):
        return moment.replace(second=0, microsecond=0)
    if unit == "h" or unit == "H":
        return moment.replace(minute=0, second=0, microsecond=0)
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "d":
        return day
    if unit == "w":
        return day - timedelta(days=day.weekday())
    if unit == "m":
        return day.replace(day=1)
    if unit == "q":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(month=1, day=1)


def _shift_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    last_day = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31,
                30, 31][month - 1]  # fmt: skip
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def relative_date_parse(text: str, timezone: str = "UTC", now: datetime | None = None) -> datetime:
    """A datetime (timezone-aware, in `timezone`) for a PostHog date string. Raises DateParseError."""
    zone = ZoneInfo(timezone)
    now = (now or datetime.now(UTC)).astimezone(zone)
    value = text.strip()
    match = RELATIVE.match(value)
    if match:
        amount = int(match.group("number")) * (-1 if match.group("sign") == "-" else 1)
        unit = match.group("unit")
        if unit in ("m", "q", "y"):
            moment = _shift_months(now, amount * {"m": 1, "q": 3, "y": 12}[unit])
        else:
            seconds = {"s": 1, "M": 60, "h": 3600, "H": 3600, "d": 86400, "w": 604800}[unit]
            moment = now + timedelta(seconds=amount * seconds)
        if match.group("position") == "Start":
            moment = _start_of(moment, unit)
        elif match.group("position") == "End":
            moment = _start_of(moment, unit) + timedelta(days=1) - timedelta(microseconds=1)
        return moment
    match = START_OF.match(value)
    if match:
        moment = _start_of(now, match.group("unit"))
        return moment if match.group("position") == "Start" else moment
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise DateParseError(f"Unrecognised date: {text}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(zone)
