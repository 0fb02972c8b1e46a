"""The date range of an insight (spec §3.1-3.3): parsing date strings, rounding, interval alignment, buckets."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from queries.dates import DAY_END, DAY_START, DateDelta, parse_date_with_delta
from queries.hogql import ast

DEFAULT_DATE_FROM_DAYS = 7
INTERVALS = ("minute", "hour", "day", "week", "month")
INTERVAL_SECONDS = {"minute": 60, "hour": 3600, "day": 86400, "week": 7 * 86400}
INTERVAL_STEPS = {name: timedelta(seconds=seconds) for name, seconds in INTERVAL_SECONDS.items()}
TRUNCATE_FUNCTIONS = {
    "minute": "toStartOfMinute",
    "hour": "toStartOfHour",
    "day": "toStartOfDay",
    "week": "toStartOfWeek",
    "month": "toStartOfMonth",
}


def start_of_interval(moment: datetime, interval: str, week_start_day: int = 0) -> datetime:
    """The start of the bucket holding `moment`, as ClickHouse's toStartOf<Interval> computes it in the same zone."""
    if interval == "minute":
        return moment.replace(second=0, microsecond=0)
    if interval == "hour":
        return moment.replace(minute=0, second=0, microsecond=0)
    day = moment.replace(**DAY_START)
    if interval == "week":
        # isoweekday: Monday 1 .. Sunday 7; Sunday-based weeks go back to the last Sunday.
        back = day.weekday() if week_start_day == 1 else day.isoweekday() % 7
        return day - timedelta(days=back)
    if interval == "month":
        return day.replace(day=1)
    return day


def add_interval(moment: datetime, interval: str, count: int = 1) -> datetime:
    """Steps in wall-clock time of the team's zone, as ClickHouse's dateAdd on a zoned DateTime does."""
    if interval == "month":
        return (moment.replace(tzinfo=None) + relativedelta(months=count)).replace(tzinfo=moment.tzinfo)
    # Adding a timedelta to an aware datetime is wall-clock arithmetic that keeps the zone: what the above does.
    return moment + INTERVAL_STEPS[interval] * count


def bucket_starts(date_from: datetime, date_to: datetime, interval: str, week_start_day: int = 0) -> list[datetime]:
    """Every bucket start from date_from's bucket up to date_to."""
    current = start_of_interval(date_from, interval, week_start_day)
    values = []
    while current <= date_to:
        values.append(current)
        current = add_interval(current, interval)
    return values


def resolved_range(date_range) -> dict[str, str]:
    """`{date_from, date_to}` in ISO format of any range with date_from() and date_to() (a response's
    `resolved_date_range`)."""
    return {"date_from": date_range.date_from().isoformat(), "date_to": date_range.date_to().isoformat()}


