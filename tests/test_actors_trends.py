"""The persons behind a trends data point are exactly the persons it counts (spec actors-cohorts §2.2)."""

import pytest

from tests.actors_helpers import DAYS, RANGE, actor_names, actors, capture_world, insight, name_of
from tests.query_helpers import capture_events, run_query

pytestmark = pytest.mark.usefixtures("clickhouse")


@pytest.fixture
def model(client, world):
    return capture_world(client, world)


def trends(**fields) -> dict:
    series = fields.pop("series", [{"kind": "EventsNode", "event": "$pageview", "math": "dau"}])
    return {"kind": "TrendsQuery", "series": series, "dateRange": RANGE, **fields}


def point(source: dict, **fields) -> dict:
    return {"kind": "InsightActorsQuery", "source": source, **fields}


def test_trends_actors_of_each_day_are_the_unique_users_counted(owner_client, world, model):
    source = trends()
    data = insight(owner_client, world.team.id, source)["results"][0]["data"]
    for index, day in enumerate(DAYS):
        result = actors(owner_client, world.team.id, point(source, day=day))
        assert len(result["results"]) == data[index]
        assert actor_names(result) == model.persons("$pageview", day)


def test_trends_actors_count_the_merged_person_once_with_both_events(owner_client, world, model):
    source = trends(series=[{"kind": "EventsNode", "event": None, "math": "dau"}])
    result = actors(
        owner_client,
        world.team.id,
        point(source, day="2024-01-02"),
        select=["person", "event_count", "event_distinct_ids"],
    )
    rows = {name_of(row[0]): row for row in result["results"]}
    assert set(rows) == model.persons(None, "2024-01-02")
    assert rows["user"][1] == 2  # the pageview and the $identify of 2024-01-02
    assert "anon" in rows["user"][0]["distinct_ids"]


def test_trends_actors_of_a_breakdown_value_and_of_other(owner_client, world, model):
    source = trends(breakdownFilter={"breakdown": "$browser", "breakdown_type": "event", "breakdown_limit": 1})
    results = insight(owner_client, world.team.id, source)["results"]
    for row in results:
        for index, day in enumerate(DAYS):
            result = actors(owner_client, world.team.id, point(source, day=day, breakdown=row["breakdown_value"]))
            if row["breakdown_value"] == "$$_posthog_breakdown_other_$$":
                # PostHog's quirk: Other drops the breakdown filter, so everyone of the day is listed.
                assert actor_names(result) == model.persons("$pageview", day)
            else:
                browser = None if row["breakdown_value"] == "$$_posthog_breakdown_null_$$" else row["breakdown_value"]
                expected = model.persons("$pageview", day, browser)
                if browser is None:
                    expected = {p for p in model.persons("$pageview", day) if p == "carol"}
                assert len(result["results"]) == row["data"][index]
                assert actor_names(result) == expected


def test_trends_actors_of_the_second_series_and_the_previous_period(owner_client, world, model):
    series = [{"kind": "EventsNode", "event": "$pageview", "math": "dau"}, {"kind": "EventsNode", "event": "signup"}]
    source = trends(
        series=series, dateRange={"date_from": "2024-01-03", "date_to": "2024-01-04"}, compareFilter={"compare": True}
    )
    result = actors(owner_client, world.team.id, point(source, day="2024-01-03", series=1, compare="previous"))
    assert actor_names(result) == model.persons("signup", "2024-01-01")
    result = actors(owner_client, world.team.id, point(source, day="2024-01-04", series=0, compare="current"))
    assert actor_names(result) == model.persons("$pageview", "2024-01-04")


def test_trends_actors_of_a_total_value_display_cover_the_range(owner_client, world, model):
    source = trends(trendsFilter={"display": "BoldNumber"})
    value = insight(owner_client, world.team.id, source)["results"][0]["aggregated_value"]
    result = actors(owner_client, world.team.id, point(source))
    assert len(result["results"]) == value == len(model.persons("$pageview"))
    query = {"kind": "ActorsQuery", "source": point(source, day="2024-01-01")}
    response = run_query(owner_client, world.team.id, query)
    assert response.status_code == 400
    assert "forbidden" in response.json()["detail"]


def test_trends_actors_need_a_day_for_a_time_series(owner_client, world, model):
    response = run_query(owner_client, world.team.id, {"kind": "ActorsQuery", "source": point(trends())})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("A `day` is required")


