"""Date ranges and labels of trends with a fixed `now` (spec §3.1-3.4): pure logic, no database."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta

from insights_server.models import Team
from queries.dates import DAY_START, parse_date_with_delta
from queries.runners.common.date_range import QueryDateRange
from queries.runners.common.labels import format_label_date
from queries.runners.trends.runner import TrendsQueryRunner, smooth
from queries.schema.base import DateRange
from queries.schema.insights import TrendsQuery

NOW = datetime(2024, 3, 15, 14, 35, 12, tzinfo=UTC)  # a Friday
HOUR_START = {"minute": 0, "second": 0, "microsecond": 0}
END_OF_DAY = {"hour": 23, "minute": 59, "second": 59, "microsecond": 999999}


def utc(*parts, **fields) -> datetime:
    return datetime(*parts, **fields, tzinfo=UTC)


def resolved(date_from=None, date_to=None, interval="day", timezone="UTC", explicit=False, **kwargs):
    date_range = DateRange(date_from=date_from, date_to=date_to, explicitDate=explicit)
    return QueryDateRange(date_range, timezone, interval, NOW, **kwargs)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-7d", utc(2024, 3, 8)),
        ("-24h", utc(2024, 3, 14, 14)),
        ("-2w", utc(2024, 3, 1)),
        ("-1mStart", utc(2024, 2, 1)),
        ("mStart", utc(2024, 3, 1)),
        ("-1dStart", utc(2024, 3, 14)),
        ("dStart", utc(2024, 3, 15)),
        ("yStart", utc(2024, 1, 1)),
        ("-1y", utc(2023, 3, 15)),
        ("-1q", utc(2023, 12, 15)),
        ("2024-01-05", utc(2024, 1, 5)),
        ("2024-1-5", utc(2024, 1, 5)),
    ],
)
def test_date_from_parses_relative_and_absolute_dates(text, expected):
    assert resolved(text).date_from() == expected


def test_relative_dates_keep_time_without_truncation():
    moment, delta, relative = parse_date_with_delta("-1mEnd", "UTC", NOW)
    assert moment == utc(2024, 2, 29, 14, 35, 12) and delta == {"months": 1, "day": 31} and relative
    assert parse_date_with_delta("-3M", "UTC", NOW)[0] == utc(2024, 3, 15, 14, 32, 12)


def test_missing_range_is_seven_days_back_to_end_of_today():
    date_range = resolved()
    assert date_range.date_from() == utc(2024, 3, 8)
    assert date_range.date_to() == utc(2024, 3, 15, **END_OF_DAY)
    assert len(date_range.buckets()) == 8
    assert date_range.is_date_to_fixed() is False


def test_dates_are_in_project_timezone():
    zone = ZoneInfo("America/New_York")
    assert resolved("2024-01-01", timezone="America/New_York").date_from() == datetime(2024, 1, 1, tzinfo=zone)
    converted = resolved("2024-01-01T00:00:00Z", timezone="America/New_York", explicit=True).date_from()
    assert converted == datetime(2023, 12, 31, 19, tzinfo=zone)
    assert resolved("-1d", timezone="America/New_York").date_from() == datetime(2024, 3, 14, tzinfo=zone)


def test_date_to_rounding():
    assert resolved("2024-03-01", "2024-03-10").date_to() == utc(2024, 3, 10, **END_OF_DAY)
    assert resolved("2024-03-01", "2024-03-10 12:00", explicit=True).date_to() == utc(2024, 3, 10, 12)
    assert resolved("-24h", "-1h", interval="hour").date_to() == utc(2024, 3, 15, 13, 59, 59, 999999)
    assert resolved("2024-03-10", "2024-03-10 12:30", interval="hour").date_to() == utc(2024, 3, 10, 12, 30)
    assert resolved("-1h", interval="minute").date_to() == utc(2024, 3, 15, 14, 35, 59, 999999)
    assert resolved("2024-03-01", "2024-03-10").is_date_to_fixed() is True


def test_lower_bound_aligns_to_interval_unless_exact():
    assert resolved("2024-01-17", "2024-02-10", interval="month").date_from_lower_bound() == utc(2024, 1, 1)
    assert resolved("2024-01-17 10:00", "2024-02-10", interval="week").date_from_lower_bound() == utc(2024, 1, 17)
    assert resolved("-24h", interval="day").date_from_lower_bound() == utc(2024, 3, 14, 14)
    assert resolved("-3h", interval="hour").date_from_lower_bound() == utc(2024, 3, 15, 11)
    assert resolved("2024-01-17 10:20", "2024-02-10", interval="hour").date_from_lower_bound() == utc(2024, 1, 17, 10)
    assert resolved("2024-01-17 10:20", "2024-02-10", explicit=True).date_from_lower_bound() == utc(2024, 1, 17, 10, 20)
    exact = resolved("-7d", exact_timerange=True)
    assert exact.date_from() == utc(2024, 3, 8, 14, 35, 12) == exact.date_from_lower_bound()


def test_week_buckets_start_on_sunday_or_monday():
    sunday = resolved("2024-03-06", "2024-03-18", interval="week").buckets()
    monday = resolved("2024-03-06", "2024-03-18", interval="week", week_start_day=1).buckets()
    assert [b.date().isoformat() for b in sunday] == ["2024-03-03", "2024-03-10", "2024-03-17"]
    assert [b.date().isoformat() for b in monday] == ["2024-03-04", "2024-03-11", "2024-03-18"]


def test_compare_previous_period():
    previous = resolved("2024-01-08", "2024-01-14").previous_period()
    assert previous.date_from() == utc(2024, 1, 1)
    assert previous.date_to() == utc(2024, 1, 7, **END_OF_DAY)
    # "-7d" spans eight days; the previous period gets one day back (PostHog's kludge).
    seven = resolved("-7d").previous_period()
    assert seven.date_from() == utc(2024, 3, 1)
    assert seven.date_to() == utc(2024, 3, 8, **END_OF_DAY)
    shifted = resolved("2024-01-08", "2024-01-14").previous_period("-1w")
    assert shifted.date_from() == utc(2024, 1, 1)
    assert shifted.date_to() == utc(2024, 1, 7, **END_OF_DAY)


@pytest.mark.parametrize(
    ("interval", "bucket", "start", "end", "label"),
    [
        ("day", utc(2024, 1, 1), utc(2024, 1, 1), utc(2024, 1, 31), "1-Jan-2024"),
        ("hour", utc(2024, 1, 1, 13), utc(2024, 1, 1), utc(2024, 1, 2), "1-Jan 13:00"),
        ("minute", utc(2024, 1, 1, 13, 5), utc(2024, 1, 1), utc(2024, 1, 2), "1-Jan 13:05"),
        ("month", utc(2024, 1, 1), utc(2024, 1, 1), utc(2024, 3, 1), "Jan 2024"),
        ("week", utc(2024, 1, 7), utc(2024, 1, 1), utc(2024, 3, 1), "7–13 Jan"),
        ("week", utc(2024, 1, 28), utc(2024, 1, 1), utc(2024, 3, 1), "28-Jan – 3-Feb"),
        ("week", utc(2023, 12, 31), utc(2023, 12, 1), utc(2024, 3, 1), "31-Dec-2023 – 6-Jan-2024"),
        ("week", utc(2023, 12, 31), utc(2024, 1, 1), utc(2024, 3, 1), "1–6 Jan"),
        ("week", utc(2024, 1, 7), utc(2024, 1, 1), utc(2024, 1, 7, 23), "7-Jan-2024"),
    ],
)
def test_labels(interval, bucket, start, end, label):
    assert format_label_date(bucket, interval, start, end) == label


def test_smoothing_is_a_floored_trailing_average():
    assert smooth([1, 2, 4, 8], 2) == [1, 1, 3, 6]


def test_runner_hooks_give_interval_and_fixed_date_to():
    team = Team(timezone="UTC")
    series = [{"kind": "EventsNode", "event": "$pageview"}]
    fixed = TrendsQuery(series=series, interval="week", dateRange={"date_from": "2024-01-01", "date_to": "2024-01-31"})
    runner = TrendsQueryRunner(fixed, team)
    assert runner.interval() == "week"
    assert runner.date_to() == utc(2024, 1, 31, **END_OF_DAY)
    moving = TrendsQuery(series=series, interval="hour", dateRange={"date_from": "-7d"})
    assert TrendsQueryRunner(moving, team).date_to() is None
    assert TrendsQueryRunner(moving, team).interval() == "hour"
    bold = TrendsQuery(series=series, interval="hour", trendsFilter={"display": "BoldNumber"})
    assert TrendsQueryRunner(bold, team).interval() == "day"


@pytest.mark.parametrize("timezone", ["UTC", "Europe/London", "America/New_York", "Australia/Lord_Howe"])
@pytest.mark.parametrize("text", ["-7d", "-24h", "-2w", "-1q", "-90M", "-30s", "-0d", "-3dStart", "-1mStart", "-1y"])
@pytest.mark.parametrize("truncate", [False, True])
def test_fixed_steps_move_like_relativedelta_across_dst(text, timezone, truncate):
    """A fixed-length step is a timedelta (cheaper), which must land where relativedelta does, DST included."""
    for now in (utc(2024, 3, 31, 1, 30), utc(2024, 11, 3, 6, 30), utc(2024, 10, 6, 15, 45), NOW):
        moment, delta, relative = parse_date_with_delta(text, timezone, now, always_truncate=truncate)
        expected = now.astimezone(ZoneInfo(timezone)) - relativedelta(**delta)
        if truncate:
            expected = expected.replace(**(HOUR_START if "hours" in delta else DAY_START))
        assert relative and (moment, moment.utcoffset()) == (expected, expected.utcoffset())