class QueryDateRange:
    """Resolves `dateRange` against `now` in the team's timezone (spec §3.2)."""

    def __init__(
        self,
        date_range,
        timezone: str,
        interval: str,
        now: datetime,
        week_start_day: int = 0,
        exact_timerange: bool = False,
        earliest: datetime | None = None,
    ):
        self.date_from_text = getattr(date_range, "date_from", None) if date_range else None
        self.date_to_text = getattr(date_range, "date_to", None) if date_range else None
        self.explicit = bool(getattr(date_range, "explicitDate", False)) if date_range else False
        self.timezone = timezone
        self.interval = interval if interval in INTERVALS else "day"
        self.now = now.astimezone(ZoneInfo(timezone))
        self.week_start_day = week_start_day or 0
        self.exact_timerange = exact_timerange
        self.earliest = earliest
        self._date_from_parsed: tuple[datetime, DateDelta, bool] | None = None
        self._date_to: datetime | None = None

    def interval_start(self, moment: ast.Expr) -> ast.Call:
        """HogQL for the start of the interval holding `moment` in the range's zone and week start."""
        return self.truncate_zoned(ast.Call("toTimeZone", [moment, ast.Constant(self.timezone)]))

    def truncate_zoned(self, zoned: ast.Expr) -> ast.Call:
        """HogQL for the start of the interval holding `zoned`, a time already in the range's zone."""
        args: list[ast.Expr] = [zoned]
        if self.interval == "week":
            args.append(ast.Constant(3 if self.week_start_day == 1 else 0))
        return ast.Call(TRUNCATE_FUNCTIONS[self.interval], args)

    def date_from_parsed(self) -> tuple[datetime, DateDelta, bool]:
        # A range is resolved once (its inputs never change after __init__); a trend asks for its bounds ~10 times.
        if self._date_from_parsed is None:
            self._date_from_parsed = self._parse_date_from()
        return self._date_from_parsed

    def _parse_date_from(self) -> tuple[datetime, DateDelta, bool]:
        text = self.date_from_text
        if text == "all":
            earliest = self.earliest or self.now.replace(**DAY_START) - timedelta(days=DEFAULT_DATE_FROM_DAYS)
            return earliest.astimezone(ZoneInfo(self.timezone)), {}, False
        if not text:
            moment = self.now.replace(**DAY_START) - timedelta(days=DEFAULT_DATE_FROM_DAYS)
            return moment, {"days": DEFAULT_DATE_FROM_DAYS}, True
        truncate = self.interval != "minute" and not self.exact_timerange
        return parse_date_with_delta(text, self.timezone, self.now, always_truncate=truncate)

    def date_from(self) -> datetime:
        return self.date_from_parsed()[0]

    def date_to(self) -> datetime:
        if self._date_to is None:
            self._date_to = self._resolve_date_to()
        return self._date_to

    def _resolve_date_to(self) -> datetime:
        if self.date_to_text:
            moment, _, relative = parse_date_with_delta(self.date_to_text, self.timezone, self.now)
        else:
            if self.exact_timerange:
                return self.now
            moment, relative = self.now, True
        if self.explicit:
            return moment
        if self.interval in ("day", "week", "month"):
            return moment.replace(**DAY_END)
        if relative and self.interval == "hour":
            return moment.replace(minute=59, second=59, microsecond=999999)
        if relative and self.interval == "minute":
            return moment.replace(second=59, microsecond=999999)
        return moment

    def is_date_to_fixed(self) -> bool:
        """True when date_to does not move with the clock (an absolute date_to)."""
        if not self.date_to_text:
            return False
        return not parse_date_with_delta(self.date_to_text, self.timezone, self.now)[2]

    def date_from_lower_bound(self) -> datetime:
        """`date_from_with_adjusted_start_of_interval`: the SQL lower bound."""
        moment, delta, relative = self.date_from_parsed()
        if self.explicit or self.exact_timerange:
            return moment
        if self.interval in ("hour", "minute") and relative:
            return moment
        if self.interval == "day" and "hours" in delta:
            return moment
        if self.interval == "week":
            return moment.replace(**DAY_START)
        return start_of_interval(moment, self.interval, self.week_start_day)

    def bucket_count(self) -> int:
        """How many buckets `buckets()` holds, computed without building them (to an hour across DST changes)."""
        start = start_of_interval(self.date_from(), self.interval, self.week_start_day)
        end = self.date_to()
        if end < start:
            return 0
        if self.interval == "month":
            return (end.year - start.year) * 12 + end.month - start.month + 1
        return int((end - start).total_seconds() // INTERVAL_SECONDS[self.interval]) + 1

    def buckets(self) -> list[datetime]:
        """`all_values()`: every bucket start from the aligned date_from up to date_to."""
        return bucket_starts(self.date_from(), self.date_to(), self.interval, self.week_start_day)

    def previous_period(self, compare_to: str | None = None) -> "FixedDateRange":
        """The range compared against (spec §3.2, `get_compare_period_dates` or `compare_to`)."""
        date_from, date_to = self.date_from(), self.date_to()
        diff = date_to - date_from
        if compare_to:
            prev_from, _, _ = parse_date_with_delta(compare_to, self.timezone, date_from)
            return FixedDateRange(self, prev_from, prev_from + diff)
        prev_from = date_from - diff
        if self.interval not in ("hour", "minute"):
            prev_from = prev_from.replace(**DAY_START)
            _, delta, relative = self.date_from_parsed()
            days = delta.get("days", 0)
            if relative and not self.date_to_text and days and days % 7 == 0 and set(delta) == {"days"}:
                prev_from += timedelta(days=1)
        prev_to = prev_from + diff
        if self.interval not in ("hour", "minute"):
            prev_to = prev_to.replace(
                hour=date_to.hour, minute=date_to.minute, second=date_to.second, microsecond=date_to.microsecond
            )
        return FixedDateRange(self, prev_from, prev_to)


class FixedDateRange(QueryDateRange):
    """A range with resolved ends (the previous period of a compare), aligned like the current one."""

    def __init__(self, base: QueryDateRange, date_from: datetime, date_to: datetime):
        super().__init__(None, base.timezone, base.interval, base.now, base.week_start_day)
        self._from, self._to = date_from, date_to
        self.explicit = base.explicit
        self.exact_timerange = base.exact_timerange
        self._base_delta = base.date_from_parsed()[1:]

    def date_from_parsed(self) -> tuple[datetime, DateDelta, bool]:
        return self._from, *self._base_delta

    def date_to(self) -> datetime:
        return self._to

    def is_date_to_fixed(self) -> bool:
        return True
