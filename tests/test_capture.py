"""Capture endpoints: every encoding real SDKs use, normalisation, bad input, de-duplication."""

import base64
import gzip
import json
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

from ingestion import clickhouse_writer
from ingestion.errors import INVALID_TOKEN, MISSING_DISTINCT_ID, MISSING_TOKEN
from persons.models import Person
from queries.clickhouse import client as clickhouse_client
from tests.capture_helpers import post_json, stored_events

pytestmark = pytest.mark.usefixtures("clickhouse")


def event(distinct_id="user-1", name="$pageview", **extra):
    return {"event": name, "distinct_id": distinct_id, "properties": {"$browser": "Chrome"}, **extra}


@pytest.fixture
def token(world):
    return world.team.api_token


@pytest.mark.parametrize("path", ["/batch/", "/batch", "/capture/", "/e/", "/i/v0/e/", "/track/", "/track"])
def test_every_capture_path_stores_events(client, world, token, path):
    response = post_json(client, path, {"api_key": token, "batch": [event(), event("user-2")]})
    assert response.status_code == 200
    assert response.json() == {"status": 1}
    assert sorted(e["distinct_id"] for e in stored_events(world.team.id)) == ["user-1", "user-2"]


def test_single_event_with_token_field(client, world, token):
    assert post_json(client, "/capture/", {**event(), "token": token}).status_code == 200
    stored = stored_events(world.team.id)
    assert len(stored) == 1 and stored[0]["properties"] == {"$browser": "Chrome"}


def test_token_inside_properties_and_list_payload(client, world, token):
    payload = [{"event": "a", "distinct_id": "d", "properties": {"token": token}}]
    assert post_json(client, "/e/", payload).status_code == 200
    stored = stored_events(world.team.id)
    assert stored[0]["event"] == "a" and "token" not in stored[0]["properties"]


def test_gzip_content_encoding(client, world, token):
    body = gzip.compress(json.dumps({"api_key": token, "batch": [event()]}).encode())
    response = client.post("/batch/", data=body, content_type="application/json", HTTP_CONTENT_ENCODING="gzip")
    assert response.status_code == 200
    assert len(stored_events(world.team.id)) == 1


def test_gzip_js_query_parameter(client, world, token):
    body = gzip.compress(json.dumps([{**event(), "properties": {"token": token}}]).encode())
    response = client.post("/e/?compression=gzip-js", data=body, content_type="text/plain")
    assert response.status_code == 200
    assert len(stored_events(world.team.id)) == 1


