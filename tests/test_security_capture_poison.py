"""An event that can never be stored is dropped with a reason (or a 400 alone), never a 503 that SDKs retry forever."""

import pytest

from tests.capture_helpers import post_json, stored_events

pytestmark = pytest.mark.usefixtures("clickhouse")

LONE_SURROGATE = '{"event": "bad", "distinct_id": "u", "properties": {"name": "\\ud800"}}'


def raw_batch(token: str, *events: str) -> str:
    return '{"api_key": "' + token + '", "batch": [' + ", ".join(events) + "]}"


def good(name: str) -> str:
    return '{"event": "' + name + '", "distinct_id": "u", "properties": {"ok": 1}}'


def nested(depth: int) -> str:
    return '{"event": "deep", "distinct_id": "u", "properties": {"x": ' + "[" * depth + "]" * depth + "}}"


def test_a_lone_surrogate_drops_only_that_event_of_a_batch(client, world):
    body = raw_batch(world.team.api_token, good("first"), LONE_SURROGATE, good("last"))
    response = client.post("/batch/", data=body, content_type="application/json")
    assert response.status_code == 200
    dropped = response.json()["dropped"]
    assert [item["index"] for item in dropped] == [1]
    assert dropped[0]["detail"].startswith("The event cannot be stored")
    assert sorted(e["event"] for e in stored_events(world.team.id)) == ["first", "last"]


def test_properties_nested_too_deep_drop_only_that_event(client, world):
    body = raw_batch(world.team.api_token, good("kept"), nested(300))
    response = client.post("/batch/", data=body, content_type="application/json")
    assert response.status_code == 200
    assert [item["index"] for item in response.json()["dropped"]] == [1]
    assert [e["event"] for e in stored_events(world.team.id)] == ["kept"]


def test_a_single_poisoned_event_is_400_not_503(client, world):
    body = LONE_SURROGATE[:-1] + ', "api_key": "' + world.team.api_token + '"}'
    response = client.post("/capture/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_payload"


def test_a_body_nested_ten_thousand_deep_is_400(client, world):
    body = raw_batch(world.team.api_token, nested(10_000))
    response = client.post("/batch/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Malformed request data")


def test_valid_batches_still_store_everything(client, world):
    response = post_json(
        client, "/batch/", {"api_key": world.team.api_token, "batch": [{"event": "a", "distinct_id": "d"}]}
    )
    assert response.status_code == 200 and response.json() == {"status": 1}
