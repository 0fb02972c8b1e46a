"""Actions: the CRUD API, and which events each kind of step matches (EventsQuery `actionId`, /events?action_id)."""

import pytest

from actions.models import Action
from tests.query_helpers import capture_events, run_query

pytestmark = pytest.mark.usefixtures("clickhouse")

SIGNUP_BUTTON = [
    {"tag_name": "button", "attr__class": ["cta"], "$el_text": "Sign up", "attr__data-attr": "signup"},
    {"tag_name": "form"},
    {"tag_name": "body"},
]
PRICING_LINK = [
    {"tag_name": "a", "$el_text": "Pricing", "href": "/pricing", "attr__href": "/pricing"},
    {"tag_name": "nav"},
    {"tag_name": "body"},
]
EVENTS = [
    ("pv-home", "$pageview", {"$current_url": "https://example.com/"}),
    ("pv-pricing", "$pageview", {"$current_url": "https://example.com/pricing?ref=ad"}),
    ("pv-docs", "$pageview", {"$current_url": "https://docs.example.com/start"}),
    ("click-signup", "$autocapture", {"$elements": SIGNUP_BUTTON, "$current_url": "https://example.com/"}),
    ("click-pricing", "$autocapture", {"$elements": PRICING_LINK, "$current_url": "https://example.com/"}),
    ("purchase-pro", "purchase", {"plan": "pro"}),
    ("purchase-free", "purchase", {"plan": "free"}),
]


@pytest.fixture
def data_team(client, world):
    rows = [(name, f"user-{i}", {**props, "tag": tag}, f"2024-05-01T10:0{i}:00Z") for i, (tag, name, props) in
            enumerate(EVENTS)]  # fmt: skip
    capture_events(client, world.team, rows)
    capture_events(client, world.other_team, [("purchase", "mallory", {"plan": "pro"}, "2024-05-01T10:00:00Z")])
    return world.team


