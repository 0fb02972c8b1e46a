"""More insight shapes whose actors must match the chart's numbers: WAU math, hour intervals, week lifecycles,
stickiness operators, 24-hour retention windows, strict funnels."""

import pytest

from tests.actors_helpers import DAYS, RANGE, actor_names, actors, capture_world, insight

pytestmark = pytest.mark.usefixtures("clickhouse")
PAGEVIEWS = [{"kind": "EventsNode", "event": "$pageview"}]


@pytest.fixture
def model(client, world):
    return capture_world(client, world)


def point(source: dict, **fields) -> dict:
    return {"kind": "InsightActorsQuery", "source": source, **fields}


def test_weekly_active_users_actors_match_each_day(owner_client, world, model):
    source = {"kind": "TrendsQuery", "series": [{**PAGEVIEWS[0], "math": "weekly_active"}], "dateRange": RANGE}
    data = insight(owner_client, world.team.id, source)["results"][0]["data"]
    for index, day in enumerate(DAYS):
        assert len(actors(owner_client, world.team.id, point(source, day=day))["results"]) == data[index], day


def test_hourly_trend_actors_match_each_hour(owner_client, world, model):
    source = {"kind": "TrendsQuery", "series": [{**PAGEVIEWS[0], "math": "dau"}], "interval": "hour",
              "dateRange": {"date_from": "2024-01-01", "date_to": "2024-01-01"}}  # fmt: skip
    row = insight(owner_client, world.team.id, source)["results"][0]
    for day, value in zip(row["days"], row["data"], strict=True):
        if value:
            assert len(actors(owner_client, world.team.id, point(source, day=day))["results"]) == value, day


def test_weekly_lifecycle_actors_match_the_chart(owner_client, world, model):
    source = {"kind": "LifecycleQuery", "series": PAGEVIEWS, "interval": "week",
              "dateRange": {"date_from": "2023-12-25", "date_to": "2024-01-14"}}  # fmt: skip
    for row in insight(owner_client, world.team.id, source)["results"]:
        for day, value in zip(row["days"], row["data"], strict=True):
            found = actors(owner_client, world.team.id, point(source, day=day, status=row["status"]))["results"]
            assert len(found) == abs(value), (row["status"], day)


def test_stickiness_actors_with_an_operator(owner_client, world, model):
    source = {"kind": "StickinessQuery", "series": PAGEVIEWS, "dateRange": RANGE}
    node = {"kind": "StickinessActorsQuery", "source": source, "day": 2, "operator": "gte"}
    days = model.days_of("$pageview")
    assert actor_names(actors(owner_client, world.team.id, node)) == {p for p, d in days.items() if len(d) >= 2}


def test_retention_24_hour_windows_actors_match_the_cohort_sizes(owner_client, world, model):
    windows = {"period": "Day", "totalIntervals": 5, "timeWindowMode": "24_hour_windows"}
    source = {"kind": "RetentionQuery", "dateRange": RANGE, "retentionFilter": windows}
    for interval, row in enumerate(insight(owner_client, world.team.id, source)["results"]):
        found = actors(owner_client, world.team.id, point(source, interval=interval), select=["person", "appearances"])
        assert len(found["results"]) == row["values"][0]["count"], interval
        for value_index, value in enumerate(row["values"]):
            assert value["count"] == sum(1 for r in found["results"] if value_index in r[1])


def test_strict_funnel_actors_match_the_steps(owner_client, world, model):
    source = {"kind": "FunnelsQuery", "dateRange": RANGE, "funnelsFilter": {"funnelOrderType": "strict"},
              "series": [{"kind": "EventsNode", "event": e} for e in ("$pageview", "signup")]}  # fmt: skip
    counts = [step["count"] for step in insight(owner_client, world.team.id, source)["results"]]
    for step, count in enumerate(counts, start=1):
        node = {"kind": "FunnelsActorsQuery", "source": source, "funnelStep": step}
        assert len(actors(owner_client, world.team.id, node)["results"]) == count
