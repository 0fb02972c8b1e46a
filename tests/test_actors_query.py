"""ActorsQuery without a source (spec actors-cohorts §1, PostHog's test_actors_query_runner): filters, search,
aggregations, ordering (display names too), paging."""

import pytest

from tests.actors_helpers import actors
from tests.query_helpers import capture_events, run_query

pytestmark = pytest.mark.usefixtures("clickhouse")
R = "a1b2"


@pytest.fixture
def persons(client, world):
    events = [
        ("clicky", f"id-{R}-{i}", {"$set": {"email": f"jacob{i}@{R}.posthog.com", "name": f"Mr Jacob {R}",
                                            "random_uuid": R, "index": i}}, f"2024-01-01T10:0{i}:00Z")
        for i in range(10)
    ]  # fmt: skip
    capture_events(client, world.team, events)


def test_default_persons_query(owner_client, world, persons):
    result = run_query(owner_client, world.team.id, {"kind": "ActorsQuery"}, refresh="force_blocking").json()
    assert result["columns"] == ["person", "id", "person.$delete"]
    assert len(result["results"]) == 10
    assert set(result["results"][0][0]) == {"id", "created_at", "distinct_ids", "properties", "is_identified"}


def test_properties_fixed_properties_and_search(owner_client, world, persons):
    hogql = {"type": "hogql", "key": "toInt(properties.index) > 5"}
    same = {"type": "person", "key": "random_uuid", "value": R, "operator": "exact"}
    assert len(actors(owner_client, world.team.id, None, properties=[same, hogql])["results"]) == 4
    below = {"type": "hogql", "key": "toInt(properties.index) < 2"}
    assert len(actors(owner_client, world.team.id, None, fixedProperties=[same, below])["results"]) == 2
    for text, count in ((f"jacob4@{R}.posthog", 1), (f"JACOB4@{R}.POSTHOG", 1), (f"Mr Jacob {R}", 10),
                        (f"id-{R}-9", 1)):  # fmt: skip
        assert len(actors(owner_client, world.team.id, None, search=text)["results"]) == count, text


def test_aggregation_ordering_and_paging(owner_client, world, persons):
    grouped = actors(owner_client, world.team.id, None, select=["properties.name", "count()"])
    assert grouped["results"] == [[f"Mr Jacob {R}", 10]]
    emails = actors(owner_client, world.team.id, None, select=["properties.email"], orderBy=["properties.email DESC"])
    assert emails["results"][0] == [f"jacob9@{R}.posthog.com"]
    aliased = actors(owner_client, world.team.id, None, select=["properties.email as email"])
    assert aliased["results"][0] == [f"jacob0@{R}.posthog.com"]
    page = actors(owner_client, world.team.id, None, select=["properties.email"], orderBy=["properties.email DESC"],
                  limit=1, offset=2)  # fmt: skip
    assert (page["results"], page["hasMore"]) == ([[f"jacob7@{R}.posthog.com"]], True)


def test_order_by_person_display_name(client, owner_client, world):
    capture_events(client, world.team, [
        ("e", name, {"$set": {"email": f"{name}@x.io"}}, f"2024-01-01T10:0{i}:00Z")
        for i, name in enumerate(("tom", "arthur", "chris"))
    ])  # fmt: skip
    select = ["person_display_name -- Person"]
    ascending = actors(owner_client, world.team.id, None, select=select, orderBy=["person_display_name -- Person ASC"])
    assert [row[0]["display_name"] for row in ascending["results"]] == ["arthur@x.io", "chris@x.io", "tom@x.io"]
    descending = actors(
        owner_client, world.team.id, None, select=select, orderBy=["person_display_name -- Person DESC"]
    )
    assert [row[0]["display_name"] for row in descending["results"]] == ["tom@x.io", "chris@x.io", "arthur@x.io"]