def create_action(client, team, steps, name="An action"):
    response = client.post(f"/api/projects/{team.id}/actions/", {"name": name, "steps": steps}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def matched_tags(client, team, action_id) -> list[str]:
    query = {"kind": "EventsQuery", "select": ["properties.tag"], "actionId": action_id, "after": "2024-04-01"}
    response = run_query(client, team.id, query)
    assert response.status_code == 200, response.json()
    return sorted(row[0] for row in response.json()["results"])


STEP_CASES = [
    ([{"event": "$pageview"}], ["pv-docs", "pv-home", "pv-pricing"]),
    ([{"event": "$pageview", "url": "pricing"}], ["pv-pricing"]),
    ([{"event": "$pageview", "url": "https://example.com/", "url_matching": "exact"}], ["pv-home"]),
    ([{"event": "$pageview", "url": r"^https://docs\.", "url_matching": "regex"}], ["pv-docs"]),
    ([{"event": "$autocapture", "selector": "button.cta"}], ["click-signup"]),
    ([{"event": "$autocapture", "selector": "form > button"}], ["click-signup"]),
    ([{"event": "$autocapture", "selector": "[data-attr='signup']"}], ["click-signup"]),
    ([{"event": "$autocapture", "tag_name": "a"}], ["click-pricing"]),
    ([{"event": "$autocapture", "text": "Sign up"}], ["click-signup"]),
    ([{"event": "$autocapture", "text": "sign", "text_matching": "contains"}], ["click-signup"]),
    ([{"event": "$autocapture", "href": "/pricing"}], ["click-pricing"]),
    ([{"event": "$autocapture", "href": "pric", "href_matching": "contains"}], ["click-pricing"]),
    ([{"event": "purchase", "properties": [{"key": "plan", "value": "pro", "type": "event"}]}], ["purchase-pro"]),
    ([{"event": "purchase"}, {"event": "$pageview", "url": "docs"}], ["pv-docs", "purchase-free", "purchase-pro"]),
    ([{"url": "pricing"}], ["pv-pricing"]),
]


@pytest.mark.parametrize(("steps", "expected"), STEP_CASES, ids=[str(i) for i in range(len(STEP_CASES))])
def test_action_steps_match_the_expected_events(owner_client, data_team, steps, expected):
    action = create_action(owner_client, data_team, steps)
    assert matched_tags(owner_client, data_team, action["id"]) == sorted(expected)


def test_events_endpoint_filters_by_action(owner_client, data_team):
    action = create_action(owner_client, data_team, [{"event": "purchase"}])
    url = f"/api/projects/{data_team.id}/events/?after=2024-04-01&action_id={action['id']}"
    response = owner_client.get(url)
    assert response.status_code == 200
    assert sorted(row["properties"]["tag"] for row in response.json()["results"]) == ["purchase-free", "purchase-pro"]
    empty = create_action(owner_client, data_team, [], name="No steps")
    for action_id in (empty["id"], 999999):
        response = owner_client.get(f"/api/projects/{data_team.id}/events/?after=2024-04-01&action_id={action_id}")
        assert response.json()["results"] == []


def test_unknown_action_in_events_query_is_a_400(owner_client, data_team):
    response = run_query(owner_client, data_team.id, {"kind": "EventsQuery", "select": ["event"], "actionId": 424242})
    assert response.status_code == 400
    assert response.json()["detail"] == "Action 424242 does not exist."


def test_action_crud_and_soft_delete(owner_client, data_team, world):
    base = f"/api/projects/{data_team.id}/actions/"
    created = create_action(owner_client, data_team, [{"event": "$pageview", "url": "/pricing"}], name="Pricing view")
    assert created["steps"][0]["url_matching"] == "contains"
    assert created["created_by"]["email"] == world.owner.email
    assert created["deleted"] is False and created["is_action"] is True and created["team_id"] == data_team.id
    listed = owner_client.get(base).json()
    assert [a["id"] for a in listed["results"]] == [created["id"]]
    patched = owner_client.patch(f"{base}{created['id']}/", {"name": "Pricing page view"}, format="json")
    assert patched.status_code == 200 and patched.json()["name"] == "Pricing page view"
    assert owner_client.delete(f"{base}{created['id']}/").status_code == 405
    assert owner_client.patch(f"{base}{created['id']}/", {"deleted": True}, format="json").status_code == 200
    assert owner_client.get(base).json()["results"] == []
    assert Action.objects.get(pk=created["id"]).deleted is True
    # The environments prefix serves the same resource.
    assert owner_client.get(f"/api/environments/{data_team.id}/actions/{created['id']}/").status_code == 200


def test_duplicate_action_name_is_a_400(owner_client, data_team):
    first = create_action(owner_client, data_team, [], name="Same")
    response = owner_client.post(f"/api/projects/{data_team.id}/actions/", {"name": "Same"}, format="json")
    assert response.status_code == 400
    assert response.json()["attr"] == "name"
    assert response.json()["detail"] == f"action-exists-{first['id']}"


def test_bad_step_matching_is_a_400(owner_client, data_team):
    body = {"name": "Bad", "steps": [{"event": "$pageview", "url": "x", "url_matching": "startswith"}]}
    response = owner_client.post(f"/api/projects/{data_team.id}/actions/", body, format="json")
    assert response.status_code == 400
    assert response.json()["attr"] == "steps__0__url_matching"


def test_actions_of_another_project_are_invisible(owner_client, outsider_client, data_team, world):
    action = create_action(owner_client, data_team, [{"event": "purchase"}])
    assert outsider_client.get(f"/api/projects/{world.other_team.id}/actions/{action['id']}/").status_code == 404
    assert outsider_client.get(f"/api/projects/{data_team.id}/actions/").status_code == 403
    # The outsider's project cannot use the action in a query either.
    query = {"kind": "EventsQuery", "select": ["event"], "actionId": action["id"]}
    assert run_query(outsider_client, world.other_team.id, query).status_code == 400
