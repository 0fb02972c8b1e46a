"""What the insight runners' actors queries share: reading the clicked `day` of a data point."""

from datetime import datetime
from zoneinfo import ZoneInfo

from dateutil import parser as date_parser

from queries.hogql.errors import QueryError


def parse_day(day, timezone: str) -> datetime:
    """The clicked bucket: an ISO-like string; a naive value is in the team's zone."""
    try:
        moment = date_parser.isoparse(str(day))
    except ValueError:
        try:
            moment = date_parser.parse(str(day))
        except (ValueError, OverflowError):
            raise QueryError(f"Invalid day: {day}") from None
    zone = ZoneInfo(timezone)
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)


def period_texts(start: datetime) -> list[str]:
    """How a period start prints from ClickHouse: a DateTime (hour, day) or a Date (week, month)."""
    return sorted({start.strftime("%Y-%m-%d %H:%M:%S"), start.strftime("%Y-%m-%d")})
