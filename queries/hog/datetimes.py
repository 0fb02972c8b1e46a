"""Hog's DateTime and Date values (`{"__hogDateTime__": true, "dt": seconds, "zone": ...}`): making, reading and
printing them. Below both `values` (printing) and `stl.dates` (the library), so neither imports the other."""

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

from queries.hog.errors import HogError

EPOCH_DATE = dt.date(1970, 1, 1)
INVALID_ZONE = "Invalid time zone: {zone}"


@lru_cache(maxsize=64)
def zone_info(zone) -> ZoneInfo:
    if type(zone) is not str:
        raise HogError(INVALID_ZONE.format(zone=zone))
    try:
        return ZoneInfo(zone)
    except Exception:
        raise HogError(INVALID_ZONE.format(zone=zone)) from None


def make_datetime(seconds: float, zone: str = "UTC") -> dict:
    return {"__hogDateTime__": True, "dt": float(seconds), "zone": zone}


def make_date(value: dt.date) -> dict:
    return {"__hogDate__": True, "year": value.year, "month": value.month, "day": value.day}


def is_datetime(value) -> bool:
    return type(value) is dict and value.get("__hogDateTime__") is True


def is_date(value) -> bool:
    return type(value) is dict and value.get("__hogDate__") is True


def date_of(value) -> dt.date:
    return dt.date(value["year"], value["month"], value["day"])


def date_days(value) -> int:
    return (date_of(value) - EPOCH_DATE).days


def local(value) -> dt.datetime:
    """A DateTime or Date value as an aware Python datetime in its zone (Dates at midnight UTC)."""
    if is_date(value):
        return dt.datetime.combine(date_of(value), dt.time(), dt.UTC)
    if is_datetime(value):
        return dt.datetime.fromtimestamp(value["dt"], zone_info(value.get("zone", "UTC")))
    raise HogError(f"Expected a date or datetime, got {value!r}"[:200])


def from_local(moment: dt.datetime, zone: str) -> dict:
    return make_datetime(moment.timestamp(), zone)


def datetime_iso(value) -> str:
    moment = local(value)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{moment.microsecond // 1000:03d}"
    offset = moment.utcoffset() or dt.timedelta()
    if value.get("zone", "UTC") == "UTC":
        return text + "Z"
    sign = "-" if offset < dt.timedelta() else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{text}{sign}{minutes // 60:02d}:{minutes % 60:02d}"
