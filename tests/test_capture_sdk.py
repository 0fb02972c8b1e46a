"""The real PostHog Python SDK against a live test server, with and without gzip."""

import pytest
from posthog import Posthog

from persons.models import Person
from tests.capture_helpers import stored_events


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("use_gzip", [False, True])
def test_python_sdk_events_and_person_updates_are_stored(live_server, world, clickhouse, use_gzip):
    errors = []
    sdk = Posthog(
        world.team.api_token,
        host=live_server.url,
        sync_mode=True,
        gzip=use_gzip,
        on_error=lambda error, items: errors.append(error),
        enable_local_evaluation=False,
    )
    sdk.capture("signed_up", distinct_id="sdk-user", properties={"plan": "pro", "revenue": 12.5})
    sdk.set(distinct_id="sdk-user", properties={"email": "sdk@example.com"})
    sdk.alias("sdk-device", "sdk-user")
    sdk.flush()
    sdk.shutdown()
    assert errors == []

    events = stored_events(world.team.id)
    by_name = {e["event"]: e for e in events}
    assert set(by_name) == {"signed_up", "$set", "$create_alias"}
    assert by_name["signed_up"]["properties"]["plan"] == "pro"
    assert by_name["signed_up"]["properties"]["revenue"] == 12.5
    assert by_name["signed_up"]["properties"]["$lib"] == "posthog-python"
    person = Person.objects.get(team=world.team)
    assert person.properties == {"email": "sdk@example.com"}
    assert {row.distinct_id for row in person.distinct_id_rows.all()} == {"sdk-user", "sdk-device"}
