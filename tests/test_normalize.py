"""Unit tests of event normalisation: timestamps, person-update placement, rejections."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from ingestion.errors import EventRejected
from ingestion.normalize import event_timestamp, normalize_event, parse_timestamp
from ingestion.pipeline import clickhouse_time, iso_to_clickhouse

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def test_sent_at_corrects_client_clock_skew():
    raw = {"timestamp": "2025-03-01T15:00:00Z"}
    assert event_timestamp(raw, "2025-03-01T15:05:00Z", NOW) == NOW - timedelta(minutes=5)


def test_ignore_sent_at_property_trusts_timestamp():
    raw = {"timestamp": "2025-03-01T10:00:00Z", "properties": {"$ignore_sent_at": True}}
    assert event_timestamp(raw, "2025-03-01T15:05:00Z", NOW) == datetime(2025, 3, 1, 10, tzinfo=UTC)


def test_offset_without_timestamp():
    assert event_timestamp({"offset": 1500}, None, NOW) == NOW - timedelta(milliseconds=1500)


def test_far_future_and_unparsable_timestamps_fall_back_to_now():
    assert event_timestamp({"timestamp": "2025-03-03T12:00:00Z"}, None, NOW) == NOW
    assert event_timestamp({"timestamp": "yesterday-ish"}, None, NOW) == NOW


def test_naive_timestamp_is_utc_and_epoch_millis_work():
    assert parse_timestamp("2025-03-01 10:00:00") == datetime(2025, 3, 1, 10, tzinfo=UTC)
    assert parse_timestamp(1740823200000) == datetime(2025, 3, 1, 10, tzinfo=UTC)


def test_top_level_set_moves_into_properties_and_merges():
    raw = {"event": "e", "distinct_id": 42, "$set": {"a": 1}, "properties": {"$set": {"b": 2}, "token": "phc_x"}}
    event = normalize_event(raw, 7, {}, NOW)
    assert event["properties"] == {"$set": {"b": 2, "a": 1}}
    assert event["distinct_id"] == "42" and event["team_id"] == 7


@pytest.mark.parametrize(
    ("raw", "attr"),
    [
        ({"event": "e"}, "distinct_id"),
        ({"event": "e", "distinct_id": "null"}, "distinct_id"),
        ({"event": "e", "distinct_id": "x" * 201}, "distinct_id"),
        ({"event": "e", "distinct_id": {"a": 1}}, "distinct_id"),
        ({"distinct_id": "d"}, "event"),
        ({"event": 5, "distinct_id": "d"}, "event"),
        ({"event": "e", "distinct_id": "d", "uuid": "nope"}, "uuid"),
        ({"event": "e", "distinct_id": "d", "properties": {"$set": "x"}}, "$set"),
    ],
)
def test_invalid_events_are_rejected_with_the_field(raw, attr):
    with pytest.raises(EventRejected) as error:
        normalize_event(raw, 1, {}, NOW)
    assert error.value.attr == attr


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2025, 3, 1, 12, 0, 5, tzinfo=UTC),  # isoformat leaves the zero microsecond out
        datetime(2025, 3, 1, 12, 0, 5, 120, tzinfo=UTC),
        datetime(2025, 3, 1, 23, 59, 59, 999999, tzinfo=UTC),
    ],
)
def test_stored_timestamps_become_the_same_clickhouse_text_by_either_path(moment):
    """pipeline.iso_to_clickhouse slices normalize's UTC text; it must equal the datetime formatting it skips."""
    for text in (moment.isoformat(), moment.astimezone(timezone(timedelta(hours=-5))).isoformat()):
        assert iso_to_clickhouse(text) == clickhouse_time(moment)
