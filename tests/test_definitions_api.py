"""Event and property definitions through the API: filled by capture, typed on first sight, searched, filtered,
paged and kept inside their project (spec exports-definitions-limits §2)."""

import pytest

from definitions.api.params import EVENT_NAMES_ONLY_FOR_EVENTS, GROUP_TYPE_INDEX_NOT_ALLOWED, GROUP_TYPE_INDEX_REQUIRED
from definitions.api.serializers import EVENT_HIDDEN_AND_VERIFIED, PROPERTY_HIDDEN_AND_VERIFIED
from definitions.models import EventDefinition, PropertyDefinition
from tests.query_helpers import capture_events

pytestmark = pytest.mark.usefixtures("clickhouse")

T = "2024-05-01T10:00:00Z"


def event_definitions(client, team_id: int, query: str = "") -> dict:
    response = client.get(f"/api/projects/{team_id}/event_definitions/{query}")
    assert response.status_code == 200, response.json()
    return response.json()


def property_definitions(client, team_id: int, query: str = "") -> dict:
    response = client.get(f"/api/projects/{team_id}/property_definitions/{query}")
    assert response.status_code == 200, response.json()
    return response.json()


def types_by_name(body: dict) -> dict:
    return {item["name"]: item["property_type"] for item in body["results"]}


@pytest.fixture
def captured(client, world):
    capture_events(
        client,
        world.team,
        [
            (
                "purchase",
                "alice",
                {
                    "amount": 12.5,
                    "plan": "pro",
                    "is_paid": True,
                    "paid_text": "TRUE",
                    "ordered_on": "2024-01-15",
                    "utm_source": 5,
                    "nothing": None,
                    "$browser": "Chrome",
                    "$set": {"email": "alice@example.com", "age": 31},
                    "$set_once": {"first_seen_plan": "free"},
                },
                T,
            ),
            ("purchase", "bob", {"amount": "seven", "plan": 3}, T),
            ("$pageview", "alice", {"$browser": "Firefox", "$current_url": "https://example.com"}, T),
            ("signed_up", "carol", {"plan": "free"}, T),
        ],
    )
    capture_events(client, world.other_team, [("secret_event", "mallory", {"secret_property": 1}, T)])
    return world.team


def test_capture_records_property_types_on_first_sight(owner_client, captured):
    body = property_definitions(owner_client, captured.id, "?limit=100")
    assert types_by_name(body) == {
        "$browser": "String",
        "$current_url": "String",
        "amount": "Numeric",
        "is_paid": "Boolean",
        "nothing": None,
        "ordered_on": "DateTime",
        "paid_text": "Boolean",
        "plan": "String",
        "utm_source": "String",
    }
    numerical = {item["name"]: item["is_numerical"] for item in body["results"]}
    assert numerical["amount"] is True and numerical["plan"] is False
    item = next(item for item in body["results"] if item["name"] == "amount")
    assert item["is_seen_on_filtered_events"] is None and item["tags"] == [] and item["verified"] is False


def test_first_seen_type_wins_over_later_values(client, owner_client, captured):
    capture_events(client, captured, [("purchase", "dave", {"plan": 99, "amount": "many"}, T)])
    types = types_by_name(property_definitions(owner_client, captured.id))
    assert types["plan"] == "String" and types["amount"] == "Numeric"


def test_person_properties_come_from_set_and_set_once(owner_client, captured):
    body = property_definitions(owner_client, captured.id, "?type=person")
    stored = {item["name"]: item["property_type"] for item in body["results"] if not item.get("virtual")}
    assert stored == {"age": "Numeric", "email": "String", "first_seen_plan": "String"}
    virtual = [item for item in body["results"] if item.get("virtual")]
    assert [item["name"] for item in virtual] == [
        "$virt_initial_channel_type",
        "$virt_initial_referring_domain_type",
        "$virt_revenue",
        "$virt_revenue_last_30_days",
    ]
    assert virtual[2] == {
        "id": "$builtin_$virt_revenue",
        "name": "$virt_revenue",
        "is_numerical": True,
        "property_type": "Numeric",
        "tags": [],
        "virtual": True,
    }
    assert body["count"] == 7


