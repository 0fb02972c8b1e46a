"""Pictures of real responses: each insight kind runs through POST /query/ and its answer is drawn.

Numbers and labels read back from the SVG are checked against the response the runner gave."""

import io

import pytest
from PIL import Image

from charts import render_png, render_svg
from charts.format import number
from tests.charts_helpers import svg_texts
from tests.query_helpers import capture_events, run_query

pytestmark = pytest.mark.usefixtures("clickhouse")

DATE_RANGE = {"date_from": "2024-01-01", "date_to": "2024-01-05"}
PEOPLE = {"alice": "Chrome", "bob": "Firefox", "carol": "Safari", "dave": "Chrome", "erin": "Chrome"}


def _events():
    events = []
    for index, (person, browser) in enumerate(PEOPLE.items()):
        for day in range(1, 2 + index % 4):
            for page, minute in (("/home", 0), ("/pricing", 5), ("/signup", 9)):
                if page == "/signup" and index % 2:
                    continue
                props = {"$browser": browser, "$current_url": f"https://example.com{page}", "$pathname": page}
                events.append(("$pageview", person, props, f"2024-01-0{day}T1{index}:{minute:02d}:00Z"))
        if index % 2 == 0:
            events.append(("signed_up", person, {"$browser": browser}, f"2024-01-01T1{index}:20:00Z"))
        if index == 0:
            events.append(("purchase", person, {"$browser": browser}, "2024-01-02T10:30:00Z"))
    return events


@pytest.fixture
def data(client, world):
    capture_events(client, world.team, _events())


def answer(client, team_id, query: dict) -> dict:
    response = run_query(client, team_id, query, refresh="force_blocking")
    assert response.status_code == 200, response.json()
    return response.json()


def insight(source: dict) -> dict:
    return {"kind": "InsightVizNode", "source": {"dateRange": DATE_RANGE, **source}}


PAGEVIEWS = [{"kind": "EventsNode", "event": "$pageview"}]
FUNNEL = [{"kind": "EventsNode", "event": e} for e in ("$pageview", "signed_up", "purchase")]


def test_trends_breakdown_picture_matches_the_runner(owner_client, world, data):
    query = insight({"kind": "TrendsQuery", "series": PAGEVIEWS, "breakdownFilter": {"breakdown": "$browser"}})
    response = answer(owner_client, world.team.id, query)
    texts = svg_texts(render_svg(query, response, timezone=world.team.timezone))
    labels = [row["label"] for row in response["results"]]
    assert sorted(labels) == ["Chrome", "Firefox", "Safari"]
    assert [t for t in texts if t in labels] == labels  # the legend in the runner's order
    assert texts[:5] == response["results"][0]["labels"]
    png = Image.open(io.BytesIO(render_png(query, response)))
    assert png.size == (800, 450)


@pytest.mark.parametrize("display", ["BoldNumber", "ActionsPie", "ActionsBarValue", "ActionsTable"])
def test_trends_total_value_pictures_show_the_runner_totals(owner_client, world, data, display):
    breakdown = {} if display == "BoldNumber" else {"breakdownFilter": {"breakdown": "$browser"}}
    query = insight({"kind": "TrendsQuery", "series": PAGEVIEWS, "trendsFilter": {"display": display}, **breakdown})
    response = answer(owner_client, world.team.id, query)
    texts = " ".join(svg_texts(render_svg(query, response)))
    for row in response["results"]:
        assert number(row["aggregated_value"]) in texts
        if breakdown:
            assert row["label"] in texts


def test_funnel_steps_picture_shows_the_step_counts(owner_client, world, data):
    query = insight({"kind": "FunnelsQuery", "series": FUNNEL})
    response = answer(owner_client, world.team.id, query)
    texts = svg_texts(render_svg(query, response))
    counts = [step["count"] for step in response["results"]]
    assert counts == [5, 3, 1]
    assert texts[:3] == ["1. $pageview", "2. signed_up", "3. purchase"]
    assert texts[-7:-1] == ["5", "100%", "3", "60%", "1", "20%"]


