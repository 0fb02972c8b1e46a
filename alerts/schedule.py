"""When an alert runs next (spec sharing-alerts-auth-activity §2.7): calculation intervals in the project's
timezone, skipped weekends, and blocked (quiet-hours) windows, DST-safe.

Local wall-clock times are turned into instants with `localize`: an ambiguous time (clocks going back) takes its
first, daylight-saving reading; a time that does not exist (clocks going forward) moves forward by the gap.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import MO, relativedelta

from insights_server.errors import DomainError

INVALID_SCHEDULE_RESTRICTION = "Invalid schedule restriction."
MAX_BLOCKED_WINDOWS = 5
MIN_WINDOW_MINUTES = 30
MINUTES_PER_DAY = 24 * 60

# Local hour of the day-or-longer checks, spread so they do not all start at once.
DAILY_HOUR, WEEKLY_HOUR, MONTHLY_HOUR = 1, 3, 4
SHORT_INTERVALS = {
    "every_15_minutes": timedelta(minutes=15),
    "real_time": timedelta(minutes=2),
    "hourly": timedelta(hours=1),
}


class ScheduleRestrictionError(DomainError):
    """A schedule restriction that does not validate; `reason` says why (for logs), users see one message."""

    def __init__(self, reason: str):
        super().__init__(INVALID_SCHEDULE_RESTRICTION)
        self.reason = reason


# ---- wall clock ------------------------------------------------------------------------------------------------


def localize(wall: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant of a naive local time: ambiguous -> the first (DST) reading, missing -> pushed forward."""
    # fold=0 (PEP 495) reads an ambiguous time with the offset in force before the change (daylight saving time
    # when clocks go back) and a missing one with the offset before the gap, which lands after the gap.
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)


def is_weekend(now: datetime, timezone_name: str) -> bool:
    """Saturday or Sunday in the project's timezone."""
    return now.astimezone(ZoneInfo(timezone_name)).weekday() >= 5


# ---- intervals -------------------------------------------------------------------------------------------------


def _at_local_hour(day: date, hour: int, clock: time, zone: ZoneInfo) -> datetime:
    return localize(datetime.combine(day, time(hour, clock.minute, clock.second)), zone)


def next_interval_time(
    interval: str | None, now: datetime, timezone_name: str, previous_next_check_at: datetime | None = None
) -> datetime:
    """The next check after `now`, before blocked windows (UTC).

    Short intervals (hourly, every 15 minutes, real time) add to the previous `next_check_at` (or now), keeping
    the minute offset. `daily`: tomorrow at 01 local; `weekly`: the next Monday after today at 03 local;
    `monthly`: the 1st of next month at 04 local; minutes and seconds are kept from `now`. Raises ValueError for
    an unknown interval (None, a null column, included).
    """
    if interval in SHORT_INTERVALS:
        return (previous_next_check_at or now) + SHORT_INTERVALS[interval]
    zone = ZoneInfo(timezone_name)
    local = now.astimezone(zone)
    clock = local.time()
    if interval == "daily":
        return _at_local_hour(local.date() + timedelta(days=1), DAILY_HOUR, clock, zone)
    if interval == "weekly":
        return _at_local_hour(local.date() + relativedelta(days=1, weekday=MO(1)), WEEKLY_HOUR, clock, zone)
    if interval == "monthly":
        return _at_local_hour(local.date() + relativedelta(months=1, day=1), MONTHLY_HOUR, clock, zone)
    raise ValueError(f"Unknown calculation interval: {interval}")


def next_check_at(
    interval: str | None,
    now: datetime,
    timezone_name: str,
    *,
    previous_next_check_at: datetime | None = None,
    restriction: dict | None = None,
) -> datetime:
    """The next check time: the interval's next time, moved out of any blocked window (UTC)."""
    candidate = next_interval_time(interval, now, timezone_name, previous_next_check_at)
    return snap_out_of_blocked_windows(candidate, restriction, timezone_name)


# ---- blocked windows -------------------------------------------------------------------------------------------


def _minutes(text: str) -> int:
    return int(text[:2]) * 60 + int(text[3:])


