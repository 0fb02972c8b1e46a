"""ActionsNode series in trends, stickiness and lifecycle: the same numbers as the action's steps written as an event
filter, the action's name as the label, and a changed action changing the (cached) answer."""

import pytest

from actions.models import Action
from tests.query_helpers import capture_events, run_query

pytestmark = pytest.mark.usefixtures("clickhouse")

EVENTS = [
    ("$pageview", "ann", {"$current_url": "https://x.io/pricing"}, "2024-01-01T10:00:00Z"),
    ("$pageview", "ann", {"$current_url": "https://x.io/"}, "2024-01-02T10:00:00Z"),
    ("$pageview", "bob", {"$current_url": "https://x.io/pricing?a=1"}, "2024-01-02T11:00:00Z"),
    ("purchase", "bob", {"plan": "pro"}, "2024-01-03T09:00:00Z"),
    ("purchase", "cat", {"plan": "free"}, "2024-01-03T12:00:00Z"),
    ("purchase", "cat", {"plan": "pro"}, "2024-01-05T12:00:00Z"),
    ("$pageview", "dan", {"$current_url": "https://x.io/docs"}, "2024-01-04T10:00:00Z"),
]
STEPS = [
    {"event": "$pageview", "url": "/pricing"},
    {"event": "purchase", "properties": [{"key": "plan", "value": "pro", "type": "event"}]},
]
SAME_AS_STEPS = (
    "(event = '$pageview' and properties.$current_url ilike '%/pricing%') "
    "or (event = 'purchase' and properties.plan = 'pro')"
)
RANGE = {"date_from": "2024-01-01", "date_to": "2024-01-05"}


@pytest.fixture
def action(client, world):
    capture_events(client, world.team, EVENTS)
    return Action.objects.create(team=world.team, name="Interested", steps=STEPS)


def insight(client, team_id, source: dict) -> dict:
    source = {"dateRange": RANGE, **source}
    response = run_query(client, team_id, {"kind": "InsightVizNode", "source": source}, refresh="blocking")
    assert response.status_code == 200, response.json()
    return response.json()


def as_action(action_id, **fields):
    return {"kind": "ActionsNode", "id": action_id, **fields}


def as_events(**fields):
    return {"kind": "EventsNode", "event": None, "properties": [{"type": "hogql", "key": SAME_AS_STEPS}], **fields}


@pytest.mark.parametrize("math", ["total", "dau"])
def test_trends_action_series_counts_what_its_steps_match(owner_client, world, action, math):
    by_action = insight(
        owner_client, world.team.id, {"kind": "TrendsQuery", "series": [as_action(action.id, math=math)]}
    )
    by_events = insight(owner_client, world.team.id, {"kind": "TrendsQuery", "series": [as_events(math=math)]})
    series = by_action["results"][0]
    assert series["data"] == by_events["results"][0]["data"]
    expected = [1, 1, 1, 0, 1] if math == "total" else [1, 1, 1, 0, 1]
    assert series["data"] == expected
    assert series["label"] == "Interested"
    assert series["action"]["type"] == "actions" and series["action"]["id"] == action.id
    assert series["action"]["name"] == "Interested"


def test_stickiness_and_lifecycle_accept_actions(owner_client, world, action):
    stickiness = insight(owner_client, world.team.id, {"kind": "StickinessQuery", "series": [as_action(action.id)]})
    same = insight(owner_client, world.team.id, {"kind": "StickinessQuery", "series": [as_events()]})
    assert stickiness["results"][0]["data"] == same["results"][0]["data"]
    # ann: 1 day, bob: 2 days, cat: 1 day (only the pro purchase on the 5th).
    assert stickiness["results"][0]["data"][:3] == [2, 1, 0]
    assert stickiness["results"][0]["label"] == "Interested"
    lifecycle = insight(
        owner_client, world.team.id, {"kind": "LifecycleQuery", "series": [as_action(action.id)], "interval": "day"}
    )
    same = insight(owner_client, world.team.id, {"kind": "LifecycleQuery", "series": [as_events()], "interval": "day"})
    by_status = {row["status"]: row["data"] for row in lifecycle["results"]}
    assert by_status == {row["status"]: row["data"] for row in same["results"]}
    assert lifecycle["results"][0]["action"]["type"] == "actions"


def test_editing_an_action_changes_the_cached_answer(owner_client, world, action):
    source = {"kind": "TrendsQuery", "series": [as_action(action.id)], "trendsFilter": {"display": "BoldNumber"}}
    assert insight(owner_client, world.team.id, source)["results"][0]["aggregated_value"] == 4
    action.steps = [{"event": "purchase"}]
    action.save()
    again = insight(owner_client, world.team.id, source)
    assert again["is_cached"] is False
    assert again["results"][0]["aggregated_value"] == 3


def test_unknown_action_counts_nothing_in_trends_and_is_a_400_elsewhere(owner_client, world, action):
    trends = insight(owner_client, world.team.id, {"kind": "TrendsQuery", "series": [as_action(987654)]})
    assert trends["results"][0]["data"] == [0, 0, 0, 0, 0]
    source = {"kind": "StickinessQuery", "series": [as_action(987654)], "dateRange": RANGE}
    response = run_query(owner_client, world.team.id, {"kind": "InsightVizNode", "source": source})
    assert response.status_code == 400
    assert response.json()["detail"] == "Action 987654 does not exist."


def test_action_of_another_project_is_unknown(owner_client, outsider_client, world, action):
    source = {"kind": "StickinessQuery", "series": [as_action(action.id)], "dateRange": RANGE}
    response = run_query(outsider_client, world.other_team.id, {"kind": "InsightVizNode", "source": source})
    assert response.status_code == 400


def test_funnel_steps_and_exclusions_can_be_actions(owner_client, world, action):
    signup = Action.objects.create(team=world.team, name="Bought", steps=[{"event": "purchase"}])
    pricing_view = {"kind": "EventsNode", "event": "$pageview", "properties": [
        {"key": "$current_url", "value": "/pricing", "operator": "icontains", "type": "event"}]}  # fmt: skip
    source = {"kind": "FunnelsQuery", "dateRange": RANGE, "series": [pricing_view, as_action(signup.id)]}
    steps = insight(owner_client, world.team.id, source)["results"]
    # ann and bob saw pricing; only bob bought afterwards.
    assert [step["count"] for step in steps] == [2, 1]
    assert steps[1]["name"] == "Bought" and steps[1]["action_id"] == signup.id and steps[1]["type"] == "actions"
    source["series"] = [as_action(action.id), {"kind": "EventsNode", "event": "purchase"}]
    # "Interested" matches bob's pricing view (then his purchase) and cat's pro purchase (nothing after).
    assert [step["count"] for step in insight(owner_client, world.team.id, source)["results"]] == [3, 1]