def test_funnel_time_to_convert_and_trends_pictures(owner_client, world, data):
    for viz in ("time_to_convert", "trends"):
        query = insight({"kind": "FunnelsQuery", "series": FUNNEL[:2], "funnelsFilter": {"funnelVizType": viz}})
        response = answer(owner_client, world.team.id, query)
        texts = svg_texts(render_svg(query, response))
        if viz == "trends":
            assert texts[:5] == response["results"][0]["labels"] and "100%" in texts
        else:
            assert f"{sum(count for _, count in response['results']['bins'])} conversions" in texts


def test_retention_picture_shows_the_cohorts(owner_client, world, data):
    query = insight({"kind": "RetentionQuery", "retentionFilter": {"period": "Day", "totalIntervals": 5}})
    response = answer(owner_client, world.team.id, query)
    texts = svg_texts(render_svg(query, response, timezone="UTC"))
    sizes = [row["values"][0]["count"] for row in response["results"]]
    assert texts[:7] == ["Cohort", "Size", "Day 0", "Day 1", "Day 2", "Day 3", "Day 4"]
    assert texts[texts.index("Jan 1, 2024") + 1] == str(sizes[0])
    day_one = response["results"][0]["values"][1]["count"] / sizes[0] * 100
    assert f"{number(round(day_one, 1), 1)}%" in texts


def test_lifecycle_and_stickiness_pictures(owner_client, world, data):
    query = insight({"kind": "LifecycleQuery", "series": PAGEVIEWS})
    response = answer(owner_client, world.team.id, query)
    texts = svg_texts(render_svg(query, response))
    assert {"New", "Returning", "Dormant", "Resurrecting"} <= set(texts)
    query = insight({"kind": "StickinessQuery", "series": PAGEVIEWS})
    response = answer(owner_client, world.team.id, query)
    texts = svg_texts(render_svg(query, response))
    assert texts[:3] == response["results"][0]["labels"][:3] == ["1 day", "2 days", "3 days"]


def test_paths_picture_labels_nodes_with_actor_counts(owner_client, world, data):
    query = insight({"kind": "PathsQuery", "pathsFilter": {"includeEventTypes": ["$pageview"]}})
    response = answer(owner_client, world.team.id, query)
    texts = svg_texts(render_svg(query, response))
    first = {}
    for edge in response["results"]:
        if edge["source"].startswith("1_"):
            first[edge["source"][2:]] = first.get(edge["source"][2:], 0) + edge["value"]
    for name, total in first.items():
        assert any(t.startswith(name[:10]) and t.endswith(f"  {number(total)}") for t in texts), (name, texts)


def test_hogql_and_events_tables_show_the_rows(owner_client, world, data):
    sql = "SELECT event, count() AS total FROM events GROUP BY event ORDER BY total DESC"
    query = {"kind": "DataVisualizationNode", "source": {"kind": "HogQLQuery", "query": sql}}
    response = answer(owner_client, world.team.id, query)
    texts = svg_texts(render_svg(query, response))
    assert texts[:2] == ["event", "total"]
    assert texts[2:4] == [response["results"][0][0], number(response["results"][0][1])]
    world.team.timezone = "Europe/Berlin"
    world.team.save()
    events = {
        "kind": "DataTableNode",
        "source": {
            "kind": "EventsQuery",
            "select": ["event", "timestamp"],
            "after": "all",
            "orderBy": ["timestamp DESC"],
            "limit": 3,
        },
    }
    response = answer(owner_client, world.team.id, events)
    texts = svg_texts(render_svg(events, response))
    assert texts[:2] == ["event", "timestamp"] and texts[2] == response["results"][0][0]
    # The runner answers times in the project's timezone (13:05Z, the latest event, is 14:05 in Berlin).
    assert texts[3] == "2024-01-04 14:05:00"
