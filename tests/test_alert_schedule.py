"""Next check times: intervals in the project's timezone, DST, weekends and blocked windows (spec §2.7)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from alerts.schedule import (
    INVALID_SCHEDULE_RESTRICTION,
    ScheduleRestrictionError,
    is_weekend,
    localize,
    next_check_at,
    normalize_schedule_restriction,
)

NEW_YORK = "America/New_York"


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


def windows(*pairs):
    return {"blocked_windows": [{"start": start, "end": end} for start, end in pairs]}


def test_hourly_adds_an_hour_to_the_previous_next_check_keeping_minutes():
    assert next_check_at("hourly", utc(2024, 6, 2, 8, 55), "UTC") == utc(2024, 6, 2, 9, 55)
    previous = utc(2024, 6, 2, 8, 7)
    assert next_check_at("hourly", utc(2024, 6, 2, 8, 9), "UTC", previous_next_check_at=previous) == utc(
        2024, 6, 2, 9, 7
    )
    assert next_check_at("every_15_minutes", utc(2024, 6, 2, 8, 0), "UTC") == utc(2024, 6, 2, 8, 15)
    assert next_check_at("real_time", utc(2024, 6, 2, 8, 0), "UTC") == utc(2024, 6, 2, 8, 2)


def test_daily_weekly_monthly_in_utc():
    now = utc(2024, 6, 2, 8, 55, 12)  # a Sunday
    assert next_check_at("daily", now, "UTC") == utc(2024, 6, 3, 1, 55, 12)
    assert next_check_at("weekly", now, "UTC") == utc(2024, 6, 3, 3, 55, 12)
    assert next_check_at("weekly", utc(2024, 6, 3, 8, 0), "UTC") == utc(2024, 6, 10, 3, 0)  # strictly after Monday
    assert next_check_at("monthly", now, "UTC") == utc(2024, 7, 1, 4, 55, 12)
    assert next_check_at("monthly", utc(2024, 12, 31, 23, 0), "UTC") == utc(2025, 1, 1, 4, 0)


def test_daily_uses_the_project_timezone():
    # 23:30 UTC on 1 June is 09:30 on 2 June in Sydney: the next 01:30 there is on 3 June (15:30 UTC on the 2nd).
    assert next_check_at("daily", utc(2024, 6, 1, 23, 30), "Australia/Sydney") == utc(2024, 6, 2, 15, 30)


def test_daily_across_spring_forward_keeps_local_hour():
    # New York goes from EST (-5) to EDT (-4) on 10 March 2024 at 02:00.
    assert next_check_at("daily", utc(2024, 3, 9, 20, 20), NEW_YORK) == utc(2024, 3, 10, 6, 20)  # 01:20 EST
    assert next_check_at("daily", utc(2024, 3, 10, 20, 20), NEW_YORK) == utc(2024, 3, 11, 5, 20)  # 01:20 EDT


def test_daily_into_fall_back_takes_the_daylight_saving_reading():
    # 3 November 2024 01:20 happens twice in New York; the first (EDT, 05:20 UTC) is used.
    assert next_check_at("daily", utc(2024, 11, 2, 20, 20), NEW_YORK) == utc(2024, 11, 3, 5, 20)


def test_localize_moves_missing_times_forward_and_reads_ambiguous_ones_as_dst():
    zone = ZoneInfo(NEW_YORK)
    assert localize(datetime(2024, 3, 10, 2, 30), zone) == utc(2024, 3, 10, 7, 30)  # = 03:30 EDT
    assert localize(datetime(2024, 11, 3, 1, 30), zone) == utc(2024, 11, 3, 5, 30)  # 01:30 EDT


def test_weekly_across_dst_in_europe():
    # Berlin moves to CEST on 31 March 2024: Monday 1 April 03:00 local is 01:00 UTC.
    assert next_check_at("weekly", utc(2024, 3, 28, 12, 0), "Europe/Berlin") == utc(2024, 4, 1, 1, 0)


def test_weekend_is_judged_in_the_project_timezone():
    friday_night_utc = utc(2024, 6, 7, 23, 30)
    assert not is_weekend(friday_night_utc, "UTC")
    assert is_weekend(friday_night_utc, "Europe/Berlin")  # already Saturday 01:30
    assert not is_weekend(utc(2024, 6, 9, 23, 30), "Europe/Berlin")  # Monday 01:30


def test_hourly_snaps_to_the_end_of_a_blocked_window():
    # PostHog's example: hourly alert, now 14:00Z, block 11:00-16:00 -> 16:00Z.
    restriction = normalize_schedule_restriction(windows(("11:00", "16:00")))
    assert next_check_at("hourly", utc(2024, 6, 2, 14, 0), "UTC", restriction=restriction) == utc(2024, 6, 2, 16, 0)


def test_overnight_window_snaps_to_the_next_morning_in_local_time():
    restriction = normalize_schedule_restriction(windows(("22:00", "07:00")))
    # 23:10 Berlin (21:10 UTC) + 1 h = 00:10 local, blocked until 07:00 local = 05:00 UTC.
    assert next_check_at("hourly", utc(2024, 6, 2, 21, 10), "Europe/Berlin", restriction=restriction) == utc(
        2024, 6, 3, 5, 0
    )
    # Before midnight: 22:30 local is blocked until 07:00 the next day.
    assert next_check_at("hourly", utc(2024, 6, 2, 19, 30), "Europe/Berlin", restriction=restriction) == utc(
        2024, 6, 3, 5, 0
    )
    # The daily 01:xx check of a project with a night block moves to 07:00.
    assert next_check_at("daily", utc(2024, 6, 2, 12, 0), "Europe/Berlin", restriction=restriction) == utc(
        2024, 6, 3, 5, 0
    )


def test_window_ending_at_midnight_snaps_to_the_next_day():
    restriction = normalize_schedule_restriction(windows(("20:00", "00:00")))
    assert next_check_at("hourly", utc(2024, 6, 2, 21, 0), "UTC", restriction=restriction) == utc(2024, 6, 3, 0, 0)


def test_blocked_window_end_in_a_spring_forward_gap():
    # Blocked 00:00-02:30 local on the night New York skips 02:00-03:00: the end, 02:30, is read as 03:30 EDT.
    restriction = normalize_schedule_restriction(windows(("00:00", "02:30")))
    assert next_check_at("hourly", utc(2024, 3, 10, 4, 30), NEW_YORK, restriction=restriction) == utc(
        2024, 3, 10, 7, 30
    )


@pytest.mark.parametrize("empty", [None, {}, {"blocked_windows": []}, {"other": 1}])
def test_empty_restrictions_are_stored_as_null(empty):
    assert normalize_schedule_restriction(empty) is None


def test_windows_are_merged_and_overnight_runs_reencoded():
    merged = normalize_schedule_restriction(windows(("09:00", "11:00"), ("10:30", "12:00"), ("12:00", "13:00")))
    assert merged == windows(("09:00", "13:00"))
    overnight = normalize_schedule_restriction(windows(("23:00", "00:00"), ("00:00", "06:00"), ("7:00", "08:00")))
    assert overnight == windows(("07:00", "08:00"), ("23:00", "06:00"))


@pytest.mark.parametrize(
    "raw",
    [
        [],
        "22:00-07:00",
        {"blocked_windows": "x"},
        windows(*[(f"0{i}:00", f"0{i}:30") for i in range(6)]),
        windows(("10:00", "10:00")),
        windows(("10:00", "10:29")),
        windows(("24:00", "01:00")),
        windows(("10:60", "12:00")),
        windows(("10:00:00", "12:00")),
        {"blocked_windows": [{"start": "10:00"}]},
        {"blocked_windows": [{"start": "10:00", "end": "12:00", "extra": 1}]},
        windows(("00:00", "12:00"), ("12:00", "00:00")),
    ],
)
def test_invalid_restrictions_are_refused_with_one_message(raw):
    with pytest.raises(ScheduleRestrictionError) as error:
        normalize_schedule_restriction(raw)
    assert error.value.detail == INVALID_SCHEDULE_RESTRICTION
