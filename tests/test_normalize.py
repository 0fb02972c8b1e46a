"""Unit tests of event normalisation: timestamps, person-update placement, rejections."""

import copy
from datetime import UTC, datetime, timedelta, timezone

import orjson
import pytest

from ingestion.errors import EventRejected
from ingestion.normalize import BatchNormalizer, event_timestamp, normalize_event, parse_timestamp
from ingestion.pipeline import clickhouse_time, iso_to_clickhouse

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
UUID = "0192f5a4-7c1e-7d3a-9b2c-4e5f6a7b8c9d"


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


FAST_PATH_EVENTS = [
    {"event": "$pageview", "distinct_id": "u1", "uuid": UUID, "timestamp": "2025-03-01T11:59:00+00:00"},
    {"event": "e", "distinct_id": " u1 ", "uuid": UUID, "timestamp": "2025-03-01T11:59:00.123Z", "properties": {}},
    {"event": "e", "distinct_id": "u1", "uuid": UUID, "properties": {"$set": {"plan": "pro"}, "$set_once": {"a": 1}}},
    {"event": "e", "uuid": UUID, "timestamp": "2025-03-01T12:00:00", "properties": {"distinct_id": "u2", "x": 1}},
    {"event": "e", "distinct_id": "u1", "uuid": UUID, "timestamp": "2025-03-05T12:00:00Z", "properties": {"b": 1}},
    {"event": "e", "distinct_id": "u1", "uuid": UUID, "timestamp": "1969-12-31T23:59:59Z", "properties": {"b": 1}},
    {"event": "e", "distinct_id": "u1", "uuid": UUID, "timestamp": "soon", "properties": {"token": "t", "a": 1}},
    {"event": "e", "distinct_id": "u1", "uuid": UUID, "timestamp": "", "properties": {"$token": "t", "api_key": "k"}},
    {"event": "e", "distinct_id": "u1", "uuid": UUID, "properties": None},
    {"event": "e" * 200, "distinct_id": "d" * 200, "uuid": UUID, "timestamp": "2025-03-01T12:00:00+01:00"},
]
GENERAL_PATH_EVENTS = [
    {"event": "e", "distinct_id": 42, "uuid": UUID, "timestamp": "2025-03-01T11:00:00Z", "properties": {}},
    {"event": "e", "distinct_id": 4.5, "uuid": UUID.upper(), "properties": {}},
    {"event": "e", "distinct_id": "u1", "timestamp": "2025-03-01T11:00:00Z", "properties": {}},
    {"event": "e", "distinct_id": "u1", "uuid": UUID, "offset": 1500, "properties": {}},
    {"event": "e", "distinct_id": "u1", "uuid": UUID, "timestamp": 1740823200000, "properties": {}},
    {"event": "e", "distinct_id": "u1", "uuid": UUID, "sent_at": "2025-03-01T11:00:00Z", "properties": {}},
    {"event": "e", "distinct_id": "u1", "uuid": UUID, "$set": {"a": 1}, "properties": {"$set": {"b": 2}}},
    {"event": "e", "distinct_id": "u1", "uuid": UUID, "$set_once": {"a": 1}, "$unset": ["c"]},
    {"event": "e", "distinct_id": "u1", "uuid": UUID, "properties": {"$set": None, "$unset": ["c"]}},
    {"event": "e", "distinct_id": "u1", "uuid": UUID, "properties": {"$elements": [{"tag_name": "a", "text": "Go"}]}},
    {"event": "e", "distinct_id": "u1", "uuid": UUID, "properties": {"$elements_chain": 'a:text="Go"'}},
    {"event": "e", "distinct_id": "u1", "uuid": UUID, "properties": {"$ignore_sent_at": True}, "timestamp": "2025"},
    {"event": "e", "$distinct_id": "u3", "uuid": UUID, "properties": {"token": "t"}},
    {"event": "e", "distinct_id": None, "uuid": UUID, "properties": {"distinct_id": "u2"}},
    {"event": "e", "distinct_id": "u1", "uuid": UUID, "properties": []},
    {"event": "e", "distinct_id": "u1", "uuid": UUID, "properties": {"$set": "x"}},
    {"event": "e", "distinct_id": "u1", "uuid": UUID, "properties": {"$set_once": ["x"]}},
    {"event": "e", "distinct_id": "u1", "uuid": "nope"},
    {"event": "e", "distinct_id": "NaN", "uuid": UUID},
    {"event": "e", "distinct_id": "   ", "uuid": UUID},
    {"event": "e", "distinct_id": "d" * 201, "uuid": UUID},
    {"event": "e" * 201, "distinct_id": "u1", "uuid": UUID},
    {"event": "", "distinct_id": "u1", "uuid": UUID},
    {"event": ["e"], "distinct_id": "u1", "uuid": UUID},
    {"distinct_id": "u1", "uuid": UUID},
    ["not", "an", "event"],
    "event",
]
BATCHES = [{}, {"sent_at": "2025-03-01T15:05:00Z"}, {"sent_at": "2025-03-01T11:00:00.5+00:00"}, {"sent_at": 17408e8}]


def normalized_or_rejection(normalize, raw):
    try:
        event = normalize(copy.deepcopy(raw))
    except EventRejected as rejected:
        return ("rejected", rejected.code, rejected.detail, rejected.attr)
    if "uuid" not in raw:  # a fresh random uuid on every call
        event["uuid"] = "random"
    return orjson.dumps(event)


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("raw", FAST_PATH_EVENTS + GENERAL_PATH_EVENTS)
def test_batch_normalizer_gives_what_normalize_event_gives(raw, batch):
    """The fast path for common events must never drift from the general one: same stored bytes, same rejections."""
    normalizer = BatchNormalizer(batch, NOW)
    general = normalized_or_rejection(lambda event: normalize_event(event, 7, batch, NOW), raw)
    assert normalized_or_rejection(lambda event: normalizer.normalize(event, 7), raw) == general
    sent = copy.deepcopy(raw)
    handled = normalizer.common_event(sent, 7)
    assert sent == raw  # the fast path leaves the raw event as it was
    assert (handled is not None) == (raw in FAST_PATH_EVENTS)
    if handled is not None:  # again, with the request's timestamp already known
        assert orjson.dumps(normalizer.common_event(copy.deepcopy(raw), 7)) == orjson.dumps(handled) == general


def test_batch_normalizer_engage_uses_identify():
    raw = {"$distinct_id": "u1", "$set": {"a": 1}, "uuid": UUID}
    expected = normalize_event(copy.deepcopy(raw), 7, {}, NOW, engage=True)
    assert BatchNormalizer({}, NOW, engage=True).normalize(raw, 7) == expected
    assert expected["event"] == "$identify"