def _blocked_ranges(restriction: dict | None) -> list[tuple[int, int]]:
    """Half-open minute ranges of a normalised restriction; an overnight window gives two."""
    ranges = []
    for window in (restriction or {}).get("blocked_windows") or []:
        start, end = _minutes(window["start"]), _minutes(window["end"])
        if start < end:
            ranges.append((start, end))
        else:
            ranges.append((start, MINUTES_PER_DAY))
            if end:
                ranges.append((0, end))
    return ranges


def snap_out_of_blocked_windows(instant: datetime, restriction: dict | None, timezone_name: str) -> datetime:
    """`instant` if it is outside every blocked window, else the end of the window it falls in (local time).

    Windows are merged when normalised, so one window's end is never inside another; the loop still repeats in
    case a DST change moves the end back into a window.
    """
    ranges = _blocked_ranges(restriction)
    if not ranges:
        return instant
    zone = ZoneInfo(timezone_name)
    for _ in range(4):
        local = instant.astimezone(zone)
        minute = local.hour * 60 + local.minute
        blocking = next(((start, end) for start, end in ranges if start <= minute < end), None)
        if blocking is None:
            return instant
        end = blocking[1]
        day = local.date() + timedelta(days=end // MINUTES_PER_DAY)
        instant = localize(datetime.combine(day, time((end % MINUTES_PER_DAY) // 60, end % 60)), zone)
    return instant


def _parse_clock(value) -> int:
    if not isinstance(value, str) or value.count(":") != 1:
        raise ScheduleRestrictionError(f"not HH:MM: {value!r}")
    hours, minutes = value.split(":")
    if not (hours.isdigit() and minutes.isdigit() and len(hours) in (1, 2) and len(minutes) == 2):
        raise ScheduleRestrictionError(f"not HH:MM: {value!r}")
    if int(hours) > 23 or int(minutes) > 59:
        raise ScheduleRestrictionError(f"out of range: {value!r}")
    return int(hours) * 60 + int(minutes)


def _clock(minute: int) -> str:
    minute %= MINUTES_PER_DAY
    return f"{minute // 60:02d}:{minute % 60:02d}"


def normalize_schedule_restriction(raw) -> dict | None:
    """The restriction as stored: None when empty, else merged windows `{"blocked_windows": [{start, end}]}`.

    1. None, {}, no `blocked_windows` or an empty list -> None.
    2. At most 5 windows, each `{"start": "HH:MM", "end": "HH:MM"}`, start != end, at least 30 minutes long
       (start > end runs overnight; end 00:00 means midnight).
    3. Windows are laid on a 1440-minute day, merged where they overlap or touch, and re-encoded (a run through
       midnight becomes one overnight window). A day with no free minute is refused.
    Raises ScheduleRestrictionError (message "Invalid schedule restriction.").
    """
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ScheduleRestrictionError("not an object")
    windows = raw.get("blocked_windows")
    if windows is None or windows == []:
        return None
    if not isinstance(windows, list):
        raise ScheduleRestrictionError("blocked_windows is not a list")
    if len(windows) > MAX_BLOCKED_WINDOWS:
        raise ScheduleRestrictionError("too many windows")
    blocked = [False] * MINUTES_PER_DAY
    for window in windows:
        if not isinstance(window, dict) or set(window) != {"start", "end"}:
            raise ScheduleRestrictionError("a window needs exactly start and end")
        start, end = _parse_clock(window["start"]), _parse_clock(window["end"])
        if start == end:
            raise ScheduleRestrictionError("empty window")
        length = (end - start) % MINUTES_PER_DAY
        if length < MIN_WINDOW_MINUTES:
            raise ScheduleRestrictionError("window shorter than 30 minutes")
        for offset in range(length):
            blocked[(start + offset) % MINUTES_PER_DAY] = True
    if all(blocked):
        raise ScheduleRestrictionError("Leave at least one time in the day when this alert can run")
    runs: list[list[int]] = []
    for minute, is_blocked in enumerate(blocked):
        if is_blocked and runs and runs[-1][1] == minute:
            runs[-1][1] = minute + 1
        elif is_blocked:
            runs.append([minute, minute + 1])
    if len(runs) > 1 and runs[0][0] == 0 and runs[-1][1] == MINUTES_PER_DAY:
        first = runs.pop(0)
        runs[-1][1] = first[1]
    return {"blocked_windows": [{"start": _clock(start), "end": _clock(end)} for start, end in runs]}