def test_base64_form_data(client, world, token):
    encoded = base64.b64encode(json.dumps({**event(), "properties": {"token": token}}).encode()).decode()
    response = client.post(
        "/e/?compression=base64", data=f"data={quote(encoded)}", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert len(stored_events(world.team.id)) == 1


def test_plain_json_form_data_and_get_data(client, world, token):
    payload = json.dumps({**event(), "api_key": token})
    form = client.post("/track/", data=f"data={quote(payload)}", content_type="application/x-www-form-urlencoded")
    assert form.status_code == 200
    encoded = base64.b64encode(json.dumps({**event("user-9"), "api_key": token}).encode()).decode()
    get = client.get(f"/e/?data={quote(encoded)}")
    assert get.status_code == 200
    assert sorted(e["distinct_id"] for e in stored_events(world.team.id)) == ["user-1", "user-9"]


def test_engage_sets_person_properties(client, world, token):
    payload = {"$token": token, "$distinct_id": "eng-1", "$set": {"plan": "pro"}}
    assert post_json(client, "/engage/", payload).status_code == 200
    stored = stored_events(world.team.id)
    assert stored[0]["event"] == "$identify"
    assert Person.objects.get(team=world.team).properties == {"plan": "pro"}


def test_missing_token_is_401(client, db):
    response = post_json(client, "/batch/", {"batch": [event()]})
    assert response.status_code == 401
    assert response.json() == {
        "type": "authentication_error",
        "code": "missing_api_key",
        "detail": MISSING_TOKEN,
        "attr": None,
    }


def test_unknown_token_is_401(client, db):
    response = post_json(client, "/batch/", {"api_key": "phc_nope", "batch": [event()]})
    assert response.status_code == 401
    assert response.json()["detail"] == INVALID_TOKEN


def test_malformed_json_is_400(client, db):
    response = client.post("/batch/", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_payload"
    assert response.json()["detail"].startswith("Malformed request data: Failed to decode JSON.")


def test_corrupt_gzip_is_400(client, db):
    response = client.post("/batch/", data=b"\x1f\x8bnot-gzip", content_type="application/json")
    assert response.status_code == 400
    assert "decompress" in response.json()["detail"]


def test_oversized_body_is_413(client, db):
    response = client.post("/batch/", data=b"x" * (20 * 1024 * 1024 + 10), content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_missing_distinct_id_on_single_event_is_400(client, token):
    response = post_json(client, "/capture/", {"event": "x", "api_key": token})
    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "code": "required",
        "detail": MISSING_DISTINCT_ID,
        "attr": "distinct_id",
    }


def test_batch_keeps_valid_events_and_reports_dropped(client, world, token):
    batch = [
        event("ok-1"),
        {"event": "x"},
        {"event": "y", "distinct_id": "d", "properties": "not-an-object"},
        {"distinct_id": "no-name"},
        event("ok-2"),
        "not an event",
    ]
    response = post_json(client, "/batch/", {"api_key": token, "batch": batch})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == 1
    assert [(d["index"], d["attr"]) for d in body["dropped"]] == [
        (1, "distinct_id"),
        (2, "properties"),
        (3, "event"),
        (5, None),
    ]
    assert sorted(e["distinct_id"] for e in stored_events(world.team.id)) == ["ok-1", "ok-2"]


def test_timestamp_is_corrected_by_sent_at(client, world, token):
    # The client's clock runs one hour fast: the event happened 10 minutes before it was sent.
    client_now = datetime.now(UTC) + timedelta(hours=1)
    payload = {
        "api_key": token,
        "sent_at": client_now.isoformat(),
        "batch": [event(timestamp=(client_now - timedelta(minutes=10)).isoformat())],
    }
    post_json(client, "/batch/", payload)
    stored = stored_events(world.team.id)[0]["timestamp"].replace(tzinfo=UTC)
    assert abs(stored - (datetime.now(UTC) - timedelta(minutes=10))) < timedelta(seconds=30)


def test_offset_is_applied(client, world, token):
    post_json(client, "/e/", {**event(), "api_key": token, "offset": 60_000})
    stored = stored_events(world.team.id)[0]["timestamp"].replace(tzinfo=UTC)
    assert abs(stored - (datetime.now(UTC) - timedelta(minutes=1))) < timedelta(seconds=30)


def test_timestamp_without_sent_at_is_kept(client, world, token):
    post_json(client, "/batch/", {"api_key": token, "batch": [event(timestamp="2024-05-01T12:00:00.123456+02:00")]})
    assert stored_events(world.team.id)[0]["timestamp"] == datetime(2024, 5, 1, 10, 0, 0, 123456)


def test_generated_uuid_and_given_uuid(client, world, token):
    given = str(uuid.uuid4())
    post_json(client, "/batch/", {"api_key": token, "batch": [event(uuid=given), event("other")]})
    uuids = {e["distinct_id"]: e["uuid"] for e in stored_events(world.team.id)}
    assert uuids["user-1"] == given
    assert uuid.UUID(uuids["other"]).version == 4


def test_retried_batch_is_stored_once(client, world, token):
    payload = {"api_key": token, "batch": [event(uuid=str(uuid.uuid4())), event("b", uuid=str(uuid.uuid4()))]}
    post_json(client, "/batch/", payload)
    stored_events(world.team.id)
    post_json(client, "/batch/", payload)
    post_json(client, "/batch/", payload)
    assert len(stored_events(world.team.id)) == 2


@pytest.mark.parametrize("embedded", [True, False], ids=["file", "parameter"])
def test_existing_event_uuids_both_ways(client, world, token, monkeypatch, embedded):
    """The de-duplication query sends its uuids as a temporary file read by the embedded engine, or as one
    comma-joined parameter over HTTP (client.values_source): the embedded engine runs both."""
    kept, unknown = str(uuid.uuid4()), str(uuid.uuid4())
    post_json(client, "/batch/", {"api_key": token, "batch": [event(uuid=kept)]})
    assert len(stored_events(world.team.id)) == 1
    monkeypatch.setattr(clickhouse_client, "is_embedded", lambda: embedded)
    now = datetime.now(UTC)
    window = (now - timedelta(days=1), now + timedelta(days=1))
    assert clickhouse_writer.existing_event_uuids(world.team.id, [unknown, kept], *window) == {kept}
    assert clickhouse_writer.existing_event_uuids(world.team.id + 1, [kept], *window) == set()
    assert (
        clickhouse_writer.existing_event_uuids(world.team.id, [kept], now + timedelta(days=2), now + timedelta(days=3))
        == set()
    )


def test_duplicate_uuid_within_one_batch_is_stored_once(client, world, token):
    same = str(uuid.uuid4())
    post_json(client, "/batch/", {"api_key": token, "batch": [event(uuid=same), event(uuid=same)]})
    assert len(stored_events(world.team.id)) == 1


def test_top_level_and_nested_set_both_update_person(client, world, token):
    batch = [
        {
            **event("p1", "$set", timestamp="2024-01-01T00:00:00Z"),
            "$set": {"email": "a@example.com"},
            "$set_once": {"first": "yes"},
        },
        {
            **event("p1", "$identify", timestamp="2024-01-01T00:00:01Z"),
            "properties": {"$set": {"plan": "pro"}, "$set_once": {"first": "no"}},
        },
    ]
    post_json(client, "/batch/", {"api_key": token, "batch": batch})
    stored = stored_events(world.team.id)
    person = Person.objects.get(team=world.team)
    assert person.properties == {"email": "a@example.com", "first": "yes", "plan": "pro"}
    assert stored[0]["person_properties"] == {"email": "a@example.com", "first": "yes"}
    assert stored[1]["person_properties"] == person.properties
    assert {e["person_id"] for e in stored} == {str(person.uuid)}


def test_autocapture_elements_become_a_chain(client, world, token):
    elements = [{"tag_name": "button", "attr__class": ["btn"], "$el_text": "Buy", "nth_child": 1, "nth_of_type": 1}]
    payload = {"api_key": token, "batch": [{**event(name="$autocapture"), "properties": {"$elements": elements}}]}
    post_json(client, "/batch/", payload)
    stored = stored_events(world.team.id)[0]
    assert stored["elements_chain"] == 'button.btn:nth-child="1"nth-of-type="1"text="Buy"'
    assert "$elements" not in stored["properties"]


def test_events_of_two_projects_stay_apart(client, world):
    post_json(client, "/batch/", {"api_key": world.team.api_token, "batch": [event("mine")]})
    post_json(client, "/batch/", {"api_key": world.other_team.api_token, "batch": [event("theirs")]})
    assert [e["distinct_id"] for e in stored_events(world.team.id)] == ["mine"]
    assert [e["distinct_id"] for e in stored_events(world.other_team.id)] == ["theirs"]


def test_ingested_event_flag_is_set(client, world, token):
    assert world.team.ingested_event is False
    post_json(client, "/batch/", {"api_key": token, "batch": [event()]})
    stored_events(world.team.id)
    world.team.refresh_from_db()
    assert world.team.ingested_event is True


def test_cors_preflight(client, db):
    response = client.options("/e/", HTTP_ORIGIN="https://app.example.com")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://app.example.com"


def test_backpressure_is_one_warning_now_and_then_not_an_error_per_request(client, token, settings, caplog):
    """A full spool answers 503 with Retry-After (capture working as designed): Django's per-response error line is
    replaced by one `capture_backpressure` warning per REFUSALS_LOG_SECONDS with the count."""
    from ingestion.api import capture

    settings.INGESTION_SPOOL_MAX_EVENTS = 2
    assert post_json(client, "/batch/", {"api_key": token, "batch": [event(), event()]}).status_code == 200
    capture.refusals.logged_at = 0.0
    caplog.set_level("WARNING")
    answers = [post_json(client, "/batch/", {"api_key": token, "batch": [event()]}) for _ in range(3)]
    assert [(a.status_code, a["Retry-After"], a.json()["code"]) for a in answers] == [(503, "1", "spool_full")] * 3
    assert not [r for r in caplog.records if r.name == "django.request"]
    assert [r.getMessage() for r in caplog.records if r.name == "ingestion.api.capture"] == [
        "capture_backpressure refused=1 retry_after=1"
    ]
