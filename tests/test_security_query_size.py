"""One request cannot make the server build millions of buckets: the size of an insight query is checked first."""

import time

import pytest

from queries.runners.common.limits import TOO_MANY_INTERVALS, TOO_MANY_SERIES, TOO_MANY_VALUES

pytestmark = pytest.mark.usefixtures("clickhouse")


def trends(client, team_id: int, **source):
    body = {"query": {"kind": "TrendsQuery", "series": [{"kind": "EventsNode", "event": "$pageview"}], **source}}
    return client.post(f"/api/projects/{team_id}/query/", body, format="json")


def test_minute_interval_over_ten_years_is_refused_quickly(owner_client, world):
    started = time.monotonic()
    response = trends(owner_client, world.team.id, interval="minute", dateRange={"date_from": "-3650d"})
    assert time.monotonic() - started < 5
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail.startswith("This query covers ") and "minute intervals; at most 50,000 are allowed" in detail
    assert TOO_MANY_INTERVALS.split("{")[0] in detail


def test_hourly_since_1970_is_refused(owner_client, world):
    response = trends(owner_client, world.team.id, interval="hour", dateRange={"date_from": "1970-01-01"})
    assert response.status_code == 400
    assert "hour intervals" in response.json()["detail"]


def test_too_many_series_is_refused(owner_client, world):
    body = {
        "query": {
            "kind": "TrendsQuery",
            "series": [{"kind": "EventsNode", "event": f"e{i}"} for i in range(5000)],
        }
    }
    response = owner_client.post(f"/api/projects/{world.team.id}/query/", body, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == TOO_MANY_SERIES.format(count=5000, limit=100)


def test_intervals_times_breakdown_values_over_the_limit_is_refused(owner_client, world, settings):
    settings.QUERY_MAX_VALUES = 1000
    response = trends(
        owner_client,
        world.team.id,
        interval="day",
        dateRange={"date_from": "-90d"},
        breakdownFilter={"breakdown": "$browser", "breakdown_limit": 25},
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith(TOO_MANY_VALUES.split("{")[0])


def test_a_normal_query_is_not_refused(owner_client, world):
    assert trends(owner_client, world.team.id, interval="hour", dateRange={"date_from": "-30d"}).status_code == 200