def test_event_definitions_list_search_and_types(owner_client, captured):
    body = event_definitions(owner_client, captured.id, "?ordering=name")
    assert [item["name"] for item in body["results"]] == ["$pageview", "purchase", "signed_up"]
    assert body["count"] == 3 and body["next"] is None and body["previous"] is None
    item = body["results"][1]
    assert item["last_seen_at"] is not None and item["created_at"] is not None
    assert item["is_action"] is False and item["default_columns"] == [] and item["hidden"] is False
    assert [i["name"] for i in event_definitions(owner_client, captured.id, "?search=pur%20ch")["results"]] == [
        "purchase"
    ]
    assert [i["name"] for i in event_definitions(owner_client, captured.id, "?search=ed%20up ")["results"]] == [
        "signed_up"
    ]
    custom = event_definitions(owner_client, captured.id, "?event_type=event_custom&ordering=name")
    assert [i["name"] for i in custom["results"]] == ["purchase", "signed_up"]
    posthog = event_definitions(owner_client, captured.id, "?event_type=event_posthog")
    assert [i["name"] for i in posthog["results"]] == ["$pageview"]
    excluded = event_definitions(owner_client, captured.id, '?excluded_properties=["purchase"]&ordering=-name')
    assert [i["name"] for i in excluded["results"]] == ["signed_up", "$pageview"]


