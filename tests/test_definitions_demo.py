"""Demo data writes ClickHouse directly: its event and property definitions are derived from what it wrote."""

from datetime import UTC, datetime

import pytest

from ingestion.demo import generate_demo_data

pytestmark = pytest.mark.usefixtures("clickhouse")


def test_demo_data_produces_definitions(owner_client, world):
    generate_demo_data(world.team, events=2_000, days=7, seed=3, now=datetime(2025, 3, 3, 12, tzinfo=UTC))

    events = owner_client.get(f"/api/projects/{world.team.id}/event_definitions/?ordering=name").json()
    names = [item["name"] for item in events["results"]]
    assert "$pageview" in names and all(item["last_seen_at"] for item in events["results"])
    url = f"/api/projects/{world.team.id}/property_definitions/"
    event_types = {i["name"]: i["property_type"] for i in owner_client.get(url + "?limit=500").json()["results"]}
    assert event_types["$browser"] == "String" and event_types["$current_url"] == "String"
    person = owner_client.get(url + "?type=person&limit=500").json()["results"]
    person_types = {item["name"]: item["property_type"] for item in person if not item.get("virtual")}
    assert person_types["email"] == "String" and person_types["signup_date"] == "DateTime"
    seen = owner_client.get(url + '?event_names=["$pageview"]&filter_by_event_names=true').json()["results"]
    assert "$current_url" in [item["name"] for item in seen]
