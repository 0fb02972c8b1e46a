"""A trend's bucket layout finds each row's bucket from the engine's text as parsing it would, DST included."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from queries.runners.common.date_range import QueryDateRange
from queries.runners.trends.buckets import bucket_layout


class Range:
    def __init__(self, date_from, date_to):
        self.date_from, self.date_to = date_from, date_to


@pytest.mark.parametrize(
    ("timezone", "interval", "date_from", "date_to", "now"),
    [
        # London's clocks go back at 02:00 BST on 2024-10-27: 01:00-01:59 happens twice.
        ("Europe/London", "hour", "2024-10-27T00:00:00", "2024-10-27T03:00:00", "2024-10-28T00:00:00Z"),
        ("America/Sao_Paulo", "day", "2024-10-28", "2024-11-05", "2024-11-06T00:00:00Z"),
        ("Asia/Kolkata", "week", "2024-01-01", "2024-02-20", "2024-03-01T00:00:00Z"),
        ("UTC", "month", "2024-01-15", "2024-06-01", "2024-07-01T00:00:00Z"),
        ("UTC", "minute", "2024-01-01T10:00:00", "2024-01-01T10:05:00", "2024-02-01T00:00:00Z"),
    ],
)
def test_positions_match_parsing_the_text(timezone, interval, date_from, date_to, now):
    moment = datetime.fromisoformat(now.replace("Z", "+00:00")).astimezone(UTC)
    date_range = QueryDateRange(Range(date_from, date_to), timezone, interval, moment)
    layout = bucket_layout(date_range)
    buckets = date_range.buckets()
    assert list(layout.buckets) == buckets and len(buckets) > 2
    zone = ZoneInfo(timezone)
    parsed_index = {bucket: position for position, bucket in enumerate(buckets)}

    def parsed(text):
        return parsed_index.get(datetime.fromisoformat(text).replace(tzinfo=zone))

    for bucket in buckets:
        wall = bucket.replace(tzinfo=None)
        for text in (wall.isoformat(" "), wall.date().isoformat(), wall.isoformat(" ", "microseconds")):
            assert layout.position(text) == parsed(text), text
    outside = "1999-01-01 00:00:00"
    assert layout.position(outside) is None
    assert layout.iso == tuple(bucket.isoformat() for bucket in buckets)
