"""Dates, datetimes and time zones (spec §8.7): DateTime `{__hogDateTime__, dt, zone}` and Date `{__hogDate__,
year, month, day}` values, computed with zoneinfo."""

import calendar
import datetime as dt
import re
import time

from queries.hog.datetimes import (  # noqa: F401 - the date functions every stl module uses
    EPOCH_DATE,
    INVALID_ZONE,
    date_days,
    date_of,
    datetime_iso,
    from_local,
    is_date,
    is_datetime,
    local,
    make_date,
    make_datetime,
    zone_info,
)
from queries.hog.errors import HogError

DATETIME_TEXT = re.compile(
    r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?\s*$"
)
UNIT_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 7 * 86400}
MONTH_NAMES = list(calendar.month_name)
DAY_NAMES = list(calendar.day_name)


def parse_text(text: str, zone: str = "UTC") -> dict | None:
    match = DATETIME_TEXT.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        naive = dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), micro)
    except ValueError:
        return None
    if offset is None:
        moment = naive.replace(tzinfo=zone_info(zone))
    elif offset == "Z":
        moment = naive.replace(tzinfo=dt.UTC)
    else:
        digits = offset[1:].replace(":", "")
        delta = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
        moment = naive.replace(tzinfo=dt.timezone(delta if offset[0] == "+" else -delta))
    return make_datetime(moment.timestamp(), zone)


def to_datetime(value, zone="UTC"):
    if is_datetime(value):
        return make_datetime(value["dt"], zone)
    if is_date(value):
        return from_local(dt.datetime.combine(date_of(value), dt.time(), zone_info(zone)), zone)
    if type(value) in (int, float):
        return make_datetime(value, zone)
    if type(value) is str:
        return parse_text(value, zone)
    return None


def to_date(value):
    if is_date(value):
        return value
    if is_datetime(value):
        return make_date(local(value).date())
    if type(value) in (int, float):
        return make_date(dt.datetime.fromtimestamp(value, dt.UTC).date())
    if type(value) is str:
        parsed = parse_text(value)
        return make_date(local(parsed).date()) if parsed else None
    return None


def to_unix_timestamp(value, zone="UTC"):
    moment = to_datetime(value, zone) if not is_datetime(value) else value
    return None if moment is None else float(moment["dt"])


def _like(value, moment: dt.datetime):
    """A result of the kind of `value`: Date for a Date, else DateTime in the value's zone."""
    if is_date(value):
        return make_date(moment.date())
    return from_local(moment, value.get("zone", "UTC"))