def test_actors_query_pages_with_has_more_and_search(owner_client, world, model):
    source = point(trends(series=[{"kind": "EventsNode", "event": None, "math": "dau"}]), day="2024-01-02")
    first = actors(
        owner_client, world.team.id, source, select=["properties.email"], orderBy=["properties.email ASC"], limit=2
    )
    assert [row[0] for row in first["results"]] == ["alice@x.io", "bob@y.io"]
    assert first["hasMore"] is True
    assert first["columns"] == ["properties.email", "event_distinct_ids"]
    second = actors(
        owner_client,
        world.team.id,
        source,
        select=["properties.email"],
        orderBy=["properties.email ASC"],
        limit=2,
        offset=2,
    )
    assert [row[0] for row in second["results"]] == ["carol@x.io", "merged@z.io"]
    assert second["hasMore"] is False
    found = actors(owner_client, world.team.id, source, search="ANON")
    assert actor_names(found) == {"user"}


def test_actors_query_without_source_lists_the_project_persons(owner_client, world, model):
    result = actors(owner_client, world.team.id, None, select=["person", "id", "person.$delete"])
    assert len(result["results"]) == 4
    assert set(result["results"][0][0]) == {"id", "created_at", "distinct_ids", "properties", "is_identified"}
    assert result["missing_actors_count"] == 0
    bob = [{"type": "person", "key": "email", "value": "bob@y.io", "operator": "exact"}]
    filtered = actors(owner_client, world.team.id, None, select=["properties.email"], properties=bob)
    assert filtered["results"] == [["bob@y.io"]]


def test_trends_actors_of_group_math_are_groups(client, owner_client, world, model):
    capture_events(
        client,
        world.team,
        [
            ("$pageview", "alice", {"$group_0": "org:1"}, "2024-01-06T10:00:00Z"),
            ("$pageview", "bob", {"$group_0": "org:1"}, "2024-01-06T11:00:00Z"),
            ("$pageview", "carol", {"$group_0": "org:2"}, "2024-01-06T12:00:00Z"),
            ("$pageview", "carol", {}, "2024-01-06T13:00:00Z"),
        ],
    )
    series = [{"kind": "EventsNode", "event": "$pageview", "math": "unique_group", "math_group_type_index": 0}]
    source = trends(series=series, dateRange={"date_from": "2024-01-06", "date_to": "2024-01-06"})
    assert insight(owner_client, world.team.id, source)["results"][0]["data"] == [2]
    result = actors(owner_client, world.team.id, point(source, day="2024-01-06"), select=["group", "event_count"])
    assert sorted((row[0]["id"], row[1]) for row in result["results"]) == [("org:1", 2), ("org:2", 1)]


def test_insight_actors_query_options_of_trends_and_lifecycle(owner_client, world, model):
    series = [{"kind": "EventsNode", "event": "$pageview", "math": "dau"}, {"kind": "EventsNode", "event": "signup"}]
    source = trends(series=series, breakdownFilter={"breakdown": "$browser", "breakdown_type": "event"},
                    compareFilter={"compare": True})  # fmt: skip
    query = {"kind": "InsightActorsQueryOptions", "source": point(source, day="2024-01-01")}
    options = run_query(owner_client, world.team.id, query).json()
    assert [item["value"] for item in options["day"]] == DAYS
    assert options["day"][0]["label"] == "1-Jan-2024"
    assert options["series"] == [{"label": "$pageview", "value": 0}, {"label": "signup", "value": 1}]
    assert options["compare"] == [{"label": "Current", "value": "current"}, {"label": "Previous", "value": "previous"}]
    labels = {item["label"] for item in options["breakdown"]}
    assert {"Chrome", "Firefox", "Safari", "None (i.e. no value)"} <= labels
    lifecycle = {"kind": "LifecycleQuery", "series": series[:1], "dateRange": RANGE}
    options = run_query(owner_client, world.team.id,
                        {"kind": "InsightActorsQueryOptions", "source": point(lifecycle)}).json()  # fmt: skip
    assert [item["value"] for item in options["status"]] == ["dormant", "new", "resurrecting", "returning"]
    assert options["breakdown"] is None


def test_insight_actors_query_alone_returns_the_actor_rows(owner_client, world, model):
    response = run_query(owner_client, world.team.id, point(trends(), day="2024-01-03"))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["columns"][:2] == ["actor_id", "event_count"]
    assert len(body["results"]) == len(model.persons("$pageview", "2024-01-03"))