def test_event_definitions_default_ordering_puts_never_seen_last(owner_client, captured):
    created = owner_client.post(
        f"/api/projects/{captured.id}/event_definitions/", {"name": "aaa_planned"}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert created.json()["last_seen_at"] is None and created.json()["created_at"] is None
    names = [i["name"] for i in event_definitions(owner_client, captured.id)["results"]]
    assert names == ["$pageview", "purchase", "signed_up", "aaa_planned"]


def test_event_definitions_page_with_count_and_links(owner_client, captured):
    for index in range(5):
        EventDefinition.objects.create(team=captured, project_id=captured.project_id, name=f"bulk_{index}")
    first = event_definitions(owner_client, captured.id, "?ordering=name&limit=3")
    assert first["count"] == 8 and [i["name"] for i in first["results"]] == ["$pageview", "bulk_0", "bulk_1"]
    assert first["next"].startswith("http://testserver/api/projects/") and "offset=3" in first["next"]
    last = event_definitions(owner_client, captured.id, "?ordering=name&limit=3&offset=6")
    assert [i["name"] for i in last["results"]] == ["purchase", "signed_up"]
    assert last["next"] is None and "offset=3" in last["previous"]


def test_property_definitions_filters(owner_client, captured):
    def names(query: str) -> list[str]:
        return [i["name"] for i in property_definitions(owner_client, captured.id, query)["results"]]

    assert names("?is_numerical=true") == ["amount"]
    assert names("?search=brow") == ["$browser"]
    assert names("?search=ary") == []  # `$lib` ("Library") was not captured
    assert names("?properties=plan,amount") == ["amount", "plan"]
    assert names('?excluded_properties=["plan","amount","nothing"]&exclude_core_properties=true') == [
        "is_paid",
        "ordered_on",
        "paid_text",
    ]
    assert names("?is_feature_flag=true") == []
    seen = property_definitions(owner_client, captured.id, '?event_names=["$pageview"]')["results"]
    assert [(i["name"], i["is_seen_on_filtered_events"]) for i in seen[:3]] == [
        ("$browser", True),
        ("$current_url", True),
        ("amount", False),
    ]
    assert names('?event_names=["signed_up"]&filter_by_event_names=true') == ["plan"]


def test_property_definitions_parameter_errors(owner_client, captured):
    url = f"/api/projects/{captured.id}/property_definitions/"
    for query, message in (
        ("?type=group", GROUP_TYPE_INDEX_REQUIRED),
        ("?type=event&group_type_index=1", GROUP_TYPE_INDEX_NOT_ALLOWED),
        ('?type=person&event_names=["a"]', EVENT_NAMES_ONLY_FOR_EVENTS),
    ):
        response = owner_client.get(url + query)
        assert response.status_code == 400
        assert response.json()["detail"] == message


def test_property_definitions_page_then_virtual_properties(owner_client, captured):
    first = property_definitions(owner_client, captured.id, "?type=person&limit=2")
    assert first["count"] == 7 and [i["name"] for i in first["results"]] == ["age", "email"]
    second = property_definitions(owner_client, captured.id, "?type=person&limit=2&offset=2")
    assert [i["name"] for i in second["results"]] == ["first_seen_plan", "$virt_initial_channel_type"]
    numerical = property_definitions(owner_client, captured.id, "?type=person&is_numerical=true")
    assert [i["name"] for i in numerical["results"]] == ["age", "$virt_revenue", "$virt_revenue_last_30_days"]


def test_update_property_type_sets_is_numerical(owner_client, captured):
    definition = PropertyDefinition.objects.get(team=captured, name="plan", type=1)
    url = f"/api/projects/{captured.id}/property_definitions/{definition.id}/"
    response = owner_client.patch(url, {"property_type": "Numeric"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["is_numerical"] is True and response.json()["property_type"] == "Numeric"
    both = owner_client.patch(url, {"hidden": True, "verified": True}, format="json")
    assert both.status_code == 400 and both.json()["detail"] == PROPERTY_HIDDEN_AND_VERIFIED
    assert owner_client.delete(url).status_code == 204
    assert not PropertyDefinition.objects.filter(pk=definition.pk).exists()


def test_event_definition_verify_hide_and_by_name(owner_client, world, captured):
    found = owner_client.get(f"/api/projects/{captured.id}/event_definitions/by_name/?name=purchase")
    assert found.status_code == 200
    url = f"/api/projects/{captured.id}/event_definitions/{found.json()['id']}/"
    verified = owner_client.patch(url, {"verified": True, "description": "Paid"}, format="json").json()
    assert verified["verified"] is True and verified["verified_by"]["email"] == world.owner.email
    assert verified["description"] == "Paid" and verified["verified_at"] is not None
    hidden = owner_client.patch(url, {"hidden": True}, format="json").json()
    assert hidden["hidden"] is True and hidden["verified"] is False and hidden["verified_by"] is None
    both = owner_client.patch(url, {"hidden": True, "verified": True}, format="json")
    assert both.status_code == 400 and both.json()["detail"] == EVENT_HIDDEN_AND_VERIFIED
    visible = event_definitions(owner_client, captured.id, "?exclude_hidden=true&ordering=name")
    assert [i["name"] for i in visible["results"]] == ["$pageview", "signed_up"]
    missing = owner_client.get(f"/api/projects/{captured.id}/event_definitions/by_name/?name=nope")
    assert missing.status_code == 404
    assert owner_client.get(f"/api/projects/{captured.id}/event_definitions/{found.json()['id']}/metrics/").json() == {
        "query_usage_30_day": 0
    }
    typescript = owner_client.get(f"/api/projects/{captured.id}/event_definitions/typescript/")
    assert typescript.status_code == 200 and typescript["Content-Type"] == "text/plain; charset=utf-8"
    assert '"signed_up"' in typescript.content.decode()


def test_seen_together(owner_client, captured):
    url = f"/api/projects/{captured.id}/property_definitions/seen_together/"
    response = owner_client.get(url + "?event_names=purchase&event_names=$pageview&property_name=amount")
    assert response.json() == {"purchase": True, "$pageview": False}


def test_definitions_stay_inside_their_project(owner_client, outsider_client, world, captured):
    names = [i["name"] for i in event_definitions(owner_client, captured.id)["results"]]
    assert "secret_event" not in names
    secret = EventDefinition.objects.get(name="secret_event")
    assert owner_client.get(f"/api/projects/{captured.id}/event_definitions/{secret.id}/").status_code == 404
    secret_property = PropertyDefinition.objects.get(name="secret_property")
    url = f"/api/projects/{captured.id}/property_definitions/{secret_property.id}/"
    assert owner_client.get(url).status_code == 404
    assert owner_client.patch(url, {"property_type": "String"}, format="json").status_code == 404
    assert outsider_client.get(f"/api/projects/{captured.id}/event_definitions/").status_code == 403
    assert outsider_client.get(f"/api/projects/{captured.id}/property_definitions/").status_code == 403


def test_api_key_scopes(world, captured):
    from tests.conftest import key_client

    reader = key_client(world.owner, ["property_definition:read"])
    assert reader.get(f"/api/projects/{captured.id}/property_definitions/").status_code == 200
    denied = reader.get(f"/api/projects/{captured.id}/event_definitions/")
    assert denied.status_code == 403
    assert denied.json()["detail"] == "API key missing required scope 'event_definition:read'"
    definition = PropertyDefinition.objects.get(team=captured, name="plan", type=1)
    url = f"/api/projects/{captured.id}/property_definitions/{definition.id}/"
    assert reader.patch(url, {"property_type": "Numeric"}, format="json").status_code == 403