def truncate(unit: str, value):
    moment = local(value)
    if unit == "year":
        moment = moment.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    elif unit == "month":
        moment = moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    elif unit == "week":
        moment = (moment - dt.timedelta(days=moment.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    elif unit == "day":
        moment = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    elif unit == "hour":
        moment = moment.replace(minute=0, second=0, microsecond=0)
    elif unit == "minute":
        moment = moment.replace(second=0, microsecond=0)
    elif unit == "second":
        moment = moment.replace(microsecond=0)
    else:
        raise HogError(f"Unsupported unit: {unit}")
    zone = value.get("zone", "UTC") if is_datetime(value) else "UTC"
    return from_local(moment.replace(tzinfo=None).replace(tzinfo=zone_info(zone)), zone)


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def date_add(unit: str, amount, value):
    moment = local(value)
    if unit in ("month", "quarter", "year"):
        months = amount * {"month": 1, "quarter": 3, "year": 12}[unit]
        moment = add_months(moment.replace(tzinfo=None), int(months)).replace(tzinfo=moment.tzinfo)
    elif unit in ("day", "week"):
        days = amount * (7 if unit == "week" else 1)
        moment = (moment.replace(tzinfo=None) + dt.timedelta(days=days)).replace(tzinfo=moment.tzinfo)
    elif unit in UNIT_SECONDS:
        moment = moment + dt.timedelta(seconds=amount * UNIT_SECONDS[unit])
    else:
        raise HogError(f"Unsupported unit: {unit}")
    return _like(value, moment)


def date_diff(unit: str, start, end) -> int:
    a, b = local(start), local(end)
    if unit == "year":
        return b.year - a.year
    if unit == "quarter":
        return (b.year * 4 + (b.month - 1) // 3) - (a.year * 4 + (a.month - 1) // 3)
    if unit == "month":
        return (b.year * 12 + b.month) - (a.year * 12 + a.month)
    if unit == "week":
        return ((b.date() - dt.timedelta(days=b.weekday())) - (a.date() - dt.timedelta(days=a.weekday()))).days // 7
    if unit == "day":
        return (b.date() - a.date()).days
    if unit in UNIT_SECONDS:
        size = UNIT_SECONDS[unit]
        return int(b.timestamp() // size - a.timestamp() // size)
    raise HogError(f"Unsupported unit: {unit}")


def extract(part: str, value):
    moment = local(value)
    parts = {"year": moment.year, "month": moment.month, "day": moment.day, "hour": moment.hour,
             "minute": moment.minute, "second": moment.second}  # fmt: skip
    if part not in parts:
        raise HogError(f"Unknown extract part: {part}")
    return parts[part]


def format_datetime(value, pattern: str, zone=None):
    moment = local(value if zone is None else {**value, "zone": zone})
    offset = moment.strftime("%z")
    tokens = {"Y": f"{moment.year:04d}", "m": f"{moment.month:02d}", "d": f"{moment.day:02d}",
              "e": f"{moment.day:2d}", "H": f"{moment.hour:02d}", "i": f"{moment.minute:02d}",
              "S": f"{moment.second:02d}", "s": f"{moment.second:02d}", "f": f"{moment.microsecond:06d}",
              "F": moment.strftime("%Y-%m-%d"), "T": moment.strftime("%H:%M:%S"), "M": MONTH_NAMES[moment.month],
              "b": MONTH_NAMES[moment.month][:3], "a": DAY_NAMES[moment.weekday()][:3],
              "W": DAY_NAMES[moment.weekday()], "p": "AM" if moment.hour < 12 else "PM",
              "j": f"{moment.timetuple().tm_yday:03d}", "z": offset, "%": "%", "y": f"{moment.year % 100:02d}",
              "h": f"{(moment.hour % 12) or 12:02d}", "I": f"{(moment.hour % 12) or 12:02d}"}  # fmt: skip
    out, index = [], 0
    while index < len(pattern):
        char = pattern[index]
        if char == "%" and index + 1 < len(pattern):
            out.append(tokens.get(pattern[index + 1], ""))
            index += 2
        else:
            out.append(char)
            index += 1
    return "".join(out)


def interval(unit: str):
    return lambda value: {"__hogInterval__": True, "value": value, "unit": unit}


def functions(ctx) -> dict:
    return {
        "now": (lambda: make_datetime(time.time()), 0, 0),
        "today": (lambda: make_date(dt.datetime.now(dt.UTC).date()), 0, 0),
        "toDateTime": (to_datetime, 1, 2),
        "toDate": (to_date, 1, 1),
        "fromUnixTimestamp": (lambda seconds: make_datetime(seconds), 1, 1),
        "fromUnixTimestampMilli": (lambda millis: make_datetime(millis / 1000), 1, 1),
        "toUnixTimestamp": (to_unix_timestamp, 1, 2),
        "toUnixTimestampMilli": (lambda value, zone="UTC": round(to_unix_timestamp(value, zone) * 1000), 1, 2),
        "toTimeZone": (lambda value, zone: make_datetime(value["dt"], zone_info(zone).key), 2, 2),
        "formatDateTime": (format_datetime, 2, 3),
        "toYear": (lambda value: extract("year", value), 1, 1),
        "toMonth": (lambda value: extract("month", value), 1, 1),
        "toYYYYMM": (lambda value: extract("year", value) * 100 + extract("month", value), 1, 1),
        "extract": (extract, 2, 2),
        "toStartOfDay": (lambda value: truncate("day", value), 1, 1),
        "toStartOfHour": (lambda value: truncate("hour", value), 1, 1),
        "toStartOfMonth": (lambda value: truncate("month", value), 1, 1),
        "toStartOfWeek": (lambda value: truncate("week", value), 1, 1),
        "dateTrunc": (truncate, 2, 2),
        "dateAdd": (date_add, 3, 3),
        "addDays": (lambda value, days: date_add("day", days, value), 2, 2),
        "dateDiff": (date_diff, 3, 3),
        "toIntervalSecond": (interval("second"), 1, 1),
        "toIntervalMinute": (interval("minute"), 1, 1),
        "toIntervalHour": (interval("hour"), 1, 1),
        "toIntervalDay": (interval("day"), 1, 1),
        "toIntervalWeek": (interval("week"), 1, 1),
        "toIntervalMonth": (interval("month"), 1, 1),
        "toIntervalYear": (interval("year"), 1, 1),
    }
